"""A survey answered by a drawn sample is weighted in three steps, shown on the run page."""

from __future__ import annotations

import io
import json
import tempfile

import pandas as pd
import pyreadstat
import pytest

from surveys.core.roles import Role
from surveys.extensions import db
from surveys.runs import queries as run_queries
from surveys.runs import services as run_svc
from surveys.runs.mapping import default_scheme
from surveys.runs.models import MarginSet, WeightingRun
from surveys.runs.weighing import (
    RunSettings,
    drawn_json,
    sampled_design,
    step_columns,
    steps_record,
    weigh,
)
from surveys.survey.models import Survey
from surveys.weighting import Design, DrawnSample, SampledDesign
from tests.support.analysis import (
    DATA,
    add_responses,
    import_csv,
    location_id,
    stored_run,
    stored_weights,
    text_of,
)
from tests.support.manage import staff

#: (age, gender, born, district) of the respondents; strata are the districts.
PEOPLE = [(20, "woman", "sweden", "centrum"), (25, "man", "outside_europe", "centrum"),
          (35, "woman", "sweden", "norr"), (40, "man", "sweden", "norr"),
          (50, "woman", "nordic", "centrum"), (55, "man", "sweden", "norr"),
          (60, "woman", "sweden", "norr"), (70, "man", "sweden", "centrum"),
          (75, "woman", "europe", "centrum"), (80, "man", "sweden", "norr"),
          (33, "woman", "outside_europe", "norr"), (47, "man", "sweden", "centrum")]
MARGINS = ("variable,category,population_count\n"
           "age,16-29,300\nage,30-44,300\nage,45-64,400\nage,65-84,300\n"
           "gender,kvinna,650\ngender,man,650\nborn,inrikes,1000\nborn,utrikes,300\n")
#: N_h and n_h: 6 of 15 sampled answered in centrum, 6 of 10 in norr.
POPULATION = {"centrum": 600, "norr": 700}
SAMPLED = {"centrum": 15, "norr": 10}


@pytest.fixture
def drawn_survey(app, make_org, make_survey, client, login):
    """A survey with the twelve respondents, its analyst logged in, the margins imported."""
    org = make_org()
    survey_id = make_survey(org, slug="urval")
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        run_svc.save_scheme(survey, {**default_scheme(survey), "reference_year": 2026}, None)
        db.session.commit()
    staff(client, login, org, Role.analyst)
    ids = add_responses(app, survey_id, [
        {"answers": {"birth_year": 2026 - a, "gender": g, "born_country": b, "district": d,
                     "trust_kommun": 3 + i % 5}}
        for i, (a, g, b, d) in enumerate(PEOPLE)])
    margin_set_id = location_id(import_csv(client, MARGINS.encode()))
    stratum = pd.Series([p[3] for p in PEOPLE], index=ids)
    return survey_id, margin_set_id, DrawnSample(stratum, POPULATION, SAMPLED)


def create(app, survey_id: int, margin_set_id: int, drawn: DrawnSample, **settings) -> int:
    with app.app_context():
        run = run_svc.create_run(
            db.session.get(Survey, survey_id), db.session.get(MarginSet, margin_set_id),
            RunSettings(variables=["age", "gender", "born"], **settings), None, drawn=drawn)
        db.session.commit()
        return run.id


def test_a_drawn_sample_is_weighted_in_three_steps_and_the_run_shows_them(
        app, client, drawn_survey):
    survey_id, margin_set_id, drawn = drawn_survey
    run_id = create(app, survey_id, margin_set_id, drawn)
    run = stored_run(app, run_id)
    assert run["error"] is None and run["converged"]

    # The stored weights are the engine's on the stratified design with the step-2 weights.
    with app.app_context():
        table, _ = run_queries.input_table(db.session.get(Survey, survey_id),
                                           run_queries.scheme_for(db.session.get(Survey,
                                                                                 survey_id)))
    sampled = SampledDesign(table, drawn)
    direct = sampled.design.rake(pd.read_csv(io.StringIO(MARGINS)))
    assert list(stored_weights(app, run_id).values()) == pytest.approx(direct.weights.tolist(),
                                                                        rel=1e-12)
    assert sampled.design_weights.loc[drawn.stratum_of_respondent == "centrum"].eq(40).all()
    assert sampled.nonresponse_weights.sum() == pytest.approx(1300)

    steps = run["diagnostics"]["drawn_sample"]
    assert [s["step"] for s in steps["steps"]] == ["design", "nonresponse", "calibration"]
    assert [s["sum_weights"] for s in steps["steps"]] == pytest.approx([6 * 40 + 6 * 70, 1300,
                                                                         1300])
    assert {s["stratum"]: s["design_weight"] for s in steps["strata"]} == {"centrum": 40,
                                                                            "norr": 70}
    assert {g["group"]: g["adjustment"] for g in steps["groups"]} == pytest.approx(
        {"centrum": 15 / 6, "norr": 10 / 6})

    text = text_of(client.get(f"/analysis/runs/{run_id}?lang=en").get_data(as_text=True))
    assert "Stratified random sample in 2 strata" in text
    assert "Weights in three steps" in text
    assert "1. Design weights 660 40 70" in text
    assert "2. Adjusted for non-response 1,300 100 116.6667" in text
    assert "centrum 600 15 6 40.0% 40" in text
    assert "norr 10 6 60.0% 1.6667" in text

    # The standard errors use the strata and the finite population correction.
    with app.app_context():
        again, _ = run_queries.reproduce(db.session.get(WeightingRun, run_id))
    assert again.degf == 12 - 2
    assert again.weights.tolist() == pytest.approx(direct.weights.tolist(), rel=1e-12)
    trust = pd.Series([3 + i % 5 for i in range(len(PEOPLE))],
                      index=drawn.stratum_of_respondent.index, name="trust_kommun")
    shown = run["estimates"]["overall"][0]
    assert shown["item"] == "trust_kommun"
    assert shown["se"] == pytest.approx(direct.mean(trust)["se"].iloc[0], rel=1e-12)
    unstratified = Design(table.assign(w=sampled.nonresponse_weights), weights="w").rake(
        pd.read_csv(io.StringIO(MARGINS)))
    assert abs(shown["se"] - unstratified.mean(trust)["se"].iloc[0]) > 1e-6


def test_the_export_has_each_steps_weight(app, client, drawn_survey):
    survey_id, margin_set_id, drawn = drawn_survey
    run_id = create(app, survey_id, margin_set_id, drawn)
    with app.app_context():
        run_svc.approve(db.session.get(WeightingRun, run_id), None)
        db.session.commit()
    reply = client.post_form(f"/analysis/runs/{run_id}/export?format=csv&lang=en")
    assert reply.status_code == 200
    frame = pd.read_csv(io.BytesIO(reply.data))
    assert frame["stratum"].tolist() == [p[3] for p in PEOPLE]
    assert frame["design_weight"].tolist() == [40 if p[3] == "centrum" else 70 for p in PEOPLE]
    assert frame["nonresponse_weight"].tolist() == pytest.approx(
        [100 if p[3] == "centrum" else 700 / 6 for p in PEOPLE], rel=1e-12)
    assert frame["weight_exp"].tolist() == pytest.approx(
        list(stored_weights(app, run_id).values()), rel=1e-12)
    # the syntax files build the stratified design (tests/test_exports.py runs R on one)
    script = client.get(f"/analysis/runs/{run_id}/script.R").data.decode()
    assert "svydesign(ids = ~1, strata = ~stratum, fpc = ~stratum_population," in script
    assert "weights = ~nonresponse_weight" in script
    sps = client.get(f"/analysis/runs/{run_id}/syntax.sps").data.decode()
    assert "  /DESIGN STRATA=stratum\n" in sps
    sav = client.post_form(f"/analysis/runs/{run_id}/export?format=sav&lang=en")
    assert sav.status_code == 200
    with tempfile.NamedTemporaryFile(suffix=".sav") as handle:
        handle.write(sav.data)
        handle.flush()
        spss, _ = pyreadstat.read_sav(handle.name)
    assert spss["nonresponse_weight"].tolist() == frame["nonresponse_weight"].tolist()


def test_a_rerun_keeps_the_drawn_sample(app, client, drawn_survey):
    survey_id, margin_set_id, drawn = drawn_survey
    run_id = create(app, survey_id, margin_set_id, drawn, method="linear")
    with app.app_context():
        again = run_svc.rerun(db.session.get(WeightingRun, run_id), None)
        db.session.commit()
        again_id = again.id
    assert stored_weights(app, again_id) == stored_weights(app, run_id)
    assert stored_run(app, again_id)["settings"]["drawn_sample"]["strata"] == [
        {"stratum": "centrum", "population": 600.0, "sampled": 15},
        {"stratum": "norr", "population": 700.0, "sampled": 10}]


def test_responses_from_outside_the_sample_stop_the_run_with_a_reason(app, client,
                                                                     drawn_survey):
    survey_id, margin_set_id, drawn = drawn_survey
    outside = DrawnSample(drawn.stratum_of_respondent.iloc[:10], POPULATION, SAMPLED)
    run_id = create(app, survey_id, margin_set_id, outside)
    assert stored_run(app, run_id)["error"]["details"]["reason"] == "missing_strata"
    text = text_of(client.get(f"/analysis/runs/{run_id}?lang=en").get_data(as_text=True))
    assert ("Completed responses that are not from the drawn sample (they have no stratum): 2."
            in text)


def test_the_run_engine_reproduces_r_on_the_reference_sample():
    """weigh() with the stored form of a drawn sample whose groups cut across the strata."""
    everyone = pd.read_csv(DATA / "weighting" / "sampled" / "sample.csv", encoding="utf-8")
    expected = json.loads((DATA / "weighting" / "sampled" / "expected.json").read_text(
        encoding="utf-8"))
    case = next(c for c in expected["cases"] if c["name"] == "age_born_calibrate")
    respondents = everyone[everyone["responded"] == 1].set_index("id")
    group = everyone["age"] + "/" + everyone["born"]
    cells = pd.crosstab(everyone["stratum"], group).stack()
    drawn = DrawnSample(
        respondents["stratum"], everyone.groupby("stratum")["N_h"].first().to_dict(),
        everyone["stratum"].value_counts().to_dict(),
        rhg_of_respondent=group.set_axis(everyone["id"])[respondents.index],
        sampled_per_rhg={k: int(n) for k, n in cells.items() if n})
    stored = json.loads(json.dumps(drawn_json(drawn)))  # as the database gives it back
    settings = RunSettings(method="linear", variables=["age", "gender", "born"],
                           drawn_sample=stored)
    margins = pd.read_csv(DATA / "weighting" / "sampled" / "margins.csv", encoding="utf-8")
    table = respondents[["age", "gender", "born"]].astype(object)
    weighted = weigh(table, margins, settings)
    r_weights = pd.Series(case["final_weights"]).set_axis(
        [int(i) for i in case["final_weights"]])
    assert weighted.weights.loc[r_weights.index].to_numpy() == pytest.approx(
        r_weights.to_numpy(), rel=1e-12)
    steps = steps_record(sampled_design(table, settings), weighted)
    assert len(steps["groups"]) == 8 and len(steps["strata"]) == 8
    ids = list(table.index)
    columns = step_columns(stored, steps, ids)
    nonresponse = pd.Series(case["nonresponse_weights"]).set_axis(
        [int(i) for i in case["nonresponse_weights"]])
    assert columns["nonresponse_weight"] == pytest.approx(nonresponse[ids].tolist(), rel=1e-12)
    # post-stratifying on one variable starts from the same step-2 weights
    post = weigh(table, margins, RunSettings(method="poststratify", variables=["born"],
                                             drawn_sample=stored))
    direct = SampledDesign(table, drawn).design.poststratify(
        margins[margins["variable"] == "born"][["category", "population_count"]].rename(
            columns={"category": "born"}))
    assert post.weights.tolist() == direct.weights.tolist()
    assert post.degf == len(table) - 8
