"""What was heard at an event, and what the municipality does about it.

`summarise(event)` gathers everything the public "what we heard" page and the PDF report
show: statements per prompt with their counts (device votes and paper tallies added up,
the paper part kept visible), the opinion groups and group-informed consensus from
`dialog.opinion.analyse`, dot-voting priorities, and the answer ("what we do") with its
indicators and actions (changed by `dialog.services`). The analysis is kept in memory until
a vote or a moderation changes (`opinion_result`).

Small cells: a statement with fewer than `MIN_VOTES_SHOWN` votes in all shows no counts,
and a group's share on a statement is shown only when that many of its members voted; a
group's size only when it has that many members. Where a withheld share or size could be
worked out from the totals beside it, others are withheld too (`dialog.disclosure`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field

from dialog import bylanguage, disclosure, opinion, queries
from dialog.models import (
    Event,
    EventAction,
    EventResponse,
    Prompt,
    TableGroup,
    TableNote,
)
from dialog.queries import StatementFigures
from surveys.extensions import db
from surveys.followup.queries import framework_of

#: Fewest votes (device + paper) a statement needs before its counts are published.
MIN_VOTES_SHOWN = queries.MIN_VOTES_SHOWN
#: Consensus statements and priorities listed.
TOP_CONSENSUS = 5
TOP_PRIORITIES = 10
#: Opinion analyses kept in this process, most recently used last.
ANALYSES_KEPT = 64

_analyses: OrderedDict[tuple[str, int], tuple[tuple, opinion.OpinionResult]] = OrderedDict()
_analyses_lock = threading.Lock()


@dataclass
class GroupShare:
    """How one opinion group voted on a statement; None when fewer than 5 members voted."""

    group: int
    agree_share: float | None
    #: Why the share is withheld: "small_group" or "complement" (`dialog.disclosure`).
    withheld: str | None = None


@dataclass
class Representative:
    """A statement on which a group stands apart: it agreed (or disagreed) more than others."""

    figures: StatementFigures
    direction: str
    #: Share of the group's votes in that direction, None under the small-cell rule.
    share: float | None
    withheld: str | None = None


@dataclass
class GroupSummary:
    """An opinion group, numbered from 1 (the largest)."""

    number: int
    size: int
    representative: list[Representative]
    #: Why the size is withheld: "small_group" or "complement".
    size_withheld: str | None = None


@dataclass
class Consensus:
    """A statement every group tended to agree with."""

    figures: StatementFigures
    shares: list[GroupShare]


@dataclass
class IndicatorLink:
    """An indicator that follows the answer up; `area_key` set when its public page exists."""

    key: str
    title: dict
    slug: str | None = None
    area_key: str | None = None


@dataclass
class Heard:
    """Everything the "what we heard" page and the report show about one event."""

    event: Event
    participants: int
    voters: int
    prompts: list[tuple[Prompt, list[StatementFigures]]]
    grouping_status: str
    groups: list[GroupSummary]
    consensus: list[Consensus]
    priorities: list[StatementFigures]
    response: EventResponse | None
    indicators: list[IndicatorLink]
    actions: list[EventAction]
    notes: list[tuple[TableGroup, Prompt, TableNote]] = field(default_factory=list)
    #: Agreement by the participants' languages, and the bridging statements.
    by_language: bylanguage.ByLanguage | None = None

    @property
    def prompt_numbers(self) -> dict[int, int]:
        return {prompt.id: n for n, (prompt, _) in enumerate(self.prompts, start=1)}


def prompts_of(event: Event) -> list[Prompt]:
    """The event's prompts in their order, each once."""
    return sorted({p.id: p for p in event.prompts}.values(), key=lambda p: (p.position, p.id))


def prompt_numbers(event: Event) -> dict[int, int]:
    """Prompt id -> its number on the page, 1, 2, 3 …"""
    return {p.id: n for n, p in enumerate(prompts_of(event), start=1)}


def _share(part: int, whole: int, reason: str | None) -> tuple[float | None, str | None]:
    """The share and why it is withheld (a group's votes on a statement)."""
    if reason is None and whole < MIN_VOTES_SHOWN:
        reason = disclosure.SMALL_GROUP
    return (None if reason else part / whole), reason


def _withheld(result: opinion.OpinionResult, figures: dict[int, StatementFigures]
              ) -> dict[tuple[int, object, str], str]:
    """Group shares withheld on each published statement (`dialog.disclosure`)."""
    totals = {f.id: (f.votes, f.agree, f.disagree) for f in figures.values() if f.shown}
    return disclosure.group_shares(result.group_votes, totals, MIN_VOTES_SHOWN)


def _groups(result: opinion.OpinionResult, figures: dict[int, StatementFigures],
            withheld: dict, voters: int) -> list[GroupSummary]:
    sizes = disclosure.counts(voters, [g.size for g in result.groups], MIN_VOTES_SHOWN)
    groups = []
    for group, size_withheld in zip(result.groups, sizes, strict=True):
        representative = [
            Representative(figures[r.statement], r.direction, *_share(
                r.n_success, r.n_trials, withheld.get((group.id, r.statement, r.direction))))
            for r in group.representative if r.significant and r.statement in figures]
        groups.append(GroupSummary(group.id + 1, group.size, representative, size_withheld))
    return groups


def _consensus(result: opinion.OpinionResult, figures: dict[int, StatementFigures],
               withheld: dict) -> list[Consensus]:
    """Top statements by group-informed consensus that every group leans towards agreeing."""
    if result.k < 2:
        return []
    votes = result.group_votes.set_index(["group", "statement"])
    out = []
    for item in result.consensus:
        if item.statement not in figures or min(item.agree_probability.values()) <= 0.5:
            continue
        shares = []
        for group in sorted(item.agree_probability):
            row = votes.loc[(group, item.statement)]
            shares.append(GroupShare(group + 1, *_share(
                int(row["agree"]), int(row["seen"]),
                withheld.get((group, item.statement, "agree")))))
        out.append(Consensus(figures[item.statement], shares))
        if len(out) == TOP_CONSENSUS:
            break
    return out


def indicator_links(event: Event, keys: list[str]) -> list[IndicatorLink]:
    """The chosen indicators of the organisation's framework, linked when published."""
    framework = framework_of(event.organisation_id)
    if framework is None:
        return []
    by_key = {i.key: i for i in framework.indicators}
    links = []
    for key in keys:
        indicator = by_key.get(key)
        if indicator is None:
            continue
        link = IndicatorLink(key, dict(indicator.title))
        if framework.published and indicator.public:
            link.slug, link.area_key = framework.slug, indicator.goal.focus_area.key
        links.append(link)
    return links


def language_results(event: Event, figures: list[StatementFigures] | None = None
                     ) -> bylanguage.ByLanguage:
    """Agreement by the participants' languages on the event's visible statements."""
    if figures is None:
        figures = queries.statement_figures(event.id)
    return bylanguage.by_language(event.languages, figures, queries.language_votes(event.id))


def opinion_result(event_id: int) -> opinion.OpinionResult:
    """`queries.opinion_result`, run again only after a vote or a moderation changed.

    Kept in memory per process (nothing is written to the database on a page view); the
    key includes the database, so two apps in one process never share an analysis.
    Treat the result as read-only: later page views get the same object.
    """
    key = (db.engine.url.render_as_string(hide_password=True), event_id)
    version = queries.analysis_version(event_id)
    with _analyses_lock:
        kept = _analyses.get(key)
        if kept is not None and kept[0] == version:
            _analyses.move_to_end(key)
            return kept[1]
    result = queries.opinion_result(event_id)
    with _analyses_lock:
        _analyses[key] = (version, result)
        _analyses.move_to_end(key)
        while len(_analyses) > ANALYSES_KEPT:
            _analyses.popitem(last=False)
    return result


def summarise(event: Event, *, with_notes: bool = False) -> Heard:
    """What was heard at `event` (table notes only when asked: they are for the report)."""
    figures = queries.statement_figures(event.id)
    by_id = {f.statement.id: f for f in figures}
    result = opinion_result(event.id)
    response = queries.response_of(event)
    priorities = sorted((f for f in figures if f.dots > 0),
                        key=lambda f: (-f.dots, f.statement.id))[:TOP_PRIORITIES]
    withheld = _withheld(result, by_id)
    return Heard(
        event=event,
        participants=queries.participant_count(event.id),
        voters=len(result.participant_groups),
        prompts=[(p, [f for f in figures if f.statement.prompt_id == p.id])
                 for p in prompts_of(event)],
        grouping_status=result.status,
        groups=_groups(result, by_id, withheld, len(result.participant_groups)),
        consensus=_consensus(result, by_id, withheld),
        priorities=priorities,
        response=response,
        indicators=indicator_links(event, list(response.indicator_keys) if response else []),
        actions=queries.actions_of(event),
        notes=queries.table_notes(event) if with_notes else [],
        by_language=language_results(event, figures),
    )
