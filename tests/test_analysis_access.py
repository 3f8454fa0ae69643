"""Only analysts (and admins) weight, and never another organisation's surveys, margins or runs.

Every /analysis route is tried, route by route: by authors and facilitators (403), by an
analyst of another organisation with form data that works for the owner (404, nothing
changes), and by the owner (it works, so the refusals are not a form problem). A new
/analysis route without a case here fails the test.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from flask import url_for

from surveys.core.roles import Role
from surveys.extensions import db
from surveys.runs import services as run_svc
from surveys.runs.mapping import code_field, default_scheme, field, format_age_groups
from surveys.runs.services import import_csv
from surveys.runs.weighing import RunSettings
from surveys.survey.models import Survey
from tests.support.analysis import DEMO_CSV, add_responses
from tests.support.manage import snapshot, staff

_RNG = np.random.default_rng(7)
#: Forty respondents: (year of birth, gender, country of birth, district).
PEOPLE = [(int(2026 - age), str(g), str(b), str(d)) for age, g, b, d in zip(
    _RNG.integers(16, 85, 40), _RNG.choice(["woman", "man"], 40),
    _RNG.choice(["sweden", "europe", "outside_europe"], 40, p=[0.7, 0.15, 0.15]),
    _RNG.choice(["centrum", "norr", "soder", "oster", "vaster"], 40), strict=True)]


def mapping_form(scheme: dict) -> dict:
    """The mapping form as the page fills it, for `scheme`."""
    data = {"count": str(len(scheme["variables"])), "reference_year": ""}
    for i, v in enumerate(scheme["variables"]):
        data |= {field(i, "kind"): v["kind"], field(i, "name"): v["name"],
                 field(i, "question"): v["question"]}
        if v["kind"] == "age_groups":
            data[field(i, "groups")] = format_age_groups(v["groups"])
        else:
            data |= {code_field(i, code): category for code, category in v["codes"].items()}
    return data


def owner_objects(app, org, slug: str, make_survey) -> dict:
    """A survey with responses, a used and a spare margin set, and an approved run."""
    survey_id = make_survey(org, slug=slug)
    add_responses(app, survey_id, [{"answers": {
        "birth_year": year, "gender": g, "born_country": b, "district": d}}
        for year, g, b, d in PEOPLE])
    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        used = import_csv(org.id, None, "Befolkning", "SCB", date(2025, 12, 31),
                          DEMO_CSV.read_bytes())
        spare = import_csv(org.id, None, "Reserv", "SCB", date(2024, 12, 31),
                           DEMO_CSV.read_bytes())
        settings = RunSettings(variables=["age", "gender", "born", "district"])
        run = run_svc.create_run(survey, used, settings, None)
        assert run.error is None, run.error
        run_svc.approve(run, None)
        db.session.commit()
        scheme = default_scheme(survey)
        return {"survey_id": survey_id, "margin_set_id": spare.id, "run_id": run.id,
                "used_margin_set_id": used.id, "scheme": scheme}


#: Per endpoint: form data that works for the owner ("{margins}" is the used margin set).
CASES: dict[str, dict] = {
    "runs.margin_set": {},
    "runs.delete_margins": {},
    "runs.survey": {"margin_set": "{margins}", "variables": ["age", "gender", "born",
                                                                 "district"],
                        "method": "rake", "epsilon": "1e-10", "max_iter": "100",
                        "missing": "error", "unknown": "error"},
    "runs.edit_mapping": {"{mapping}": True},
    "runs.add_variable": {"question": "education", "name": "education"},
    "runs.reset_mapping": {},
    "runs.representation": {},
    "runs.representation_csv": {},
    "runs.run": {},
    "runs.approve": {},
    "runs.withdraw": {},
    "runs.rerun": {},
    "runs.collapse": {"variable": "age", "category": "16-29", "into": "30-44"},
    "runs.export": {},
    "runs.codebook": {},
    "runs.spss_syntax": {},
    "runs.r_script": {},
}
#: Downloads sent as forms (a POST answers with the file, not a redirect).
DOWNLOADS = {"runs.export", "runs.codebook", "runs.spss_syntax", "runs.r_script"}
#: Routes that name no object: their lists and imports are scoped by the organisation.
WITHOUT_OBJECT = {"runs.index", "runs.import_margins_csv",
                  "runs.import_margins_jsonstat"}


def analysis_routes(app) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("runs."):
            routes.setdefault(rule.endpoint, set()).update(rule.methods & {"GET", "POST"})
    return routes


def url_of(app, endpoint: str, objects: dict) -> str:
    with app.test_request_context():
        rule = next(app.url_map.iter_rules(endpoint))
        return url_for(endpoint, **{k: objects[k] for k in rule.arguments})


def form_for(endpoint: str, objects: dict) -> dict:
    data = dict(CASES.get(endpoint, {}))
    if data.pop("{mapping}", False):
        data |= mapping_form(objects["scheme"])
    return {k: (str(objects["used_margin_set_id"]) if v == "{margins}" else v)
            for k, v in data.items()}


def test_every_analysis_route_has_an_access_case(app):
    assert set(analysis_routes(app)) == set(CASES) | WITHOUT_OBJECT


@pytest.fixture
def two_organisations(make_org, make_client, login):
    a, b = make_org("Kommun A"), make_org("Kommun B")
    return (a, staff(make_client(), login, a, Role.analyst),
            b, staff(make_client(), login, b, Role.analyst))


def test_another_organisation_gets_404_on_every_route_and_changes_nothing(
        app, make_survey, two_organisations):
    a, owner, _b, other = two_organisations
    for number, (endpoint, methods) in enumerate(sorted(analysis_routes(app).items())):
        if endpoint in WITHOUT_OBJECT:
            continue
        objects = owner_objects(app, a, f"a-{number}", make_survey)
        url = url_of(app, endpoint, objects)
        for method in sorted(methods):
            before = snapshot(app)
            sent = other.get(url) if method == "GET" else other.post_form(
                url, form_for(endpoint, objects))
            assert sent.status_code == 404, (endpoint, method, sent.status_code)
            assert snapshot(app) == before, (endpoint, method)
        for method in sorted(methods):
            sent = owner.get(url) if method == "GET" else owner.post_form(
                url, form_for(endpoint, objects))
            assert sent.status_code == (200 if method == "GET" or endpoint in DOWNLOADS
                                        else 302), (
                endpoint, method, sent.status_code, sent.get_data(as_text=True)[:500])


@pytest.mark.parametrize("role", [Role.author, Role.facilitator])
def test_staff_who_are_not_analysts_get_403_everywhere(app, make_org, make_survey, client,
                                                       login, role):
    org = make_org()
    objects = owner_objects(app, org, "enkat", make_survey)
    staff(client, login, org, role)
    before = snapshot(app)
    for endpoint, methods in sorted(analysis_routes(app).items()):
        url = url_of(app, endpoint, objects)
        for method in sorted(methods):
            sent = client.get(url) if method == "GET" else client.post_form(
                url, form_for(endpoint, objects))
            assert sent.status_code == 403, (endpoint, method, sent.status_code)
    assert snapshot(app) == before
    assert "/analysis/" not in client.get("/manage/").get_data(as_text=True)


def test_admins_may_weight_and_see_the_link(app, make_org, make_survey, client, login):
    org = make_org()
    objects = owner_objects(app, org, "enkat", make_survey)
    staff(client, login, org, Role.admin)
    assert client.get(f"/analysis/runs/{objects['run_id']}").status_code == 200
    assert 'href="/analysis/"' in client.get("/manage/").get_data(as_text=True)


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_login(app, make_org, make_survey, client):
    org = make_org()
    objects = owner_objects(app, org, "enkat", make_survey)
    reply = client.get(f"/analysis/runs/{objects['run_id']}")
    assert reply.status_code == 302 and "/login" in reply.headers["Location"]


def test_lists_show_only_the_own_organisations_surveys_and_margins(
        app, make_survey, two_organisations):
    a, owner, b, other = two_organisations
    owner_objects(app, a, "kommun-a", make_survey)
    theirs = other.get("/analysis/").get_data(as_text=True)
    assert "Befolkning" not in theirs and "Tillit" not in theirs
    mine = owner.get("/analysis/").get_data(as_text=True)
    assert "Befolkning" in mine and "Reserv" in mine
    # A margin set of A cannot be chosen by B for B's own survey either.
    b_objects = owner_objects(app, b, "kommun-b", make_survey)
    a_margins = owner_objects(app, a, "kommun-a2", make_survey)["used_margin_set_id"]
    before = snapshot(app)
    sent = other.post_form(f"/analysis/surveys/{b_objects['survey_id']}", {
        **form_for("runs.survey", b_objects), "margin_set": str(a_margins)})
    assert sent.status_code == 400
    assert snapshot(app) == before
    assert other.get(f"/analysis/surveys/{b_objects['survey_id']}/representation"
                     f"?margins={a_margins}").status_code == 404
