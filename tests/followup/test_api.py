"""The read API: who sees which indicators, the figures as stored, CSV, OpenAPI, errors.

The demo (two weighted waves) is loaded once into a database of its own, because the
shared test database is emptied after every test; tests on the demo only read (and mark
tokens as used). Tests of access rules build small frameworks in the shared database.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from types import SimpleNamespace

import pytest
from flask_babel import force_locale, gettext
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate
from sqlalchemy import select

from surveys import create_app
from surveys.auth.models import Organisation
from surveys.core.roles import Role
from surveys.extensions import db, limiter
from surveys.followup import queries, services
from surveys.followup.api_figures import CSV_COLUMNS
from surveys.followup.models import ApiToken
from surveys.followup.services import create_token, revoke
from surveys.followup.values import IndicatorSeries
from tests.support.analysis import demo_framework
from tests.conftest import app_config

from .conftest import demo_database

#: Made non-public in the demo, to check they stay hidden.
HIDDEN = ("tillit_skola", "tillit_vard")
#: The new token as the page shows it, in a read-only text box.
TOKEN_IN_PAGE = re.compile(r'id="new-token"[^>]*value="([A-Za-z0-9_-]+)"')
#: A group size that suppresses the demo's smaller groups (years in Sweden, some districts).
MIN_GROUP_SIZE = 60


@pytest.fixture(scope="module")
def demo(demo_snapshots):
    """The demo in its own database, with two hidden indicators, stricter disclosure rules,
    a token of its own organisation, a revoked one, and a token of another organisation."""
    with demo_database(demo_snapshots, "api") as app:
        with app.app_context():
            data = _prepare(app)
        yield data


def _prepare(app) -> SimpleNamespace:
    """Hide two indicators, tighten the rules, make the tokens."""
    framework = demo_framework()
    for definition in framework.indicators:
        definition.public = definition.key not in HIDDEN
    framework.min_group_size = MIN_GROUP_SIZE
    assert services.refresh(framework) == []
    other = Organisation(name="Annanby kommun")
    db.session.add(other)
    db.session.flush()
    _, own_secret = create_token(framework.organisation_id, "Öppna data", None)
    revoked, revoked_secret = create_token(framework.organisation_id, "Gammal", None)
    revoke(revoked)
    _, other_secret = create_token(other.id, "Annanbys portal", None)
    db.session.commit()
    return SimpleNamespace(
        app=app, slug=framework.slug, own=own_secret, revoked=revoked_secret,
        other=other_secret, keys=[d.key for d in framework.indicators],
        years=[w.year for w in framework.waves])


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def demo_series(demo) -> dict[str, IndicatorSeries]:
    """What the dashboard reads: `queries.series_for` over every indicator."""
    framework = demo_framework()
    return {s.definition.key: s for s in queries.series_for(framework)}


def rounded(estimate: dict, decimals: int | None) -> dict:
    """A stored estimate as the API states it: shares to `decimals` decimals."""
    if decimals is None:
        return estimate
    return {k: round(v, decimals) if k in ("value", "se", "ci_low", "ci_high")
            and isinstance(v, float) else v for k, v in estimate.items()}


def parse_csv(body: bytes, delimiter: str = ",") -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"), newline=""),
                               delimiter=delimiter))


# -- who sees what ------------------------------------------------------------------------------
def test_anyone_reads_the_public_indicators_of_a_published_framework(demo):
    client = demo.app.test_client()
    public = [k for k in demo.keys if k not in HIDDEN]

    listing = client.get(f"/api/v1/frameworks/{demo.slug}/indicators")
    assert listing.status_code == 200
    assert listing.json["access"] == "public"
    assert [i["key"] for i in listing.json["indicators"]] == public
    assert listing.headers["Cache-Control"] == "public, max-age=300"
    assert "Authorization" in listing.headers["Vary"]
    assert "Set-Cookie" not in listing.headers

    structure = client.get(f"/api/v1/frameworks/{demo.slug}").json
    listed = [key for area in structure["focus_areas"] for goal in area["goals"]
              for g in [goal, *goal["subgoals"]] for key in g["indicators"]]
    assert sorted(listed) == sorted(public)
    assert structure["waves"] == demo.years
    assert structure["disclosure"] == {"min_group_size": MIN_GROUP_SIZE, "max_rse": 0.3}
    assert structure["title"]["sv"] and structure["title"]["ar"]

    hidden = client.get(f"/api/v1/frameworks/{demo.slug}/indicators/{HIDDEN[0]}")
    assert hidden.status_code == 404
    assert hidden.json["error"]["code"] == "indicator_not_found"
    rows = parse_csv(client.get(f"/api/v1/frameworks/{demo.slug}/indicators.csv").data)
    assert {r["indicator"] for r in rows} == set(public)


def test_a_token_of_the_organisation_opens_every_indicator_and_is_never_cached(demo, capsys):
    client = demo.app.test_client()
    capsys.readouterr()
    response = client.get(f"/api/v1/frameworks/{demo.slug}/indicators", headers=bearer(demo.own))
    assert response.status_code == 200
    assert response.json["access"] == "organisation"
    assert [i["key"] for i in response.json["indicators"]] == demo.keys
    assert response.headers["Cache-Control"] == "no-store"
    hidden = client.get(f"/api/v1/frameworks/{demo.slug}/indicators/{HIDDEN[0]}",
                        headers=bearer(demo.own))
    assert hidden.status_code == 200 and hidden.json["indicator"]["public"] is False
    with demo.app.app_context():
        used = db.session.scalar(select(ApiToken).where(ApiToken.name == "Öppna data"))
    # the read wrote nothing; the request log says which token read
    logged = [json.loads(line) for line in capsys.readouterr().err.splitlines()
              if line.startswith("{") and '"route"' in line]
    assert [line["api_token"] for line in logged] == [used.id, used.id]


def test_a_token_of_another_organisation_sees_no_more_than_anyone(demo):
    client = demo.app.test_client()
    response = client.get(f"/api/v1/frameworks/{demo.slug}/indicators",
                          headers=bearer(demo.other))
    assert response.status_code == 200
    assert response.json["access"] == "public"
    assert not {i["key"] for i in response.json["indicators"]} & set(HIDDEN)
    assert response.headers["Cache-Control"] == "no-store"
    hidden = client.get(f"/api/v1/frameworks/{demo.slug}/indicators/{HIDDEN[1]}",
                        headers=bearer(demo.other))
    assert hidden.status_code == 404


@pytest.mark.parametrize("header", [
    "revoked", "Bearer " + "A" * 43, "Bearer", "Bearer not a token!", "Basic dXNlcjpwdw==",
])
def test_a_revoked_unknown_or_malformed_token_is_refused_with_401(demo, header):
    client = demo.app.test_client()
    value = f"Bearer {demo.revoked}" if header == "revoked" else header
    response = client.get(f"/api/v1/frameworks/{demo.slug}/indicators?lang=en",
                          headers={"Authorization": value})
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.headers["Cache-Control"] == "no-store"
    assert response.json["error"]["code"] == "invalid_token"
    assert "token" in response.json["error"]["message"]


# -- the figures ------------------------------------------------------------------------------
def test_the_figures_are_exactly_what_the_dashboard_reads(demo):
    client = demo.app.test_client()
    listing = client.get(f"/api/v1/frameworks/{demo.slug}/indicators",
                         headers=bearer(demo.own)).json
    with demo.app.app_context():
        expected = demo_series(demo)
    assert [i["key"] for i in listing["indicators"]] == list(expected)
    for item in listing["indicators"]:
        series = expected[item["key"]]
        assert [w["year"] for w in item["waves"]] == [w.year for w in series.waves]
        assert len(item["waves"]) >= 2
        assert item["decimals"] == (4 if item["kind"] == "share" else None)
        for got, wave in zip(item["waves"], series.waves, strict=True):
            stored = rounded(wave.overall.to_dict(), item["decimals"])
            assert got["overall"] == {k: stored[k] for k in got["overall"]}
            assert "groups" not in got  # the list stays small: groups are in the detail
        follow = series.follow_up.to_dict()
        assert item["follow_up"]["status"] == follow["status"]
        assert item["follow_up"]["since_previous"]["p_value"] == \
            follow["overall"]["since_previous"]["p_value"]
        assert item["target"] == series.definition.definition["target"]

    key = "tillit_manniskor"
    detail = client.get(f"/api/v1/frameworks/{demo.slug}/indicators/{key}").json["indicator"]
    series = expected[key]
    for got, wave in zip(detail["waves"], series.waves, strict=True):
        stored = wave.to_dict()
        groups = [(g["variable"], g["group"], g["value"], g["n"]) for g in got["groups"]]
        assert groups == [(v, e["group"], rounded(e, 4)["value"], e["n"])
                          for v, es in stored["groups"].items() for e in es]
        assert [(g["variable"], g["minuend"], g["value"], g["p_value"]) for g in got["gaps"]] \
            == [(g["variable"], g["minuend"], rounded(g, 4)["value"], g["p_value"])
                for g in stored["gaps"]]
    assert {g["variable"] for g in detail["follow_up"]["gaps"]} == {"born", "gender"}


def test_suppressed_groups_are_blank_in_json_and_csv_with_the_reason(demo):
    client = demo.app.test_client()
    with demo.app.app_context():
        series = demo_series(demo)["tillit_manniskor"]
    latest = series.waves[-1]
    small = [e for es in latest.groups.values() for e in es if e.suppressed]
    assert small, "the stricter rule suppresses some of the demo's groups"
    shown = [e for es in latest.groups.values() for e in es if not e.suppressed]
    assert all(e.n >= MIN_GROUP_SIZE for e in shown)

    detail = client.get(f"/api/v1/frameworks/{demo.slug}/indicators/tillit_manniskor").json
    wave = next(w for w in detail["indicator"]["waves"] if w["year"] == latest.year)
    for estimate in small:
        got = next(g for g in wave["groups"]
                   if g["variable"] == estimate.variable and g["group"] == estimate.group)
        assert got["suppressed"] == estimate.suppressed
        assert got["value"] is got["n"] is got["ci_low"] is got["se"] is None

    rows = parse_csv(client.get(f"/api/v1/frameworks/{demo.slug}/indicators.csv").data)
    for estimate in small:
        row = next(r for r in rows if r["indicator"] == "tillit_manniskor"
                   and r["year"] == str(latest.year) and r["row_type"] == "group"
                   and r["variable"] == estimate.variable and r["group"] == estimate.group)
        assert row["suppressed"] == estimate.suppressed
        assert row["value"] == row["n"] == row["ci_low"] == row["ci_high"] == ""


def test_the_csv_is_one_row_per_indicator_wave_and_group_and_parses(demo):
    client = demo.app.test_client()
    response = client.get(f"/api/v1/frameworks/{demo.slug}/indicators.csv?lang=en",
                          headers=bearer(demo.own))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.count(b"\r\n") >= 2
    rows = parse_csv(response.data)
    assert tuple(rows[0]) == CSV_COLUMNS
    with demo.app.app_context():
        expected = demo_series(demo)
        trust_title = expected["tillit_manniskor"].definition.title["en"]
    wanted = sum(1 + sum(len(es) for es in w.groups.values()) + len(w.gaps)
                 for s in expected.values() for w in s.waves)
    assert len(rows) == wanted
    assert {r["row_type"] for r in rows} == {"overall", "group", "gap"}

    trust = expected["tillit_manniskor"]
    overall = next(r for r in rows if r["indicator"] == "tillit_manniskor"
                   and r["row_type"] == "overall" and r["year"] == str(trust.waves[-1].year))
    assert overall["title"] == trust_title
    assert overall["variable"] == overall["group"] == ""
    assert float(overall["value"]) == round(trust.waves[-1].overall.value, 4)
    assert int(overall["n"]) == trust.waves[-1].overall.n
    gap = next(r for r in rows if r["row_type"] == "gap" and r["variable"] == "born")
    assert (gap["group"], gap["compared_with"]) == ("utrikes", "inrikes")
    register = [r for r in rows if r["indicator"] == "forvarvsfrekvens_utrikes"]
    assert register and all(r["se"] == "" and r["source"] for r in register)

    semicolon = client.get(f"/api/v1/frameworks/{demo.slug}/indicators.csv?dialect=semicolon",
                           headers=bearer(demo.own))
    swedish = parse_csv(semicolon.data, delimiter=";")
    assert len(swedish) == len(rows)
    first = next(r for r in swedish if r["indicator"] == "tillit_manniskor"
                 and r["row_type"] == "overall" and r["year"] == overall["year"])
    assert "," in first["value"] and "." not in first["value"]
    assert float(first["value"].replace(",", ".")) == float(overall["value"])

    as_format = client.get(f"/api/v1/frameworks/{demo.slug}/indicators?format=csv&lang=en",
                           headers=bearer(demo.own))
    assert as_format.data == response.data


def test_an_unknown_format_or_dialect_is_a_400_in_json(demo):
    client = demo.app.test_client()
    for url in ("indicators?format=xml", "indicators.csv?dialect=tab"):
        response = client.get(f"/api/v1/frameworks/{demo.slug}/{url}")
        assert response.status_code == 400
        assert response.json["error"]["code"].startswith("unknown_")


# -- unpublished frameworks, unknown addresses, languages -----------------------------------------
@pytest.fixture
def frameworks(app, make_org):
    """Two organisations with a framework from the template (no waves) and a token each."""

    def make(published: bool) -> SimpleNamespace:
        orgs = [make_org(), make_org()]
        with app.app_context():
            made = []
            for org in orgs:
                framework = services.create_from_template(db.session.get(Organisation,
                                                                               org.id))
                framework.published = published
                _, secret = create_token(org.id, "Portal", None)
                made.append((framework.slug, secret))
            db.session.commit()
        return SimpleNamespace(slug=made[0][0], own=made[0][1], other=made[1][1])

    return make


def test_an_unpublished_framework_is_only_found_with_its_organisations_token(client, frameworks):
    made = frameworks(published=False)
    url = f"/api/v1/frameworks/{made.slug}"
    for headers in ({}, bearer(made.other)):
        response = client.get(url, headers=headers)
        assert response.status_code == 404
        assert response.json["error"]["code"] == "framework_not_found"
    unknown = client.get("/api/v1/frameworks/no-such-municipality")
    assert unknown.json == client.get(url).json  # an unpublished framework looks unknown
    own = client.get(url, headers=bearer(made.own))
    assert own.status_code == 200 and own.json["published"] is False
    listing = client.get(f"{url}/indicators", headers=bearer(made.own)).json
    assert listing["indicators"] and all(i["waves"] == [] for i in listing["indicators"])


def test_unknown_addresses_and_methods_answer_in_json(client, frameworks):
    made = frameworks(published=True)
    for url, code in ((f"/api/v1/frameworks/{made.slug}/indicators/nope", "indicator_not_found"),
                      ("/api/v1/frameworks/nope/indicators", "framework_not_found"),
                      ("/api/v1/no/such/thing", "not_found")):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.is_json and response.json["error"]["code"] == code
    written = client.post(f"/api/v1/frameworks/{made.slug}/indicators")
    assert written.status_code == 405 and written.headers["Allow"] == "GET, HEAD"
    assert written.json["error"]["code"] == "method_not_allowed"


def test_error_messages_follow_lang_then_accept_language(app, client):
    url = "/api/v1/no-such-page"
    text = "The page could not be found. Check the address."
    with app.test_request_context():
        expected = {}
        for code in ("ar", "sv", "en"):
            with force_locale(code):
                expected[code] = gettext(text)
    assert expected["ar"] != expected["sv"]

    def message(query: str = "", language: str | None = None) -> str:
        headers = {"Accept-Language": language} if language else {}
        response = client.get(url + query, headers=headers)
        assert "Set-Cookie" not in response.headers  # the API keeps no session
        return response.json["error"]["message"]

    assert message("?lang=ar") == expected["ar"]
    assert message("?lang=ar", "en") == expected["ar"]
    assert message("", "en-GB,en;q=0.8") == expected["en"]
    assert message() == expected["sv"]
    assert message("?lang=xx", "en") == expected["en"]


# -- the description ------------------------------------------------------------------------------
def test_openapi_document_is_valid_and_describes_every_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json
    validate(spec)  # raises on an invalid OpenAPI 3.1 document
    assert spec["openapi"].startswith("3.1")
    routes = {rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}")
              for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.unknown"}
    assert routes == set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"
    for path, item in spec["paths"].items():
        if path != "/openapi.json":
            assert "404" in item["get"]["responses"], path
            if item["get"]["security"] != [{}]:  # open to tokens: say what a bad one gets
                assert "401" in item["get"]["responses"], path
    assert "semicolon" in spec["info"]["description"]


def test_the_answers_match_the_schemas_the_document_gives(demo):
    client = demo.app.test_client()
    spec = client.get("/api/v1/openapi.json").json

    def check(url: str, schema: str) -> None:
        root = {"$ref": f"#/components/schemas/{schema}", "components": spec["components"]}
        response = client.get(url, headers=bearer(demo.own))
        assert response.status_code == 200, url
        errors = list(OAS31Validator(root).iter_errors(response.json))
        assert not errors, (url, [e.message for e in errors[:3]])

    base = f"/api/v1/frameworks/{demo.slug}"
    check(base, "Framework")
    check(f"{base}/indicators", "IndicatorList")
    check(f"{base}/indicators/tillit_manniskor", "IndicatorResponse")
    check(f"{base}/indicators/forvarvsfrekvens_utrikes", "IndicatorResponse")
    error = client.get(f"{base}/indicators/nope")
    root = {"$ref": "#/components/schemas/Error", "components": spec["components"]}
    assert not list(OAS31Validator(root).iter_errors(error.json))
    assert not OAS31Validator(root).is_valid({"error": {"code": "x"}})  # the check can fail


def test_requests_are_rate_limited_per_token_or_address(database_url, make_org):
    app = create_app(app_config(database_url, RATELIMIT_ENABLED=True,
                                API_RATE_LIMIT="3 per minute"))
    org = make_org()
    with app.app_context():
        framework = services.create_from_template(db.session.get(Organisation, org.id))
        _, secret = create_token(org.id, "Portal", None)
        db.session.commit()
        slug = framework.slug
    client = app.test_client()
    limiter.reset()
    statuses = [client.get(f"/api/v1/frameworks/{slug}").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]
    limited = client.get(f"/api/v1/frameworks/{slug}?lang=en")
    assert limited.json["error"]["code"] == "rate_limited"
    assert limited.mimetype == "application/problem+json"
    assert (limited.json["status"], limited.json["title"]) == (429, "Too Many Requests")
    assert int(limited.headers["Retry-After"]) > 0
    assert client.get(f"/api/v1/frameworks/{slug}", headers=bearer(secret)).status_code == 200
    with app.app_context():
        db.engine.dispose()


# -- the token pages ------------------------------------------------------------------------------
def test_an_admin_creates_a_token_that_is_shown_once_and_stored_as_a_hash(
        app, client, make_org, login):
    org = make_org()
    with app.app_context():
        slug = services.create_from_template(db.session.get(Organisation, org.id)).slug
        db.session.commit()
    login(client, org, Role.admin)
    assert client.get("/followup/tokens/").status_code == 200

    created = client.post_form("/followup/tokens/", {"name": "Öppna data-portalen"})
    assert created.status_code == 200
    assert created.headers["Cache-Control"] == "no-store"
    secret = TOKEN_IN_PAGE.search(created.get_data(as_text=True)).group(1)
    with app.app_context():
        token = db.session.scalar(select(ApiToken).where(ApiToken.organisation_id == org.id))
        assert token.name == "Öppna data-portalen"
        assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
        assert token.token_hash != secret
    again = client.get("/followup/tokens/").get_data(as_text=True)
    assert "Öppna data-portalen" in again and secret not in again

    api = client.get(f"/api/v1/frameworks/{slug}", headers=bearer(secret))
    assert api.status_code == 200 and api.json["access"] == "organisation"
    assert "Never" not in client.get("/followup/tokens/?lang=en").get_data(as_text=True)


def test_a_token_needs_a_name(client, make_org, login):
    login(client, make_org(), Role.admin)
    response = client.post_form("/followup/tokens/", {"name": "  "})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [Role.analyst, Role.author, Role.facilitator])
def test_only_admins_manage_tokens(client, make_org, login, role):
    login(client, make_org(), role)
    assert client.get("/followup/tokens/").status_code == 403
    assert client.post_form("/followup/tokens/", {"name": "x"}).status_code == 403


def test_tokens_pages_need_a_login(client):
    response = client.get("/followup/tokens/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_revoked_token_stops_working_and_other_organisations_cannot_revoke_it(
        app, client, make_client, make_org, login):
    org, other = make_org(), make_org()
    with app.app_context():
        slug = services.create_from_template(db.session.get(Organisation, org.id)).slug
        token, secret = create_token(org.id, "Portal", None)
        db.session.commit()
        token_id = token.id
    assert client.get(f"/api/v1/frameworks/{slug}", headers=bearer(secret)).status_code == 200

    stranger = login(make_client(), other, Role.admin)
    assert stranger.post_form(f"/followup/tokens/{token_id}/revoke").status_code == 404
    assert client.get(f"/api/v1/frameworks/{slug}", headers=bearer(secret)).status_code == 200

    login(client, org, Role.admin)
    page = client.get("/followup/tokens/").get_data(as_text=True)
    assert f"/followup/tokens/{token_id}/revoke" in page
    revoked = client.post_form(f"/followup/tokens/{token_id}/revoke")
    assert revoked.status_code == 302
    with app.app_context():
        assert db.session.get(ApiToken, token_id).revoked_at is not None
    page = client.get("/followup/tokens/").get_data(as_text=True)
    assert f"/followup/tokens/{token_id}/revoke" not in page
    refused = client.get(f"/api/v1/frameworks/{slug}", headers=bearer(secret))
    assert refused.status_code == 401
