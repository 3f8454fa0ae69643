"""The demo's yearly follow-up: margins, approved runs for two waves, the framework, a register.

Called by `surveys.demo.load_demo` after both waves are loaded. The margins are the
simulated population's own counts, so the weighted estimates aim at the truth the demo
drew the respondents from.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from surveys.followup import services
from surveys.followup.queries import series_for
from surveys.followup.services import DATA, refresh, store_register_series
from surveys.indicators import read_register_jsonstat
from surveys.runs import mapping as mapping_svc
from surveys.runs.jsonstat import group_label
from surveys.runs.services import approve, create_run, import_csv, save_scheme
from surveys.runs.weighing import RunSettings

#: How the earlier wave's residents differ (see `surveys.demo.simulate_answers`).
PREVIOUS_WAVE = {"trust_shift": -0.12, "outside_gap": 1.3}
REGISTER_FILE = "demo_forvarvsfrekvens.json"
REGISTER_INDICATOR = "forvarvsfrekvens_utrikes"
WEIGHTING_VARIABLES = ["age", "gender", "born", "district"]


def population_margins(population: pd.DataFrame) -> str:
    """The population's counts as a margins CSV (legal sex: "other" split evenly, as the
    register knows two)."""
    groups = mapping_svc.DEFAULT_AGE_GROUPS
    rows = ["variable,category,population_count"]
    for first, last in groups:
        count = int(population["age"].between(first, last).sum())
        rows.append(f"age,{group_label(first, last)},{count}")
    others = int((population["gender"] == "other").sum())
    women = int((population["gender"] == "woman").sum()) + others // 2
    rows += [f"gender,kvinna,{women}", f"gender,man,{len(population) - women}"]
    foreign = int(population["foreign"].sum())
    rows += [f"born,inrikes,{len(population) - foreign}", f"born,utrikes,{foreign}"]
    for district, count in population["district"].value_counts().sort_index().items():
        rows.append(f"district,{district},{int(count)}")
    return "\n".join(rows) + "\n"


def load_followup(organisation, analyst, population: pd.DataFrame,
                  waves: dict[int, object]) -> list[str]:
    """Weight each wave, build the framework, import the register series; lines to print."""
    latest_year = max(waves)
    margin_set = import_csv(
        organisation.id, analyst.id, f"Befolkning 16–84 år, 31 dec {latest_year - 1}",
        "Simulerad befolkning (demodata)", date(latest_year - 1, 12, 31),
        population_margins(population).encode())
    for year, survey in sorted(waves.items()):
        scheme = {**mapping_svc.default_scheme(survey), "reference_year": year}
        save_scheme(survey, scheme, analyst.id)
        run = create_run(survey, margin_set, RunSettings(
            variables=list(WEIGHTING_VARIABLES), missing="impute"), analyst.id)
        approve(run, analyst.id)

    framework = services.create_from_template(organisation)
    framework.published = True
    for year, survey in waves.items():
        services.set_wave(framework, survey, year)
    register = next(i for i in framework.indicators if i.key == REGISTER_INDICATOR)
    series = read_register_jsonstat((DATA / REGISTER_FILE).read_bytes(),
                                    select={"Fodelseregion": "020"})
    store_register_series(register, series)
    problems = refresh(framework)
    if problems:
        raise RuntimeError(f"The demo follow-up did not compute: {problems}")

    trust = next(s for s in series_for(framework) if s.definition.key == "tillit_manniskor")
    first, last = trust.waves[0].overall, trust.waves[-1].overall
    return [
        (f"Indicators: /followup (two waves, {min(waves)} and {latest_year}); "
         f"public page: /indicators/{framework.slug}"),
        (f"Trust in other people: {first.value:.1%} in {min(waves)}, "
         f"{last.value:.1%} in {latest_year} (weighted, n = {last.n:,})."),
    ]
