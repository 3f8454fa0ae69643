"""Fixed weighting cases whose export R's `survey` package weighted again.

Each case is a small table of respondents, margins and run settings. `build` weighs it
exactly as a run does (`surveys.runs.weighing`) and writes the CSV and the R script the
export page gives; `tests/data/exports/<case>/` holds the files of the last generation and
the estimates R computed from them. To generate them again (R and r-cran-survey needed):

    python -m tests.support.exports
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd

from surveys.runs import microdata, syntax
from surveys.runs.weighing import (
    RunSettings,
    drawn_json,
    estimates,
    sampled_design,
    step_columns,
    steps_record,
    weigh,
    weighting_frame,
    weighting_plan,
)
from surveys.weighting.sampled import DrawnSample

DATA = Path(__file__).resolve().parents[1] / "data" / "exports"
ITEMS = ["trust_kommun", "trust_people"]
#: The answer labels a caller without an application context passes (English).
LABELS = {"agreement": {}, "dont_know": {"dont_know": "Don't know"}, "channels": {}}
MARGINS = pd.DataFrame(
    [("age", "16-29", 1100.0), ("age", "30-44", 1300.0), ("age", "45-64", 1500.0),
     ("age", "65-84", 1100.0), ("gender", "kvinna", 2550.0), ("gender", "man", 2450.0),
     ("born", "inrikes", 3900.0), ("born", "utrikes", 1100.0)],
    columns=["variable", "category", "population_count"])


@dataclass
class Case:
    """A weighting run on the fixed respondents, its export and R's script for it."""

    name: str
    settings: RunSettings
    dialect: str = "comma"

    @property
    def folder(self) -> Path:
        return DATA / self.name


#: A stratified draw: every third respondent from "norr" (2,000 people, 20 drawn), the
#: others from "soder" (3,000, 45 drawn).
DRAWN = DrawnSample(
    stratum_of_respondent=pd.Series(["norr" if r % 3 == 0 else "soder" for r in range(1, 41)],
                                    index=range(1, 41), dtype=object),
    population_per_stratum={"norr": 2000.0, "soder": 3000.0},
    sampled_per_stratum={"norr": 20, "soder": 45})

CASES = [
    # raking with one gender imputed by hot-deck, and "don't know" among the answers
    Case("rake", RunSettings(method="rake", variables=["age", "gender", "born"],
                             missing="impute", seed=20261207)),
    Case("logit", RunSettings(method="logit", variables=["age", "gender", "born"],
                              bounds=[0.3, 3.0], missing="impute", seed=20261207)),
    Case("poststratify", RunSettings(method="poststratify", variables=["age"]),
         dialect="semicolon"),
    Case("linear_trimmed", RunSettings(method="linear", variables=["age", "gender", "born"],
                                       missing="impute", seed=20261207, trim_upper=180.0,
                                       trim_strict=True)),
    # a drawn sample: design weights, non-response adjustment, then raking; strata and fpc
    Case("drawn_rake", RunSettings(method="rake", variables=["age", "gender", "born"],
                                   missing="impute", seed=20261207,
                                   drawn_sample=drawn_json(DRAWN))),
]


def respondents(n: int = 40) -> tuple[pd.DataFrame, dict[int, dict]]:
    """The input table (index: response id) and the answers to the trust items."""
    rng = np.random.default_rng(14)
    ids = list(range(1, n + 1))
    table = pd.DataFrame({
        "age": rng.choice(["16-29", "30-44", "45-64", "65-84"], n, p=[.15, .25, .35, .25]),
        "gender": rng.choice(["kvinna", "man"], n),
        "born": rng.choice(["inrikes", "utrikes"], n, p=[.85, .15]),
    }, index=pd.Index(ids, name="response_id")).astype(object)
    table.loc[7, "gender"] = None  # no answer: imputed where the run says so
    scores = rng.integers(0, 11, size=(n, len(ITEMS)))
    answers = {r: {item: int(scores[i, j]) for j, item in enumerate(ITEMS)}
               for i, r in enumerate(ids)}
    for r in (3, 11, 26):
        answers[r]["trust_kommun"] = "dk"
    answers[18]["trust_people"] = "dk"
    return table, answers


def survey() -> SimpleNamespace:
    """A survey-like object with the two trust items (0-10 scales offering "don't know")."""
    questions = [SimpleNamespace(
        key=key, type="scale", text={"sv": text},
        settings={"min": 0, "max": 10, "min_label": {}, "max_label": {},
                  "dont_know": "dont_know"})
        for key, text in zip(ITEMS, ("Förtroende för kommunen", "Förtroende för andra"),
                             strict=True)]
    return SimpleNamespace(default_language="sv", languages=["sv"],
                           texts={"title": {"sv": "Exempelby"}}, questions=lambda: questions)


@dataclass
class Built:
    """What the app computes for a case and the files its export page gives."""

    estimates: dict
    frame: pd.DataFrame
    codebook: microdata.Codebook
    data: bytes
    script: str


def build(case: Case) -> Built:
    """Weigh the case as a run does and write its export and R script."""
    table, answers = respondents()
    settings = RunSettings.from_dict(case.settings.to_dict())
    weighted = weigh(table, MARGINS, settings)
    figures = estimates(weighted, table, answers, ITEMS, [])
    strata = None if settings.drawn_sample is None else [
        s["stratum"] for s in settings.drawn_sample["strata"]]
    book = microdata.codebook_for(survey(), "sv", labels=LABELS,
                                  weighting=weighted.weighting_margins(), strata=strata)
    weights, ids = weighted.weights, list(table.index)
    sampled = sampled_design(table, settings)
    steps = {} if sampled is None else step_columns(
        settings.drawn_sample, steps_record(sampled, weighted), ids)
    frame = pd.DataFrame({
        "response_id": ids, "language": "sv", "channel": "web",
        "weight_exp": weights.to_numpy(), "weight_norm": microdata.normalised(weights).to_numpy(),
        **{item: [answers[r][item] for r in ids] for item in ITEMS},
        **steps,
        **{c: s.to_numpy() for c, s in weighting_frame(weighted).items()},
    })
    data = microdata.write_microdata(frame, book, "csv", case.dialect)
    plan = weighting_plan(weighted, settings, figures["items"])
    script = syntax.r_script(book, plan, "weighted.csv", case.dialect)
    return Built(figures, frame, book, data, script)


def generate() -> None:
    """Write every case's files and run R on them."""
    for case in CASES:
        built = build(case)
        case.folder.mkdir(parents=True, exist_ok=True)
        (case.folder / "weighted.csv").write_bytes(built.data)
        (case.folder / "reproduce.R").write_text(built.script, encoding="utf-8")
        subprocess.run(["Rscript", "reproduce.R"], cwd=case.folder, check=True)


if __name__ == "__main__":
    generate()
