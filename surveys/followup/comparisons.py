"""Comparisons: register indicators beside the county, Sweden and a Kolada municipality
group; survey indicators beside the same indicator of other organisations that share it.

Fetching from Kolada is an explicit act (the staff's *Fetch from Kolada* button or
`delaktig kolada fetch`): `fetch_kolada` asks `surveys.indicators.kolada` and keeps the
answer on the indicator's `RegisterComparison` with the time; pages and the API only read
what was kept. A failed fetch keeps the previous values and records why.

Survey comparisons read other organisations' stored figures, and only where both sides
opted in (`ComparisonSettings.share_survey`) and the other side's indicator is public and
defined the same way (same key, same computation). They are never stored here, so a
framework that stops sharing disappears from everyone's comparisons at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_date, format_decimal
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from surveys.core.problems import Problem
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.followup import charts, present
from surveys.followup.models import (
    ComparisonSettings,
    Framework,
    IndicatorDefinition,
    RegisterComparison,
)
from surveys.followup.queries import series_for
from surveys.followup.services import store_register_series
from surveys.followup.values import IndicatorSeries
from surveys.indicators import RegisterSeries
from surveys.indicators.kolada import (
    GENDERS,
    GROUP_RE,
    KPI_RE,
    SWEDEN,
    Difference,
    Kolada,
    KoladaError,
    county_of,
    difference,
)

#: Years asked of Kolada: this many before the current one, and the current one.
YEARS_BACK = 10
#: Roles of a comparison area, in the order they are shown.
ROLES = ("county", "country", "group", "member", "organisation")


class ComparisonError(Exception):
    """A setting that cannot be saved; `code` and `details` for `messages`."""

    def __init__(self, code: str, **details):
        super().__init__(code)
        self.code = code
        self.details = details


@dataclass
class Entry:
    """One comparison figure: whose, which year, the value (and interval where there is
    one), and ours minus it (tested where both have a standard error)."""

    role: str
    area_code: str | None
    name: str
    year: int
    value: float | None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n: int | None = None
    difference: Difference | None = None


# -- settings ---------------------------------------------------------------------------------
def settings_of(framework: Framework) -> ComparisonSettings | None:
    return db.session.scalar(select(ComparisonSettings).where(
        ComparisonSettings.framework_id == framework.id))


def save_settings(framework: Framework, group_id: str | None, show_members: bool,
                  share_survey: bool) -> ComparisonSettings:
    """Keep the comparison group and the sharing choice; a changed group forgets the old
    group's members until the next fetch."""
    group_id = (group_id or "").strip().upper() or None
    if group_id is not None and not GROUP_RE.match(group_id):
        raise ComparisonError("kolada_bad_group", group=group_id[:20])
    settings = settings_of(framework)
    if settings is None:
        settings = ComparisonSettings(framework_id=framework.id, group_members=[])
        db.session.add(settings)
    if settings.group_id != group_id:
        settings.group_id, settings.group_title, settings.group_members = group_id, None, []
    settings.show_members = show_members
    settings.share_survey = share_survey
    db.session.flush()
    return settings


def register_links(framework: Framework) -> dict[int, RegisterComparison]:
    """The framework's register indicators' Kolada links by indicator id."""
    ids = [d.id for d in framework.indicators if d.kind == "register"]
    if not ids:
        return {}
    rows = db.session.scalars(select(RegisterComparison).where(
        RegisterComparison.indicator_id.in_(ids)))
    return {r.indicator_id: r for r in rows}


def set_kpi(definition: IndicatorDefinition, kpi: str | None, gender: str = "T") -> None:
    """Take the register indicator's values from a Kolada KPI (None: stop; the values
    fetched so far stay on the indicator)."""
    if definition.kind != "register":
        raise ComparisonError("not_register")
    link = db.session.scalar(select(RegisterComparison).where(
        RegisterComparison.indicator_id == definition.id))
    kpi = (kpi or "").strip().upper() or None
    if kpi is None:
        if link is not None:
            db.session.delete(link)
        db.session.flush()
        return
    if not KPI_RE.match(kpi):
        raise ComparisonError("kolada_bad_kpi", kpi=kpi[:20])
    if gender not in GENDERS:
        raise ComparisonError("kolada_bad_gender")
    if link is None:
        link = RegisterComparison(indicator_id=definition.id, kpi=kpi, areas=[], problems=[])
        db.session.add(link)
    elif link.kpi != kpi or link.gender != gender:
        link.areas, link.problems, link.fetched_at, link.kpi_title = [], [], None, None
    link.kpi, link.gender = kpi, gender
    db.session.flush()


# -- fetching ---------------------------------------------------------------------------------
def _problems(problems: Iterable[Problem]) -> list[dict]:
    return [{"code": p.code, "details": dict(p.details)} for p in problems]


def fetch_kolada(framework: Framework, client: Kolada, now: datetime | None = None
                 ) -> list[Problem]:
    """Fetch every linked register indicator's KPI for the organisation, its county, Sweden
    and the comparison group; keep what came. Returns the problems (none: all fetched)."""
    now = now or utcnow()
    code = framework.organisation.municipality_code
    links = register_links(framework)
    if not links:
        return [Problem("kolada_no_links")]
    if not code:
        return [Problem("kolada_no_municipality_code")]
    settings = settings_of(framework)
    problems: list[Problem] = []
    group = None
    if settings is not None and settings.group_id:
        try:
            group = client.group(settings.group_id)
        except KoladaError as error:
            problems += error.problems
            if not settings.group_title:  # never fetched: there is nothing to compare with
                group = None
        else:
            settings.group_title = group.title[:300]
            settings.group_members = [{"id": m.id, "title": m.title} for m in group.members]
    try:
        names = {a.id: a.title for a in client.municipalities([code, county_of(code), SWEDEN])}
    except KoladaError as error:
        return problems + error.problems
    years = range(now.year - YEARS_BACK, now.year + 1)
    for definition in framework.indicators:
        link = links.get(definition.id)
        if link is not None:
            problems += _fetch_one(definition, link, client, code, names, settings, years, now)
    db.session.flush()
    return problems


def _fetch_one(definition: IndicatorDefinition, link: RegisterComparison, client: Kolada,
               code: str, names: dict[str, str], settings: ComparisonSettings | None,
               years: range, now: datetime) -> list[Problem]:
    areas = [(code, "own", names.get(code, code)),
             (county_of(code), "county", names.get(county_of(code), county_of(code))),
             (SWEDEN, "country", names.get(SWEDEN, "Riket"))]
    if settings is not None and settings.group_id and settings.group_title:
        areas.append((settings.group_id, "group", settings.group_title))
        if settings.show_members:
            areas += [(m["id"], "member", m["title"]) for m in settings.group_members
                      if m["id"] != code]
    try:
        kpi = client.kpi(link.kpi)
        values = client.values(link.kpi, [a for a, _r, _n in areas], years, link.gender)
    except KoladaError as error:
        link.problems = _problems(error.problems)
        return list(error.problems)
    problems: list[Problem] = []
    own = values.get(code) or {}
    if not own:
        problems.append(Problem("kolada_no_values", {"kpi": link.kpi, "area": code}))
    else:
        # years others have but we lack: Kolada has not published ours (yet)
        others = {y for a, _r, _n in areas[1:] for y in values.get(a, {})}
        missing = sorted(y for y in others if y not in own and y > min(own))
        if missing:
            problems.append(Problem("kolada_missing_years", {
                "kpi": link.kpi, "years": missing}))
        store_register_series(definition, RegisterSeries(
            values=dict(sorted(own.items())), source=f"Kolada {link.kpi}", label=kpi.title,
            unit=kpi.unit, updated=now.date().isoformat()))
    for area_id, role, _name in areas[1:]:
        if role in ("group", "county", "country") and not values.get(area_id):
            problems.append(Problem("kolada_area_no_values", {"kpi": link.kpi, "area": area_id,
                                                              "role": role}))
    link.kpi_title = kpi.title[:500]
    link.areas = [{"code": a, "role": r, "name": n,
                   "values": {str(y): v for y, v in sorted(values.get(a, {}).items())}}
                  for a, r, n in areas]
    link.problems = _problems(problems)
    link.fetched_at = now
    return problems


# -- reading ----------------------------------------------------------------------------------
def register_entries(link: RegisterComparison | None, years: Iterable[int] | None = None
                     ) -> list[Entry]:
    """The kept Kolada values of the comparison areas (not the organisation's own), ours
    minus theirs in the same year (exact: register values have no sampling error)."""
    if link is None or not link.areas:
        return []
    own = next((a for a in link.areas if a["role"] == "own"), {"values": {}})
    wanted = None if years is None else {int(y) for y in years}
    entries = []
    for area in link.areas:
        if area["role"] == "own":
            continue
        for year_text, value in area["values"].items():
            year = int(year_text)
            if wanted is not None and year not in wanted:
                continue
            ours = own["values"].get(year_text)
            entries.append(Entry(area["role"], area["code"], area["name"], year, value,
                                 difference=None if ours is None or value is None
                                 else difference(ours, None, value, None)))
    return entries


def sharing_frameworks(framework: Framework) -> list[Framework]:
    """Other organisations' frameworks that share their survey indicators; none unless
    `framework` shares its own."""
    own = settings_of(framework)
    if own is None or not own.share_survey:
        return []
    return list(db.session.scalars(
        select(Framework).join(ComparisonSettings, ComparisonSettings.framework_id == Framework.id)
        .where(ComparisonSettings.share_survey, Framework.organisation_id
               != framework.organisation_id, Framework.archived_at.is_(None))
        .order_by(Framework.id)))


def _same(a: IndicatorDefinition, b: IndicatorDefinition) -> bool:
    strip = ("key", "baseline_wave", "target")  # one's targets are not part of what is measured
    return (a.key == b.key and {k: v for k, v in a.definition.items() if k not in strip}
            == {k: v for k, v in b.definition.items() if k not in strip})


def survey_entries(framework: Framework, all_series: list[IndicatorSeries]
                   ) -> dict[str, list[Entry]]:
    """Per indicator key, the same public indicator of every sharing organisation in each
    wave year both have, with ours minus theirs and its z test."""
    survey = [s for s in all_series if s.definition.kind != "register"]
    others = sharing_frameworks(framework) if survey else []
    found: dict[str, list[Entry]] = {}
    for other in others:
        theirs = {d.key: d for d in other.indicators if d.public and d.kind != "register"}
        pairs = [(s, theirs[s.definition.key]) for s in survey
                 if s.definition.key in theirs and _same(s.definition, theirs[s.definition.key])]
        if not pairs:
            continue
        their_series = {t.definition.key: t for t in series_for(other, [p for _s, p in pairs])}
        organisation = other.organisation
        for ours, _definition in pairs:
            their = their_series.get(ours.definition.key)
            if their is None:
                continue
            by_year = {w.year: w.overall for w in their.waves}
            for wave in ours.waves:
                est = by_year.get(wave.year)
                if est is None or est.suppressed or est.value is None:
                    continue
                mine = wave.overall
                diff = (None if mine.suppressed or mine.value is None
                        else difference(mine.value, mine.se, est.value, est.se))
                found.setdefault(ours.definition.key, []).append(Entry(
                    "organisation", organisation.municipality_code, organisation.name,
                    wave.year, est.value, est.se, est.ci_low, est.ci_high, est.n, diff))
    return found


def entries_for(framework: Framework, all_series: list[IndicatorSeries]
                ) -> dict[str, list[Entry]]:
    """Every indicator's comparisons by key: Kolada's for register indicators, sharing
    organisations' for survey ones."""
    links = register_links(framework)
    found = survey_entries(framework, all_series)
    for s in all_series:
        if s.definition.kind == "register":
            entries = register_entries(links.get(s.definition.id))
            if entries:
                found[s.definition.key] = entries
    for entries in found.values():
        entries.sort(key=lambda e: (e.year, ROLES.index(e.role), e.name))
    return found


# -- on pages ---------------------------------------------------------------------------------
ROLE_LABELS = {
    "county": _l("County (region)"),
    "country": _l("Sweden"),
    "group": _l("Comparison group (mean)"),
    "member": _l("Member of the comparison group"),
    "organisation": _l("Other organisation"),
}


@dataclass
class Row:
    label: str
    role: str
    value: str
    interval: str
    difference: str
    test: str
    own: bool = False


@dataclass
class View:
    """An indicator beside its comparisons in one year: a table and a chart."""

    year: int
    rows: list[Row]
    chart: charts.GroupChart
    summary: str
    own_label: str
    source: str


def _estimator(series: IndicatorSeries) -> str:
    if series.latest is not None:
        return series.latest.estimator
    kind = series.definition.kind
    return "register" if kind == "register" else "proportion" if kind == "share" else "mean"


def _test_text(diff: Difference | None) -> str:
    if diff is None or diff.p_value is None:
        return ""
    p = format_decimal(diff.p_value, "0.000")
    return (_("Significant difference (p = %(p)s)", p=p) if diff.significant
            else _("Not significant (p = %(p)s)", p=p))


def page_views(framework: Framework, all_series: list[IndicatorSeries],
               entries: dict[str, list[Entry]]) -> dict[str, View]:
    """Per indicator key, the latest year that has both our value and comparisons."""
    links = register_links(framework)
    own_name = framework.organisation.name
    views: dict[str, View] = {}
    for series in all_series:
        found = entries.get(series.definition.key)
        if not found:
            continue
        ours = {w.year: w.overall for w in series.waves}
        years = sorted({e.year for e in found})
        year = max((y for y in years if y in ours), default=years[-1])
        estimator = _estimator(series)
        unit = (series.definition.register_series or {}).get("unit")
        floor, ceiling, tick = present._scale_limits(estimator)
        mine = ours.get(year)
        rows = [Row(own_name, _("This organisation"),
                    present.value_text(estimator, mine.value if mine else None, unit),
                    present.interval_text(estimator, mine.ci_low, mine.ci_high, unit)
                    if mine else "", "", "", own=True)]
        points = [charts.Point(own_name, mine.value if mine else None,
                               mine.ci_low if mine else None, mine.ci_high if mine else None)]
        for e in (e for e in found if e.year == year):
            diff = e.difference
            rows.append(Row(
                e.name, str(ROLE_LABELS[e.role]), present.value_text(estimator, e.value, unit),
                present.interval_text(estimator, e.ci_low, e.ci_high, unit),
                present.difference_text(estimator, diff.value, unit) if diff else "–",
                _test_text(diff)))
            points.append(charts.Point(e.name, e.value, e.ci_low, e.ci_high))
        chart = charts.by_group(points, tick, overall=mine.value if mine else None,
                                floor=floor, ceiling=ceiling)
        link = links.get(series.definition.id)
        if series.definition.kind == "register" and link is not None:
            source = _("Kolada, key figure %(kpi)s, fetched %(date)s", kpi=link.kpi,
                       date=format_date(link.fetched_at) if link.fetched_at else "–")
        else:
            source = _("The same public indicator of organisations on this platform that "
                       "share their figures, in the same wave year.")
        summary = "; ".join(f"{r.label}: {r.value}" for r in rows)
        views[series.definition.key] = View(year, rows, chart, summary, own_name, source)
    return views


def client(settings) -> Kolada:
    """The Kolada client the app's settings (`KOLADA_URL`, `KOLADA_TIMEOUT`) describe."""
    return Kolada(settings["KOLADA_URL"], timeout=settings["KOLADA_TIMEOUT"])
