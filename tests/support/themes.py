"""An organisation with what themes are about: a published event whose statements come
from checked-in devices, a survey with free-text answers, a framework with goals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from dialog import services as dialog_services
from dialog.models import EventStatus, Participant, StatementSource, Vote
from surveys.auth.models import Organisation
from surveys.extensions import db
from surveys.followup import services as followup_services
from surveys.survey.definition import load_template
from surveys.survey.models import Answer, Question, Response
from surveys.survey.services import import_definition
from tests.support.dialog import make_event


def build_world(app, org, *, writers: int = 7, answers: int = 6, year: int = 2026) -> dict:
    """Commit the world; returns the ids tests need."""
    with app.app_context():
        event = make_event(org.id, status=EventStatus.published, languages=("sv", "en"))
        event.starts_at = datetime(year, 3, 10, 18)
        statements = []
        for number in range(writers):
            participant = Participant(event_id=event.id, device_hash=f"{number:064d}",
                                      language="sv", age_group="16-29",
                                      gender="kvinna" if number < 5 else "man",
                                      born="utrikes", checked_in_at=event.starts_at)
            db.session.add(participant)
            db.session.flush()
            statement = dialog_services.add_staff_statement(
                event, event.prompts[0], f"Mer ljus i parken {number}", "sv",
                StatementSource.facilitator)
            statement.participant_id = participant.id
            statements.append(statement)
        for statement in statements[:2]:
            for voter in range(writers):
                db.session.add(Vote(participant_id=_participant(event.id, voter),
                                    statement_id=statement.id, value=1))
        survey = import_definition(load_template("tillit-och-delaktighet"), org.id,
                                   slug=f"themes-{org.id}")
        survey.opens_at = datetime(year, 2, 1)
        questions = {q.key: q for q in db.session.scalars(
            select(Question).where(Question.survey_id == survey.id))}
        answer_ids = []
        for number in range(answers):
            response = Response(survey_id=survey.id, token=f"t{org.id}-{number}",
                                resume_code=f"R{org.id}{number}"[:12], language="sv",
                                completed_at=datetime(year, 2, 2))
            db.session.add(response)
            db.session.flush()
            db.session.add(Answer(response_id=response.id, question_id=questions["gender"].id,
                                  value="woman"))
            comment = Answer(response_id=response.id,
                             question_id=questions["other_comments"].id,
                             value=f"Bättre belysning {number}")
            db.session.add(comment)
            db.session.flush()
            answer_ids.append(comment.id)
        framework = followup_services.create_from_template(
            db.session.get(Organisation, org.id))  # not `org`: it must outlive this session
        goals = [g for area in framework.focus_areas for g in area.goals]
        db.session.commit()
        return {"event": event.id, "statements": [s.id for s in statements],
                "survey": survey.id, "answers": answer_ids, "framework": framework.id,
                "goals": [g.id for g in goals[:2]], "prompt": event.prompts[0].id,
                "code": event.join_code}


def _participant(event_id: int, number: int) -> int:
    return db.session.scalar(select(Participant.id).where(
        Participant.event_id == event_id, Participant.device_hash == f"{number:064d}"))
