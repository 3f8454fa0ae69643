"""Dialogue events that tests use, and a participant's steps over HTTP."""

from __future__ import annotations

import re

from dialog import services
from dialog.models import Event, EventStatus, Moderation, Prompt
from surveys.extensions import db

PROMPTS = [
    {"sv": "Vad skulle göra parken tryggare?", "en": "What would make the park safer?",
     "ar": "ما الذي يجعل الحديقة أكثر أماناً؟", "fa": "چه چیزی پارک را امن‌تر می‌کند؟",
     "so": "Maxaa beerta ka dhigi lahaa mid ammaan badan?",
     "ti": "እቲ መናፈሻ ብኸመይ ዝያዳ ውሑስ ክኸውን ይኽእል?",
     "uk": "Що зробило б парк безпечнішим?", "sv-ll": "Vad gör parken trygg?"},
    {"sv": "Vad saknar du i ditt bostadsområde?", "en": "What is missing where you live?",
     "ar": "ما الذي ينقصك في حيّك؟", "fa": "در محله‌تان چه چیزی کم است؟",
     "so": "Maxaa ka maqan xaafaddaada?", "ti": "ኣብ ከባቢኹም እንታይ ይጎድል?",
     "uk": "Чого бракує у вашому районі?", "sv-ll": "Vad saknas där du bor?"},
]
TITLE = {"sv": "Trygg i parken", "en": "Safe in the park", "ar": "الأمان في الحديقة",
         "fa": "امنیت در پارک", "so": "Ammaanka beerta", "ti": "ድሕንነት ኣብ መናፈሻ",
         "uk": "Безпека в парку", "sv-ll": "Trygg i parken"}
DESCRIPTION = {"sv": "Ett samtal om parken.", "en": "A talk about the park.",
               "ar": "حوار حول الحديقة.", "fa": "گفت‌وگویی درباره پارک.",
               "so": "Wadahadal ku saabsan beerta.", "ti": "ዘተ ብዛዕባ እቲ መናፈሻ።",
               "uk": "Розмова про парк.", "sv-ll": "Vi pratar om parken."}


def make_event(organisation_id: int, *, status: EventStatus = EventStatus.open,
               moderation: Moderation = Moderation.post, languages=("sv", "en", "ar"),
               prompts: int = 1, statement_max_length: int = 280, dot_points: int = 5,
               user_id: int | None = None, for_young_people: bool = False) -> Event:
    """An event with `prompts` prompts in `status` (call inside an app context; flushes)."""
    event = services.create_event(
        organisation_id, user_id, title={k: TITLE[k] for k in languages if k in TITLE},
        description={k: DESCRIPTION[k] for k in languages if k in DESCRIPTION},
        languages=list(languages), starts_at=None, ends_at=None, place="Biblioteket",
        online_url="", target_groups=["unga 16-25"], focus_areas=["inclusion_trust"],
        moderation=moderation, statement_max_length=statement_max_length, dot_points=dot_points,
        for_young_people=for_young_people)
    for text in PROMPTS[:prompts]:
        services.add_prompt(event, {k: text[k] for k in languages if k in text})
    event.status = status
    db.session.flush()
    return event


def create_event(app, org, **kwargs) -> dict:
    """Commit an event; returns {"id", "code", "prompts": [ids]} for use outside the context."""
    with app.app_context():
        event = make_event(org.id, **kwargs)
        db.session.commit()
        return {"id": event.id, "code": event.join_code,
                "prompts": [p.id for p in event.prompts]}


def set_status(app, event_id: int, status: EventStatus) -> None:
    with app.app_context():
        db.session.get(Event, event_id).status = status
        db.session.commit()


def prompt_ids(app, event_id: int) -> list[int]:
    with app.app_context():
        return list(db.session.scalars(db.select(Prompt.id).where(Prompt.event_id == event_id)
                                       .order_by(Prompt.position)))


def join(client, code: str, lang: str = "en") -> None:
    """Open the event in `lang`, accept the consent text: the device has joined."""
    page = client.get(f"/d/{code}?lang={lang}")
    assert page.status_code == 200, page.status_code
    sent = client.post_form(f"/d/{code}/join", {"lang": lang, "consent": "yes"})
    assert sent.status_code == 302 and sent.headers["Location"].endswith(f"/d/{code}/e")


def write(client, code: str, prompt_id: int, text: str):
    return client.post_form(f"/d/{code}/statements", {"prompt_id": prompt_id, "text": text})


def vote(client, code: str, statement_id: int, value: int):
    return client.post_form(f"/d/{code}/vote", {"statement_id": statement_id, "value": value})


STATEMENT_ID_RE = re.compile(r'name="statement_id" value="(\d+)"')


def shown_statement(client, code: str) -> int | None:
    """The id of the statement the vote page offers next, or None when all are voted."""
    match = STATEMENT_ID_RE.search(client.get(f"/d/{code}/vote").get_data(as_text=True))
    return int(match.group(1)) if match else None
