"""An analyst weights the demo survey, checks the diagnostics, approves a run and exports it;
each way the engine can refuse the input is shown with its message."""

from __future__ import annotations

import io
import re
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from sqlalchemy import select

from surveys.audit.models import AuditEvent
from surveys.core.roles import Role
from surveys.extensions import db
from surveys.runs import queries as run_queries
from surveys.runs import services as run_svc
from surveys.runs.mapping import default_scheme
from surveys.runs.models import MarginSet, WeightingRun, WeightingScheme
from surveys.survey.models import Answer, Question, Response, Survey
from surveys.weighting import Design
from tests.support.analysis import (
    ALL_VARIABLES,
    RUN_FORM,
    SCB_FILE,
    add_responses,
    demo_analyst,
    demo_survey,
    import_csv,
    import_jsonstat,
    location_id,
    problems,
    stored_run,
    stored_weights,
    text_of,
)
from tests.support.manage import snapshot, staff


def weigh(client, survey_id: int, margin_set_id: int, **fields):
    """Submit the run form with the demo defaults, changed by `fields`."""
    return client.post_form(f"/analysis/surveys/{survey_id}",
                            {**RUN_FORM, "margin_set": str(margin_set_id), **fields})


def fmt(x: float) -> str:
    """A number as the pages show it in English: at most four decimals, no trailing zeros."""
    return f"{x:,.4f}".rstrip("0").rstrip(".")


def run_page(client, run_id: int, query: str = "") -> str:
    reply = client.get(f"/analysis/runs/{run_id}{query}")
    assert reply.status_code == 200
    return reply.get_data(as_text=True)


def completed_answers(app, survey_id: int) -> dict[int, dict]:
    """Response id -> question key -> value, completed responses only."""
    with app.app_context():
        rows = db.session.execute(
            select(Answer.response_id, Question.key, Answer.value).join(Question)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.survey_id == survey_id, Response.completed_at.is_not(None)))
        ids = db.session.scalars(select(Response.id).where(
            Response.survey_id == survey_id, Response.completed_at.is_not(None))).all()
        answers = {i: {} for i in ids}
        for response_id, key, value in rows:
            answers[response_id][key] = value
        year = db.session.get(Survey, survey_id).created_at.year
        return answers, year


def by_hand(answers: dict[int, dict], year: int) -> pd.DataFrame:
    """The demo's weighting categories worked out here, independently of the mapping code."""
    def age(value):
        if not isinstance(value, int):
            return None
        a = year - value
        for low, high in ((16, 29), (30, 44), (45, 64), (65, 84)):
            if low <= a <= high:
                return f"{low}-{high}"
        return str(a)

    born = {"sweden": "inrikes", "nordic": "utrikes", "europe": "utrikes",
            "outside_europe": "utrikes"}
    ids = sorted(answers)
    return pd.DataFrame({
        "age": [age(answers[r].get("birth_year")) for r in ids],
        "gender": [{"woman": "kvinna", "man": "man", "other": "annat"}.get(
            answers[r].get("gender")) for r in ids],
        "born": [born.get(answers[r].get("born_country")) for r in ids],
        "district": [d if (d := answers[r].get("district")) not in (None, "dk") else None
                     for r in ids],
    }, index=pd.Index(ids, name="response_id"), dtype=object)


@pytest.fixture
def demo(app, client, restore_demo):
    """The demo loaded, its analyst logged in, the SCB-like margins imported."""
    survey_id = demo_survey(app, restore_demo)
    demo_analyst(client)
    margin_set_id = location_id(import_jsonstat(client, SCB_FILE.read_bytes()))
    return survey_id, margin_set_id


def test_an_analyst_weights_the_demo_approves_the_run_and_exports_spss(app, client, demo):
    survey_id, margin_set_id = demo
    page = client.get(f"/analysis/surveys/{survey_id}")
    assert page.status_code == 200
    assert "Weight the survey" in page.get_data(as_text=True)

    # The analyst checks the mapping (the template's default) and saves it as it is.
    mapping_page = client.get(f"/analysis/surveys/{survey_id}/mapping").get_data(as_text=True)
    form = dict(re.findall(r'<input type="text" id="[^"]+" name="([^"]+)" value="([^"]*)"',
                           mapping_page))
    form |= dict(re.findall(r'<input type="hidden" name="(v\d+-kind|count)" value="([^"]*)"',
                            mapping_page))
    for i, key in enumerate(["birth_year", "gender", "born_country", "district"]):
        form[f"v{i}-question"] = key
    assert form["v0-groups"] == "16-29, 30-44, 45-64, 65-84"
    assert (form["v1-code-woman"], form["v1-code-other"], form["v1-code-dk"]) == (
        "kvinna", "annat", "")  # another gender is a category, not a missing answer
    assert client.post_form(f"/analysis/surveys/{survey_id}/mapping", form).status_code == 302
    with app.app_context():
        saved = db.session.scalar(select(WeightingScheme)).mapping
        assert saved == default_scheme(db.session.get(Survey, survey_id))

    # Raking first stops at the respondents without a category, counted per variable.
    answers, year = completed_answers(app, survey_id)
    expected = by_hand(answers, year)
    missing = expected.isna().sum()
    failed = location_id(weigh(client, survey_id, margin_set_id, missing="error"))
    text = text_of(run_page(client, failed))
    assert (f"{int(expected.isna().any(axis=1).sum())} respondents have no category for a "
            "weighting variable") in text
    for variable in ALL_VARIABLES:
        assert f"{variable} ({missing[variable]})" in text
    assert stored_run(app, failed)["error"]["code"] == "missing_weighting_value"
    assert stored_weights(app, failed) == {}

    # With imputation it works; the weighted shares meet the population shares.
    run_id = location_id(weigh(client, survey_id, margin_set_id))
    html = run_page(client, run_id)
    text = text_of(html)
    stored = stored_run(app, run_id)
    assert stored["error"] is None and stored["converged"] and stored["n_respondents"] == len(answers)
    assert f"Converged after {stored['iterations']} iterations." in text
    diagnostics = stored["diagnostics"]
    for row in diagnostics["margins"]:
        assert row["weighted_share"] == pytest.approx(row["population_share"], abs=1e-9)
    young = next(r for r in diagnostics["margins"] if r["category"] == "16-29")
    assert young["sample_share"] < 0.7 * young["population_share"]  # the demo's skew
    assert (f"16-29 {young['sample_n']} {100 * young['sample_share']:.1f}% "
            f"{100 * young['population_share']:.1f}% {100 * young['weighted_share']:.1f}%") in text
    assert "Kish design effect" in text and "Effective sample size" in text
    assert re.search(r'<svg role="img" aria-labelledby="histogram-title histogram-desc"', html)
    assert html.count("<rect ") == 20
    assert sum(diagnostics["histogram"]["counts"]) == len(answers)

    # The weights are exactly what the engine gives for the same table, built by hand here.
    with app.app_context():
        margins = pd.DataFrame(
            [(r.variable, r.category, r.population_count)
             for r in db.session.get(MarginSet, margin_set_id).rows],
            columns=["variable", "category", "population_count"])
    assert stored["settings"]["sample_share"] == {"gender": ["annat"]}  # SCB: two sexes
    direct = Design(expected, weights=None).rake(
        margins, epsilon=1e-10, max_iter=100, missing="impute",
        seed=int(stored["input_hash"][:8], 16), sample_share={"gender": ["annat"]})
    weights = stored_weights(app, run_id)
    assert list(weights) == list(expected.index)
    assert np.array_equal(np.array(list(weights.values())), direct.weights.to_numpy())
    assert sum(weights.values()) == pytest.approx(margins.population_count.sum() / 4)

    # Weighted trust estimates, overall and by born group, are the engine's.
    overall = direct.mean(pd.Series(
        [v if isinstance(v, int) else np.nan
         for v in (answers[r].get("trust_kommun") for r in expected.index)],
        index=expected.index)).iloc[0]
    assert (f"Hur stort förtroende har du för kommunen? {fmt(overall.estimate)} "
            f"{fmt(overall.se)} {fmt(overall.ci_low)} – {fmt(overall.ci_high)} {int(overall.n):,}"
            ) in text
    assert "Weighted means by born" in text and " utrikes " in text

    # Approve, then download SPSS and read it back.
    export = client.post_form(f"/analysis/runs/{run_id}/export?format=sav")
    assert export.status_code == 302  # not approved yet
    assert client.post_form(f"/analysis/runs/{run_id}/approve").status_code == 302
    assert "this is the survey's official weighting" in run_page(client, run_id)
    export = client.post_form(f"/analysis/runs/{run_id}/export?format=sav&lang=en")
    assert export.status_code == 200
    assert export.headers["Content-Disposition"] == (
        f'attachment; filename="demo-run{run_id}-weighted.sav"')
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "w.sav"
        path.write_bytes(export.data)
        frame, meta = pyreadstat.read_sav(str(path), user_missing=True)
    with app.app_context():
        ids = db.session.scalars(select(Response.id).where(Response.survey_id == survey_id)
                                 .order_by(Response.id)).all()
    number = {r: n for n, r in enumerate(ids, start=1)}
    by_number = {number[r]: w for r, w in weights.items()}
    assert len(frame) == len(weights)
    assert [by_number[int(n)] for n in frame["response_id"]] == frame["weight_exp"].tolist()
    assert meta.column_names_to_labels["weight_exp"] == (
        "Expansion weight: sums to the population (N)")
    with app.app_context():
        question = db.session.scalar(select(Question).where(
            Question.survey_id == survey_id, Question.key == "trust_kommun"))
        label = question.text.get("en") or question.text["sv"]
    assert meta.column_names_to_labels["trust_kommun"] == label
    assert set(meta.variable_value_labels["gender"].values()) >= {"Woman", "Man"}
    assert "other_comments" not in frame.columns
    with_text = client.post_form(f"/analysis/runs/{run_id}/export?format=csv&text=1")
    assert "other_comments" in with_text.data.decode("utf-8-sig").splitlines()[0].split(",")
    codebook = client.get(f"/analysis/runs/{run_id}/codebook.csv")
    assert codebook.status_code == 200
    assert codebook.data.decode("utf-8-sig").startswith("name,spss_name,stata_name,label")


def test_running_again_gives_the_same_input_hash_and_identical_weights(app, client, demo):
    survey_id, margin_set_id = demo
    first = location_id(weigh(client, survey_id, margin_set_id))
    again = location_id(client.post_form(f"/analysis/runs/{first}/rerun"))
    fresh = location_id(weigh(client, survey_id, margin_set_id))
    one, two, three = (stored_run(app, r) for r in (first, again, fresh))
    assert one["input_hash"] == two["input_hash"] == three["input_hash"]
    assert len(one["input_hash"]) == 64
    assert one["settings"] == two["settings"] == three["settings"]
    w1, w2, w3 = (stored_weights(app, r) for r in (first, again, fresh))
    assert [x.hex() for x in w1.values()] == [x.hex() for x in w2.values()] == [
        x.hex() for x in w3.values()]
    # A new response changes the input, and the run page says so.
    assert "The answers have changed since this run" not in run_page(client, first)
    add_responses(app, survey_id, [{"answers": {"birth_year": 1990, "gender": "man",
                                                "born_country": "europe", "district": "oster"}}])
    assert "The answers have changed since this run" in run_page(client, first)
    changed = location_id(client.post_form(f"/analysis/runs/{first}/rerun"))
    assert stored_run(app, changed)["input_hash"] != one["input_hash"]


def test_approving_a_run_withdraws_the_one_approved_before(app, client, demo):
    survey_id, margin_set_id = demo
    first = location_id(weigh(client, survey_id, margin_set_id))
    second = location_id(weigh(client, survey_id, margin_set_id, method="linear"))
    client.post_form(f"/analysis/runs/{first}/approve")
    client.post_form(f"/analysis/runs/{second}/approve")
    assert stored_run(app, first)["approved_at"] is None
    assert stored_run(app, second)["approved_at"] is not None
    overview = text_of(client.get("/analysis/").get_data(as_text=True))
    assert f"Run {second} Who is missing?" in overview
    assert f"Run {first} Who is missing?" not in overview
    client.post_form(f"/analysis/runs/{second}/withdraw")
    assert stored_run(app, second)["approved_at"] is None
    with app.app_context():
        assert run_queries.approved_run(survey_id) is None


def test_a_run_that_did_not_converge_is_reported_and_cannot_be_approved(app, client, demo):
    survey_id, margin_set_id = demo
    run_id = location_id(weigh(client, survey_id, margin_set_id, max_iter="2"))
    text = text_of(run_page(client, run_id))
    assert "Did not converge after 2 iterations" in text
    assert "Raking did not converge in 2 iterations: the weighted table still changed by" in text
    reply = client.post_form(f"/analysis/runs/{run_id}/approve")
    assert reply.status_code == 302
    assert stored_run(app, run_id)["approved_at"] is None
    assert "Only a run whose weights converged and meet the margins can be approved." in text_of(
        run_page(client, run_id))


# -- a small survey whose every figure is known -------------------------------------------------
#: (age at 2026, gender, country of birth, district) of twelve completed responses.
PEOPLE = [(20, "woman", "sweden", "centrum"), (25, "man", "outside_europe", "centrum"),
          (35, "woman", "sweden", "norr"), (40, "man", "sweden", "norr"),
          (50, "woman", "nordic", "centrum"), (55, "man", "sweden", "norr"),
          (60, "woman", "sweden", "norr"), (70, "man", "sweden", "centrum"),
          (75, "woman", "europe", "centrum"), (80, "man", "sweden", "norr"),
          (33, "woman", "outside_europe", "norr"), (47, "man", "sweden", "centrum")]
MARGINS = ("variable,category,population_count\n"
           "age,16-29,300\nage,30-44,300\nage,45-64,400\nage,65-84,300\n"
           "gender,kvinna,650\ngender,man,650\nborn,inrikes,1000\nborn,utrikes,300\n"
           "district,centrum,600\ndistrict,norr,700\n")


def answers_of(people):
    return [{"answers": {"birth_year": 2026 - a, "gender": g, "born_country": b, "district": d,
                         "trust_kommun": 5}} for a, g, b, d in people]


@pytest.fixture
def small(app, make_org, make_survey, client, login):
    org = make_org()
    survey_id = make_survey(org, slug="liten")
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        run_svc.save_scheme(survey, {**default_scheme(survey), "reference_year": 2026}, None)
        db.session.commit()
    staff(client, login, org, Role.analyst)
    return survey_id


def small_run(app, client, survey_id, people=PEOPLE, margins=MARGINS, **fields):
    add_responses(app, survey_id, answers_of(people))
    margin_set_id = location_id(import_csv(client, margins.encode()))
    reply = weigh(client, survey_id, margin_set_id, **{"missing": "error", **fields})
    return location_id(reply), margin_set_id


def error_text(client, run_id) -> str:
    html = run_page(client, run_id)
    block = re.search(r'<div class="error-summary"[^>]*id="failure">(.*?)</div>', html, re.DOTALL)
    assert block, "the run page shows no failure"
    return text_of(block.group(1))


def test_the_small_survey_weights_without_trouble(app, client, small):
    run_id, _ = small_run(app, client, small)
    run = stored_run(app, run_id)
    assert run["error"] is None and run["converged"] and run["n_respondents"] == 12
    assert sum(stored_weights(app, run_id).values()) == pytest.approx(1300)


def test_respondents_without_a_category_are_counted(app, client, small):
    people = PEOPLE[:10] + [(33, "dk", "outside_europe", "centrum"),
                            (47, "dk", "sweden", "dk")]
    run_id, _ = small_run(app, client, small, people=people)
    assert error_text(client, run_id).startswith(
        "The weighting could not be done 2 respondents have no category for a weighting "
        "variable (no answer, “don't know” or an answer mapped to missing): gender (2), "
        "district (1).")


def test_another_gender_is_weighted_at_its_share_of_the_respondents(app, client, small):
    """The margins know two legal sexes: "another gender" is held at its share (1 of 12)."""
    people = PEOPLE[:11] + [(47, "other", "sweden", "centrum")]
    run_id, _ = small_run(app, client, small, people=people)
    run = stored_run(app, run_id)
    assert run["error"] is None and run["converged"]
    assert run["settings"]["sample_share"] == {"gender": ["annat"]}
    (held,) = [m for m in run["diagnostics"]["messages"] if m["code"] == "sample_share"]
    assert held["details"]["share"] == pytest.approx(1 / 12)
    rows = {(r["variable"], r["category"]): r for r in run["diagnostics"]["margins"]}
    assert rows[("gender", "annat")]["weighted_count"] == pytest.approx(1300 / 12)
    assert rows[("gender", "kvinna")]["population_count"] == pytest.approx(650 * 11 / 12)
    assert not run["diagnostics"].get("imputed")  # nobody was imputed a legal sex
    assert "held at its share among the respondents" in run_page(client, run_id)


def test_answers_outside_the_margins_are_listed_with_their_counts(app, client, small):
    people = PEOPLE[:10] + [(90, "woman", "sweden", "centrum"), (90, "man", "sweden", "norr")]
    run_id, _ = small_run(app, client, small, people=people)
    assert ("2 respondents have a value of age outside the margin's categories: 90 (2)."
            in error_text(client, run_id))


def test_an_empty_category_offers_a_merge_that_weights_again(app, client, small):
    older = [p for p in PEOPLE if p[0] >= 30]  # nobody aged 16-29
    run_id, _ = small_run(app, client, small, people=older)
    assert error_text(client, run_id).startswith(
        "The weighting could not be done No respondent is in the population category “16-29” "
        "of age.")
    html = run_page(client, run_id)
    assert "Merge “16-29” into “30-44” and weight again" in html
    merged = location_id(client.post_form(f"/analysis/runs/{run_id}/collapse", {
        "variable": "age", "category": "16-29", "into": "30-44"}))
    run = stored_run(app, merged)
    assert run["error"] is None and run["settings"]["collapse"] == {"age": {"16-29": "30-44"}}
    text = text_of(run_page(client, merged))
    assert "Merged categories of age: 16-29 → 30-44." in text
    young_and_middle = sum(w for r, w in stored_weights(app, merged).items())
    assert young_and_middle == pytest.approx(1300)


def test_margins_with_different_totals_list_each_total(app, client, small):
    margins = MARGINS.replace("gender,man,650", "gender,man,700")
    run_id, _ = small_run(app, client, small, margins=margins)
    assert ("The margins do not describe the same population: the totals differ between "
            "variables (age: 1,300; gender: 1,350; born: 1,300; district: 1,300).") in error_text(
        client, run_id)


def test_a_population_of_zero_with_respondents_is_named(app, client, small):
    margins = MARGINS.replace("born,utrikes,300", "born,utrikes,0").replace(
        "born,inrikes,1000", "born,inrikes,1300")
    run_id, _ = small_run(app, client, small, margins=margins)
    assert ("4 respondents are in categories of born whose population count is zero: "
            "utrikes (4).") in error_text(client, run_id)


def test_margins_the_respondents_cannot_meet_together_block_approval(app, client, small):
    # Every woman lives in centrum and every man in norr: gender and district margins
    # (650/650 against 600/700) cannot both hold. Raking stops, as R's does, with its
    # table no longer changing; the run says the margins are not met.
    confounded = [(a, g, b, "centrum" if g == "woman" else "norr") for a, g, b, _ in PEOPLE]
    run_id, _ = small_run(app, client, small, people=confounded)
    run = stored_run(app, run_id)
    assert run["error"] is None and run["converged"]
    text = text_of(run_page(client, run_id))
    assert "The weights do not meet every margin, although the weighting stopped: gender kvinna" in text
    assert "Only a run whose weights converged and meet the margins can be approved." in text
    client.post_form(f"/analysis/runs/{run_id}/approve")
    assert stored_run(app, run_id)["approved_at"] is None


def test_calibration_that_cannot_meet_its_bounds_says_so(app, client, small):
    run_id, _ = small_run(app, client, small, method="logit", bounds_lower="0.9",
                          bounds_upper="1.1")
    text = error_text(client, run_id)
    assert text.startswith("The weighting could not be done Calibration (logit) did not converge "
                           "in 100 steps")
    assert "The bounds may be too tight" in text


def test_trimming_bounds_that_cannot_hold_the_total_are_refused(app, client, small):
    run_id, _ = small_run(app, client, small, trim_lower="500", trim_upper="2000")
    assert ("The weights cannot be trimmed to between 500 and 2,000: they sum to 1,300"
            in error_text(client, run_id))


def test_one_response_is_too_few(app, client, small):
    run_id, _ = small_run(app, client, small, people=PEOPLE[:1])
    assert error_text(client, run_id).endswith(
        "Weighting needs at least two completed responses; there is 1. Change the settings · "
        "Edit the mapping")


SETTINGS_PROBLEMS = {
    "a variable the margins lack": ({"variables": ["age", "education"]}, [
        "The margin set “Befolkning 2025” has no margin for education."]),
    "post-stratification on two variables": ({"method": "poststratify",
                                              "variables": ["age", "gender"]},
                                             [("Post-stratification uses one variable's "
                                               "categories as its cells: choose one variable, "
                                               "or rake or calibrate on several.")]),
    "logit without bounds": ({"method": "logit"}, ["Logit calibration needs bounds, e.g. 0.3 and 3."]),
    "one bound": ({"bounds_lower": "0,5"}, ["Upper bound on g = w/d: Give both bounds, or neither."]),
    "not a number": ({"epsilon": "tiny"}, ["Convergence tolerance: Write a number, e.g. 1,5."]),
    "a bad merge line": ({"collapse": "age 16-29 30-44"}, [
        "Merge categories: Line 1 is not of the form variable: category -> category."]),
}


@pytest.mark.parametrize("case", SETTINGS_PROBLEMS, ids=list(SETTINGS_PROBLEMS))
def test_settings_that_cannot_run_are_shown_on_the_form_and_store_nothing(app, client, small,
                                                                          case):
    add_responses(app, small, answers_of(PEOPLE))
    margin_set_id = location_id(import_csv(client, MARGINS.encode()))
    fields, expected = SETTINGS_PROBLEMS[case]
    if "education" in fields.get("variables", []):  # mapped, but not in the margins
        assert client.post_form(f"/analysis/surveys/{small}/mapping/add", {
            "question": "education", "name": "education"}).status_code == 302
    before = snapshot(app)
    reply = weigh(client, small, margin_set_id, **fields)
    assert reply.status_code == 400
    found = problems(reply.get_data(as_text=True))
    for message in expected:
        assert any(f.startswith(message) for f in found), (message, found)
    assert snapshot(app) == before


def test_post_stratification_and_calibration_match_direct_engine_calls(app, client, small):
    add_responses(app, small, answers_of(PEOPLE))
    margin_set_id = location_id(import_csv(client, MARGINS.encode()))
    with app.app_context():
        survey = db.session.get(Survey, small)
        scheme = run_queries.scheme_for(survey)
        table, _ = run_queries.input_table(survey, scheme)
    margins = pd.read_csv(io.StringIO(MARGINS))
    post = location_id(weigh(client, small, margin_set_id, method="poststratify",
                             variables=["age"]))
    cells = margins[margins.variable == "age"][["category", "population_count"]].rename(
        columns={"category": "age"})
    direct = Design(table, weights=None).poststratify(cells)
    assert list(stored_weights(app, post).values()) == direct.weights.tolist()
    bounded = location_id(weigh(client, small, margin_set_id, method="logit",
                                bounds_lower="0,3", bounds_upper="3"))
    assert stored_run(app, bounded)["error"] is None
    direct = Design(table, weights=None).calibrate(margins, method="logit", bounds=(0.3, 3.0))
    assert list(stored_weights(app, bounded).values()) == direct.weights.tolist()
    linear = location_id(weigh(client, small, margin_set_id, method="linear"))
    direct = Design(table, weights=None).calibrate(margins, method="linear")
    assert list(stored_weights(app, linear).values()) == direct.weights.tolist()
    trimmed = location_id(weigh(client, small, margin_set_id, trim_upper="150"))
    direct = Design(table, weights=None).rake(margins).trim(upper=150)
    assert list(stored_weights(app, trimmed).values()) == direct.weights.tolist()
    assert max(stored_weights(app, trimmed).values()) <= 150 + 1e-9


def test_the_export_needs_an_approved_run(app, client, small):
    run_id, _ = small_run(app, client, small)
    for url in (f"/analysis/runs/{run_id}/export?format=csv", f"/analysis/runs/{run_id}/codebook.csv"):
        reply = client.post_form(url)
        assert reply.status_code == 302 and reply.headers["Location"].endswith("#export")
    # a download is written to the audit log, so it is never a GET
    assert client.get(f"/analysis/runs/{run_id}/export?format=csv").status_code == 405
    client.post_form(f"/analysis/runs/{run_id}/approve")
    reply = client.post_form(f"/analysis/runs/{run_id}/export?format=parquet")
    assert reply.status_code == 200
    frame = pd.read_parquet(io.BytesIO(reply.data))
    assert len(frame) == 12 and frame["weight_exp"].sum() == pytest.approx(1300)
    assert frame["weight_norm"].sum() == pytest.approx(12)
    assert client.post_form(f"/analysis/runs/{run_id}/export?format=pdf").status_code == 404
    xlsx = client.post_form(f"/analysis/runs/{run_id}/export?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_the_approved_run_exports_stata_csv_spss_syntax_and_an_r_script_that_agree(
        app, client, small):
    people = PEOPLE[:11] + [(47, "dk", "sweden", "centrum")]  # a gender to impute
    run_id, _ = small_run(app, client, small, people=people, missing="impute")
    base = f"/analysis/runs/{run_id}"
    assert client.get(f"{base}/script.R").status_code == 302  # not approved yet
    client.post_form(f"{base}/approve")

    dta = client.post_form(f"{base}/export?format=dta&lang=en")
    assert dta.headers["Content-Disposition"].endswith(f'liten-run{run_id}-weighted.dta"')
    with pd.read_stata(io.BytesIO(dta.data), iterator=True, convert_missing=True,
                       convert_categoricals=False) as reader:
        stata, labels = reader.read(), reader.variable_labels()
    assert stata["weight_exp"].sum() == pytest.approx(1300)
    assert stata["weight_norm"].sum() == pytest.approx(12)
    assert stata["wvar_gender_imputed"].tolist() == [0] * 11 + [1]
    assert labels["wvar_gender"] == "gender as weighted (after mapping, merging and imputation)"
    assert all(len(name) <= 32 for name in stata.columns)

    semicolon = client.post_form(f"{base}/export?format=csv&dialect=semicolon&lang=en")
    frame = pd.read_csv(io.BytesIO(semicolon.data), sep=";", decimal=",", encoding="utf-8-sig")
    assert frame["weight_exp"].tolist() == pytest.approx(stata["weight_exp"].tolist(), rel=1e-15)
    assert client.post_form(f"{base}/export?format=csv&dialect=tab").status_code == 404

    script = client.get(f"{base}/script.R?dialect=semicolon&lang=en")
    assert script.headers["Content-Disposition"].endswith(f'liten-run{run_id}-weighted.R"')
    text = script.data.decode()
    assert f'data <- read.csv2("liten-run{run_id}-weighted.csv"' in text
    # The Python engine stands in for R here (tests/test_exports.py runs the real thing):
    # the export's weighting columns and the script's margins give the export's weights.
    margins = pd.DataFrame(
        [(variable, category, float(count))
         for variable, listing in re.findall(r"^  wvar_(\w+) = c\((.*)\)", text, re.MULTILINE)
         for category, count in re.findall(r'"([^"]+)" = ([\d.]+)', listing)],
        columns=["variable", "category", "population_count"])
    assert set(margins["variable"]) == set(ALL_VARIABLES)
    table = frame[[f"wvar_{v}" for v in ALL_VARIABLES]].astype(str)
    table.columns = ALL_VARIABLES
    again = Design(table, weights=None).rake(margins, epsilon=1e-10, max_iter=100)
    assert again.weights.tolist() == pytest.approx(frame["weight_exp"].tolist(), rel=1e-9)

    with app.app_context():  # the data files are in the audit log, the syntax files hold none
        logged = db.session.scalars(select(AuditEvent.detail).where(
            AuditEvent.action == "microdata_downloaded").order_by(AuditEvent.id)).all()
    assert [d["format"] for d in logged] == ["dta", "csv"]

    sps = client.get(f"{base}/syntax.sps?lang=en").data.decode()
    assert f"GET FILE='liten-run{run_id}-weighted.sav'." in sps
    assert "/PLANVARS ANALYSISWEIGHT=weight_exp" in sps and "\nWEIGHT BY weight_norm." in sps

    # An answer changed after the run: the export says to weight again instead of mixing.
    with app.app_context():
        answer = db.session.scalars(select(Answer).join(Question).where(
            Question.survey_id == small, Question.key == "gender")).first()
        answer.value = "woman" if answer.value == "man" else "man"
        db.session.commit()
    reply = client.post_form(f"{base}/export?format=dta")
    assert reply.status_code == 302 and reply.headers["Location"].endswith("#export")
    assert "weight the survey again" in run_page(client, run_id)


def test_a_margin_set_that_a_run_uses_cannot_be_deleted(app, client, small):
    run_id, margin_set_id = small_run(app, client, small)
    reply = client.post_form(f"/analysis/margins/{margin_set_id}/delete")
    assert reply.status_code == 400
    assert "cannot be deleted" in reply.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(MarginSet, margin_set_id) is not None
        assert db.session.get(WeightingRun, run_id) is not None


def test_runs_are_listed_with_their_outcome(app, client, small):
    good, _ = small_run(app, client, small)
    text = text_of(client.get(f"/analysis/surveys/{small}").get_data(as_text=True))
    assert f"Run {good}" in text and "Weighted" in text
    counts = Counter(re.findall(r"(Approved|Failed|Did not converge|Weighted)\s*</td>",
                                client.get(f"/analysis/surveys/{small}").get_data(as_text=True)))
    assert counts == {"Weighted": 1}


def test_a_large_survey_is_weighted_by_a_job_whose_page_leads_to_the_run(app, client, small,
                                                                        monkeypatch):
    monkeypatch.setitem(app.config, "RUN_JOB_MIN_RESPONDENTS", 12)  # the small survey's 12
    add_responses(app, small, answers_of(PEOPLE))
    margin_set_id = location_id(import_csv(client, MARGINS.encode()))
    reply = weigh(client, small, margin_set_id, missing="error")
    assert reply.status_code == 303 and reply.headers["Location"].startswith("/jobs/")
    job_page = client.get(reply.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Weighting liten" in job_page and "Ready." in job_page
    run_id = int(re.search(r'href="/analysis/runs/(\d+)">Open weighting run \1<', job_page)[1])
    run = stored_run(app, run_id)
    assert run["error"] is None and run["n_respondents"] == 12
    assert sum(stored_weights(app, run_id).values()) == pytest.approx(1300)
    assert client.get(reply.headers["Location"] + "/download").status_code == 404


def test_a_large_runs_microdata_are_written_by_a_job_and_the_download_is_audited(
        app, client, small, monkeypatch):
    from surveys.audit.models import AuditEvent

    run_id, _ = small_run(app, client, small)
    client.post_form(f"/analysis/runs/{run_id}/approve")
    monkeypatch.setitem(app.config, "EXPORT_JOB_MIN_RESPONDENTS", 12)  # the small survey's 12
    reply = client.post_form(f"/analysis/runs/{run_id}/export?format=parquet")
    assert reply.status_code == 303 and reply.headers["Location"].startswith("/jobs/")
    job_page = client.get(reply.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert f"Weighted microdata of weighting run {run_id} (PARQUET)" in job_page
    assert "Ready." in job_page
    file = client.get(reply.headers["Location"] + "/download")
    assert file.headers["Content-Disposition"] == (
        f'attachment; filename="liten-run{run_id}-weighted.parquet"')
    frame = pd.read_parquet(io.BytesIO(file.data))
    assert len(frame) == 12 and frame["weight_exp"].sum() == pytest.approx(1300)
    with app.app_context():
        assert db.session.scalar(select(AuditEvent.action).where(
            AuditEvent.action == "microdata_downloaded")) == "microdata_downloaded"
