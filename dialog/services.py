"""Every change to a dialogue event: these functions add and flush, the request commits.

A refusal is a :class:`DialogError` with a translated message and the HTTP status the page
answers with; nothing has been changed when one is raised.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from dialog import ages, queries
from dialog.machine import MachineError, Translator, supported
from dialog.models import (
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    ActionStatus,
    DotAllocation,
    Event,
    EventAction,
    EventResponse,
    EventStatus,
    Moderation,
    ModerationAction,
    ModerationKind,
    PaperTally,
    Participant,
    Prompt,
    Statement,
    StatementSource,
    StatementStatus,
    StatementTranslation,
    TableGroup,
    TableNote,
    TranslationStatus,
    Vote,
)
from surveys.audit import services as audit
from surveys.auth.models import User
from surveys.core.i18n import easy_read, language_name
from surveys.core.time import utcnow
from surveys.extensions import db

#: Allowed state changes: (from, to).
TRANSITIONS = {
    (EventStatus.draft, EventStatus.open),
    (EventStatus.open, EventStatus.closed),
    (EventStatus.closed, EventStatus.open),
    (EventStatus.closed, EventStatus.published),
}
VOTE_VALUES = (-1, 0, 1)
NOTE_MAX = 5000
RESPONSE_MAX = 10_000
ACTION_MAX = 1_000
#: A translation may be this many times longer than the event's longest statement.
TRANSLATION_FACTOR = 2
#: Most machine drafts asked for in one request (each waits at most TRANSLATE_TIMEOUT).
MACHINE_DRAFTS_MAX = 40


class DialogError(Exception):
    """A refused change: `message` for the page, `status` for the response."""

    def __init__(self, message, status: int = 400, problems: list | None = None):
        super().__init__(str(message))
        self.message = message
        self.status = status
        self.problems = problems or [message]


# -- events ----------------------------------------------------------------------------------
def new_join_code() -> str:
    """A random join code no event uses yet."""
    while True:
        code = "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if db.session.scalar(select(Event.id).where(Event.join_code == code)) is None:
            return code


def create_event(organisation_id: int, user_id: int | None, **fields) -> Event:
    """A new draft event with a fresh join code; `fields` as in `update_event`."""
    event = Event(organisation_id=organisation_id, created_by_id=user_id,
                  join_code=new_join_code(), languages=list(fields["languages"]))
    update_event(event, **fields)
    db.session.add(event)
    db.session.flush()
    return event


def update_event(event: Event, *, title: dict, description: dict, languages: list[str],
                 starts_at: datetime | None, ends_at: datetime | None, place: str,
                 online_url: str, target_groups: list[str], focus_areas: list[str],
                 moderation: Moderation, statement_max_length: int, dot_points: int,
                 require_translations: bool = False, for_young_people: bool = False) -> None:
    """Set an event's details (the form has validated each value)."""
    if starts_at and ends_at and ends_at < starts_at:
        raise DialogError(_l("The event cannot end before it starts."))
    event.title = {k: v for k, v in title.items() if v}
    event.description = {k: v for k, v in description.items() if v}
    event.languages = list(languages)
    event.starts_at, event.ends_at = starts_at, ends_at
    event.place, event.online_url = place, online_url
    event.target_groups = list(target_groups)
    event.focus_areas = list(focus_areas)
    event.moderation = moderation
    event.statement_max_length = statement_max_length
    event.dot_points = dot_points
    event.require_translations = require_translations
    event.for_young_people = for_young_people


def opening_problems(event: Event) -> list:
    """Why the event cannot open yet: missing prompts or texts in one of its languages."""
    problems = []
    if not event.prompts:
        problems.append(_l("Add at least one prompt for participants to answer."))
    for lang in event.languages:
        if not event.title.get(lang):
            problems.append(_l("The title is missing in %(language)s.",
                               language=language_name(lang)))
        for n, prompt in enumerate(event.prompts, start=1):
            if not prompt.text.get(lang):
                problems.append(_l("Prompt %(num)s is missing in %(language)s.",
                                   num=n, language=language_name(lang)))
    return problems


def change_status(event: Event, target: EventStatus) -> None:
    """Move the event along its life cycle; opening checks that it is complete."""
    if (event.status, target) not in TRANSITIONS:
        raise DialogError(_l("The event cannot go from this state to that one."), 409)
    if target is EventStatus.open:
        problems = opening_problems(event)
        if problems:
            raise DialogError(_l("The event cannot open yet."), 409, problems)
    event.status = target


# -- prompts ---------------------------------------------------------------------------------
def add_prompt(event: Event, text: dict) -> Prompt:
    """A prompt at the end of the event's list."""
    prompt = Prompt(position=len(event.prompts), text=_filled(text))
    event.prompts.append(prompt)  # appending sets prompt.event too; both would add it twice
    db.session.flush()
    return prompt


def update_prompt(prompt: Prompt, text: dict) -> None:
    prompt.text = _filled(text)


def move_prompt(prompt: Prompt, direction: str) -> None:
    """Swap a prompt with its neighbour ("up" or "down"); at an end nothing moves."""
    prompts = list(prompt.event.prompts)
    i = prompts.index(prompt)
    j = i - 1 if direction == "up" else i + 1
    if direction not in ("up", "down"):
        raise DialogError(_l("Choose up or down."))
    if 0 <= j < len(prompts):
        prompts[i], prompts[j] = prompts[j], prompts[i]
        for position, item in enumerate(prompts):
            item.position = position


def _filled(text: Mapping[str, str]) -> dict:
    return {k: v.strip() for k, v in text.items() if v and v.strip()}


# -- participants ------------------------------------------------------------------------------
def _insert(model):
    """INSERT with ON CONFLICT support for the database in use (SQLite or PostgreSQL)."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


def join(event: Event, device: str, language: str) -> Participant:
    """The device joins after accepting the consent text; joining twice changes nothing.

    Uses INSERT .. ON CONFLICT DO NOTHING, so two quick taps on "I agree" cannot fail.
    """
    _accepting(event)
    db.session.execute(_insert(Participant).values(
        event_id=event.id, device_hash=device, language=language, consent_at=utcnow())
        .on_conflict_do_nothing(index_elements=["event_id", "device_hash"]))
    return queries.participant_for(event.id, device)


def choose_language(participant: Participant, language: str) -> None:
    """Show the event to this device in another of its languages (the caller checks it is)."""
    if participant.language != language:
        participant.language = language
        db.session.flush()


def _accepting(event: Event) -> None:
    if event.status is not EventStatus.open:
        raise DialogError(_l("This event is closed. Nothing more can be written or voted."),
                          410)


def _may_speak(participant: Participant) -> None:
    """Refuse a closed event or a muted device."""
    _accepting(participant.event)
    if participant.muted:
        raise DialogError(_l("A moderator has paused writing and voting from this device."),
                          403)


def _statement_text(event: Event, text: str | None) -> str:
    """The text of a new statement, trimmed; refused when empty (400) or too long (413)."""
    text = (text or "").strip()
    if not text:
        raise DialogError(_l("Write something before you send it."), 400)
    if len(text) > event.statement_max_length:
        raise DialogError(_l("A statement can be at most %(max)s characters; yours has "
                             "%(num)s.", max=event.statement_max_length, num=len(text)), 413)
    return text


def write_statement(participant: Participant, prompt_id: int, text: str) -> Statement:
    """A participant's statement: pending under pre-moderation, else visible at once; at an
    event for young people also pending from a participant under 13 or of unstated age."""
    _may_speak(participant)
    event = participant.event
    prompt = next((p for p in event.prompts if p.id == prompt_id), None)
    if prompt is None:
        raise DialogError(_l("That prompt is not part of this event."), 404)
    text = _statement_text(event, text)
    status = (StatementStatus.pending if event.moderation is Moderation.pre
              or held_for_moderation(participant) else StatementStatus.visible)
    statement = Statement(event_id=event.id, prompt_id=prompt.id, participant_id=participant.id,
                          text=text, language=participant.language, status=status,
                          source=StatementSource.web)
    db.session.add(statement)
    db.session.flush()
    return statement


def _votable(participant: Participant, statement_id) -> Statement:
    statement = db.session.get(Statement, statement_id) if isinstance(statement_id, int) else None
    if (statement is None or statement.event_id != participant.event_id
            or statement.status is StatementStatus.pending):
        raise DialogError(_l("That statement does not exist."), 404)
    if statement.status is StatementStatus.hidden:
        raise DialogError(_l("A moderator has hidden that statement; it cannot be voted on."),
                          409)
    if statement.participant_id == participant.id:
        raise DialogError(_l("You cannot vote on your own statement."), 409)
    return statement


def _dottable(participant: Participant, statement_id) -> Statement:
    """Like `_votable`, but one may prioritise one's own statement."""
    statement = db.session.get(Statement, statement_id) if isinstance(statement_id, int) else None
    if (statement is None or statement.event_id != participant.event_id
            or statement.status is not StatementStatus.visible):
        raise DialogError(_l("That statement does not exist."), 404)
    return statement


def cast_vote(participant: Participant, statement_id: int | None, value: int | None) -> None:
    """Agree (1), disagree (-1) or pass (0); a second vote replaces the first.

    One INSERT .. ON CONFLICT DO UPDATE: a vote sent twice is stored once, even at once.
    """
    _may_speak(participant)
    if value not in VOTE_VALUES:
        raise DialogError(_l("Choose agree, disagree or pass."), 400)
    statement = _votable(participant, statement_id)
    now = utcnow()
    db.session.execute(_insert(Vote).values(
        participant_id=participant.id, statement_id=statement.id, value=value, updated_at=now)
        .on_conflict_do_update(index_elements=["participant_id", "statement_id"],
                               set_={"value": value, "updated_at": now}))


def set_dots(participant: Participant, points: Mapping[int, int]) -> None:
    """Replace the participant's dot voting with `points` (statement id -> points ≥ 0).

    Refused as a whole, nothing changed, when the total is over the event's budget or a
    statement cannot be voted on.
    """
    _may_speak(participant)
    # two requests from one device at once: the second waits, then replaces the first's points
    db.session.execute(select(Participant.id).where(Participant.id == participant.id)
                       .with_for_update())
    budget = participant.event.dot_points
    if any(p < 0 for p in points.values()):
        raise DialogError(_l("Points cannot be negative."), 400)
    total = sum(points.values())
    if total > budget:
        raise DialogError(
            _l("You have %(max)s points. You gave %(num)s. Take some away. Then send again.",
               num=total, max=budget) if easy_read() else
            _l("You gave %(num)s points but have %(max)s. Take some away and send again.",
               num=total, max=budget), 400)
    given = {sid: p for sid, p in points.items() if p > 0}
    for statement_id in given:
        _dottable(participant, statement_id)
    db.session.execute(delete(DotAllocation).where(
        DotAllocation.participant_id == participant.id))
    db.session.add_all(DotAllocation(participant_id=participant.id, statement_id=sid, points=p)
                       for sid, p in given.items())
    db.session.flush()


def held_for_moderation(participant: Participant) -> bool:
    """At an event for children and young people, what this participant writes waits for a
    moderator whatever the event's moderation: under 13, or no age stated."""
    return participant.event.for_young_people and ages.moderated(participant.age_group)


#: Check-in question -> what a refused answer says (each names the question).
CHECKIN_PROBLEMS = {
    "age_group": _l("Choose one of the age groups offered."),
    "gender": _l("Choose one of the answers offered about gender."),
    "born": _l("Choose one of the answers offered about where you were born."),
    "district": _l("Choose one of the parts of the municipality offered."),
    "home_languages": _l("Choose languages from the list, or “Another language”."),
}


def check_in(participant: Participant, answers: Mapping[str, str | list[str] | None]) -> None:
    """The optional anonymous check-in; an answer outside the categories is refused (400,
    nothing changed) with a message per question refused."""
    _accepting(participant.event)
    allowed = queries.checkin_categories(participant.event)
    problems = []
    for name, value in answers.items():
        given = value if isinstance(value, list) else [value] if value else []
        if name not in CHECKIN_PROBLEMS or any(v not in allowed.get(name, ()) for v in given):
            problems.append(CHECKIN_PROBLEMS.get(name, _l("Choose one of the answers offered.")))
    if problems:
        raise DialogError(problems[0], 400, problems)
    participant.age_group = answers.get("age_group") or None
    participant.gender = answers.get("gender") or None
    participant.born = answers.get("born") or None
    participant.district = answers.get("district") or None
    spoken = answers.get("home_languages") or []
    chosen = list(dict.fromkeys([spoken] if isinstance(spoken, str) else spoken))
    participant.home_languages = chosen or None
    participant.checked_in_at = utcnow()


# -- moderation --------------------------------------------------------------------------------
#: action -> (statuses it applies to, the status it leads to).
STATEMENT_ACTIONS = {
    ModerationKind.approve: ({StatementStatus.pending}, StatementStatus.visible),
    ModerationKind.hide: ({StatementStatus.pending, StatementStatus.visible},
                          StatementStatus.hidden),
    ModerationKind.restore: ({StatementStatus.hidden}, StatementStatus.visible),
}


def moderate_statement(statement: Statement, user_id: int, action: ModerationKind) -> None:
    """Approve, hide or restore a statement, and log it."""
    if action not in STATEMENT_ACTIONS:
        raise DialogError(_l("That is not something a moderator can do to a statement."), 400)
    allowed, result = STATEMENT_ACTIONS[action]
    if statement.status not in allowed:
        raise DialogError(_l("The statement has already been handled. Reload the page."), 409)
    missing = queries.missing_languages(statement)
    if action is ModerationKind.approve and statement.event.require_translations and missing:
        raise DialogError(_l("This event shows statements only once they are translated. "
                             "Translate this one into %(languages)s first.",
                             languages=", ".join(language_name(c) for c in missing)), 409)
    statement.status = result
    db.session.add(ModerationAction(event_id=statement.event_id, user_id=user_id,
                                    action=action, statement_id=statement.id))


def set_muted(participant: Participant, user_id: int, muted: bool) -> None:
    """Mute or unmute a device, and log it."""
    if muted == participant.muted:
        raise DialogError(_l("The device is already in that state. Reload the page."), 409)
    participant.muted_at = utcnow() if muted else None
    db.session.add(ModerationAction(
        event_id=participant.event_id, user_id=user_id, participant_id=participant.id,
        action=ModerationKind.mute if muted else ModerationKind.unmute))


def mute_devices(event: Event, user_id: int, participant_ids: list[int]) -> int:
    """Mute the event's listed devices that are not muted yet (a burst of votes), each
    logged; their votes are set aside. Returns how many were muted; ids of other events'
    devices are refused."""
    devices = queries.event_participants(event.id, participant_ids)
    if not participant_ids or len(devices) != len(set(participant_ids)):
        raise DialogError(_l("Those devices are not in this event. Reload the page."), 400)
    muted = 0
    for participant in devices:
        if not participant.muted:
            set_muted(participant, user_id, True)
            muted += 1
    db.session.flush()
    return muted
# -- translations ------------------------------------------------------------------------------
def translation_limit(event: Event) -> int:
    """Most characters in one translation of a statement of `event`."""
    return event.statement_max_length * TRANSLATION_FACTOR


def _translatable(statement: Statement, language: str, user: User | None) -> None:
    """Refuse a language the event lacks, the statement's own, or one the user may not use."""
    event = statement.event
    if language not in event.languages or language == statement.language:
        raise DialogError(_l("Choose one of the event's languages other than the statement's "
                             "own."), 400)
    if user is not None and language not in queries.translator_languages(user, event):
        raise DialogError(_l("You translate into %(languages)s only. An administrator can "
                             "add languages to your account.", languages=", ".join(
                                 language_name(c) for c in user.languages) or "–"), 403)


def save_translation(statement: Statement, user: User, language: str,
                     text: str | None) -> StatementTranslation:
    """Write, correct or approve the translation of `statement` into `language`.

    Saved by a person, it is approved. One INSERT .. ON CONFLICT DO UPDATE, so two
    interpreters saving at once leave one translation (the later one).
    """
    _translatable(statement, language, user)
    text = (text or "").strip()
    if not text:
        raise DialogError(_l("Write the translation before you save it."), 400)
    limit = translation_limit(statement.event)
    if len(text) > limit:
        raise DialogError(_l("A translation can be at most %(max)s characters; this one has "
                             "%(num)s.", max=limit, num=len(text)), 413)
    now = utcnow()
    values = {"text": text, "status": TranslationStatus.approved,
              "translator_id": user.id, "updated_at": now}
    db.session.execute(_insert(StatementTranslation).values(
        statement_id=statement.id, language=language, created_at=now, **values)
        .on_conflict_do_update(index_elements=["statement_id", "language"], set_=values))
    db.session.expire(statement, ["translations"])
    return statement.translation(language)


def set_original_language(statement: Statement, language: str) -> None:
    """Correct the language a statement was written in; a translation into it goes."""
    if language not in statement.event.languages:
        raise DialogError(_l("Choose one of the event's languages."), 400)
    if language == statement.language:
        return
    same = statement.translation(language)
    if same is not None:
        statement.translations.remove(same)
    statement.language = language
    db.session.flush()


def translator() -> Translator | None:
    """The configured translation service (TRANSLATE_URL), or None."""
    url = current_app.config.get("TRANSLATE_URL")
    if not url:
        return None
    return Translator(url, current_app.config.get("TRANSLATE_API_KEY") or "",
                      float(current_app.config.get("TRANSLATE_TIMEOUT") or 3))


def machine_drafts(event: Event, statements: list[Statement], service: Translator,
                   languages: list[str]) -> tuple[int, str | None]:
    """Ask `service` for drafts of the translations `statements` lack in `languages`.

    Returns (drafts made, why it stopped: None, or the MachineError reason). A language
    with a translation (a draft or a person's) is left alone; the first timeout or
    unreachable service stops the round, an answer that is no translation skips one.
    """
    made, problem = 0, None
    limit = translation_limit(event)
    asked = 0
    for statement in statements:
        for language in languages:
            if (language == statement.language or language not in event.languages
                    or statement.translation(language) is not None
                    or not supported(language) or not supported(statement.language)):
                continue
            if asked == MACHINE_DRAFTS_MAX:
                return made, problem
            asked += 1
            try:
                text = service.translate(statement.text, statement.language, language)
                if len(text) > limit:
                    raise MachineError("garbage", "longer than a translation can be")
            except MachineError as error:
                problem = error.reason
                if error.reason != "garbage":
                    return made, problem
                continue
            db.session.execute(_insert(StatementTranslation).values(
                statement_id=statement.id, language=language, text=text,
                status=TranslationStatus.machine, created_at=utcnow(),
                updated_at=utcnow()).on_conflict_do_nothing(
                    index_elements=["statement_id", "language"]))
            made += 1
        db.session.expire(statement, ["translations"])
    return made, problem


# -- paper and tables ------------------------------------------------------------------------
def add_staff_statement(event: Event, prompt: Prompt, text: str, language: str,
                        source: StatementSource) -> Statement:
    """A statement written on paper (or by the facilitator), visible at once."""
    text = _statement_text(event, text)
    statement = Statement(event_id=event.id, prompt_id=prompt.id, text=text, language=language,
                          source=source, status=StatementStatus.visible)
    db.session.add(statement)
    db.session.flush()
    return statement


def carry_over(event: Event, statements: list[Statement]) -> list[Statement]:
    """Copies of an earlier event's statements in `event`, under its first prompt, marked as
    carried over, with their approved translations into `event`'s languages; a statement
    already carried into `event` is not copied again. Votes stay with the original."""
    if not event.prompts:
        raise DialogError(_l("Add a prompt to the event before carrying statements over."), 409)
    if event.status not in (EventStatus.draft, EventStatus.open):
        raise DialogError(_l("Statements can only be carried over into a draft or open "
                             "event."), 409)
    done = set(db.session.scalars(select(Statement.carried_from_id).where(
        Statement.event_id == event.id, Statement.carried_from_id.is_not(None))))
    copies = []
    for old in statements:
        if old.id in done or old.event_id == event.id:
            continue
        copy = Statement(event_id=event.id, prompt_id=event.prompts[0].id, text=old.text,
                         language=old.language, source=StatementSource.facilitator,
                         status=StatementStatus.visible, carried_from_id=old.id)
        copy.translations = [
            StatementTranslation(language=t.language, text=t.text, status=t.status,
                                 translator_id=t.translator_id)
            for t in old.translations if t.approved and t.language in event.languages
            and t.language != old.language]
        db.session.add(copy)
        copies.append(copy)
    db.session.flush()
    return copies


def add_table_group(event: Event, name: str) -> TableGroup:
    if any(t.name == name for t in event.table_groups):
        raise DialogError(_l("There is already a table with that name."), 409)
    group = TableGroup(event=event, name=name)
    event.table_groups.append(group)
    db.session.flush()
    return group


def add_table_note(group: TableGroup, prompt: Prompt, text: str, user_id: int) -> TableNote:
    text = (text or "").strip()
    if not text:
        raise DialogError(_l("Write the note before you save it."), 400)
    if len(text) > NOTE_MAX:
        raise DialogError(_l("A note can be at most %(max)s characters.", max=NOTE_MAX), 413)
    note = TableNote(table_group=group, prompt_id=prompt.id, text=text, created_by_id=user_id)
    db.session.add(note)
    db.session.flush()
    return note


def record_paper_tally(statement: Statement, table_group: TableGroup | None, user_id: int, *,
                       agree: int, disagree: int, passed: int, dots: int) -> PaperTally:
    """Counts from paper for a statement (at one table, or the whole room); replaces earlier."""
    if min(agree, disagree, passed, dots) < 0:
        raise DialogError(_l("Counts cannot be negative."), 400)
    if statement.status is StatementStatus.pending:
        raise DialogError(_l("Approve the statement before entering its votes."), 409)
    group_id = table_group.id if table_group else None
    # two facilitators saving the same tally at once: the second waits, then updates
    db.session.execute(select(Statement.id).where(Statement.id == statement.id)
                       .with_for_update())
    tally = db.session.scalar(select(PaperTally).where(
        PaperTally.statement_id == statement.id,
        PaperTally.table_group_id.is_(None) if group_id is None
        else PaperTally.table_group_id == group_id))
    if tally is None:
        tally = PaperTally(statement_id=statement.id, table_group_id=group_id)
        db.session.add(tally)
    tally.agree, tally.disagree, tally.pass_count, tally.dots = agree, disagree, passed, dots
    tally.created_by_id = user_id
    db.session.flush()
    return tally


# -- the answer: what we do ---------------------------------------------------------------------
def _texts(event: Event, texts: dict[str, str], limit: int) -> dict[str, str]:
    """The texts in the event's languages, trimmed; too long is refused (413)."""
    kept = {lang: (texts.get(lang) or "").strip() for lang in event.languages}
    if any(len(text) > limit for text in kept.values()):
        raise DialogError(_l("A text can be at most %(max)s characters.", max=limit), 413)
    return {lang: text for lang, text in kept.items() if text}


def save_response(event: Event, user_id: int | None, texts: dict[str, str],
                  indicator_keys: list[str]) -> EventResponse:
    """Write "what we do" and the indicators that follow it up (replacing earlier ones)."""
    known = {key for key, _ in queries.framework_indicators(event)}
    unknown = [key for key in indicator_keys if key not in known]
    if unknown:
        raise DialogError(_l("Choose indicators from your organisation's framework."), 400)
    text = _texts(event, texts, RESPONSE_MAX)
    response = queries.response_of(event)
    if response is None:
        response = EventResponse(event_id=event.id)
        db.session.add(response)
    response.text = text
    response.indicator_keys = list(dict.fromkeys(indicator_keys))
    response.updated_by_id = user_id
    db.session.flush()
    return response


def add_action(event: Event, texts: dict[str, str], status: ActionStatus) -> EventAction:
    """A promised action at the end of the list."""
    text = _texts(event, texts, ACTION_MAX)
    if not text:
        raise DialogError(_l("Describe the action in at least one language."), 400)
    action = EventAction(event_id=event.id, text=text, status=status,
                         position=len(queries.actions_of(event)))
    db.session.add(action)
    db.session.flush()
    return action


def set_action_status(action: EventAction, status: ActionStatus) -> None:
    action.status = status


def remove_action(action: EventAction) -> None:
    db.session.delete(action)
    db.session.flush()


# -- exports -----------------------------------------------------------------------------------
def note_export(event: Event, tables: list[str]) -> None:
    """The event's tables left the app: a download holding the votes (one row per numbered
    participant and statement, or their opinion groups) goes to the audit log."""
    if {"votes", "groups"} & set(tables):
        audit.record("votes_exported", subject=event.join_code,
                     organisation_id=event.organisation_id, tables=tables)
