"""The demo's comparisons: Kolada-format values for the register indicators (kept as if
fetched: the demo needs no network) and a neighbouring organisation that shares its survey
indicators, with one small weighted wave of the same survey.

Called by `surveys.demo.load_demo` after the follow-up is loaded; `make_wave` (from the
demo builder, which knows how to simulate respondents) gives the neighbour's survey.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy import select

from surveys.auth.models import Organisation, User
from surveys.core.roles import Role
from surveys.core.time import utcnow
from surveys.extensions import db
from surveys.followup import comparisons, services
from surveys.followup.demo import WEIGHTING_VARIABLES, population_margins
from surveys.followup.models import Framework, RegisterComparison
from surveys.followup.queries import framework_of, series_for
from surveys.runs import mapping as mapping_svc
from surveys.runs.services import approve, create_run, import_csv, save_scheme
from surveys.runs.weighing import RunSettings
from surveys.survey.models import Survey

NEIGHBOUR = "Grannby kommun"
#: Like the demo's own, a kommunkod no real municipality has.
NEIGHBOUR_CODE = "9998"
NEIGHBOUR_LOGIN = ("analytiker@grannby.se", "demo-grannby-2026")
NEIGHBOUR_RESPONDENTS = 400
NEIGHBOUR_SLUG = "grannby"
#: The demo's "similar municipalities" group (Kolada's ids are G and digits).
GROUP = ("G99999", "Liknande kommuner (demo), Exempelby")
#: Comparison areas and how far each lies from Exempelby's own register values.
AREAS = [("0099", "county", "Exempelby län (demo)", 2.5),
         ("0000", "country", "Riket", 4.0),
         (GROUP[0], "group", GROUP[1], 1.5)]
#: The synthetic key figure the demo's register indicator is linked to.
DEMO_KPI = "N99999"


def neighbour_taken() -> bool:
    """True when the neighbour's name, login, survey address or page is someone else's."""
    return any(db.session.scalar(query) is not None for query in (
        select(Organisation.id).where(Organisation.name == NEIGHBOUR),
        select(User.id).where(User.email == NEIGHBOUR_LOGIN[0]),
        select(Survey.id).where(Survey.slug == NEIGHBOUR_SLUG),
        select(Framework.id).where(Framework.slug == NEIGHBOUR_SLUG + "-kommun")))


def load_comparisons_demo(organisation: Organisation, population,
                          make_wave: Callable[[Organisation, User, str, int], object]
                          ) -> list[str]:
    """Comparisons for the demo's register indicators; Grannby kommun's shared wave."""
    framework = framework_of(organisation.id)
    comparisons.save_settings(framework, GROUP[0], show_members=False, share_survey=True)
    settings = comparisons.settings_of(framework)
    settings.group_title = GROUP[1]
    settings.group_members = [{"id": NEIGHBOUR_CODE, "title": NEIGHBOUR},
                              {"id": "9997", "title": "Bortaby kommun (demo)"}]
    now = utcnow()
    for definition in framework.indicators:
        stored = definition.register_series
        if definition.kind != "register" or not stored:
            continue
        own = {y: float(v) for y, v in stored["values"].items()}
        areas = [{"code": organisation.municipality_code, "role": "own",
                  "name": organisation.name, "values": own}]
        areas += [{"code": code, "role": role, "name": name,
                   "values": {y: round(v + offset, 1) for y, v in own.items()}}
                  for code, role, name, offset in AREAS]
        db.session.add(RegisterComparison(
            indicator_id=definition.id, kpi=DEMO_KPI, gender="T",
            kpi_title=f"{stored.get('label') or definition.key} (demo)", areas=areas,
            problems=[], fetched_at=now))

    neighbour = Organisation(name=NEIGHBOUR, municipality_code=NEIGHBOUR_CODE)
    analyst = User(organisation=neighbour, email=NEIGHBOUR_LOGIN[0], name="Greta Analytiker",
                   role=Role.admin)
    analyst.set_password(NEIGHBOUR_LOGIN[1])
    db.session.add_all([neighbour, analyst])
    db.session.flush()
    year = now.year
    survey = make_wave(neighbour, analyst, NEIGHBOUR_SLUG, year)
    margin_set = import_csv(
        neighbour.id, analyst.id, f"Befolkning 16–84 år, 31 dec {year - 1}",
        "Simulerad befolkning (demodata)", date(year - 1, 12, 31),
        population_margins(population).encode())
    save_scheme(survey, {**mapping_svc.default_scheme(survey), "reference_year": year},
                analyst.id)
    run = create_run(survey, margin_set, RunSettings(variables=list(WEIGHTING_VARIABLES),
                                                     missing="impute"), analyst.id)
    approve(run, analyst.id)
    theirs = services.create_from_template(neighbour)
    theirs.slug = NEIGHBOUR_SLUG + "-kommun"
    theirs.published = True
    services.set_wave(theirs, survey, year)
    comparisons.save_settings(theirs, None, show_members=False, share_survey=True)
    services.refresh(theirs)
    trust = next(s for s in series_for(theirs) if s.definition.key == "tillit_manniskor")
    latest = trust.waves[-1].overall if trust.waves else None
    return [f"Comparisons: /followup/comparisons; {NEIGHBOUR} shares its survey indicators"
            + (f" (trust in other people {latest.value:.1%}, n = {latest.n:,})"
               if latest is not None and latest.value is not None else "")
            + f"; login {NEIGHBOUR_LOGIN[0]} / {NEIGHBOUR_LOGIN[1]}."]
