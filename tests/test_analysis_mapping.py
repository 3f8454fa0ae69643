"""The analyst maps a survey's answers to weighting categories, and edits the mapping."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from surveys.core.roles import Role
from surveys.extensions import db
from surveys.runs import mapping
from surveys.runs import services as run_svc
from surveys.runs.models import WeightingScheme
from surveys.survey.models import Survey
from tests.support.analysis import problems, text_of
from tests.support.manage import snapshot, staff
from tests.test_analysis_access import mapping_form


@pytest.fixture
def mapped(app, make_org, make_survey, client, login):
    org = make_org()
    survey_id = make_survey(org)
    staff(client, login, org, Role.analyst)
    return survey_id, client


def stored_scheme(app, survey_id):
    with app.app_context():
        row = db.session.scalar(select(WeightingScheme).where(
            WeightingScheme.survey_id == survey_id))
        return None if row is None else dict(row.mapping)


def test_the_template_gets_a_default_mapping(app, mapped):
    survey_id, client = mapped
    with app.app_context():
        scheme = mapping.default_scheme(db.session.get(Survey, survey_id))
    assert scheme == {"reference_year": None, "variables": [
        {"name": "age", "question": "birth_year", "kind": "age_groups",
         "groups": [[16, 29], [30, 44], [45, 64], [65, 84]]},
        {"name": "gender", "question": "gender", "kind": "codes",
         "codes": {"woman": "kvinna", "man": "man", "other": "annat", "dk": ""}},
        {"name": "born", "question": "born_country", "kind": "codes",
         "codes": {"sweden": "inrikes", "nordic": "utrikes", "europe": "utrikes",
                   "outside_europe": "utrikes", "dk": ""}},
        {"name": "district", "question": "district", "kind": "codes",
         "codes": {"centrum": "centrum", "norr": "norr", "soder": "soder", "oster": "oster",
                   "vaster": "vaster", "dk": ""}},
    ]}
    page = text_of(client.get(f"/analysis/surveys/{survey_id}").get_data(as_text=True))
    assert "gender woman kvinna" not in page  # the summary reads category <- codes
    assert "kvinna ← woman; man ← man; annat ← other; missing ← dk" in page


def test_the_analyst_changes_age_groups_and_categories(app, mapped):
    survey_id, client = mapped
    with app.app_context():
        form = mapping_form(mapping.default_scheme(db.session.get(Survey, survey_id)))
    form |= {"v0-groups": "16-34, 35-64, 65+", "v2-code-nordic": "norden",
             "reference_year": "2025", "v3-remove": "1"}
    reply = client.post_form(f"/analysis/surveys/{survey_id}/mapping", form)
    assert reply.status_code == 302
    scheme = stored_scheme(app, survey_id)
    assert scheme["reference_year"] == 2025
    assert [v["name"] for v in scheme["variables"]] == ["age", "gender", "born"]
    assert scheme["variables"][0]["groups"] == [[16, 34], [35, 64], [65, None]]
    assert scheme["variables"][2]["codes"]["nordic"] == "norden"
    page = client.get(f"/analysis/surveys/{survey_id}/mapping").get_data(as_text=True)
    assert 'value="16-34, 35-64, 65+"' in page


def test_overlapping_age_groups_and_bad_names_are_refused(app, mapped):
    survey_id, client = mapped
    with app.app_context():
        form = mapping_form(mapping.default_scheme(db.session.get(Survey, survey_id)))
    form |= {"v0-groups": "16-29, 25-40, 41-x", "v1-name": "Kön!", "v2-name": "age",
             "reference_year": "26"}
    before = snapshot(app)
    reply = client.post_form(f"/analysis/surveys/{survey_id}/mapping", form)
    assert reply.status_code == 400
    assert problems(reply.get_data(as_text=True)) == [
        "“41-x” is not an age group such as 16-29 or 65+.",
        "A variable name uses lower-case letters a-z, digits and underscores (at most 40).",
        "The variable name age is used twice.",
        "Write a year such as 2026.",
    ]
    assert snapshot(app) == before
    form |= {"v0-groups": "16-29, 25-40", "v1-name": "gender", "v2-name": "born",
             "reference_year": ""}
    reply = client.post_form(f"/analysis/surveys/{survey_id}/mapping", form)
    assert problems(reply.get_data(as_text=True)) == [
        "The age groups 16-29 and 25-40 overlap or are out of order."]


def test_choosing_another_question_resets_its_categories(app, mapped):
    survey_id, client = mapped
    with app.app_context():
        form = mapping_form(mapping.default_scheme(db.session.get(Survey, survey_id)))
    form["v3-question"] = "education"
    reply = client.post_form(f"/analysis/surveys/{survey_id}/mapping", form)
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/mapping")
    codes = stored_scheme(app, survey_id)["variables"][3]["codes"]
    assert codes == {"compulsory": "compulsory", "upper_secondary": "upper_secondary",
                     "post_secondary_short": "post_secondary_short",
                     "post_secondary_long": "post_secondary_long", "dk": ""}
    assert "The question of district changed: check its categories." in text_of(
        client.get(f"/analysis/surveys/{survey_id}/mapping").get_data(as_text=True))


def test_a_variable_is_added_and_the_default_restored(app, mapped):
    survey_id, client = mapped
    reply = client.post_form(f"/analysis/surveys/{survey_id}/mapping/add",
                             {"question": "employment", "name": "employment"})
    assert reply.status_code == 302
    assert stored_scheme(app, survey_id)["variables"][-1]["question"] == "employment"
    again = client.post_form(f"/analysis/surveys/{survey_id}/mapping/add",
                             {"question": "education", "name": "employment"})
    assert again.status_code == 400
    assert "Variable name: The variable name employment is used twice." in problems(
        again.get_data(as_text=True))
    assert client.post_form(f"/analysis/surveys/{survey_id}/mapping/reset").status_code == 302
    with app.app_context():
        default = mapping.default_scheme(db.session.get(Survey, survey_id))
    assert stored_scheme(app, survey_id) == default


def test_answers_become_categories_missing_values_or_values_outside():
    scheme = {"variables": [
        {"name": "age", "question": "birth_year", "kind": "age_groups",
         "groups": [[16, 29], [30, 64], [65, None]]},
        {"name": "gender", "question": "gender", "kind": "codes",
         "codes": {"woman": "kvinna", "man": "man", "other": "", "dk": ""}},
    ]}
    answers = {1: {"birth_year": 2000, "gender": "woman"}, 2: {"birth_year": 1920, "gender": "dk"},
               3: {"birth_year": 2015, "gender": "other"}, 4: {"birth_year": "dk"},
               5: {"gender": "nonbinary"}}
    table = mapping.categorize(scheme, answers, 2026, [1, 2, 3, 4, 5, 6])
    assert table.to_dict(orient="index") == {
        1: {"age": "16-29", "gender": "kvinna"},
        2: {"age": "65+", "gender": None},
        3: {"age": "11", "gender": None},  # too young for any group: outside the margins
        4: {"age": None, "gender": None},
        5: {"age": None, "gender": "nonbinary"},  # a code the mapping lacks
        6: {"age": None, "gender": None},
    }


def test_ages_are_computed_at_the_year_the_survey_opened(app, mapped):
    survey_id, _client = mapped
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        survey.opens_at = datetime(2024, 9, 1)
        assert mapping.reference_year(survey, {"reference_year": None}) == 2024
        assert mapping.reference_year(survey, {"reference_year": 2030}) == 2030
        db.session.rollback()


def test_a_mapping_to_a_question_the_survey_lost_is_flagged(app, mapped):
    survey_id, client = mapped
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        scheme = mapping.default_scheme(survey)
        scheme["variables"][1]["question"] = "kon"
        run_svc.save_scheme(survey, scheme, None)
        db.session.commit()
    page = text_of(client.get(f"/analysis/surveys/{survey_id}").get_data(as_text=True))
    assert ("The variable gender comes from the question kon, which the survey no longer has "
            "(or of another type). Edit the mapping.") in page


@pytest.mark.parametrize(("text", "groups"), [
    ("16-29, 30-44, 45-64, 65-84", [(16, 29), (30, 44), (45, 64), (65, 84)]),
    ("16–29;30–64\n65+", [(16, 29), (30, 64), (65, None)]),
    (" 18 - 24 , 25+ ", [(18, 24), (25, None)]),
])
def test_age_groups_are_read_the_way_people_write_them(text, groups):
    assert mapping.parse_age_groups(text) == groups
    assert mapping.parse_age_groups(mapping.format_age_groups(groups)) == groups


@pytest.mark.parametrize(("text", "code"), [
    ("", "no_age_groups"), ("29-16", "bad_age_group"), ("16-29, 65+, 70-80", "age_groups_overlap"),
    ("sixteen", "bad_age_group"),
])
def test_bad_age_groups_say_why(text, code):
    with pytest.raises(mapping.MappingError) as caught:
        mapping.parse_age_groups(text)
    assert caught.value.problems[0][0] == code
