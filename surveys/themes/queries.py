"""Reads of themes and series: lists, tags, counts by group and over time, a series' course,
and what residents raised about each goal of a framework (for the yearly report).

Counts of fewer than `MIN_COUNT` statements or answers are for staff eyes only: pages show
them as "fewer than 5" (`shown`), and `raised_about_goals` marks them the same way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from dialog import ages
from dialog import queries as dialog_queries
from dialog.models import (
    Event,
    EventStatus,
    Participant,
    Statement,
    StatementStatus,
    Vote,
)
from surveys.actions.models import Action, ActionLink
from surveys.extensions import db
from surveys.followup.models import Framework, Goal
from surveys.followup.queries import goal_tree
from surveys.runs import mapping
from surveys.survey.models import Answer, Question, Response, Survey
from surveys.themes.models import (
    Series,
    Theme,
    answer_themes,
    series_events,
    statement_themes,
    theme_goals,
)

#: Counts below this are suppressed wherever they are shown.
MIN_COUNT = 5
#: Example statements per theme and goal in `raised_about_goals`.
EXAMPLES = 3
#: The groups counts are broken down by: the dialogue's check-in fields and the survey's
#: weighting variables share gender, born and district categories; ages come in the
#: check-in's bands and in the survey's weighting bands.
GROUPINGS = ("age", "gender", "born", "district")
#: Check-in field of each grouping.
CHECKIN_FIELDS = {"age": "age_group", "gender": "gender", "born": "born",
                  "district": "district"}
#: The order of the check-in's and the weighting's categories.
ORDER = {"gender": ("kvinna", "man", "annat"), "born": ("inrikes", "utrikes")}
#: Statements that count: those other participants saw.
COUNTED = (StatementStatus.visible,)


def shown(count: int) -> int | None:
    """`count`, or None when it is above 0 and below MIN_COUNT (shown as "fewer than 5")."""
    return None if 0 < count < MIN_COUNT else count


def event_date(event: Event) -> datetime:
    """When an event took place: its start, else when it was made."""
    return event.starts_at or event.created_at


def survey_year(survey: Survey) -> int:
    """The year a survey belongs to: the year it opened, else the year it was made."""
    return (survey.opens_at or survey.created_at).year


def name_in(texts: dict, lang: str) -> str:
    """A theme's or series' name in `lang`, else in Swedish (easy Swedish: Swedish)."""
    return texts.get(lang) or texts.get(lang.split("-")[0]) or texts.get("sv", "")


# -- themes -------------------------------------------------------------------------------------
def themes(organisation_id: int) -> list[Theme]:
    """The organisation's themes by Swedish name."""
    return list(db.session.scalars(select(Theme).where(
        Theme.organisation_id == organisation_id).order_by(Theme.key, Theme.id)))


def theme_totals(organisation_id: int) -> dict[int, tuple[int, int]]:
    """Theme id -> (counted statements, answers) tagged with it."""
    statements = dict(db.session.execute(
        select(statement_themes.c.theme_id, func.count())
        .join(Statement, Statement.id == statement_themes.c.statement_id)
        .join(Theme, Theme.id == statement_themes.c.theme_id)
        .where(Theme.organisation_id == organisation_id, Statement.status.in_(COUNTED))
        .group_by(statement_themes.c.theme_id)).all())
    answers = dict(db.session.execute(
        select(answer_themes.c.theme_id, func.count())
        .join(Theme, Theme.id == answer_themes.c.theme_id)
        .where(Theme.organisation_id == organisation_id)
        .group_by(answer_themes.c.theme_id)).all())
    return {t.id: (statements.get(t.id, 0), answers.get(t.id, 0))
            for t in themes(organisation_id)}


def organisation_theme(organisation_id: int, theme_id: int | None) -> Theme | None:
    """The organisation's theme with this id, if it has one."""
    if theme_id is None:
        return None
    return db.session.scalar(select(Theme).where(Theme.id == theme_id,
                                                 Theme.organisation_id == organisation_id))


@dataclass
class ThemeUse:
    """What hangs on a theme: what deleting it takes away (the tags and links, never the
    things themselves)."""

    statements: int
    answers: int
    goals: int
    actions: int


def theme_use(theme: Theme) -> ThemeUse:
    """How many statements (whatever their status) and answers carry the theme, and how
    many goals and actions it is linked to."""
    def tagged(table) -> int:
        return db.session.scalar(select(func.count()).select_from(table).where(
            table.c.theme_id == theme.id))
    return ThemeUse(tagged(statement_themes), tagged(answer_themes), tagged(theme_goals),
                    len(theme_actions(theme)))


def goals(organisation_id: int, ids: list[int]) -> list[Goal]:
    """The organisation's goals with these ids."""
    if not ids:
        return []
    return list(db.session.scalars(
        select(Goal).join(Goal.focus_area).join(Framework)
        .where(Goal.id.in_(ids), Framework.organisation_id == organisation_id)))


def statement_theme_ids(statement_ids: list[int]) -> dict[int, set[int]]:
    """Statement id -> the ids of its themes."""
    found: dict[int, set[int]] = defaultdict(set)
    if statement_ids:
        for statement, theme in db.session.execute(select(
                statement_themes.c.statement_id, statement_themes.c.theme_id).where(
                statement_themes.c.statement_id.in_(statement_ids))):
            found[statement].add(theme)
    return found


def answer_theme_ids(answer_ids: list[int]) -> dict[int, set[int]]:
    """Answer id -> the ids of its themes."""
    found: dict[int, set[int]] = defaultdict(set)
    if answer_ids:
        for answer, theme in db.session.execute(select(
                answer_themes.c.answer_id, answer_themes.c.theme_id).where(
                answer_themes.c.answer_id.in_(answer_ids))):
            found[answer].add(theme)
    return found


def statements_of(event_id: int) -> list[Statement]:
    """Every statement of an event, oldest first, whatever its status."""
    return dialog_queries.event_statements(event_id)


@dataclass
class FreeText:
    """A free-text question of a survey and the answers given to it (completed responses)."""

    question: Question
    answers: list[Answer]


def free_text_answers(survey: Survey) -> list[FreeText]:
    """Every free-text question with its non-empty answers, in survey order. Only the
    answers: nothing of who wrote them (no response, date or other answer) comes along."""
    questions = [q for q in survey.questions() if q.kind.free_text]
    if not questions:
        return []
    by_question: dict[int, list[Answer]] = defaultdict(list)
    for answer in db.session.scalars(
            select(Answer).join(Response).options(contains_eager(Answer.response)).where(
                Answer.question_id.in_([q.id for q in questions]),
                Response.completed_at.is_not(None)).order_by(Answer.id)):
        if isinstance(answer.value, str) and answer.value.strip():
            by_question[answer.question_id].append(answer)
    return [FreeText(q, by_question[q.id]) for q in questions]


def organisation_surveys(organisation_id: int) -> list[Survey]:
    """The organisation's surveys that ask a free-text question, newest first."""
    surveys = db.session.scalars(select(Survey).where(
        Survey.organisation_id == organisation_id).order_by(Survey.created_at.desc()))
    return [s for s in surveys if any(q.kind.free_text for q in s.questions())]


# -- a theme's counts ---------------------------------------------------------------------------
def _tagged_statements(theme_id: int):
    return (select(Statement).join(statement_themes,
                                   statement_themes.c.statement_id == Statement.id)
            .where(statement_themes.c.theme_id == theme_id, Statement.status.in_(COUNTED)))


def statements_by_group(theme: Theme) -> dict[str, dict[str, int]]:
    """Grouping -> category ("" when not stated) -> statements of the theme, by what their
    writers said at check-in (paper and facilitators' statements are "not stated")."""
    counts: dict[str, dict[str, int]] = {g: defaultdict(int) for g in GROUPINGS}
    rows = db.session.execute(
        select(*(getattr(Participant, f) for f in CHECKIN_FIELDS.values()))
        .select_from(Statement)
        .join(statement_themes, statement_themes.c.statement_id == Statement.id)
        .outerjoin(Participant, Participant.id == Statement.participant_id)
        .where(statement_themes.c.theme_id == theme.id, Statement.status.in_(COUNTED)))
    for row in rows:
        for grouping, value in zip(GROUPINGS, row, strict=True):
            counts[grouping][value or ""] += 1
    return {g: dict(c) for g, c in counts.items()}


def _tagged_answers(theme_id: int) -> list[Answer]:
    return list(db.session.scalars(
        select(Answer).join(answer_themes, answer_themes.c.answer_id == Answer.id)
        .options(selectinload(Answer.question).selectinload(Question.survey))
        .where(answer_themes.c.theme_id == theme_id).order_by(Answer.id)))


def answers_by_group(theme: Theme) -> dict[str, dict[str, int]]:
    """Grouping -> category ("" when not stated) -> answers of the theme, by the
    respondent's own answers mapped as the survey's weighting maps them."""
    counts: dict[str, dict[str, int]] = {g: defaultdict(int) for g in GROUPINGS}
    by_survey: dict[int, list[int]] = defaultdict(list)
    for answer in _tagged_answers(theme.id):
        by_survey[answer.question.survey_id].append(answer.response_id)
    for survey_id, response_ids in by_survey.items():
        survey = db.session.get(Survey, survey_id)
        scheme = mapping.default_scheme(survey)
        keys = {v["question"] for v in scheme["variables"]}
        given: dict[int, dict[str, object]] = defaultdict(dict)
        for response_id, key, value in db.session.execute(
                select(Answer.response_id, Question.key, Answer.value).join(Question)
                .where(Answer.response_id.in_(response_ids), Question.key.in_(keys))):
            given[response_id][key] = value
        frame = mapping.categorize(scheme, given, mapping.reference_year(survey, scheme),
                                   response_ids)
        for grouping in GROUPINGS:  # the scheme's variables are named as GROUPINGS
            for value in (frame[grouping] if grouping in frame else [None] * len(frame)):
                counts[grouping][value or ""] += 1
    return {g: dict(c) for g, c in counts.items()}


def _natural(grouping: str, category: str) -> tuple:
    """Sort key: age bands by age, the weighting's categories in their order, "" last."""
    if not category:
        return (2,)
    if grouping == "age":
        band = ages.parse(category)
        return (0, band[0], category) if band else (1, category)
    known = ORDER.get(grouping, ())
    return (0, known.index(category), category) if category in known else (1, category)


def group_table(theme: Theme) -> dict[str, list[tuple[str, int | None, int | None]]]:
    """Grouping -> [(category, statements, answers)], categories in their natural order
    ("not stated" last), counts as `shown` gives them. The check-in's age bands and the
    survey's may differ: each band is its own row."""
    said, answered = statements_by_group(theme), answers_by_group(theme)
    table = {}
    for grouping in GROUPINGS:
        statements, answers = said[grouping], answered[grouping]
        order = sorted({*statements, *answers}, key=lambda c: _natural(grouping, c))
        table[grouping] = [(c, shown(statements.get(c, 0)), shown(answers.get(c, 0)))
                           for c in order]
    return table


def district_names(theme: Theme, table: dict[str, list]) -> dict[str, dict[str, str]]:
    """District category -> its name per language, for the districts of a `group_table`:
    the organisation's own names, as the check-in shows them (never the margins' codes
    where a name exists)."""
    return dialog_queries.district_names(
        theme.organisation_id, [row[0] for row in table.get("district", ()) if row[0]])


@dataclass
class EventCount:
    event: Event
    statements: int


def statements_by_event(theme: Theme) -> list[EventCount]:
    """Statements of the theme per event, in the order the events took place."""
    counts = dict(db.session.execute(
        select(Statement.event_id, func.count(Statement.id))
        .join(statement_themes, statement_themes.c.statement_id == Statement.id)
        .where(statement_themes.c.theme_id == theme.id, Statement.status.in_(COUNTED))
        .group_by(Statement.event_id)).all())
    events = db.session.scalars(select(Event).where(Event.id.in_(list(counts))))
    return [EventCount(e, counts[e.id]) for e in sorted(events, key=event_date)]


def answers_by_year(theme: Theme) -> list[tuple[int, int]]:
    """(survey year, answers of the theme), oldest first."""
    counts: dict[int, int] = defaultdict(int)
    for answer in _tagged_answers(theme.id):
        counts[survey_year(answer.question.survey)] += 1
    return sorted(counts.items())


def theme_statements(theme: Theme, limit: int = 50) -> list[Statement]:
    """The theme's statements, newest first (at most `limit`)."""
    return list(db.session.scalars(_tagged_statements(theme.id)
                                   .order_by(Statement.id.desc()).limit(limit)))


def theme_actions(theme: Theme) -> list[Action]:
    """The actions that say they answer the theme."""
    return list(db.session.scalars(select(Action).join(ActionLink).where(
        ActionLink.kind == "theme", ActionLink.target_id == theme.id,
        Action.organisation_id == theme.organisation_id).order_by(Action.starts_on)))


# -- series -------------------------------------------------------------------------------------
def all_series(organisation_id: int) -> list[Series]:
    return list(db.session.scalars(select(Series).where(
        Series.organisation_id == organisation_id).order_by(Series.created_at.desc(),
                                                             Series.id.desc())))


def series_of(event: Event) -> Series | None:
    """The series the event belongs to, if any."""
    return db.session.scalar(select(Series).join(series_events).where(
        series_events.c.event_id == event.id))


def series_in_order(series: Series) -> list[Event]:
    """The series' events in the order they took place."""
    return sorted(series.events, key=lambda e: (event_date(e), e.id))


def previous_event(series: Series, event: Event) -> Event | None:
    """The event of the series just before `event` (None for the first, or a stranger)."""
    events = series_in_order(series)
    if event not in events:
        return None
    at = events.index(event)
    return events[at - 1] if at else None


def organisation_event(organisation_id: int, event_id: int) -> Event | None:
    """The organisation's event with this id, if it has one."""
    return db.session.scalar(select(Event).where(Event.id == event_id,
                                                 Event.organisation_id == organisation_id))


def events_outside_series(organisation_id: int) -> list[Event]:
    """The organisation's events that belong to no series."""
    inside = select(series_events.c.event_id)
    return list(db.session.scalars(select(Event).where(
        Event.organisation_id == organisation_id, Event.id.not_in(inside))
        .order_by(Event.created_at.desc())))


@dataclass
class SeriesEvent:
    """One event of a series: what was raised, decided and done."""

    event: Event
    #: The statements most agreed with (visible, at least MIN_COUNT votes), best first.
    top: list[tuple[Statement, int, int]]
    #: (theme, statements of the event tagged with it), most first.
    themes: list[tuple[Theme, int]]
    #: Statements carried over into this event from the one before.
    carried: int
    response: object
    promised: list
    #: The organisation's actions that say they answer this event.
    actions: list[Action]
    previous: Event | None = None


def series_course(series: Series, top: int = 3) -> list[SeriesEvent]:
    """Per event of the series, in order: raised (top statements, themes), decided (the
    answer "what we do" and its promised actions) and done (linked actions, their status)."""
    out = []
    events = series_in_order(series)
    for number, event in enumerate(events):
        counts = dialog_queries.statement_counts(event.id)
        statements = {s.id: s for s in statements_of(event.id)}
        ranked = []
        for statement_id, row in counts.iterrows():
            statement = statements.get(statement_id)
            votes = int(row["votes"] + row["paper_agree"] + row["paper_disagree"]
                        + row["paper_pass"])
            if statement is not None and statement.status is StatementStatus.visible \
                    and votes >= MIN_COUNT:
                ranked.append((statement, int(row["agree"] + row["paper_agree"]), votes))
        ranked.sort(key=lambda x: (-x[1] / x[2], -x[2], x[0].id))
        tags = statement_theme_ids([s.id for s in statements.values()
                                    if s.status is StatementStatus.visible])
        per_theme: dict[int, int] = defaultdict(int)
        for ids in tags.values():
            for theme_id in ids:
                per_theme[theme_id] += 1
        known = {t.id: t for t in themes(series.organisation_id)}
        out.append(SeriesEvent(
            event=event, top=ranked[:top],
            themes=sorted(((known[i], n) for i, n in per_theme.items() if i in known),
                          key=lambda x: (-x[1], x[0].key)),
            carried=sum(1 for s in statements.values() if s.carried_from_id is not None),
            response=dialog_queries.response_of(event),
            promised=dialog_queries.actions_of(event),
            actions=list(db.session.scalars(select(Action).join(ActionLink).where(
                ActionLink.kind == "dialogue_event", ActionLink.target_id == event.id,
                Action.organisation_id == series.organisation_id)
                .order_by(Action.starts_on))),
            previous=events[number - 1] if number else None))
    return out


# -- for the yearly report ----------------------------------------------------------------------
@dataclass
class Example:
    """A statement as the report quotes it."""

    #: In the report's language when an approved translation exists, else as written.
    text: str
    #: The language `text` is in (its `lang` attribute).
    language: str
    #: The text as written and its language, when `text` is a translation (else None).
    original: str | None
    original_language: str | None
    #: The event's title in the report's language (or its default language).
    event: str
    event_date: datetime


@dataclass
class RaisedTheme:
    """A theme linked to a goal, and what residents said under it in the year."""

    theme_id: int
    name: str
    #: Visible statements of published events that year tagged with the theme (a statement
    #: carried over to later events counts once).
    statements: int
    #: Free-text answers (completed responses) of that year's surveys tagged with it.
    answers: int
    #: Up to EXAMPLES statements, most agreed with first.
    examples: list[Example] = field(default_factory=list)

    @property
    def statements_shown(self) -> int | None:
        """The count to print: None means "fewer than 5"."""
        return shown(self.statements)

    @property
    def answers_shown(self) -> int | None:
        return shown(self.answers)


@dataclass
class RaisedAboutGoal:
    """A goal of the framework and the themes linked to it."""

    goal_id: int
    #: The goal's title in the report's language (else Swedish).
    title: str
    #: The focus area's title, likewise.
    focus_area: str
    #: 0 for a goal, 1 for a sub-goal, ...
    depth: int
    themes: list[RaisedTheme]


def _example(statement: Statement, lang: str) -> Example:
    version = statement.translation(lang)
    event = statement.event
    title = event.text("title", lang)
    if statement.language != lang and version is not None and version.approved:
        return Example(version.text, lang, statement.text, statement.language, title,
                       event_date(event))
    return Example(statement.text, statement.language, None, None, title, event_date(event))


def raised_about_goals(organisation_id: int, framework_id: int, year: int,
                       lang: str) -> list[RaisedAboutGoal]:
    """Per goal of the framework (depth first, archived goals left out) that has themes
    linked: each theme with its counts of statements and free-text answers in `year`, and
    a few example statements, in `lang` where an approved translation exists.

    Statements count when they are visible at a published event that took place in `year`;
    answers when their survey belongs to `year` and the response was completed. Another
    organisation's framework gives an empty list.
    """
    framework = db.session.get(Framework, framework_id)
    if framework is None or framework.organisation_id != organisation_id:
        return []
    goals = [(area, goal, depth) for area in framework.focus_areas
             for goal, depth in goal_tree(area, archived=False)]
    links: dict[int, list[Theme]] = defaultdict(list)
    for goal_id, theme in db.session.execute(
            select(theme_goals.c.goal_id, Theme).join(Theme)
            .where(theme_goals.c.goal_id.in_([g.id for _a, g, _d in goals]),
                   Theme.organisation_id == organisation_id).order_by(Theme.key)):
        links[goal_id].append(theme)
    wanted = {t.id for ts in links.values() for t in ts}
    said = _statements_in_year(organisation_id, wanted, year)
    answered = _answers_in_year(organisation_id, wanted, year)
    raised = {}
    for theme_id in wanted:
        statements = said.get(theme_id, [])
        raised[theme_id] = (len(statements), answered.get(theme_id, 0),
                            [_example(s, lang) for s in statements[:EXAMPLES]])
    out = []
    for area, goal, depth in goals:
        if goal.id not in links:
            continue
        out.append(RaisedAboutGoal(
            goal_id=goal.id, title=name_in(goal.title, lang),
            focus_area=name_in(area.title, lang), depth=depth,
            themes=[RaisedTheme(t.id, name_in(t.name, lang), *raised[t.id])
                    for t in links[goal.id]]))
    return out


def _statements_in_year(organisation_id: int, theme_ids: set[int], year: int
                        ) -> dict[int, list[Statement]]:
    """Theme id -> its counted statements of published events in `year`, most agreed
    with first; a statement carried over from event to event counts once (its most
    agreed-with copy)."""
    if not theme_ids:
        return {}
    agree = (select(Vote.statement_id, func.count().label("n")).where(Vote.value == 1)
             .group_by(Vote.statement_id).subquery())
    rows = db.session.execute(
        select(statement_themes.c.theme_id, Statement, func.coalesce(agree.c.n, 0))
        .join(Statement, Statement.id == statement_themes.c.statement_id)
        .join(Event, Event.id == Statement.event_id)
        .outerjoin(agree, agree.c.statement_id == Statement.id)
        .where(statement_themes.c.theme_id.in_(theme_ids),
               Event.organisation_id == organisation_id,
               Event.status == EventStatus.published, Statement.status.in_(COUNTED)))
    found: dict[int, list[tuple[int, Statement]]] = defaultdict(list)
    for theme_id, statement, agreed in rows:
        if event_date(statement.event).year == year:
            found[theme_id].append((agreed, statement))
    first = _first_raised(organisation_id)
    out = {}
    for theme_id, pairs in found.items():
        seen: set[int] = set()
        out[theme_id] = []
        for _n, statement in sorted(pairs, key=lambda x: (-x[0], x[1].id)):
            root = first(statement)
            if root not in seen:
                seen.add(root)
                out[theme_id].append(statement)
    return out


def _first_raised(organisation_id: int):
    """statement -> the id of the statement it was first raised as (following carry-overs)."""
    parents = dict(db.session.execute(
        select(Statement.id, Statement.carried_from_id).join(Event)
        .where(Event.organisation_id == organisation_id,
               Statement.carried_from_id.is_not(None))).all())

    def first(statement: Statement) -> int:
        at, steps = statement.id, 0
        while at in parents and steps < len(parents):  # a chain, never a circle
            at, steps = parents[at], steps + 1
        return at

    return first


def _answers_in_year(organisation_id: int, theme_ids: set[int], year: int) -> dict[int, int]:
    if not theme_ids:
        return {}
    counts: dict[int, int] = defaultdict(int)
    for theme_id, survey in db.session.execute(
            select(answer_themes.c.theme_id, Survey)
            .join(Answer, Answer.id == answer_themes.c.answer_id)
            .join(Response, Response.id == Answer.response_id)
            .join(Survey, Survey.id == Response.survey_id)
            .where(answer_themes.c.theme_id.in_(theme_ids),
                   Survey.organisation_id == organisation_id,
                   Response.completed_at.is_not(None))):
        if survey_year(survey) == year:
            counts[theme_id] += 1
    return dict(counts)
