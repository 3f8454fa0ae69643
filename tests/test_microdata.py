"""An analyst downloads weighted microdata with its codebook as CSV, Excel, SPSS or Parquet."""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest

from surveys.core.data import BOM, FORMULA_START
from surveys.extensions import db
from surveys.runs import microdata
from surveys.runs.microdata import Codebook, Variable, codebook_csv, codebook_for, write_microdata
from surveys.survey import export
from surveys.survey.models import Channel, Survey
from surveys.survey.questions import QUESTION_TYPES, QuestionType
from tests.support.surveys import small_definition

FORMULA = '=HYPERLINK("http://evil.example","klicka")'

#: Three residents: one in Swedish, one in Arabic choosing "don't know" where offered,
#: one in English who stops after the first page.
RESIDENTS = [
    ("sv", [{"q_member": "yes", "q_sports": ["run", "swim"], "q_trust": "7", "q_agree": "4",
             "q_grid__a": "1", "q_grid__b": "2"},
            {"q_why": FORMULA, "q_people": "3", "q_comment": "Fler bänkar,\n\"tack\"",
             "q_born": "1984"}]),
    ("ar", [{"q_member": "dk", "q_sports": ["dk"], "q_trust": "dk", "q_agree": "5",
             "q_grid__a": "2"},
            {"q_people": "12", "q_born": "dk", "q_comment": "-2+3"}]),
    ("en", [{"q_member": "no", "q_trust": "0", "q_agree": "1", "q_grid__a": "1",
             "q_grid__b": "1"}]),
]
WEIGHTS = [0.7312345678901234, 1.25, 2.0]


@pytest.fixture
def answered(app, make_org, make_survey, make_client) -> int:
    """The small survey (every question type) answered by the three residents."""
    survey_id = make_survey(make_org(), slug="liten", definition=small_definition())
    for lang, pages in RESIDENTS:
        client = make_client()
        assert client.post_form(f"/s/liten/start?lang={lang}").status_code == 302
        for number, data in enumerate(pages, start=1):
            sent = client.post_form(f"/s/liten/p/{number}?lang={lang}", data)
            assert sent.status_code == 302, sent.get_data(as_text=True)
    return survey_id


@pytest.fixture
def survey(app, answered):
    """The answered survey, loaded in an application context."""
    with app.app_context():
        yield db.session.get(Survey, answered)


@pytest.fixture
def frame(survey) -> pd.DataFrame:
    """The raw export's table with a final weight per response, as the analysis views build it."""
    table = export.answer_table(survey)
    data = pd.DataFrame(table.rows, columns=table.header)
    data["weight_exp"] = WEIGHTS
    data["weight_norm"] = microdata.normalised(data["weight_exp"])
    return data


def read_csv(raw: bytes) -> pd.DataFrame:
    assert raw.startswith(BOM.encode("utf-8"))
    return pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", keep_default_na=False,
                       dtype=str)


def read_sav(raw: bytes, tmp_path, **options):
    path = tmp_path / "microdata.sav"
    path.write_bytes(raw)
    return pyreadstat.read_sav(str(path), **options)


# -- the codebook -----------------------------------------------------------------------------
def test_the_codebook_lists_fixed_columns_then_every_question_column_in_order(survey):
    book = codebook_for(survey, "en")
    assert book.names() == [
        "response_id", "language", "channel", "weight_exp", "weight_norm", "member", "sports__run",
        "sports__swim", "sports__dk", "trust", "agree", "grid__a", "grid__b", "people", "born",
    ]
    assert book.omitted == ["why", "comment"]
    assert book.title == "Small survey" and book.language == "en"
    assert book["weight_exp"].label == "Expansion weight: sums to the population (N)"
    assert book["weight_norm"].label == "Normalised weight: sums to the respondents (n)"
    assert book["weight_exp"].measure == book["weight_norm"].measure == "scale"
    assert [book[n].kind for n in ("member", "sports__run", "trust", "grid__a", "people")] == [
        "categorical", "multi", "numeric", "categorical", "numeric"]


def test_value_labels_come_from_options_scale_ends_the_agreement_scale_and_dont_know(survey):
    book = codebook_for(survey, "en")
    member = book["member"]
    assert member.label == "Are you a member?"
    assert member.value_labels == {"yes": "Yes", "no": "No", "dk": "Prefer not to say"}
    assert member.codes == {"yes": 1, "no": 2, "dk": 99} and member.missing == ("dk",)
    assert book["trust"].value_labels == {0: "None", 10: "Complete", "dk": "Don't know"}
    assert book["agree"].value_labels == {
        1: "Strongly disagree", 2: "Somewhat disagree", 3: "Neither agree nor disagree",
        4: "Somewhat agree", 5: "Strongly agree"}
    assert book["agree"].missing == ()  # this agreement question offers no "don't know"
    assert book["grid__b"].label == "Grid: The library"
    assert book["grid__b"].value_labels == {"1": "A little", "2": "A lot"}
    assert book["sports__dk"].label == "Sports: Prefer not to say"
    assert book["sports__run"].value_labels == {0: "Not chosen", 1: "Chosen"}
    assert book["born"].value_labels == {"dk": "Prefer not to say"}
    assert book["born"].codes == {"dk": 9999}  # 99 is no year, but 9999 is above every year
    assert book["channel"].value_labels == {"web": "Web", "paper": "Paper form",
                                            "interview": "Interview"}
    assert list(book["language"].codes)[:3] == ["sv", "en", "ar"]


def test_a_missing_translation_falls_back_to_the_default_language(survey):
    survey.questions()[0].text.pop("en")
    survey.questions()[0].settings["options"][1]["label"].pop("en")
    book = codebook_for(survey, "en")
    assert book["member"].label == "Är du medlem?"
    assert book["member"].value_labels["no"] == "Nej"
    assert book["member"].value_labels["yes"] == "Yes"


def test_platform_labels_follow_the_language_and_the_caller_can_pass_its_own(survey):
    swedish = codebook_for(survey, "sv")
    assert swedish["member"].label == "Är du medlem?"
    assert swedish["agree"].value_labels[5] == "Håller helt med"
    assert swedish["agree"].value_labels[5] != codebook_for(survey, "ar")["agree"].value_labels[5]
    given = {"agreement": {p: f"punkt {p}" for p in range(1, 6)},
             "dont_know": {"dont_know": "VET EJ", "prefer_not": "VILL EJ"},
             "channels": {"web": "Webben"}, "weight_exp": "Uppräkningsvikt"}
    book = codebook_for(survey, "sv", labels=given)
    assert book["agree"].value_labels[3] == "punkt 3"
    assert book["trust"].value_labels["dk"] == "VET EJ"
    assert book["member"].value_labels["dk"] == "VILL EJ"
    assert book["channel"].value_labels["web"] == "Webben"
    assert book["weight_exp"].label == "Uppräkningsvikt"


def test_free_text_questions_are_included_only_when_asked_for(survey):
    book = codebook_for(survey, "en", include_text=True)
    assert book.omitted == []
    assert book["why"].kind == book["comment"].kind == "text"
    assert book.names().index("why") < book.names().index("people")


def test_every_question_type_has_a_microdata_coding():
    assert all(type(kind).codebook_variables is not QuestionType.codebook_variables
               for kind in QUESTION_TYPES.values())


def scale_survey(low: int, high: int) -> SimpleNamespace:
    """A survey-like object with one scale question (no database needed)."""
    question = SimpleNamespace(
        key="score", type="scale", text={"sv": "Poäng"},
        settings={"min": low, "max": high, "min_label": {}, "max_label": {"sv": "Max"},
                  "dont_know": "dont_know"})
    return SimpleNamespace(default_language="sv", languages=["sv"], texts={},
                           questions=lambda: [question])


def test_dont_know_moves_to_999_when_99_is_a_point_on_the_scale():
    labels = {"agreement": {}, "dont_know": {"dont_know": "Vet inte"}, "channels": {}}
    assert codebook_for(scale_survey(0, 10), "sv", labels=labels)["score"].codes == {"dk": 99}
    wide = codebook_for(scale_survey(0, 100), "sv", labels=labels)["score"]
    assert wide.codes == {"dk": 999}
    assert wide.value_labels == {100: "Max", "dk": "Vet inte"}  # no label for the empty end


# -- the files --------------------------------------------------------------------------------
def test_csv_round_trips_codes_and_weights_without_free_text(survey, frame):
    data = read_csv(write_microdata(frame, codebook_for(survey, "en"), "csv"))
    assert list(data.columns) == codebook_for(survey, "en").names() + ["started_at",
                                                                       "completed_at"]
    assert "why" not in data and "comment" not in data
    assert data["response_id"].tolist() == ["1", "2", "3"]
    assert data["language"].tolist() == ["sv", "ar", "en"]
    assert data["member"].tolist() == ["yes", "dk", "no"]
    assert data["trust"].tolist() == ["7", "", "0"]  # "don't know" is no number
    assert data["sports__swim"].tolist() == ["1", "0", ""]
    assert data["grid__b"].tolist() == ["2", "", "1"]
    assert data["people"].tolist() == ["3", "12", ""]  # not "3.0": the frame held floats
    assert data["born"].tolist() == ["1984", "", ""]
    assert [float(w) for w in data["weight_exp"]] == WEIGHTS
    assert data["started_at"].str.endswith("Z").all()


def test_csv_with_free_text_defuses_formulas(survey, frame):
    book = codebook_for(survey, "en", include_text=True)
    raw = write_microdata(frame, book, "csv")
    data = read_csv(raw)
    assert data["why"].tolist() == ["'" + FORMULA, "", ""]
    assert data["comment"].tolist() == ["Fler bänkar,\n\"tack\"", "'-2+3", ""]
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert not any(cell.startswith(FORMULA_START) for row in rows for cell in row)


def test_excel_has_a_data_sheet_and_a_codebook_sheet(survey, frame):
    book = codebook_for(survey, "en", include_text=True)
    raw = write_microdata(frame, book, "xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(raw))
    assert workbook.sheetnames == ["data", "codebook", "notes"]
    sheet = workbook["data"]
    header = [cell.value for cell in sheet[1]]
    why = sheet.cell(row=2, column=header.index("why") + 1)
    assert why.value == FORMULA and why.data_type == "s"  # text, never a formula
    data = pd.read_excel(io.BytesIO(raw), sheet_name="data")
    assert data["weight_exp"].tolist() == WEIGHTS
    assert data["member"].tolist() == ["yes", "dk", "no"]
    assert data["trust"].iloc[::2].tolist() == [7, 0] and math.isnan(data["trust"].iloc[1])
    assert data["people"].iloc[:2].tolist() == [3, 12] and math.isnan(data["people"].iloc[2])
    codes = pd.read_excel(io.BytesIO(raw), sheet_name="codebook", dtype=str)
    assert list(codes.columns) == microdata.CODEBOOK_COLUMNS
    member = codes[codes["name"] == "member"]
    assert member[["value", "spss_value", "value_label", "missing"]].values.tolist() == [
        ["yes", "1", "Yes", "0"], ["no", "2", "No", "0"], ["dk", "99", "Prefer not to say", "1"]]
    assert codes[codes["name"] == "sports__run"]["spss_name"].unique().tolist() == ["sports_run"]


def test_spss_has_labels_numeric_codes_and_dont_know_as_user_missing(survey, frame, tmp_path):
    book = codebook_for(survey, "en")
    data, meta = read_sav(write_microdata(frame, book, "sav"), tmp_path)
    assert meta.column_names[:6] == ["response_id", "language", "channel", "weight_exp",
                                     "weight_norm", "member"]
    assert "sports__run" not in meta.column_names and "why" not in meta.column_names
    labels = meta.column_names_to_labels
    assert labels["member"] == "Are you a member?"
    assert labels["weight_exp"] == "Expansion weight: sums to the population (N)"
    assert labels["sports_run"] == "Sports: Running [sports__run]"
    assert labels["grid_a"] == "Grid: The park [grid__a]"
    assert meta.file_label == "Small survey"
    values = meta.variable_value_labels
    assert values["member"] == {1: "Yes", 2: "No", 99: "Prefer not to say"}
    assert values["trust"] == {0: "None", 10: "Complete", 99: "Don't know"}
    assert values["agree"][5] == "Strongly agree" and 99 not in values["agree"]
    assert values["grid_b"] == {1: "A little", 2: "A lot"}
    assert values["sports_dk"] == {0: "Not chosen", 1: "Chosen"}
    assert values["channel"][1] == "Web"
    assert meta.variable_measure["member"] == "nominal"
    assert meta.variable_measure["agree"] == "ordinal"
    assert meta.variable_measure["weight_exp"] == "scale"
    # "dk" is missing by default...
    assert data["member"].tolist()[::2] == [1, 2] and math.isnan(data["member"][1])
    assert math.isnan(data["trust"][1]) and math.isnan(data["born"][1])
    assert data["trust"].tolist()[::2] == [7, 0]
    assert data["born"][0] == 1984 and data["people"][1] == 12
    assert data["language"].tolist() == [1, 3, 2]
    assert data["sports_swim"][:2].tolist() == [1, 0] and math.isnan(data["sports_swim"][2])
    assert data["weight_exp"].tolist() == WEIGHTS
    # ...and its code is there, declared user-missing, for whoever asks.
    raw_data, raw_meta = read_sav(write_microdata(frame, book, "sav"), tmp_path,
                                  user_missing=True)
    assert raw_data["member"].tolist() == [1, 99, 2]
    assert raw_data["trust"].tolist() == [7, 99, 0]
    assert raw_data["born"][1] == 9999
    assert raw_meta.missing_ranges["member"] == [{"lo": 99.0, "hi": 99.0}]


def test_spss_keeps_free_text_as_strings_when_asked_for(survey, frame, tmp_path):
    data, meta = read_sav(
        write_microdata(frame, codebook_for(survey, "sv", include_text=True), "sav"), tmp_path)
    assert data["why"].tolist() == [FORMULA, "", ""]
    assert meta.column_names_to_labels["why"] == "Varför?"
    assert meta.variable_value_labels["member"][99] == "Vill inte svara"


def test_parquet_keeps_categoricals_integers_and_the_codebook(survey, frame, tmp_path):
    book = codebook_for(survey, "en")
    raw = write_microdata(frame, book, "parquet")
    data = pd.read_parquet(io.BytesIO(raw))
    assert list(data.columns) == book.names() + ["started_at", "completed_at"]
    assert isinstance(data["member"].dtype, pd.CategoricalDtype)
    assert data["member"].cat.categories.tolist() == ["yes", "no", "dk"]
    assert data["member"].tolist() == ["yes", "dk", "no"]
    assert data["grid__a"].cat.ordered and not data["member"].cat.ordered
    assert str(data["trust"].dtype) == "Int64"
    assert data["trust"].tolist()[::2] == [7, 0] and data["trust"].isna().tolist()[1]
    assert data["sports__run"].isna().tolist() == [False, False, True]
    assert data["weight_exp"].tolist() == WEIGHTS
    metadata = pq.read_schema(io.BytesIO(raw)).metadata[b"delaktig.codebook"]
    stored = json.loads(metadata)
    assert [v["name"] for v in stored["variables"]][:5] == book.names()[:5]
    assert stored["variables"][5]["value_labels"]["dk"] == "Prefer not to say"
    assert stored["notes"]["note_norm"].startswith("Use weight_norm with WEIGHT BY")


def test_the_codebook_csv_lists_every_value_and_defuses_formulas():
    book = Codebook([
        Variable("q__code", "=2+2 question", "categorical", {"a": "@A", "dk": "Don't know"},
                 "nominal", "q", {"a": 1, "dk": 99}, ("dk",)),
        Variable("weight", "Final weight", "numeric", measure="scale"),
    ])
    rows = list(csv.DictReader(io.StringIO(codebook_csv(book).decode("utf-8-sig"))))
    assert codebook_csv(book).startswith(b"\xef\xbb\xbf")
    assert [(r["name"], r["spss_name"], r["value"], r["spss_value"], r["missing"])
            for r in rows] == [("q__code", "q_code", "a", "1", "0"),
                               ("q__code", "q_code", "dk", "99", "1"),
                               ("weight", "weight", "", "", "")]
    assert rows[0]["label"] == "'=2+2 question" and rows[0]["value_label"] == "'@A"


def test_extra_frame_columns_are_written_and_described(survey, frame):
    frame["cell"] = pd.Categorical(["a", "b", "a"])
    frame["age"] = [41, 30, 19]
    book = codebook_for(survey, "en").with_frame(frame)
    assert book.names()[-4:] == ["started_at", "completed_at", "cell", "age"]
    assert book["cell"].kind == "categorical" and book["cell"].codes == {"a": 1, "b": 2}
    assert book["age"].kind == "numeric" and book["started_at"].kind == "text"
    data = pd.read_parquet(io.BytesIO(write_microdata(frame, book, "parquet")))
    assert data["cell"].tolist() == ["a", "b", "a"] and data["age"].tolist() == [41, 30, 19]


def test_free_text_stays_out_even_when_the_frame_holds_it(survey, frame, tmp_path):
    book = codebook_for(survey, "en")
    assert "why" in frame and "comment" in frame
    for fmt in ("csv", "xlsx", "parquet", "dta"):
        raw = write_microdata(frame, book, fmt)
        assert FORMULA.encode() not in raw and "Fler bänkar".encode() not in raw
    _, meta = read_sav(write_microdata(frame, book, "sav"), tmp_path)
    assert not {"why", "comment"} & set(meta.column_names)


def test_bad_input_is_refused_with_a_reason(survey, frame):
    book = codebook_for(survey, "en")
    with pytest.raises(ValueError, match="unknown microdata format"):
        write_microdata(frame, book, "pdf")
    with pytest.raises(ValueError, match="unknown CSV dialect"):
        write_microdata(frame, book, "csv", "tab")
    with pytest.raises(ValueError, match="lacks codebook columns: weight_exp"):
        write_microdata(frame.drop(columns="weight_exp"), book, "csv")
    with pytest.raises(ValueError, match="member: value 'maybe'"):
        write_microdata(frame.assign(member=["yes", "maybe", "no"]), book, "sav")
    book["trust"].missing = ()  # a "dk" the codebook does not expect
    with pytest.raises(ValueError, match="trust: 'dk' is not a whole number"):
        write_microdata(frame, book, "parquet")


def test_an_empty_survey_still_gives_every_file(survey, frame, tmp_path):
    book = codebook_for(survey, "en", include_text=True)
    empty = frame.iloc[0:0]
    assert read_csv(write_microdata(empty, book, "csv")).empty
    assert pd.read_parquet(io.BytesIO(write_microdata(empty, book, "parquet"))).empty
    workbook = openpyxl.load_workbook(io.BytesIO(write_microdata(empty, book, "xlsx")))
    assert workbook["data"].max_row == 1
    data, meta = read_sav(write_microdata(empty, book, "sav"), tmp_path)
    assert data.empty and meta.variable_value_labels["member"][99] == "Prefer not to say"


# -- SPSS names -------------------------------------------------------------------------------
def test_spss_names_are_valid_unique_and_keep_valid_names():
    names = ["grid__a", "grid_a", "2nd", "to", "_x_", "å_ö", "A" * 70, "a" * 70, "Grid_A"]
    mapped = microdata.spss_names(names)
    assert mapped["grid_a"] == "grid_a"  # valid names are kept even when listed later
    assert mapped["grid__a"] == "grid_a_2"
    assert mapped["2nd"] == "v2nd" and mapped["to"] == "v_to" and mapped["_x_"] == "x"
    assert mapped["å_ö"] == "a_o"
    assert len(mapped["A" * 70]) == 64
    assert len({n.upper() for n in mapped.values()}) == len(names)
    for name in mapped.values():
        assert name[0].isalpha() and len(name.encode()) <= 64 and not name.endswith("_")
        assert "__" not in name and name.upper() not in microdata.SPSS_RESERVED


def test_long_labels_are_cut_between_characters_for_spss(tmp_path):
    book = Codebook([Variable("q", "Åå" * 200, "categorical", {"a": "Ö" * 100}, "nominal", "q",
                              {"a": 1})], title="Enkät " * 20)
    frame = pd.DataFrame({"q": ["a"]})
    _, meta = read_sav(write_microdata(frame, book, "sav"), tmp_path)
    label = meta.column_names_to_labels["q"]
    assert 200 <= len(label.encode()) <= 255 and set(label) == {"Å", "å"}
    assert meta.variable_value_labels["q"][1] == "Ö" * 60


# -- conventions ------------------------------------------------------------------------------
def test_the_module_loads_without_flask_and_shares_the_raw_exports_conventions():
    code = ("import sys, surveys.runs.microdata; "
            "print('flask' in sys.modules, 'sqlalchemy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
    assert microdata.CHANNELS == tuple(channel.value for channel in Channel)
