"""An analyst opens the weighted export in SPSS, Stata, R or Swedish Excel and gets the app's
numbers: the right weight for each use, labels in the export's language, "don't know" as a
declared missing value, and an R script that reproduces the run's estimates and standard
errors with R's `survey` package."""

from __future__ import annotations

import io
import re
from types import SimpleNamespace

import pandas as pd
import pyreadstat
import pytest

from surveys.core.data import BOM
from surveys.runs import microdata, syntax
from surveys.runs.microdata import Codebook, Variable, codebook_for, write_microdata
from surveys.runs.weighing import RunSettings, weigh, weighting_plan
from tests.support.exports import CASES, ITEMS, LABELS, MARGINS, build, respondents, survey

N, n = 5000.0, 40


@pytest.fixture(scope="module")
def rake():
    """The raking case: one gender imputed, "don't know" in the trust items."""
    return build(CASES[0])


def read_sav(raw: bytes, tmp_path, **options):
    path = tmp_path / "weighted.sav"
    path.write_bytes(raw)
    return pyreadstat.read_sav(str(path), **options)


def read_dta(raw: bytes):
    """The data (extended missing values kept) and the labels, as pandas reads them."""
    with pd.read_stata(io.BytesIO(raw), iterator=True, convert_categoricals=False,
                       convert_missing=True) as reader:
        return reader.read(), reader.variable_labels(), reader.value_labels(), reader.data_label


# -- R ----------------------------------------------------------------------------------------
def assert_same_microdata(written: bytes, committed: bytes) -> None:
    """Same layout and codes, the same weights to 1e-12."""
    assert written.startswith(BOM.encode()) and committed.startswith(BOM.encode())
    assert written.count(b"\r\n") == committed.count(b"\r\n")
    semicolons = b";" in committed.split(b"\r\n", 1)[0]
    new, old = (pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False,
                            sep=";" if semicolons else ",") for raw in (written, committed))
    assert list(new.columns) == list(old.columns) and len(new) == len(old)
    weights = [column for column in old.columns if "weight" in column]
    assert "weight_exp" in weights
    pd.testing.assert_frame_equal(new.drop(columns=weights), old.drop(columns=weights))
    for column in weights:
        as_float = (lambda s: s.str.replace(",", ".").astype(float)) if semicolons else (
            lambda s: s.astype(float))
        pd.testing.assert_series_equal(as_float(new[column]), as_float(old[column]),
                                       check_exact=False, rtol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_r_reproduces_the_runs_estimates_and_standard_errors(case):
    """The committed R output came from exactly this script on exactly this file: the app
    writes the same file again (the weights to 1e-12: their last digit may move with the
    numerical libraries' versions) and its estimates equal R's to 1e-8."""
    built = build(case)
    assert_same_microdata(built.data, (case.folder / "weighted.csv").read_bytes())
    assert built.script == (case.folder / "reproduce.R").read_text(encoding="utf-8")
    r = pd.read_csv(case.folder / "weighted-estimates-R.csv").set_index("item")
    app = {row["item"]: row for row in built.estimates["overall"]}
    assert list(r.index) == ITEMS == list(app)
    for item in ITEMS:
        assert r.loc[item, "estimate"] == pytest.approx(app[item]["estimate"], rel=1e-8)
        assert r.loc[item, "se"] == pytest.approx(app[item]["se"], rel=1e-8)
    # the script weights again from the margins the run met, and checks its weights
    assert "stopifnot(isTRUE(all.equal(as.vector(weights(weighted)), data$weight_exp" in (
        built.script)
    assert 'wvar_age = c("16-29" = 1100, "30-44" = 1300' in built.script


def test_the_r_script_follows_the_method_and_the_dialect():
    scripts = {case.name: build(case).script for case in CASES}
    assert "rake(design" in scripts["rake"] and "read.csv(" in scripts["rake"]
    assert 'calfun = "logit", bounds = c(0.3, 3)' in scripts["logit"]
    assert "postStratify(design" in scripts["poststratify"]
    assert "read.csv2(" in scripts["poststratify"]  # semicolons and decimal commas
    assert 'stratum_population <- c("norr" = 2000, "soder" = 3000)' in scripts["drawn_rake"]
    drawn = build(CASES[-1]).codebook
    assert drawn["stratum"].codes == {"norr": 1, "soder": 2}
    assert drawn["nonresponse_weight"].label == (
        "Weight after the non-response adjustment (step 2)")
    table, _answers = respondents()
    settings = RunSettings(method="rake", variables=["age", "gender", "born"],
                           missing="impute", seed=1, trim_upper=200.0)
    plan = weighting_plan(weigh(table, MARGINS, settings), settings, ITEMS)
    book = codebook_for(survey(), "sv", labels={"agreement": {}, "dont_know": {},
                                                "channels": {}})
    assert "trimWeights(weighted, upper = 200, strict = FALSE)" in syntax.r_script(
        book, plan, "x.csv", "comma")
    plan.items = []  # no scale questions: the script still weights, and checks the weights
    script = syntax.r_script(book, plan, "x.csv", "comma")
    assert "svymean" not in script and "stopifnot(" in script


def test_the_export_carries_the_weighting_variables_as_used_and_who_was_imputed(rake):
    frame = rake.frame
    assert frame.loc[frame["response_id"] == 7, "wvar_gender_imputed"].tolist() == [1]
    assert frame["wvar_gender_imputed"].sum() == 1 and frame["wvar_age_imputed"].sum() == 0
    assert frame.loc[frame["response_id"] == 7, "wvar_gender"].item() in ("kvinna", "man")
    book = rake.codebook
    assert book["wvar_age"].codes == {"16-29": 1, "30-44": 2, "45-64": 3, "65-84": 4}
    assert book["wvar_gender_imputed"].label == "gender imputed for the weighting"


def test_the_codebook_says_which_weight_to_use_for_what(rake):
    rows = pd.read_csv(io.BytesIO(microdata.codebook_csv(rake.codebook)), encoding="utf-8-sig",
                       dtype=str, keep_default_na=False)
    notes = dict(zip(rows["name"], rows["note"], strict=True))
    assert notes["weight_norm"].startswith("Use weight_norm with WEIGHT BY")
    assert notes["weight_exp"].startswith("Use weight_exp for population totals")
    assert notes["trust_kommun"] == ""
    imputed = rows[rows["name"] == "wvar_gender_imputed"]
    assert imputed[["stata_name", "value", "value_label"]].values.tolist() == [
        ["wvar_gender_imputed", "0", "Answered"], ["wvar_gender_imputed", "1", "Imputed"]]


# -- SPSS -------------------------------------------------------------------------------------
def test_spss_has_both_weights_labelled_and_dont_know_declared_missing(rake, tmp_path):
    raw = write_microdata(rake.frame, rake.codebook, "sav")
    data, meta = read_sav(raw, tmp_path)
    assert meta.column_names == [
        "response_id", "language", "channel", "weight_exp", "weight_norm", "trust_kommun",
        "trust_people", "wvar_age", "wvar_age_imputed", "wvar_gender", "wvar_gender_imputed",
        "wvar_born", "wvar_born_imputed"]
    assert data["weight_exp"].sum() == pytest.approx(N, rel=1e-12)
    assert data["weight_norm"].sum() == pytest.approx(n, rel=1e-12)
    labels = meta.column_names_to_labels
    assert labels["weight_exp"] == "Expansion weight: sums to the population (N)"
    assert labels["weight_norm"] == "Normalised weight: sums to the respondents (n)"
    assert labels["trust_kommun"] == "Förtroende för kommunen"
    assert meta.variable_value_labels["trust_kommun"][99] == "Don't know"
    assert meta.variable_value_labels["wvar_age"] == {1: "16-29", 2: "30-44", 3: "45-64",
                                                      4: "65-84"}
    assert data["trust_kommun"].isna().sum() == 3  # the three "don't know"
    raw_data, raw_meta = read_sav(raw, tmp_path, user_missing=True)
    assert (raw_data["trust_kommun"] == 99).sum() == 3
    assert raw_meta.missing_ranges["trust_kommun"] == [{"lo": 99.0, "hi": 99.0}]
    assert any(line.startswith("Use weight_norm with WEIGHT BY") for line in meta.notes)
    assert all(len(line.encode()) <= 80 for line in meta.notes)


def test_the_spss_syntax_weights_by_the_normalised_weight_and_plans_with_the_expansion_weight(
        rake, tmp_path):
    plan = syntax.WeightingPlan("rake", MARGINS, items=ITEMS, run=3)
    text = syntax.spss_syntax(rake.codebook, plan, "liten-run3-weighted.sav")
    _, meta = read_sav(write_microdata(rake.frame, rake.codebook, "sav"), tmp_path)
    assert text.startswith("* Encoding: UTF-8.\n")
    assert "GET FILE='liten-run3-weighted.sav'." in text
    assert re.search(r"^WEIGHT BY (\w+)\.$", text, re.MULTILINE).group(1) == "weight_norm"
    assert re.search(r"/PLANVARS ANALYSISWEIGHT=(\w+)$", text, re.MULTILINE).group(1) == "weight_exp"
    assert "CSPLAN ANALYSIS\n  /PLAN FILE='liten-run3-weighted.csaplan'" in text
    summary = re.search(r"/SUMMARY VARIABLES=(.*)$", text, re.MULTILINE).group(1).split()
    declared = re.findall(r"(\w+) \((\d+)\)", text)
    named = {"weight_norm", "weight_exp", *summary, *(name for name, _ in declared)}
    assert named <= set(meta.column_names)
    assert summary == ITEMS and declared == [("trust_kommun", "99"), ("trust_people", "99")]
    assert text.index("CSDESCRIPTIVES") < text.rindex("WEIGHT BY")  # plan first, then n
    assert "* Use weight_exp for population totals" in text
    assert "  /DESIGN\n" in text  # an open survey: no strata
    drawn = syntax.WeightingPlan("rake", MARGINS, items=ITEMS, strata={"norr": 2000.0})
    book = codebook_for(survey(), "sv", labels=LABELS, strata=["norr"])
    assert "  /DESIGN STRATA=stratum\n" in syntax.spss_syntax(book, drawn, "x.sav")


# -- Stata ------------------------------------------------------------------------------------
def test_stata_has_labels_and_dont_know_as_extended_missing(rake, tmp_path):
    raw = write_microdata(rake.frame, rake.codebook, "dta")
    data, labels, values, title = read_dta(raw)
    assert title == "Exempelby"
    assert list(data.columns) == list(rake.frame.columns)
    assert data["weight_exp"].sum() == pytest.approx(N, rel=1e-12)
    assert data["weight_norm"].sum() == pytest.approx(n, rel=1e-12)
    assert labels["weight_norm"] == "Normalised weight: sums to the respondents (n)"
    assert labels["trust_kommun"] == "Förtroende för kommunen"
    dk = data["trust_kommun"][rake.frame["trust_kommun"] == "dk"]
    assert len(dk) == 3 and all(value.string == ".a" for value in dk)
    age = next(v for k, v in values.items() if set(v.values()) == {"16-29", "30-44", "45-64",
                                                                   "65-84"})
    assert sorted(age) == [1, 2, 3, 4]
    path = tmp_path / "weighted.dta"
    path.write_bytes(raw)
    _, meta = pyreadstat.read_dta(str(path), user_missing=True)
    assert meta.missing_user_values["trust_kommun"] == ["a"]
    assert meta.variable_value_labels["trust_kommun"]["a"] == "Don't know"


def test_stata_names_are_at_most_32_characters_unique_and_no_keywords():
    long = "fortroende_for_kommunens_tjanster_i_stort"  # 41 characters
    names = [long, long[:-1], "if", "str12", "byte_count", "2nd", "wvar_" + long + "_imputed"]
    mapped = microdata.stata_names(names)
    assert all(len(name) <= 32 for name in mapped.values())
    assert len({name.lower() for name in mapped.values()}) == len(names)
    assert mapped["if"] == "v_if" and mapped["str12"] == "v_str12"
    assert mapped["byte_count"] == "byte_count" and mapped["2nd"] == "v2nd"
    assert mapped[long] == long[:32] and mapped[long[:-1]] == long[:30] + "_2"
    # value-label sets are named after their variable plus a number: that must fit too
    book = Codebook([Variable(name, f"Fråga {i}", "numeric", {0: "Ingen"}, integer=True)
                     for i, name in enumerate(names)])
    frame = pd.DataFrame({name: [i, i + 1] for i, name in enumerate(names)})
    data, labels, values, _ = read_dta(write_microdata(frame, book, "dta"))
    assert list(data.columns) == list(book.stata_names().values())
    assert max(len(name) for name in data.columns) == 31
    assert labels[long[:31]] == f"Fråga 0 [{long}]"
    assert len(values) == len(names)


# -- CSV --------------------------------------------------------------------------------------
def test_csv_comes_with_commas_or_with_semicolons_and_decimal_commas(rake):
    frame = rake.frame.assign(note=["=SUM(A1)"] + [""] * (n - 1))
    for dialect, separator, decimal in (("comma", ",", "."), ("semicolon", ";", ",")):
        raw = write_microdata(frame, rake.codebook, "csv", dialect)
        assert raw.startswith(BOM.encode())
        header = raw.decode("utf-8-sig").splitlines()[0]
        assert header.startswith(separator.join(["response_id", "language", "channel"]))
        data = pd.read_csv(io.BytesIO(raw), sep=separator, decimal=decimal,
                           encoding="utf-8-sig")
        assert data["weight_exp"].tolist() == rake.frame["weight_exp"].tolist()
        assert data["weight_norm"].sum() == pytest.approx(n)
        assert data["trust_kommun"].isna().sum() == 3  # "don't know" is no number
        assert data["note"][0] == "'=SUM(A1)"
    semicolon = write_microdata(frame, rake.codebook, "csv", "semicolon").decode("utf-8-sig")
    first = semicolon.splitlines()[1].split(";")
    assert re.fullmatch(r"\d+,\d+", first[3]) and "." not in first[3]


# -- languages ----------------------------------------------------------------------------------
def arabic_survey() -> SimpleNamespace:
    question = SimpleNamespace(
        key="trust_kommun", type="scale", text={"sv": "Förtroende", "ar": "الثقة في البلدية"},
        settings={"min": 0, "max": 10, "min_label": {"ar": "لا ثقة"}, "max_label": {},
                  "dont_know": "dont_know"})
    return SimpleNamespace(default_language="sv", languages=["sv", "ar"],
                           texts={"title": {"sv": "Enkät", "ar": "استبيان"}},
                           questions=lambda: [question])


def test_an_arabic_export_carries_arabic_labels_and_notes(app, tmp_path):
    with app.test_request_context():
        book = codebook_for(arabic_survey(), "ar", weighting=MARGINS[MARGINS.variable == "born"])
    frame = pd.DataFrame({"response_id": [1, 2], "language": ["ar", "sv"],
                          "channel": ["web", "web"], "weight_exp": [100.0, 300.0],
                          "weight_norm": [0.5, 1.5], "trust_kommun": [0, "dk"],
                          "wvar_born": ["utrikes", "inrikes"], "wvar_born_imputed": [0, 0]})
    _, meta = read_sav(write_microdata(frame, book, "sav"), tmp_path)
    assert meta.file_label == "استبيان"
    assert meta.column_names_to_labels["trust_kommun"] == "الثقة في البلدية"
    assert meta.column_names_to_labels["weight_exp"] == "وزن التعميم: مجموعه يساوي السكان (N)"
    assert meta.variable_value_labels["trust_kommun"] == {0: "لا ثقة", 99: "لا أعرف"}
    assert meta.notes[0].startswith("استخدم weight_norm")
    assert all(len(line.encode()) <= 80 for line in meta.notes)
    _, labels, values, _ = read_dta(write_microdata(frame, book, "dta"))
    assert labels["trust_kommun"] == "الثقة في البلدية"
    assert labels["wvar_born_imputed"] == "born مُسنَد لأجل الترجيح"
    assert "لا أعرف" in {text for labelled in values.values() for text in labelled.values()}
    plan = syntax.WeightingPlan("rake", MARGINS[MARGINS.variable == "born"], items=ITEMS[:1])
    assert "* استخدم weight_exp" in syntax.spss_syntax(book, plan, "x.sav")
