"""Queries on dialogue events that pages, the live screen, analysis and exports share.

Nothing here changes the database (state changes are in `dialog.services`). The vote
matrix has the shape `dialog.opinion.analyse` expects; `opinion_result` runs it.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from dialog import ages, opinion
from dialog.bursts import VoteRecord
from dialog.models import (
    ANOTHER_LANGUAGE,
    JOIN_CODE_ALPHABET,
    JOIN_CODE_LENGTH,
    DotAllocation,
    Event,
    EventAction,
    EventResponse,
    ModerationAction,
    PaperTally,
    Participant,
    Prompt,
    Statement,
    StatementStatus,
    TableGroup,
    TableNote,
    Vote,
)
from surveys.auth.models import User
from surveys.core.roles import Role
from surveys.extensions import db
from surveys.core.i18n import UI_LOCALES
from surveys.followup.queries import framework_of
from surveys.runs.mapping import TEMPLATE_CODES
from surveys.runs.queries import newest_margin_set, scheme_for
from surveys.survey.models import Survey

_NOT_CODE = re.compile(r"[\s\-]+")
#: Statements the vote matrix and counts cover: everything a moderator has seen through.
DECIDED = (StatementStatus.visible, StatementStatus.hidden)
COUNT_COLUMNS = ("agree", "disagree", "pass", "votes", "dots",
                 "paper_agree", "paper_disagree", "paper_pass", "paper_dots")


# -- codes and devices ----------------------------------------------------------------------
def normalise_code(text: str) -> str:
    """What a participant typed, as a join code: upper case, spaces and hyphens dropped."""
    return _NOT_CODE.sub("", text or "").upper()


def is_join_code(code: str) -> bool:
    """True when `code` could be a join code (right length and alphabet)."""
    return len(code) == JOIN_CODE_LENGTH and all(c in JOIN_CODE_ALPHABET for c in code)


def event_by_code(text: str) -> Event | None:
    """The event with this join code (case and spaces ignored), or None."""
    code = normalise_code(text)
    if not is_join_code(code):
        return None
    return db.session.scalar(select(Event).where(Event.join_code == code))


def device_hash(token: str, event_id: int) -> str:
    """SHA-256 (hex) of a device token at one event: all the database ever knows of a device.

    The event is part of the hash, so one phone's rows at two events cannot be linked.
    """
    return hashlib.sha256(f"{event_id}:{token}".encode()).hexdigest()


def participant_for(event_id: int, device: str) -> Participant | None:
    """The participant this device (its hash) is at this event, if it joined."""
    return db.session.scalar(select(Participant).where(
        Participant.event_id == event_id, Participant.device_hash == device))


# -- statements ------------------------------------------------------------------------------
def visible_statements(event_id: int, prompt_id: int | None = None) -> list[Statement]:
    """Statements participants see, oldest first, optionally of one prompt."""
    query = select(Statement).where(Statement.event_id == event_id,
                                    Statement.status == StatementStatus.visible
                                    ).options(selectinload(Statement.translations))
    if prompt_id is not None:
        query = query.where(Statement.prompt_id == prompt_id)
    return list(db.session.scalars(query.order_by(Statement.id)))


def statements_by_status(event_id: int) -> dict[StatementStatus, list[Statement]]:
    """Every statement of the event grouped by status, oldest first (the moderation queue)."""
    grouped: dict[StatementStatus, list[Statement]] = {s: [] for s in StatementStatus}
    for statement in db.session.scalars(
            select(Statement).where(Statement.event_id == event_id).order_by(Statement.id)):
        grouped[statement.status].append(statement)
    return grouped


def event_statements(event_id: int) -> list[Statement]:
    """Every statement of the event, whatever its status, oldest first."""
    return list(db.session.scalars(
        select(Statement).where(Statement.event_id == event_id)
        .options(selectinload(Statement.translations)).order_by(Statement.id)))


# -- translations ----------------------------------------------------------------------------
def translator_languages(user: User, event: Event) -> list[str]:
    """The event's languages `user` may translate into: all for moderators, an
    interpreter's own languages for an interpreter."""
    if user.role is Role.interpreter:
        return [code for code in event.languages if code in (user.languages or [])]
    return list(event.languages)


def missing_languages(statement: Statement) -> list[str]:
    """The event's languages the statement has no approved translation into yet."""
    done = {t.language for t in statement.translations if t.approved}
    return [code for code in statement.event.languages
            if code != statement.language and code not in done]


@dataclass(frozen=True)
class QueueItem:
    """A statement in the translation queue and the languages it still lacks."""

    statement: Statement
    #: Of the languages asked for: no approved translation yet (machine drafts included).
    missing: list[str]


def translation_queue(event_id: int, languages: list[str]
                      ) -> tuple[list[QueueItem], list[Statement]]:
    """Statements waiting for a translation into one of `languages` (waiting for approval
    first, then oldest first; hidden ones left out), and those translated into them all."""
    statements = db.session.scalars(
        select(Statement).where(Statement.event_id == event_id,
                                Statement.status != StatementStatus.hidden)
        .options(selectinload(Statement.translations)).order_by(Statement.id))
    waiting, done = [], []
    for statement in statements:
        missing = [c for c in missing_languages(statement) if c in languages]
        if missing:
            waiting.append(QueueItem(statement, missing))
        else:
            done.append(statement)
    waiting.sort(key=lambda item: (item.statement.status is not StatementStatus.pending,
                                   item.statement.id))
    return waiting, done


def language_votes(event_id: int) -> pd.DataFrame:
    """Counted device votes on visible statements with the voter's language: participant,
    statement, language, value (paper votes have no language and are not here)."""
    rows = db.session.execute(
        select(Vote.participant_id, Vote.statement_id, Participant.language, Vote.value)
        .join(Statement, Statement.id == Vote.statement_id)
        .join(Participant, Participant.id == Vote.participant_id)
        .where(Statement.event_id == event_id, Participant.muted_at.is_(None),
               Statement.status == StatementStatus.visible)).all()
    return pd.DataFrame(rows, columns=["participant", "statement", "language", "value"])


def event_statement(event_id: int, statement_id: int) -> Statement | None:
    """One statement of the event, or None (another event's statement too)."""
    statement = db.session.get(Statement, statement_id)
    return statement if statement is not None and statement.event_id == event_id else None


def hidden_statement_ids(event_id: int) -> list[int]:
    """Ids of statements a moderator hid (`moderated_out` for `dialog.opinion.analyse`)."""
    return list(db.session.scalars(select(Statement.id).where(
        Statement.event_id == event_id, Statement.status == StatementStatus.hidden)
        .order_by(Statement.id)))


def own_statements(participant: Participant) -> list[Statement]:
    """What this participant wrote, oldest first, whatever its status."""
    return list(db.session.scalars(select(Statement).where(
        Statement.participant_id == participant.id).order_by(Statement.id)))


def voting_order(participant: Participant) -> list[Statement]:
    """Visible statements for this participant to vote on, unseen ones first.

    Never the participant's own. Within "unseen" and "already voted" the order is a fair
    random one that differs between participants: each statement is ranked by SHA-256 of
    the participant's device hash and the statement id, so the order is the same on every
    reload, a new statement falls at a random place, and no statement is always first.
    """
    voted = set(db.session.scalars(select(Vote.statement_id).where(
        Vote.participant_id == participant.id)))
    candidates = [s for s in visible_statements(participant.event_id)
                  if s.participant_id != participant.id]

    def rank(statement: Statement) -> tuple[bool, str]:
        key = f"{participant.device_hash}:{statement.id}".encode()
        return statement.id in voted, hashlib.sha256(key).hexdigest()

    return sorted(candidates, key=rank)


@dataclass(frozen=True)
class VotingPage:
    """What the voting page shows a participant."""

    #: The statement to vote on now: the one asked for, else the first unseen; None when done.
    statement: Statement | None
    #: How many the participant has not voted on yet.
    unseen: int
    #: The statements voted on, oldest first, and the votes (statement id -> value).
    voted: list[Statement]
    votes: dict[int, int]


def voting_page(participant: Participant, chosen: int | None = None) -> VotingPage | None:
    """The next statement in the participant's voting order, or the one `chosen` (None when
    the participant cannot vote on that one)."""
    order = voting_order(participant)
    votes = votes_of(participant)
    if chosen is not None:
        current = next((s for s in order if s.id == chosen), None)
        if current is None:
            return None
    else:
        current = next((s for s in order if s.id not in votes), None)
    return VotingPage(statement=current, unseen=sum(1 for s in order if s.id not in votes),
                      voted=sorted((s for s in order if s.id in votes), key=lambda s: s.id),
                      votes=votes)


def unseen_statements(participant: Participant) -> list[Statement]:
    """The statements this participant has not voted on yet, in their voting order."""
    voted = votes_of(participant)
    return [s for s in voting_order(participant) if s.id not in voted]


def votes_of(participant: Participant) -> dict[int, int]:
    """statement id -> this participant's current vote."""
    return dict(db.session.execute(select(Vote.statement_id, Vote.value).where(
        Vote.participant_id == participant.id)).all())


def _counted(query):
    """Only votes of devices that are not muted: muting sets a device's votes aside (they
    count again when it is unmuted)."""
    return query.join(Participant, Participant.id == Vote.participant_id).where(
        Participant.muted_at.is_(None))


def vote_rows(event_id: int) -> list[tuple[int, int, int]]:
    """Every counted device vote of the event as (participant id, statement id, value)."""
    return [tuple(row) for row in db.session.execute(_counted(
        select(Vote.participant_id, Vote.statement_id, Vote.value)
        .join(Statement, Statement.id == Vote.statement_id)
        .where(Statement.event_id == event_id))).all()]


def vote_records(event_id: int) -> list[VoteRecord]:
    """The event's counted device votes with when each device joined and how many votes it
    cast, for `dialog.bursts.find_bursts`."""
    per_device = (select(Vote.participant_id, func.count().label("n"))
                  .group_by(Vote.participant_id).subquery())
    rows = db.session.execute(_counted(
        select(Vote.participant_id, Vote.statement_id, Vote.value, Vote.updated_at,
               Participant.consent_at, per_device.c.n)
        .join(Statement, Statement.id == Vote.statement_id)
        .join(per_device, per_device.c.participant_id == Vote.participant_id)
        .where(Statement.event_id == event_id)))
    return [VoteRecord(*row) for row in rows]


def dots_of(participant: Participant) -> dict[int, int]:
    """statement id -> points this participant gave it."""
    return dict(db.session.execute(select(DotAllocation.statement_id, DotAllocation.points)
                                   .where(DotAllocation.participant_id == participant.id))
                .all())


# -- figures ---------------------------------------------------------------------------------
def organisation_events(organisation_id: int) -> list[Event]:
    """The organisation's events, newest first."""
    return list(db.session.scalars(select(Event).where(
        Event.organisation_id == organisation_id)
        .order_by(Event.created_at.desc(), Event.id.desc())))


def participant_count(event_id: int) -> int:
    """How many devices have joined the event."""
    return db.session.scalar(select(func.count(Participant.id)).where(
        Participant.event_id == event_id)) or 0


def vote_matrix(event_id: int) -> pd.DataFrame:
    """Participants × statements: 1 agree, -1 disagree, 0 pass, NaN not voted.

    Rows are participants who voted at least once (index: participant id), columns every
    visible or hidden statement (index: statement id, oldest first; pending ones are left
    out, nobody could vote on them). Paper tallies are counts without voters and are not in
    the matrix; see `statement_counts`.
    """
    statements = list(db.session.scalars(select(Statement.id).where(
        Statement.event_id == event_id, Statement.status.in_(DECIDED)).order_by(Statement.id)))
    rows = db.session.execute(_counted(
        select(Vote.participant_id, Vote.statement_id, Vote.value)
        .join(Statement, Statement.id == Vote.statement_id)
        .where(Statement.event_id == event_id, Statement.status.in_(DECIDED)))).all()
    votes = pd.DataFrame(rows, columns=["participant", "statement", "value"])
    matrix = (votes.pivot(index="participant", columns="statement", values="value")
              .reindex(index=sorted(votes["participant"].unique()), columns=statements)
              .astype(float))
    matrix.index.name, matrix.columns.name = "participant", "statement"
    return matrix


def statement_counts(event_id: int) -> pd.DataFrame:
    """Per visible or hidden statement: web votes, dots, and paper counts kept apart.

    Index: statement id (oldest first). Columns: agree, disagree, pass, votes (the three
    summed), dots, then paper_agree, paper_disagree, paper_pass, paper_dots from the paper
    tallies. All integers; a statement nobody voted on has zeros.
    """
    ids = list(db.session.scalars(select(Statement.id).where(
        Statement.event_id == event_id, Statement.status.in_(DECIDED)).order_by(Statement.id)))
    counts = pd.DataFrame(0, index=pd.Index(ids, name="statement"), columns=list(COUNT_COLUMNS))
    in_event = select(Statement.id).where(Statement.event_id == event_id)
    for statement, value, n in db.session.execute(_counted(
            select(Vote.statement_id, Vote.value, func.count())
            .where(Vote.statement_id.in_(in_event)))
            .group_by(Vote.statement_id, Vote.value)):
        if statement in counts.index:
            counts.at[statement, {1: "agree", -1: "disagree", 0: "pass"}[value]] = n
    for statement, points in db.session.execute(
            select(DotAllocation.statement_id, func.sum(DotAllocation.points))
            .where(DotAllocation.statement_id.in_(in_event))
            .group_by(DotAllocation.statement_id)):
        if statement in counts.index:
            counts.at[statement, "dots"] = int(points)
    for statement, agree, disagree, passed, dots in db.session.execute(
            select(PaperTally.statement_id, func.sum(PaperTally.agree),
                   func.sum(PaperTally.disagree), func.sum(PaperTally.pass_count),
                   func.sum(PaperTally.dots))
            .where(PaperTally.statement_id.in_(in_event))
            .group_by(PaperTally.statement_id)):
        if statement in counts.index:
            counts.loc[statement, ["paper_agree", "paper_disagree", "paper_pass",
                                   "paper_dots"]] = [agree, disagree, passed, dots]
    counts["votes"] = counts["agree"] + counts["disagree"] + counts["pass"]
    return counts.astype(int)


def paper_tallies(event_id: int) -> list[PaperTally]:
    """Every paper tally of the event, by statement then table."""
    return list(db.session.scalars(
        select(PaperTally).join(Statement, Statement.id == PaperTally.statement_id)
        .where(Statement.event_id == event_id)
        .order_by(PaperTally.statement_id, PaperTally.table_group_id, PaperTally.id)))


def moderation_log(event_id: int) -> list[ModerationAction]:
    """Every moderation step of the event, newest first."""
    return list(db.session.scalars(
        select(ModerationAction).where(ModerationAction.event_id == event_id)
        .order_by(ModerationAction.created_at.desc(), ModerationAction.id.desc())))


def event_participants(event_id: int, ids: list[int]) -> list[Participant]:
    """Those of `ids` that are devices of the event."""
    return list(db.session.scalars(select(Participant).where(
        Participant.event_id == event_id, Participant.id.in_(ids))))


def participants(event_id: int) -> list[Participant]:
    """The event's participants in the order they joined."""
    return list(db.session.scalars(select(Participant).where(
        Participant.event_id == event_id).order_by(Participant.id)))


def analysis_version(event_id: int) -> tuple:
    """What the event's opinion analysis depends on, read in three small queries.

    Votes (how many, the newest id, the latest change: a new, changed or deleted vote moves
    one of them), every statement's status (moderation) and the muted devices (whose votes
    are set aside). Equal versions, equal input.
    """
    votes = db.session.execute(
        select(func.count(Vote.id), func.max(Vote.id), func.max(Vote.updated_at))
        .join(Statement, Statement.id == Vote.statement_id)
        .where(Statement.event_id == event_id)).one()
    statuses = db.session.execute(
        select(Statement.id, Statement.status).where(Statement.event_id == event_id)
        .order_by(Statement.id)).all()
    muted = db.session.scalars(select(Participant.id).where(
        Participant.event_id == event_id, Participant.muted_at.is_not(None))
        .order_by(Participant.id)).all()
    return tuple(votes), tuple(tuple(row) for row in statuses), tuple(muted)


def opinion_result(event_id: int, min_votes: int = opinion.MIN_VOTES,
                   votes: pd.DataFrame | None = None) -> opinion.OpinionResult:
    """`dialog.opinion.analyse` on the event's device votes (paper tallies have no voters),
    hidden statements moderated out; `votes` is the event's `vote_matrix` if already read."""
    return opinion.analyse(vote_matrix(event_id) if votes is None else votes,
                           min_votes=min_votes, moderated_out=hidden_statement_ids(event_id))


def room_counts(event_id: int, fields: list[str]
                ) -> tuple[int, int, dict[str, dict[str, int]]]:
    """(participants, checked in, {check-in field: {category: participants}})."""
    total = db.session.scalar(select(func.count(Participant.id)).where(
        Participant.event_id == event_id)) or 0
    checked_in = db.session.scalar(select(func.count(Participant.id)).where(
        Participant.event_id == event_id, Participant.checked_in_at.is_not(None))) or 0
    counts: dict[str, dict[str, int]] = {}
    for name in fields:
        column = getattr(Participant, name)
        counts[name] = dict(db.session.execute(
            select(column, func.count(Participant.id))
            .where(Participant.event_id == event_id, column.is_not(None))
            .group_by(column)).all())
    return total, checked_in, counts


def home_language_counts(event_id: int) -> tuple[int, dict[str, int]]:
    """(participants who named a language spoken at home, {language: participants})."""
    answered, counts = 0, {}
    for chosen in db.session.scalars(select(Participant.home_languages).where(
            Participant.event_id == event_id, Participant.home_languages.is_not(None))):
        answered += bool(chosen)
        for code in dict.fromkeys(chosen or []):
            counts[code] = counts.get(code, 0) + 1
    return answered, counts


# -- check-in categories ---------------------------------------------------------------------
def checkin_categories(event: Event) -> dict[str, list[str]]:
    """Category codes of the anonymous check-in, the same as weighting uses.

    Age bands are `dialog.ages.checkin_bands` of the newest population margins with ages
    ("10-12" ... "16-19", then the margins' bands from 20 up); gender and born are the
    categories `mapping.TEMPLATE_CODES` maps answers to ("kvinna", "man", "annat";
    "inrikes", "utrikes"); districts are those of the organisation's newest population
    margins with a "district" variable (none: the check-in asks no district), named by
    `district_names`; languages spoken at home are the event's languages and the
    interface's (easy-to-read Swedish is Swedish), then "other". The room can so be set
    beside the same margins the surveys are weighted to.
    """
    def mapped(question: str) -> list[str]:
        return list(dict.fromkeys(c for c in TEMPLATE_CODES[question][1].values() if c))

    def categories(variable: str) -> list[str]:
        newest = newest_margin_set(event.organisation_id, variable=variable)
        return [row.category for row in newest.rows if row.variable == variable] if newest else []

    spoken = [code for code in dict.fromkeys([*event.languages, *UI_LOCALES]) if code in UI_LOCALES]
    return {
        "age_group": ages.checkin_bands(categories("age")),
        "gender": mapped("gender"),
        "born": mapped("born_country"),
        "district": categories("district"),
        "home_languages": [*spoken, ANOTHER_LANGUAGE],
    }


def district_names(organisation_id: int, districts: list[str]) -> dict[str, dict[str, str]]:
    """district category -> its name per language, where the organisation has one.

    Margins hold categories, often codes ("soder"); the names are the labels of the district
    question in the organisation's surveys, read through each survey's weighting mapping
    (newest survey first), where exactly one answer option becomes that category. A district
    without such a name is shown as its category, in Swedish.
    """
    wanted, names = set(districts), {}
    surveys = db.session.scalars(select(Survey).where(Survey.organisation_id == organisation_id)
                                 .order_by(Survey.id.desc()))
    for survey in surveys:
        if not wanted - set(names):
            break
        for variable in scheme_for(survey).get("variables", []):
            if variable.get("name") != "district" or not isinstance(variable.get("codes"), dict):
                continue
            question = next((q for q in survey.questions() if q.key == variable.get("question")),
                            None)
            if question is None:
                continue
            options = {o.get("code"): o.get("label") for o in question.settings.get("options", [])}
            sources: dict[str, list[str]] = {}
            for code, category in variable["codes"].items():
                if category in wanted:
                    sources.setdefault(category, []).append(code)
            for category, codes in sources.items():
                label = options.get(codes[0]) if len(codes) == 1 else None
                if isinstance(label, dict) and label and category not in names:
                    names[category] = dict(label)
    return {d: names.get(d) or {"sv": d} for d in districts}


def participant_numbers(event_id: int) -> dict[int, int]:
    """Participant id -> pseudonymous number 1..n in the order they joined (what staff see)."""
    return {p.id: n for n, p in enumerate(participants(event_id), start=1)}


#: Fewest votes (device + paper) a statement needs before its counts are published.
MIN_VOTES_SHOWN = 5


@dataclass(frozen=True)
class StatementFigures:
    """One visible statement's counts: web and paper together, paper also on its own."""

    statement: Statement
    agree: int
    disagree: int
    passed: int
    dots: int
    #: Of the counts above, how many came from paper tallies.
    paper_agree: int
    paper_disagree: int
    paper_pass: int
    paper_dots: int

    @property
    def id(self) -> int:
        return self.statement.id

    @property
    def text(self) -> str:
        return self.statement.text

    @property
    def language(self) -> str:
        return self.statement.language

    @property
    def votes(self) -> int:
        """Agree, disagree and pass, web and paper."""
        return self.agree + self.disagree + self.passed

    @property
    def paper_votes(self) -> int:
        return self.paper_agree + self.paper_disagree + self.paper_pass

    @property
    def shown(self) -> bool:
        """Counts may be published (the small-cell rule)."""
        return self.votes >= MIN_VOTES_SHOWN


def statement_figures(event_id: int) -> list[StatementFigures]:
    """Every visible statement with device and paper counts added up, oldest first."""
    visible = visible_statements(event_id)
    counts = statement_counts(event_id)  # after listing: every listed statement has a row
    out = []
    for statement in visible:
        c = counts.loc[statement.id]
        out.append(StatementFigures(
            statement=statement,
            agree=int(c["agree"] + c["paper_agree"]),
            disagree=int(c["disagree"] + c["paper_disagree"]),
            passed=int(c["pass"] + c["paper_pass"]), dots=int(c["dots"] + c["paper_dots"]),
            paper_agree=int(c["paper_agree"]), paper_disagree=int(c["paper_disagree"]),
            paper_pass=int(c["paper_pass"]), paper_dots=int(c["paper_dots"])))
    return out


# -- the answer: what we do ------------------------------------------------------------------
def response_of(event: Event) -> EventResponse | None:
    """The event's answer ("what we do"), if one is written."""
    return db.session.scalar(select(EventResponse).where(EventResponse.event_id == event.id))


def actions_of(event: Event) -> list[EventAction]:
    """The actions promised after the event, in their order."""
    return list(db.session.scalars(select(EventAction).where(EventAction.event_id == event.id)
                                   .order_by(EventAction.position, EventAction.id)))


def table_notes(event: Event) -> list[tuple[TableGroup, Prompt, TableNote]]:
    """Every table note, by table then prompt order."""
    rows = db.session.execute(
        select(TableGroup, Prompt, TableNote)
        .join(TableNote, TableNote.table_group_id == TableGroup.id)
        .join(Prompt, Prompt.id == TableNote.prompt_id)
        .where(TableGroup.event_id == event.id)
        .order_by(TableGroup.id, Prompt.position, Prompt.id, TableNote.id)).all()
    return [tuple(row) for row in rows]


def framework_indicators(event: Event) -> list[tuple[str, dict]]:
    """(key, title) of every indicator the organisation's framework has, in its order."""
    framework = framework_of(event.organisation_id)
    if framework is None:
        return []
    return [(i.key, dict(i.title)) for i in sorted(framework.indicators,
                                                   key=lambda i: (i.goal_id, i.position, i.id))]
