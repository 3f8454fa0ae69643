"""Who is in the room: the anonymous check-ins beside the municipality's population.

The check-in asks the weighting's categories (`dialog.queries.checkin_categories`), so each
answer can be set beside the organisation's newest population margins (`MarginSet`). Per
category: the share of the room (among those who answered that question) and the share of
the population. A category whose room share is under half its population share is a
*missing voice*. Counts under `MIN_CELL` are never shown (small-cell suppression): with a
handful of people in a room, a count of 2 could point at a person. Where such a count
could be worked out from the number who answered and the other counts, another count is
withheld too (`dialog.disclosure`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from dialog import disclosure, queries
from dialog.charts import PairedBarChart, paired_bars
from surveys.runs import queries as runs_queries
from surveys.runs.models import MarginSet
from surveys.survey.results import format_share

#: Room counts below this are shown as "fewer than 5".
MIN_CELL = 5
#: A category is under-represented when its room share is below this part of its population share.
MISSING_RATIO = 0.5
#: Check-in field -> the margins' variable name.
VARIABLES = {"age_group": "age", "gender": "gender", "born": "born", "district": "district"}


@dataclass
class CategoryRow:
    """One category: how many in the room and in the population, and their shares."""

    category: str
    room_count: int
    #: Share among participants who answered this question (None: nobody answered).
    room_share: float | None
    #: None when the margins lack this category.
    population_count: float | None
    population_share: float | None
    #: Why the count is withheld besides being small: "complement" (`dialog.disclosure`).
    withheld: str | None = None

    @property
    def suppressed(self) -> bool:
        """True when the room count is not shown (too small, or its complement)."""
        return self.room_count < MIN_CELL or self.withheld is not None

    @property
    def complement(self) -> bool:
        """Withheld so that a small count cannot be worked out from the others."""
        return self.withheld == disclosure.COMPLEMENT

    @property
    def missing(self) -> bool:
        """Under-represented: room share below MISSING_RATIO of the population share."""
        if not self.population_share:
            return False
        return (self.room_share or 0.0) < MISSING_RATIO * self.population_share


@dataclass
class VariableComparison:
    """The room and the population for one check-in question."""

    field: str
    #: The margins' variable name ("age", "gender", "born", "district").
    variable: str
    #: Participants who answered this question.
    answered: int
    rows: list[CategoryRow] = field(default_factory=list)

    @property
    def has_population(self) -> bool:
        return any(r.population_share is not None for r in self.rows)


@dataclass
class RoomComparison:
    """The whole panel: participants, check-ins, the margins used, one block per question."""

    participants: int
    checked_in: int
    margin_set: MarginSet | None
    variables: list[VariableComparison]

    @property
    def missing(self) -> list[tuple[VariableComparison, CategoryRow]]:
        """Under-represented categories, the largest gap in share first."""
        found = [(v, r) for v in self.variables for r in v.rows if r.missing]
        return sorted(found, key=lambda vr: -(vr[1].population_share - (vr[1].room_share or 0)))


def compare_room(organisation_id: int, event_id: int,
                 categories: dict[str, list[str]]) -> RoomComparison:
    """The room beside the newest margins; `categories` are the check-in's own, in order.

    Categories come in the margins' order, then check-in categories the margins lack, then
    anything else participants answered; a category nobody in the room or the population has
    is left out.
    """
    margins = runs_queries.newest_margin_set(organisation_id)
    population: dict[str, dict[str, float]] = {v: {} for v in VARIABLES.values()}
    if margins is not None:
        for row in sorted(margins.rows, key=lambda r: r.position):
            if row.variable in population:
                population[row.variable][row.category] = float(row.population_count)
    total, checked_in, counts = queries.room_counts(event_id, list(VARIABLES))
    variables = []
    for name, variable in VARIABLES.items():
        in_room, in_population = counts[name], population[variable]
        answered = sum(in_room.values())
        people = sum(in_population.values())
        order = list(dict.fromkeys([*in_population, *categories.get(name, []), *sorted(in_room)]))
        rows = [CategoryRow(
            category=c, room_count=in_room.get(c, 0),
            room_share=in_room.get(c, 0) / answered if answered else None,
            population_count=in_population.get(c),
            population_share=in_population[c] / people if c in in_population and people else None)
            for c in order if c in in_population or c in in_room or not in_population]
        for row, reason in zip(rows, disclosure.counts(
                answered, [r.room_count for r in rows], MIN_CELL), strict=True):
            row.withheld = reason
        variables.append(VariableComparison(field=name, variable=variable, answered=answered,
                                            rows=rows))
    return RoomComparison(participants=total, checked_in=checked_in, margin_set=margins,
                          variables=variables)


# -- in words and bars --------------------------------------------------------------------
def category_label(field: str, category: str) -> str:
    """A check-in category in words ("kvinna" -> "Women"); districts and ages as they are."""
    named = {"kvinna": _("Women"), "man": _("Men"), "annat": _("Another gender"),
             "inrikes": _("Born in Sweden"),
             "utrikes": _("Born outside Sweden")}
    if field == "age_group":
        return _("%(group)s years", group=category)
    return named.get(category, category)


VARIABLE_LABELS = {"age_group": lambda: _("Age"), "gender": lambda: _("Gender"),
                   "born": lambda: _("Born in or outside Sweden"),
                   "district": lambda: _("District")}


def room_chart(variable: VariableComparison) -> PairedBarChart:
    """The room's and the population's shares of one check-in question as bars."""
    rows = [(category_label(variable.field, r.category),
             None if r.suppressed else r.room_share, r.population_share,
             "–" if r.complement else
             _("fewer than %(num)s", num=MIN_CELL) if r.suppressed else "")
            for r in variable.rows]
    return paired_bars(rows, format_share)
