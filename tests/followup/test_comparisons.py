"""Comparisons: register indicators from Kolada (a local server in Kolada's format) beside
the county, Sweden and a group; survey indicators beside sharing organisations'; tenancy."""

from __future__ import annotations


import pytest
from sqlalchemy import select

from surveys.auth.models import Organisation
from surveys.core.roles import Role
from surveys.extensions import db
from surveys.followup.models import (
    ComparisonSettings,
    Framework,
    IndicatorDefinition,
    RegisterComparison,
)
from surveys.followup.comparisons import set_kpi
from surveys.followup.queries import series_for
from tests.support.analysis import demo_analyst
from tests.support.kolada import KoladaServer
from tests.support.web import page_text as text

REGISTER = "forvarvsfrekvens_utrikes"


@pytest.fixture(scope="module")
def kolada():
    with KoladaServer() as server:
        yield server


@pytest.fixture
def demo(app, restore_demo, kolada, monkeypatch):
    """The small demo, as Göteborg (1480, which the local Kolada knows)."""
    restore_demo(respondents=500)
    kolada.mode = "ok"
    kolada.seen.clear()
    monkeypatch.setitem(app.config, "KOLADA_URL", kolada.url)
    monkeypatch.setitem(app.config, "KOLADA_TIMEOUT", 2.0)
    with app.app_context():
        framework = own_framework()
        framework.organisation.municipality_code = "1480"
        db.session.commit()
        return {"register": indicator(REGISTER).id, "slug": framework.slug,
                "area": indicator(REGISTER).goal.focus_area.key,
                "trust_area": indicator("tillit_manniskor").goal.focus_area.key}


@pytest.fixture
def analyst(client, demo):
    return demo_analyst(client)


def own_framework() -> Framework:
    return db.session.scalar(select(Framework).join(Organisation).where(
        Organisation.name == "Exempelby kommun", Framework.is_default))


def neighbour_framework() -> Framework:
    return db.session.scalar(select(Framework).join(Organisation).where(
        Organisation.name == "Grannby kommun"))


def indicator(key: str, framework: Framework | None = None) -> IndicatorDefinition:
    framework = framework or own_framework()
    return next(d for d in framework.indicators if d.key == key)


def link_and_fetch(analyst, demo, group: str = "G124026", members: bool = True):
    settings = {"group_id": group, "share_survey": "y"}
    if members:
        settings["show_members"] = "y"
    assert analyst.post_form("/followup/comparisons", settings).status_code == 303
    reply = analyst.post_form(f"/followup/comparisons/indicators/{demo['register']}",
                              {f"i{demo['register']}-kpi": "N00914",
                               f"i{demo['register']}-gender": "T"})
    assert reply.status_code == 303
    return analyst.post_form("/followup/comparisons/fetch", {}, follow_redirects=True)


def test_fetching_takes_the_values_and_the_comparisons_from_kolada(app, analyst, demo,
                                                                   kolada):
    page = text(link_and_fetch(analyst, demo))
    # Göteborg has no 2025 value, though the others have: said, not an error
    assert "no value of N00914 for the organisation in 2025" in page
    with app.app_context():
        definition = indicator(REGISTER)
        assert definition.register_series["values"] == {"2021": 76.0, "2022": 76.5,
                                                         "2023": 77.0, "2024": 77.5}
        assert definition.register_series["source"] == "Kolada N00914"
        link = db.session.scalar(select(RegisterComparison))
        assert {a["role"]: a["name"] for a in link.areas} == {
            "own": "Göteborg", "county": "Region Västra Götaland", "country": "Riket",
            "group": "Liknande kommuner, arbetsmarknad, Göteborg", "member": "Stockholm"}
        assert link.fetched_at is not None
        settings = db.session.scalar(select(ComparisonSettings).where(
            ComparisonSettings.framework_id == own_framework().id))
        assert [m["id"] for m in settings.group_members] == ["1280", "0180"]
    kolada.seen.clear()
    # pages and the API only read what was kept
    dashboard = analyst.get(f"/followup/areas/{demo['area']}")
    assert dashboard.status_code == 200
    shown = text(dashboard)
    assert "Compared with others, 2024" in shown
    assert "Region Västra Götaland" in shown and "Malmö" in shown and "Stockholm" in shown
    assert "Circle and dashed vertical line: Exempelby kommun" in shown
    api = analyst.get(f"/api/v1/frameworks/{demo['slug']}/indicators/{REGISTER}").get_json()
    entries = api["indicator"]["comparisons"]
    county = next(e for e in entries if e["role"] == "county" and e["year"] == 2024)
    assert county == {"role": "county", "area_code": "0014", "name": "Region Västra Götaland",
                      "year": 2024, "value": 81.5, "se": None, "ci_low": None,
                      "ci_high": None, "n": None, "difference": {
                          "value": -4.0, "se": None, "ci_low": None, "ci_high": None,
                          "z": None, "p_value": None, "significant": None}}
    assert {e["area_code"] for e in entries} == {"0014", "0000", "G124026", "1280", "0180"}
    filtered = analyst.get(f"/api/v1/frameworks/{demo['slug']}/indicators?year=2023"
                           f"&indicator={REGISTER}").get_json()
    assert {e["year"] for e in filtered["indicators"][0]["comparisons"]} == {2023}
    assert kolada.seen == []


@pytest.mark.parametrize(("mode", "message"), [
    ("error", "Kolada refused the request (HTTP 500)"),
    ("garbage", "not in the format its API documents"),
    ("slow", "did not answer within 2 seconds")])
def test_a_failed_fetch_says_why_and_keeps_what_was_there(app, analyst, demo, kolada, mode,
                                                          message):
    link_and_fetch(analyst, demo)
    with app.app_context():
        before = dict(indicator(REGISTER).register_series)
        areas = list(db.session.scalar(select(RegisterComparison)).areas)
    kolada.mode, kolada.delay = mode, 3.0
    reply = analyst.post_form("/followup/comparisons/fetch", {}, follow_redirects=True)
    assert reply.status_code == 200 and message in text(reply)
    with app.app_context():
        assert dict(indicator(REGISTER).register_series) == before
        assert db.session.scalar(select(RegisterComparison)).areas == areas


def test_unknown_kpi_bad_ids_and_a_group_without_values(app, analyst, demo, kolada):
    bad = analyst.post_form("/followup/comparisons", {"group_id": "Göteborg"})
    assert bad.status_code == 400 and "G and digits" in text(bad)
    bad = analyst.post_form(f"/followup/comparisons/indicators/{demo['register']}",
                            {f"i{demo['register']}-kpi": "1480"})
    assert bad.status_code == 400 and "a letter and five digits" in text(bad)
    assert analyst.post_form(f"/followup/comparisons/indicators/{demo['register']}",
                             {f"i{demo['register']}-kpi": "N12345"}).status_code == 303
    page = text(analyst.post_form("/followup/comparisons/fetch", {}, follow_redirects=True))
    assert "Kolada has no key figure N12345" in page
    kolada.groups.append({"id": "G1", "title": "Tom grupp", "members": []})
    try:
        page = text(link_and_fetch(analyst, demo, group="G1", members=False))
    finally:
        kolada.groups.pop()
    assert "Kolada has no values of N00914 for G1: it is left out" in page
    with app.app_context():
        assert indicator(REGISTER).register_series["source"] == "Kolada N00914"


def test_the_organisation_needs_a_municipality_code(app, analyst, demo):
    with app.app_context():
        own_framework().organisation.municipality_code = None
        db.session.commit()
    analyst.post_form(f"/followup/comparisons/indicators/{demo['register']}",
                      {f"i{demo['register']}-kpi": "N00914"})
    page = text(analyst.post_form("/followup/comparisons/fetch", {}, follow_redirects=True))
    assert "has no municipality code" in page


def test_the_command_fetches_and_reports(app, runner, demo, kolada):
    with app.app_context():
        set_kpi(db.session.get(IndicatorDefinition, demo["register"]), "N00914")
        db.session.commit()
    result = runner.invoke(args=["kolada", "fetch", "--organisation", "Exempelby kommun"])
    assert result.exit_code == 0, result.output
    assert "Fetched the comparisons" in result.output
    assert "kolada_missing_years" in result.output
    result = runner.invoke(args=["kolada", "groups", "Göteborg"])
    assert "G124026\tLiknande kommuner, arbetsmarknad, Göteborg (2 members)" in result.output
    kolada.mode = "error"
    result = runner.invoke(args=["kolada", "fetch", "--organisation", "Exempelby kommun"])
    assert result.exit_code != 0 and "kolada_refused" in result.output


# -- survey indicators of organisations that share -------------------------------------------
def trust_comparisons(client, slug: str) -> list[dict]:
    reply = client.get(f"/api/v1/frameworks/{slug}/indicators/tillit_manniskor")
    assert reply.status_code == 200
    return reply.get_json()["indicator"]["comparisons"]


def test_the_demo_compares_trust_with_the_sharing_neighbour(app, client, demo):
    (entry,) = trust_comparisons(client, demo["slug"])
    assert entry["role"] == "organisation" and entry["name"] == "Grannby kommun"
    assert entry["area_code"] == "9998" and entry["n"] > 100
    with app.app_context():
        ours = next(s for s in series_for(own_framework())
                    if s.definition.key == "tillit_manniskor")
        latest = ours.latest.overall
    assert entry["year"] == ours.latest.year
    diff = entry["difference"]
    assert diff["value"] == pytest.approx(round(latest.value - entry["value"], 4), abs=2e-4)
    se = (latest.se ** 2 + entry["se"] ** 2) ** 0.5
    assert diff["se"] == pytest.approx(se, abs=1e-4)
    assert 0 <= diff["p_value"] <= 1 and diff["ci_low"] < diff["value"] < diff["ci_high"]
    page = text(client.get(f"/indicators/{demo['slug']}/{demo['trust_area']}?lang=en"))
    assert "Grannby kommun" in page and "Other organisation" in page


def test_no_figure_of_an_organisation_that_does_not_share_leaks(app, client, demo):
    with app.app_context():
        neighbour = neighbour_framework()
        trust = indicator("tillit_manniskor", neighbour)
        trust.public = False  # only public indicators are shared
        db.session.commit()
    assert trust_comparisons(client, demo["slug"]) == []
    with app.app_context():
        indicator("tillit_manniskor", neighbour_framework()).public = True
        settings = db.session.scalar(select(ComparisonSettings).where(
            ComparisonSettings.framework_id == neighbour_framework().id))
        settings.share_survey = False
        db.session.commit()
    assert trust_comparisons(client, demo["slug"]) == []
    body = client.get(f"/api/v1/frameworks/{demo['slug']}/indicators").get_data(as_text=True)
    assert "Grannby" not in body
    page = client.get(f"/indicators/{demo['slug']}/{demo['trust_area']}?lang=en")
    assert "Grannby" not in page.get_data(as_text=True)


def test_only_an_organisation_that_shares_sees_others(app, client, demo):
    with app.app_context():
        settings = db.session.scalar(select(ComparisonSettings).where(
            ComparisonSettings.framework_id == own_framework().id))
        settings.share_survey = False
        db.session.commit()
    assert trust_comparisons(client, demo["slug"]) == []


def test_a_different_definition_is_not_compared(app, client, demo):
    with app.app_context():
        trust = indicator("tillit_manniskor", neighbour_framework())
        trust.definition = {**trust.definition, "values": [9, 10]}
        db.session.commit()
    assert trust_comparisons(client, demo["slug"]) == []


# -- tenancy ----------------------------------------------------------------------------------
ROUTES = {"followup.comparisons_page", "followup.comparison_kpi", "followup.fetch_comparisons"}


def test_every_comparison_route_is_tested_here(app):
    found = {r.endpoint for r in app.url_map.iter_rules() if "/comparisons" in r.rule}
    assert found == ROUTES


def test_another_organisation_cannot_touch_the_comparisons(app, demo, make_org, make_client,
                                                           login, kolada):
    other_org = make_org()
    other = make_client()
    login(other, other_org, Role.admin)
    before = snapshot(app)
    url = f"/followup/comparisons/indicators/{demo['register']}"
    reply = other.post_form(url, {f"i{demo['register']}-kpi": "N00914"})
    assert reply.status_code == 404
    # without a framework of its own there is nothing to set or fetch
    assert other.get("/followup/comparisons").status_code == 404
    assert other.post_form("/followup/comparisons", {"share_survey": "y"}).status_code == 404
    assert other.post_form("/followup/comparisons/fetch", {}).status_code == 404
    assert snapshot(app) == before and kolada.seen == []
    # roles: a facilitator of the demo may not use them
    facilitator = make_client()
    facilitator.get("/login?lang=en")
    facilitator.post_form("/login", {"email": "facilitator@exempelby.se",
                                     "password": "demo-facilitator-2026"})
    assert facilitator.get("/followup/comparisons").status_code == 403
    assert facilitator.post_form(url, {f"i{demo['register']}-kpi": "N00914"}
                                 ).status_code == 403
    assert snapshot(app) == before


def test_a_page_view_never_writes_or_fetches(app, analyst, demo, kolada):
    link_and_fetch(analyst, demo)
    kolada.seen.clear()
    before = snapshot(app)
    for url in ("/followup/comparisons", f"/followup/areas/{demo['area']}",
                f"/followup/indicators/{demo['register']}",
                f"/api/v1/frameworks/{demo['slug']}/indicators"):
        assert analyst.get(url).status_code == 200, url
    assert snapshot(app) == before and kolada.seen == []


def snapshot(app) -> dict:
    with app.app_context():
        return {name: sorted(repr(tuple(row)) for row in db.session.execute(
            select(db.metadata.tables[name]))) for name in (
            "comparison_settings", "register_comparisons", "indicators")}


def test_the_demo_is_refused_when_its_neighbour_is_in_the_way(app, runner):
    with app.app_context():
        db.session.add(Organisation(name="Grannby kommun"))
        db.session.commit()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0 and "Grannby kommun) is in the way" in result.output
    with app.app_context():
        assert db.session.scalar(select(Organisation).where(
            Organisation.name == "Exempelby kommun")) is None
