"""Demo themes and a series: "Utvecklingsrådet Öster", a development council that met three
times, with statements carried over from meeting to meeting, themes tagged on its statements
and on the demo survey's free-text comments, linked to goals of the default framework and to
a few actions. Seeded, so every load gives the same; flushes, the caller commits.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import numpy as np
from sqlalchemy import select

from dialog import services as dialog_services
from dialog.models import ActionStatus as PromiseStatus
from dialog.models import EventStatus, Moderation, Participant, StatementSource, Vote
from dialog.queries import organisation_events
from surveys.actions.models import Action, ActionLink
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.followup.queries import framework_of
from surveys.survey.models import Answer, Question, Response, Survey
from surveys.themes import services
from surveys.themes.models import answer_themes
from surveys.themes.queries import series_in_order, statements_of

SEED = 20261207
#: key -> names, patterns of words that mark a text as about it, index of the default
#: framework's goal it is linked to.
THEMES = {
    "safety": ({"sv": "Trygghet och belysning", "en": "Safety and lighting",
                "ar": "الأمان والإنارة", "so": "Ammaanka iyo iftiinka",
                "uk": "Безпека та освітлення"},
               (r"belysning", r"\bljus", r"lighting", r"trygg", r"\blamp"), 0),
    "meeting": ({"sv": "Mötesplatser och fritid", "en": "Meeting places and leisure",
                 "ar": "أماكن اللقاء والترفيه", "so": "Goobaha kulanka iyo madadaalada",
                 "uk": "Місця зустрічей і дозвілля"},
                (r"mötesplats", r"\bunga\b", r"activities", r"أماكن", r"aktivitet", r"fritid"), 1),
    "language": ({"sv": "Språk och information", "en": "Language and information",
                  "ar": "اللغة والمعلومات", "so": "Luqadda iyo macluumaadka",
                  "uk": "Мова та інформація"},
                 (r"språk", r"information", r"باللغة", r"мови", r"english"), 2),
    "transport": ({"sv": "Kollektivtrafik", "en": "Public transport", "ar": "النقل العام",
                   "so": "Gaadiidka dadweynaha", "uk": "Громадський транспорт"},
                  (r"\bbuss", r"\bbus(es)?\b"), 3),
}
#: The council's meetings: days ago, and the statements raised (Swedish, theme key).
MEETINGS = [
    (270, [("Gångvägen mot skolan är mörk på vintern.", "safety"),
           ("Det behövs en mötesplats för unga på kvällarna.", "meeting"),
           ("Informationen från kommunen kommer bara på svenska.", "language"),
           ("Bussen till centrum går för sällan efter klockan 19.", "transport")]),
    (180, [("Föräldrar vill ha läxhjälp på biblioteket.", "meeting"),
           ("Belysningen vid busshållplatsen är trasig.", "safety")]),
    (90, [("Fler språk på kommunens webbplats.", "language"),
          ("Kvällsöppen fritidsgård även på helger.", "meeting")]),
]
VOTERS = 12


def _meeting(organisation, facilitator, number: int, days_ago: int):
    start = utcnow() - timedelta(days=days_ago)
    event = dialog_services.create_event(
        organisation.id, facilitator.id,
        title={"sv": f"Utvecklingsrådet Öster, möte {number}",
               "en": f"Öster development council, meeting {number}",
               "ar": f"مجلس تنمية أوستر، الاجتماع {number}"},
        description={"sv": "Rådet för boende och föreningar i Öster."},
        languages=["sv", "en", "ar"], starts_at=start, ends_at=start + timedelta(hours=2),
        place="Östers bibliotek", online_url="", target_groups=["boende i Öster"],
        focus_areas=["influence"], moderation=Moderation.post,
        statement_max_length=280, dot_points=5)
    dialog_services.add_prompt(event, {"sv": "Vad behöver Öster?", "en": "What does Öster need?",
                                       "ar": "ماذا يحتاج أوستر؟"})
    event.status = EventStatus.open
    db.session.flush()
    return event


def _room(event, rng: np.random.Generator) -> list[Participant]:
    """The council members' devices, checked in."""
    room = []
    for number in range(VOTERS):
        participant = Participant(
            event_id=event.id, language="sv",
            device_hash=hashlib.sha256(f"demo-council:{event.id}:{number}".encode()).hexdigest(),
            age_group=str(rng.choice(["16-19", "20-29", "30-39", "40-49", "50-59", "60-69"])),
            gender=str(rng.choice(["kvinna", "man"])), born=str(rng.choice(
                ["inrikes", "utrikes"])), checked_in_at=event.starts_at)
        db.session.add(participant)
        room.append(participant)
    db.session.flush()
    return room


def _vote(event, room: list[Participant], rng: np.random.Generator) -> None:
    statements = statements_of(event.id)
    for participant in room:
        db.session.add_all(Vote(participant_id=participant.id, statement_id=s.id,
                                value=int(rng.choice([1, 1, 1, 0, -1])))
                           for s in statements if s.participant_id != participant.id)


def _about(key: str, text: str) -> bool:
    return any(re.search(pattern, text, re.IGNORECASE) for pattern in THEMES[key][1])


def load_themes_demo(organisation, facilitator) -> list[str]:
    """The themes, the council's series and the tags; returns the lines `flask demo` prints."""
    rng = np.random.default_rng(SEED)
    themes = {key: services.create_theme(organisation.id, names)
              for key, (names, _words, _goal) in THEMES.items()}
    framework = framework_of(organisation.id)
    if framework is not None:
        goals = [g for area in framework.focus_areas for g in area.goals if g.parent_id is None]
        for key, (_names, _words, goal) in THEMES.items():
            services.set_goals(themes[key], [goals[goal % len(goals)]])
    series = services.create_series(organisation.id, {"sv": "Utvecklingsrådet Öster",
                                                      "en": "Öster development council"})
    previous = None
    for number, (days_ago, raised) in enumerate(MEETINGS, start=1):
        event = _meeting(organisation, facilitator, number, days_ago)
        services.add_event(series, event)
        if previous is not None:
            services.carry_forward(series, event)
        room = _room(event, rng)
        for writer, (text, key) in zip(room, raised, strict=False):
            statement = dialog_services.add_staff_statement(
                event, event.prompts[0], text, "sv", StatementSource.web)
            statement.participant_id = writer.id
            services.tag_statement(statement, [themes[key]])
        _vote(event, room, rng)
        if number < len(MEETINGS):
            dialog_services.save_response(event, facilitator.id, {
                "sv": "Vi har tagit rådets frågor vidare till nämnderna."}, [])
            dialog_services.add_action(event, {"sv": "Ny belysning längs gångvägen"},
                                       PromiseStatus.started if number == 1
                                       else PromiseStatus.planned)
            event.status = EventStatus.published
        previous = event
    db.session.flush()
    actions = list(db.session.scalars(select(Action).where(
        Action.organisation_id == organisation.id).order_by(Action.id)))
    for action, key in zip(actions, ("safety", "meeting", "language"), strict=False):
        action.links.append(ActionLink(kind="theme", target_id=themes[key].id))
    if actions:  # the first meeting's lamps became the first action
        actions[0].links.append(ActionLink(kind="dialogue_event",
                                           target_id=series_in_order(series)[0].id))
    tagged = _tag_comments(organisation.id, themes)
    said = _tag_other_statements(organisation.id, themes, {e.id for e in series.events})
    db.session.flush()
    return [(f"Themes: /themes/ ({len(THEMES)} themes; {said} statements of other events and "
             f"{tagged} survey comments tagged); series: /series/{series.id} "
             f"({len(MEETINGS)} council meetings).")]


def _tag_other_statements(organisation_id: int, themes: dict, skip: set[int]) -> int:
    """Tag the other demo events' statements by the words in them or their translations."""
    tagged = 0
    for event in organisation_events(organisation_id):
        if event.id in skip:
            continue
        for statement in statements_of(event.id):
            texts = " ".join([statement.text, *(t.text for t in statement.translations)])
            chosen = [themes[key] for key in THEMES if _about(key, texts)]
            if chosen:
                services.tag_statement(statement, chosen)
                tagged += 1
    return tagged


def _tag_comments(organisation_id: int, themes: dict) -> int:
    """Tag the demo survey's free-text comments by the words in them."""
    rows = db.session.execute(
        select(Answer.id, Answer.value).join(Question).join(Response)
        .join(Survey, Survey.id == Question.survey_id)
        .where(Survey.organisation_id == organisation_id, Question.type == "long_text",
               Response.completed_at.is_not(None)))
    values = []
    for answer_id, value in rows:
        for key in THEMES:
            if _about(key, str(value or "")):
                values.append({"answer_id": answer_id, "theme_id": themes[key].id})
    if values:
        db.session.execute(answer_themes.insert(), values)
    return len({v["answer_id"] for v in values})
