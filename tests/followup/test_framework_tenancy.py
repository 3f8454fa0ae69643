"""The pages of a framework other than the default (/followup/f/<slug>/...) answer 404 to
another organisation's staff and change nothing, while the same requests work for the
owner. A new route under /followup/f/ without a case here fails the test."""

from __future__ import annotations

import pytest
from flask import url_for
from sqlalchemy import select

from surveys.auth.models import Organisation, User
from surveys.core.roles import Role
from surveys.demo import USERS, email
from surveys.extensions import db
from surveys.followup import services
from surveys.followup.models import Framework

from .conftest import demo_database

PASSWORDS = {role: password for role, _, password in USERS}
OTHER_EMAIL, OTHER_PASSWORD = "analytiker@annanby.se", "annanby-analytiker-2026"

#: endpoint -> (form data for POST, the owner's status for GET, for POST).
CASES = {
    "followup.index": ({}, 200, None),
    "followup.area": ({}, 200, None),
    "followup.indicator": ({}, 200, None),
    "followup.values_csv": ({}, 200, None),
    "followup.new_indicator": ({"key": "x"}, 200, 400),  # the owner's form lacks the rest
    "followup.settings": ({"slug": "{slug}", "min_group_size": "10", "max_rse": "0.3",
                           "groupings": "born, years_in_sweden, gender, age, district",
                           "gaps": "born utrikes inrikes\ngender kvinna man",
                           "published": "y"}, 200, 302),
    "followup.waves": ({"survey_id": "{survey}", "year": "{year}"}, None, 302),
    "followup.report": ({}, 200, None),
    "followup.report_pdf": ({}, None, 303),
    "followup.report_docx": ({}, None, 303),
    "followup.area_summary": ({"text": "Det blev bättre."}, 200, 302),
    "followup.comparisons_page": ({"group_id": "", "share_survey": "y"}, 200, 303),
    "followup.comparison_kpi": ({"i{register}-kpi": "", "i{register}-gender": "T"}, None, 303),
    "followup.fetch_comparisons": ({}, None, 303),
}
#: What these routes could change.
TABLES = ("indicator_frameworks", "focus_areas", "goals", "goal_indicators", "indicators",
          "indicator_waves", "indicator_values", "jobs", "audit_events", "comparison_settings",
          "register_comparisons", "area_summaries")


@pytest.fixture(scope="module")
def demo(demo_snapshots):
    with demo_database(demo_snapshots, "framework_tenancy") as app:
        with app.app_context():
            other = Organisation(name="Annanby kommun")
            user = User(organisation=other, email=OTHER_EMAIL, name="Annanby Analytiker",
                        role=Role.analyst)
            user.set_password(OTHER_PASSWORD)
            db.session.add_all([other, user])
            db.session.flush()
            services.create_from_template(other)  # the other has a framework of its own
            # a register indicator of the programme's own, for its comparison settings
            programme = db.session.scalar(select(Framework).where(
                Framework.organisation_id != other.id, Framework.is_default.is_(False)))
            services.add_indicator(
                programme, "sysselsattning_register", title={"sv": "Sysselsättning"},
                description={}, goal=programme.focus_areas[0].goals[0], public=False,
                definition={"kind": "register", "unit": "percent", "direction": "higher"})
            db.session.commit()
        yield app


def framework_routes(app) -> dict[str, set[str]]:
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/followup/f/"):
            routes.setdefault(rule.endpoint, set()).update(rule.methods & {"GET", "POST"})
    return routes


def test_every_framework_route_has_a_tenancy_case(app):
    assert set(framework_routes(app)) == set(CASES)


def snapshot(app) -> dict[str, list[str]]:
    with app.app_context():
        return {name: sorted(repr(tuple(row)) for row in db.session.execute(
            select(db.metadata.tables[name]))) for name in TABLES}


def client_of(app, login: str, password: str):
    client = app.test_client()
    client.get("/login?lang=en")
    assert client.post_form("/login", {"email": login, "password": password}
                            ).status_code == 302
    return client


def test_another_organisation_gets_404_everywhere_and_changes_nothing(demo):
    with demo.app_context():
        programme = db.session.scalar(select(Framework).join(Organisation).where(
            Organisation.name == "Exempelby kommun", Framework.is_default.is_(False)))
        wave = programme.waves[-1]
        area = programme.focus_areas[-1]
        ids = {"slug": programme.slug, "key": area.key, "survey": wave.survey_id,
               "year": wave.year, "indicator_id": programme.all_indicators()[0].id,
               "register": next(i.id for i in programme.indicators if i.key ==
                                "sysselsattning_register")}
    owner = client_of(demo, email(Role.analyst), PASSWORDS[Role.analyst])
    other = client_of(demo, OTHER_EMAIL, OTHER_PASSWORD)
    routes = framework_routes(demo)
    for endpoint, (data, get_status, post_status) in CASES.items():
        with demo.test_request_context():
            rule = next(demo.url_map.iter_rules(endpoint))
            assert rule.rule.startswith("/followup/f/"), endpoint
            url = url_for(endpoint, **{k: ids["register" if endpoint == "followup.comparison_kpi"
                                            and k == "indicator_id" else k]
                                       for k in rule.arguments})
        form = {k.format(**ids): v.format(**ids) for k, v in data.items()}
        for method in sorted(routes[endpoint]):
            before = snapshot(demo)
            sent = other.get(url) if method == "GET" else other.post_form(url, form)
            assert sent.status_code == 404, (endpoint, method, sent.status_code)
            assert snapshot(demo) == before, (endpoint, method)
        for method in sorted(routes[endpoint]):
            sent = owner.get(url) if method == "GET" else owner.post_form(url, form)
            expected = get_status if method == "GET" else post_status
            assert sent.status_code == expected, (endpoint, method, sent.status_code)
