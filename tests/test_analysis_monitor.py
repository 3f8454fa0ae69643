"""The representation monitor: who is missing while the survey is open, worked out by hand."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from surveys.core.roles import Role
from surveys.extensions import db
from surveys.runs import queries as run_queries
from surveys.runs import services as run_svc
from surveys.runs.mapping import default_scheme
from surveys.runs.monitor import more_needed, representation
from surveys.survey.models import Survey
from tests.support.analysis import add_responses, import_csv, location_id, text_of
from tests.support.manage import staff

MARGINS = (b"variable,category,population_count\n"
           b"age,16-29,200\nage,30-64,500\nage,65-84,300\n"
           b"gender,kvinna,500\ngender,man,500\n")


def person(age, gender, lang, completed=True):
    answers = {"gender": gender}
    if age is not None:
        answers["birth_year"] = 2026 - age if age != "dk" else "dk"
    return {"language": lang, "completed": completed, "answers": answers}


#: | # | age | gender | language |        (16 completed, 1 unfinished)
#: | 1 | 20  | woman  | sv | 2 | 40 | woman | sv | 3 | 50 | man | sv | 4 | 70 | woman | sv |
#: | 5 | 75  | woman  | ar | 6 | 35 | man   | ar | 7 | 60 | woman | en | 8 | 68 | dk | sv |
#: | 9 | dk  | man    | sv | 10 | 45 | other | en | 11-16 | 50 | woman | sv |
RESPONDENTS = [
    person(20, "woman", "sv"), person(40, "woman", "sv"), person(50, "man", "sv"),
    person(70, "woman", "sv"), person(75, "woman", "ar"), person(35, "man", "ar"),
    person(60, "woman", "en"), person(68, "dk", "sv"), person("dk", "man", "sv"),
    person(45, "other", "en"), *[person(50, "woman", "sv") for _ in range(6)],
    person(22, "man", "sv", completed=False),
]


@pytest.fixture
def monitored(app, make_org, make_survey, client, login):
    org = make_org()
    survey_id = make_survey(org)
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        scheme = default_scheme(survey)
        scheme["reference_year"] = 2026
        scheme["variables"] = [v for v in scheme["variables"] if v["name"] in ("age", "gender")]
        scheme["variables"][0]["groups"] = [[16, 29], [30, 64], [65, 84]]
        run_svc.save_scheme(survey, scheme, None)
        db.session.commit()
    add_responses(app, survey_id, RESPONDENTS)
    staff(client, login, org, Role.analyst)
    margin_set_id = location_id(import_csv(client, MARGINS))
    return survey_id, margin_set_id, client


def test_shares_expected_counts_and_responses_still_needed_match_a_hand_count(app, monitored):
    survey_id, _margin_set_id, client = monitored
    reply = client.get(f"/analysis/surveys/{survey_id}/representation")
    assert reply.status_code == 200
    text = text_of(reply.get_data(as_text=True))
    assert "16 completed responses." in text  # the unfinished one is left out
    # Age, n = 15 (one "don't know"): 16-29 has 1 of an expected 0.2 * 15 = 3; three more
    # young respondents give 4 / 18 >= 0.2, two give 3 / 17 < 0.2.
    assert "age: respondents and population (n = 15)" in text
    assert "16-29 (under-represented) 1 6.7% 20.0% 3 3" in text
    assert "30-64 11 73.3% 50.0% 7.5 –" in text
    # 65-84: 3 against 0.3 * 15 = 4.5: (3 + x) / (15 + x) >= 0.3 first at x = 3.
    assert "65-84 (under-represented) 3 20.0% 30.0% 4.5 3" in text
    assert "1 without a category" in text
    # Gender, n = 14 ("don't know" is missing; "other" is another gender, a category the
    # margins lack): men 3 of 14, need 8 more.
    assert "kvinna 11 78.6% 50.0% 7 –" in text
    assert "man (under-represented) 3 21.4% 50.0% 7 8" in text
    assert text.count("1 without a category") == 2
    assert "Outside the margins' categories: annat: 1." in text


def test_counts_per_language_are_shown_for_each_group(app, monitored):
    survey_id, margin_set_id, _client = monitored
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        from surveys.runs.models import MarginSet
        from surveys.runs.queries import survey_monitor

        result = survey_monitor(survey, run_queries.scheme_for(survey),
                                db.session.get(MarginSet, margin_set_id))
    age = result.variables[0]
    assert {r.category: r.by_language for r in age.rows} == {
        "16-29": {"sv": 1, "en": 0, "ar": 0},
        "30-64": {"sv": 8, "en": 2, "ar": 1},
        "65-84": {"sv": 2, "en": 0, "ar": 1},
    }
    assert result.languages[0] == "sv" and result.n_by_language == {"sv": 12, "en": 2, "ar": 2}
    assert age.n_by_language == {"sv": 11, "en": 2, "ar": 2}


def test_the_downloaded_monitor_shows_small_counts_as_fewer_than_10_and_protects_them(
        app, monitored):
    survey_id, margin_set_id, client = monitored
    reply = client.get(f"/analysis/surveys/{survey_id}/representation.csv?margins={margin_set_id}")
    assert reply.status_code == 200
    rows = list(csv.reader(io.StringIO(reply.data.decode("utf-8-sig"))))
    assert rows[0] == ["variable", "category", "language", "respondents", "sample_share",
                       "population_share", "more_needed"]
    table = {(r[0], r[1], r[2]): r[3:] for r in rows[1:]}
    assert table["age", "16-29", "all"] == ["fewer than 10", "", "0.2", ""]
    assert table["age", "30-64", "all"] == ["11", "0.7333", "0.5", "0"]
    # 14 answered the gender question: with 3 men hidden, 11 women would give them away
    assert table["gender", "kvinna", "all"] == ["withheld", "", "0.5", ""]
    assert table["gender", "man", "all"] == ["fewer than 10", "", "0.5", ""]
    assert table["age", "30-64", "sv"] == ["fewer than 10", "", "", ""]
    assert table["age", "16-29", "en"] == ["0", "", "", ""]  # nobody is not a small group
    every_count = [r[3] for r in rows[1:]]
    assert all(c in ("fewer than 10", "withheld", "0") or int(c) >= 10 for c in every_count)


@pytest.mark.parametrize(("n_c", "n", "p", "expected"), [
    (1, 15, 0.2, 3), (3, 15, 0.3, 3), (3, 14, 0.5, 8), (11, 15, 0.5, 0), (0, 0, 0.4, 0),
    (0, 10, 0.5, 10), (5, 10, 1.0, 0),
])
def test_more_needed_is_the_smallest_number_that_reaches_the_share(n_c, n, p, expected):
    assert more_needed(n_c, n, p) == expected
    if expected and p < 1:
        assert (n_c + expected) / (n + expected) >= p - 1e-12
        assert (n_c + expected - 1) / (n + expected - 1) < p


def test_values_outside_the_margins_and_unmapped_variables_are_reported():
    table = pd.DataFrame({"age": ["16-29", "90", None, "16-29"]}, index=[1, 2, 3, 4], dtype=object)
    margins = pd.DataFrame({"variable": ["age", "age", "district"],
                            "category": ["16-29", "30-84", "norr"],
                            "population_count": [1.0, 3.0, 4.0]})
    result = representation(table, ["sv", "sv", "ar", "ar"], margins, ["sv", "ar"])
    assert result.unmapped == ["district"]
    age = result.variables[0]
    assert (age.n, age.missing, age.outside) == (2, 1, {"90": 1})
    assert [(r.category, r.n, r.sample_share, r.more_needed) for r in age.rows] == [
        ("16-29", 2, 1.0, 0), ("30-84", 0, 0.0, 6)]


def test_margin_categories_that_look_like_formulas_are_neutralised_in_the_csv(app, monitored):
    survey_id, _margin_set_id, client = monitored
    hostile = location_id(import_csv(
        client, MARGINS + b'gender,"=HYPERLINK(""http://evil.example"")",10\n', name="Fientlig"))
    reply = client.get(f"/analysis/surveys/{survey_id}/representation.csv?margins={hostile}")
    assert reply.status_code == 200
    categories = [r[1] for r in csv.reader(io.StringIO(reply.data.decode("utf-8-sig")))]
    assert "'=HYPERLINK(\"http://evil.example\")" in categories
    assert not any(c.startswith("=") for c in categories)
