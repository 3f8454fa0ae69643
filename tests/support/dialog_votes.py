"""Votes, dots, paper tallies and check-ins put straight into an event, for the screens' tests."""

from __future__ import annotations

from datetime import date

from dialog import services
from dialog.models import Event, Statement, StatementSource
from surveys.extensions import db
from surveys.runs.models import MarginRow, MarginSet
from tests.support.dialog import make_event


def event_with_statements(app, org, texts: list[str], **kwargs) -> dict:
    """An open event whose first prompt has `texts` as facilitator statements.

    Returns {"id", "code", "statements": [ids in the order of `texts`]}.
    """
    with app.app_context():
        event = make_event(org.id, **kwargs)
        ids = [services.add_staff_statement(event, event.prompts[0], text, "sv",
                                              StatementSource.facilitator).id
               for text in texts]
        db.session.commit()
        return {"id": event.id, "code": event.join_code, "statements": ids}


def add_voters(app, event_id: int, rows: list[dict[int, int]], prefix: str = "device") -> list[int]:
    """One participant per row {statement id: vote}; returns their ids."""
    with app.app_context():
        event = db.session.get(Event, event_id)
        ids = []
        for i, votes in enumerate(rows):
            participant = services.join(event, f"{prefix}-{event_id}-{i}", "sv")
            for statement_id, value in votes.items():
                services.cast_vote(participant, statement_id, value)
            ids.append(participant.id)
        db.session.commit()
        return ids


def add_dots(app, event_id: int, rows: list[dict[int, int]], prefix: str = "dots") -> None:
    """One participant per row {statement id: points}."""
    with app.app_context():
        event = db.session.get(Event, event_id)
        for i, points in enumerate(rows):
            services.set_dots(services.join(event, f"{prefix}-{event_id}-{i}", "sv"), points)
        db.session.commit()


def add_paper(app, statement_id: int, *, agree=0, disagree=0, passed=0, dots=0) -> None:
    """Paper counts for the whole room."""
    with app.app_context():
        services.record_paper_tally(db.session.get(Statement, statement_id), None, None,
                                      agree=agree, disagree=disagree, passed=passed, dots=dots)
        db.session.commit()


def add_checkins(app, event_id: int, answers: list[dict], prefix: str = "checkin") -> None:
    """One participant per answer dict (age_group, gender, born, district)."""
    with app.app_context():
        event = db.session.get(Event, event_id)
        for i, given in enumerate(answers):
            participant = services.join(event, f"{prefix}-{event_id}-{i}", "sv")
            services.check_in(participant, given)
        db.session.commit()


def add_margins(app, org, rows: list[tuple[str, str, float]], *, name: str = "Befolkning 2025",
                reference_date: date = date(2025, 12, 31)) -> int:
    """A margin set of (variable, category, population) rows; returns its id."""
    with app.app_context():
        margins = MarginSet(organisation_id=org.id, name=name, source="SCB",
                            reference_date=reference_date, file_format="csv")
        margins.rows = [MarginRow(position=i, variable=v, category=c, population_count=n)
                        for i, (v, c, n) in enumerate(rows)]
        db.session.add(margins)
        db.session.commit()
        return margins.id


#: Camp "lights" agrees with the first four and rejects the next four; camp "quiet" the reverse.
LIGHTS = ["Fler lampor i parken.", "Kameror vid entrén.", "Öppet längre på kvällen.",
          "Fler vakter på helgen."]
QUIET = ["Släck parken efter tio.", "Stäng entrén på natten.", "Inga högtalare i parken.",
         "Färre evenemang på kvällen."]
SHARED = "Rensa buskarna vid gångvägen."


def two_camps(app, org, per_camp: int = 9) -> dict:
    """An event where 2 × `per_camp` participants split into the two camps; all agree on SHARED.

    Returns event_with_statements' dict plus "voters": participant ids, camps alternating.
    """
    ev = event_with_statements(app, org, LIGHTS + QUIET + [SHARED])
    ids = ev["statements"]
    lights, quiet, shared = ids[:4], ids[4:8], ids[8]
    rows = []
    for i in range(per_camp):
        rows.append({**{s: 1 for s in lights}, **{s: -1 for s in quiet}, shared: 1})
        rows.append({**{s: -1 for s in lights}, **{s: 1 for s in quiet}, shared: 1})
    # One person in each camp passes on a statement, so the camps are not single points.
    rows[0][lights[0]] = 0
    rows[1][quiet[0]] = 0
    ev["voters"] = add_voters(app, ev["id"], rows)
    return ev
