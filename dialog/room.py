"""Who is in the room: the anonymous check-ins beside the municipality's population.

The check-in asks the weighting's categories (`dialog.queries.checkin_categories`), so each
answer can be set beside the organisation's newest population margins (`MarginSet`). Per
category: the share of the room (among those who answered that question) and the share of
the population. A category whose room share is under half its population share is a
*missing voice*. Ages are compared band by band where the margins' bands are the check-in's,
and otherwise on the fewest bands put together that cover the same ages on both sides
(`dialog.ages.align`); a band with no population figure (under-16s, say) says so. The
languages spoken at home (several per person) have no population figures. Counts under
`MIN_CELL` are never shown (small-cell suppression): with a handful of people in a room, a
count of 2 could point at a person. Where such a count could be worked out from the number
who answered and the other counts, another count is withheld too (`dialog.disclosure`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import gettext as _

from dialog import ages, disclosure, queries
from dialog.charts import PairedBarChart, paired_bars
from dialog.models import ANOTHER_LANGUAGE, Event
from surveys.core.i18n import language_name
from surveys.runs import queries as runs_queries
from surveys.runs.models import MarginSet
from surveys.survey.results import format_share

#: Room counts below this are shown as "fewer than 5".
MIN_CELL = 5
#: A category is under-represented when its room share is below this part of its population share.
MISSING_RATIO = 0.5
#: Check-in field -> the margins' variable name.
VARIABLES = {"age_group": "age", "gender": "gender", "born": "born", "district": "district"}
#: The multiple-choice question without population figures.
HOME_LANGUAGES = "home_languages"


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
    #: Ages: the check-in bands the row puts together (more than one when the population's
    #: band is wider); empty for a population band no check-in band matches.
    bands: tuple[str, ...] = ()
    #: Ages: the row has population figures but the check-in has no band for them.
    no_band: bool = False

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
        if not self.population_share or self.no_band:
            return False
        return (self.room_share or 0.0) < MISSING_RATIO * self.population_share


@dataclass
class VariableComparison:
    """The room and the population for one check-in question."""

    field: str
    #: The margins' variable name ("age", "gender", "born", "district"); None for the
    #: languages spoken at home.
    variable: str | None
    #: Participants who answered this question.
    answered: int
    rows: list[CategoryRow] = field(default_factory=list)

    @property
    def has_population(self) -> bool:
        return any(r.population_share is not None for r in self.rows)

    @property
    def multiple(self) -> bool:
        """Several answers per participant: shares add up to more than 100 %."""
        return self.field == HOME_LANGUAGES

    @property
    def population_ages(self) -> str | None:
        """Ages: "16–84", the ages the population figures cover (None: no figures)."""
        covered = [ages.parse(r.category) for r in self.rows
                   if r.population_count is not None and ages.parse(r.category)]
        if self.field != "age_group" or not covered:
            return None
        last = [b[1] for b in covered]
        top = None if None in last else max(last)
        return ages.label((min(b[0] for b in covered), top)).replace("-", "–")


@dataclass
class RoomComparison:
    """The whole panel: participants, check-ins, the margins used, one block per question."""

    participants: int
    checked_in: int
    margin_set: MarginSet | None
    variables: list[VariableComparison]
    #: district category -> its name per language (`dialog.queries.district_names`).
    district_names: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def missing(self) -> list[tuple[VariableComparison, CategoryRow]]:
        """Under-represented categories, the largest gap in share first."""
        found = [(v, r) for v in self.variables for r in v.rows if r.missing]
        return sorted(found, key=lambda vr: -(vr[1].population_share - (vr[1].room_share or 0)))


def compare_room(event: Event, categories: dict[str, list[str]]) -> RoomComparison:
    """The room beside the newest margins; `categories` are the check-in's own, in order.

    Categories come in the margins' order, then check-in categories the margins lack, then
    anything else participants answered; a category nobody in the room or the population has
    is left out. Ages come youngest first as `dialog.ages.align` lines them up.
    """
    margins = runs_queries.newest_margin_set(event.organisation_id)
    population: dict[str, dict[str, float]] = {v: {} for v in VARIABLES.values()}
    if margins is not None:
        for row in sorted(margins.rows, key=lambda r: r.position):
            if row.variable in population:
                population[row.variable][row.category] = float(row.population_count)
    total, checked_in, counts = queries.room_counts(event.id, list(VARIABLES))
    variables = []
    for name, variable in VARIABLES.items():
        in_room, in_population = counts[name], population[variable]
        answered = sum(in_room.values())
        people = sum(in_population.values())
        if name == "age_group":
            rows = _age_rows(categories.get(name, []), in_room, in_population, answered)
        else:
            order = list(dict.fromkeys([*in_population, *categories.get(name, []),
                                        *sorted(in_room)]))
            rows = [CategoryRow(
                category=c, room_count=in_room.get(c, 0),
                room_share=in_room.get(c, 0) / answered if answered else None,
                population_count=in_population.get(c),
                population_share=in_population[c] / people
                if c in in_population and people else None)
                for c in order if c in in_population or c in in_room or not in_population]
        for row, reason in zip(rows, disclosure.counts(
                answered, [r.room_count for r in rows], MIN_CELL), strict=True):
            row.withheld = reason
        variables.append(VariableComparison(field=name, variable=variable, answered=answered,
                                            rows=rows))
    variables.append(_home_languages(event.id, categories.get(HOME_LANGUAGES, [])))
    return RoomComparison(participants=total, checked_in=checked_in, margin_set=margins,
                          variables=variables, district_names=queries.district_names(
                              event.organisation_id, list(dict.fromkeys(
                                  [*categories.get("district", []),
                                   *population["district"], *counts["district"]]))))


def _age_rows(bands: list[str], in_room: dict[str, int], in_population: dict[str, float],
              answered: int) -> list[CategoryRow]:
    """The age rows: the check-in's bands lined up with the population's, then any band a
    participant answered that the check-in no longer offers (no population figure)."""
    people = sum(in_population.values())
    rows = []
    for group in ages.align(bands, list(in_population)):
        count = sum(in_room.get(b, 0) for b in group.bands)
        figure = sum(in_population[c] for c in group.population) if group.population else None
        rows.append(CategoryRow(
            category=group.label, room_count=count,
            room_share=count / answered if answered and group.bands else None,
            population_count=figure,
            population_share=figure / people if figure is not None and people else None,
            bands=group.bands, no_band=not group.bands))
    offered = set(bands)
    rows += [CategoryRow(category=band, room_count=n, room_share=n / answered,
                         population_count=None, population_share=None, bands=(band,))
             for band, n in sorted(in_room.items()) if band not in offered]
    return rows


def _home_languages(event_id: int, offered: list[str]) -> VariableComparison:
    """Languages spoken at home: one yes/no breakdown per language (several may be chosen),
    each protected against the number who answered on its own."""
    answered, chosen = queries.home_language_counts(event_id)
    order = list(dict.fromkeys([*offered, *sorted(chosen)]))
    rows = []
    for code in order:
        n = chosen.get(code, 0)
        row = CategoryRow(category=code, room_count=n,
                          room_share=n / answered if answered else None,
                          population_count=None, population_share=None)
        row.withheld = disclosure.counts(answered, [n, answered - n], MIN_CELL)[0]
        rows.append(row)
    return VariableComparison(field=HOME_LANGUAGES, variable=None, answered=answered,
                              rows=rows)


# -- in words and bars --------------------------------------------------------------------
def category_label(field: str, category: str,
                   districts: dict[str, dict[str, str]] | None = None) -> str:
    """A check-in category in words ("kvinna" -> "Women", "16-19" -> "16–19 years", "ar" ->
    "Arabic"); a district by its name in the interface language where the organisation has
    one, else as it is."""
    named = {"kvinna": _("Women"), "man": _("Men"), "annat": _("Another gender"),
             "inrikes": _("Born in Sweden"),
             "utrikes": _("Born outside Sweden")}
    if field == "age_group":
        return _("%(group)s years", group=category.replace("-", "–"))
    if field == HOME_LANGUAGES:
        return _("Another language") if category == ANOTHER_LANGUAGE else language_name(category)
    if field == "district":
        names = (districts or {}).get(category) or {}
        return names.get(str(get_locale())) or names.get("sv") or category
    return named.get(category, category)


def district_lang(category: str, districts: dict[str, dict[str, str]]) -> str | None:
    """The language a district's name is shown in ("sv" when it is not the interface's)."""
    names = districts.get(category) or {}
    return None if names.get(str(get_locale())) else "sv"


VARIABLE_LABELS = {"age_group": lambda: _("Age"), "gender": lambda: _("Gender"),
                   "born": lambda: _("Born in or outside Sweden"),
                   "district": lambda: _("District"),
                   HOME_LANGUAGES: lambda: _("Languages spoken at home")}


def room_chart(variable: VariableComparison,
               districts: dict[str, dict[str, str]] | None = None) -> PairedBarChart:
    """The room's and the population's shares of one check-in question as bars."""
    rows = [(category_label(variable.field, r.category, districts),
             None if r.suppressed else r.room_share, r.population_share,
             "–" if r.complement else
             _("fewer than %(num)s", num=MIN_CELL) if r.suppressed else "")
            for r in variable.rows]
    return paired_bars(rows, format_share)
