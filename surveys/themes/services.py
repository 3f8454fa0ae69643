"""Every change of themes and series: names, goals, tags, series members, carrying over.

Functions check what they are given, raise `ThemeError` (a code for `messages`, the form
field it concerns, and the HTTP status a page answers with) before anything changes, and
flush; the request commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, insert, select

from dialog import services as dialog_services
from dialog.models import Event, Statement, StatementStatus
from surveys.actions.models import ActionLink
from surveys.extensions import db
from surveys.followup.models import Goal
from surveys.survey.models import Answer, Survey
from surveys.themes import queries
from surveys.themes.models import (
    NAME_MAX,
    Series,
    Theme,
    answer_themes,
    statement_themes,
    theme_goals,
)


class ThemeError(ValueError):
    """A change that cannot be made: `code` and `details` for `messages`, `field` names the
    form field it concerns (or None), `status` is the page's HTTP status."""

    def __init__(self, code: str, field: str | None = None, status: int = 400,
                 **details: Any):
        super().__init__(code)
        self.code, self.field, self.status, self.details = code, field, status, details


def _names(organisation_id: int, names: Mapping[str, str], theme: Theme | None) -> dict:
    """The names after every check: Swedish required, none too long, none taken."""
    names = {code: " ".join(text.split()) for code, text in names.items() if text and
             text.strip()}
    if not names.get("sv"):
        raise ThemeError("name_required", "name_sv")
    for code, text in names.items():
        if len(text) > NAME_MAX:
            raise ThemeError("name_too_long", f"name_{code.replace('-', '_')}", max=NAME_MAX)
    for other in queries.themes(organisation_id):
        if other is theme:
            continue
        for code, text in names.items():
            if (other.name.get(code) or "").casefold() == text.casefold() or (
                    code == "sv" and other.key == text.casefold()):
                raise ThemeError("name_taken", f"name_{code.replace('-', '_')}", 409,
                                 name=text)
    return names


def create_theme(organisation_id: int, names: Mapping[str, str]) -> Theme:
    """A new theme of the organisation (flushes)."""
    names = _names(organisation_id, names, None)
    theme = Theme(organisation_id=organisation_id, name=names, key=names["sv"].casefold())
    db.session.add(theme)
    db.session.flush()
    return theme


def rename_theme(theme: Theme, names: Mapping[str, str]) -> None:
    """A theme's names in every language."""
    names = _names(theme.organisation_id, names, theme)
    theme.name = names
    theme.key = names["sv"].casefold()
    db.session.flush()


def set_goals(theme: Theme, goals: Iterable[Goal]) -> None:
    """The goals the theme speaks to: goals of the organisation's frameworks only."""
    goals = list(goals)
    if any(g.focus_area.framework.organisation_id != theme.organisation_id for g in goals):
        raise ThemeError("unknown_goal", "goals")
    theme.goals = goals
    db.session.flush()


def delete_theme(theme: Theme) -> None:
    """Delete a theme with its tags, its goal links and the links of actions that said they
    answer it; the statements, answers, goals and actions themselves stay. The rows are
    deleted here rather than left to ON DELETE CASCADE, which SQLite does not enforce, and
    the actions' links because they name the theme by id only."""
    db.session.execute(delete(statement_themes).where(statement_themes.c.theme_id == theme.id))
    db.session.execute(delete(answer_themes).where(answer_themes.c.theme_id == theme.id))
    db.session.execute(delete(theme_goals).where(theme_goals.c.theme_id == theme.id))
    db.session.execute(delete(ActionLink).where(ActionLink.kind == "theme",
                                                ActionLink.target_id == theme.id))
    db.session.delete(theme)
    db.session.flush()


def _own_themes(organisation_id: int, themes: Iterable[Theme]) -> set[int]:
    ids = {t.id for t in themes if t.organisation_id == organisation_id}
    if len(ids) != len({t.id for t in themes}):
        raise ThemeError("unknown_theme", "themes")
    return ids


def tag_statement(statement: Statement, themes: Iterable[Theme]) -> None:
    """The themes of a dialogue statement (replacing the ones it had)."""
    ids = _own_themes(statement.event.organisation_id, list(themes))
    db.session.execute(delete(statement_themes).where(
        statement_themes.c.statement_id == statement.id))
    if ids:
        db.session.execute(insert(statement_themes), [
            {"statement_id": statement.id, "theme_id": i} for i in sorted(ids)])
    db.session.flush()


def tag_answer(answer: Answer, themes: Iterable[Theme]) -> None:
    """The themes of a free-text survey answer (replacing the ones it had)."""
    if not answer.question.kind.free_text:
        raise ThemeError("not_free_text")
    ids = _own_themes(answer.question.survey.organisation_id, list(themes))
    db.session.execute(delete(answer_themes).where(answer_themes.c.answer_id == answer.id))
    if ids:
        db.session.execute(insert(answer_themes), [
            {"answer_id": answer.id, "theme_id": i} for i in sorted(ids)])
    db.session.flush()


def _change_tags(table, column: str, theme: Theme | None, organisation_id: int,
                 ids: list[int], allowed: set[int], tagged, what: str, remove: bool) -> int:
    """Add `theme` to the rows `ids` of `table` (each must be in `allowed`), or take it off
    them, all or nothing; `tagged(ids)` reads the themes they have and `what` names the
    things in the refusals' codes. Returns how many gained (or lost) it."""
    if theme is None or theme.organisation_id != organisation_id:
        raise ThemeError("unknown_theme", "theme")
    if not ids:
        raise ThemeError(f"no_{what}_chosen", what)
    if not set(ids) <= allowed:
        raise ThemeError(f"unknown_{what}", what)
    # One bulk change with a theme at a time: the same form sent twice at once waits here,
    # then finds the first one's tags (and a theme deleted meanwhile is not found).
    locked = db.session.scalar(select(Theme.id).where(Theme.id == theme.id).with_for_update())
    if locked is None:
        raise ThemeError("unknown_theme", "theme")
    had = tagged(sorted(set(ids)))
    changed = sorted(i for i in set(ids) if (theme.id in had.get(i, ())) == remove)
    if not changed:  # nothing to do, e.g. the same form sent twice
        raise ThemeError(f"{what}_{'not' if remove else 'already'}_tagged", what, 409,
                         name=theme.name)
    if remove:
        db.session.execute(delete(table).where(table.c[column].in_(changed),
                                               table.c.theme_id == theme.id))
    else:
        db.session.execute(insert(table), [{column: i, "theme_id": theme.id} for i in changed])
    db.session.flush()
    return len(changed)


def _taggable_statements(event: Event) -> set[int]:
    """The statements an event's tagging page lists: those not waiting for a moderator."""
    return {s.id for s in queries.statements_of(event.id)
            if s.status is not StatementStatus.pending}


def _taggable_answers(survey: Survey) -> set[int]:
    """The free-text answers a survey's tagging page lists."""
    return {a.id for item in queries.free_text_answers(survey) for a in item.answers}


def tag_statements(event: Event, statement_ids: list[int], theme: Theme | None, *,
                   remove: bool = False) -> int:
    """Add one theme to several statements of an event (or take it off them, `remove`);
    returns how many changed."""
    return _change_tags(statement_themes, "statement_id", theme, event.organisation_id,
                        statement_ids, _taggable_statements(event),
                        queries.statement_theme_ids, "statements", remove)


def tag_answers(survey: Survey, answer_ids: list[int], theme: Theme | None, *,
                remove: bool = False) -> int:
    """Add one theme to several free-text answers of a survey (or take it off them,
    `remove`); returns how many changed."""
    return _change_tags(answer_themes, "answer_id", theme, survey.organisation_id, answer_ids,
                        _taggable_answers(survey), queries.answer_theme_ids, "answers", remove)


# -- series -------------------------------------------------------------------------------------
def create_series(organisation_id: int, names: Mapping[str, str]) -> Series:
    """A new series of the organisation (flushes)."""
    names = {code: " ".join(text.split()) for code, text in names.items() if text and
             text.strip()}
    if not names.get("sv"):
        raise ThemeError("name_required", "name_sv")
    if any(len(text) > NAME_MAX for text in names.values()):
        raise ThemeError("name_too_long", "name_sv", max=NAME_MAX)
    series = Series(organisation_id=organisation_id, name=names)
    db.session.add(series)
    db.session.flush()
    return series


def add_event(series: Series, event: Event | None) -> None:
    """Put one of the organisation's events into the series (an event is in one at most)."""
    if event is None or event.organisation_id != series.organisation_id:
        raise ThemeError("unknown_event", "event_id")
    current = queries.series_of(event)
    if current is not None:
        raise ThemeError("event_in_series", "event_id", 409, series=current.name.get("sv"))
    series.events.append(event)
    db.session.flush()


def remove_event(series: Series, event: Event) -> None:
    """Take an event out of the series; its statements and themes stay."""
    if event in series.events:
        series.events.remove(event)
    db.session.flush()


def carry_forward(series: Series, event: Event) -> int:
    """Copy the open (visible) statements of the event before `event` in the series into
    it, marked as carried over, with their themes; returns how many were copied."""
    previous = queries.previous_event(series, event)
    if previous is None:
        raise ThemeError("no_previous_event", status=409)
    statements = [s for s in queries.statements_of(previous.id)
                  if s.status is StatementStatus.visible]
    try:
        copies = dialog_services.carry_over(event, statements)
    except dialog_services.DialogError as error:
        raise ThemeError("dialog", status=error.status, message=error.message) from None
    tags = queries.statement_theme_ids([s.id for s in statements])
    rows = [{"statement_id": c.id, "theme_id": t} for c in copies
            for t in sorted(tags.get(c.carried_from_id, ()))]
    if rows:
        db.session.execute(insert(statement_themes), rows)
    db.session.flush()
    return len(copies)
