"""The API's conventions on the demo: problem details, filters, ETags, CORS, group labels,
the organisation and its kommunkod on every indicator, rounded shares; reads write nothing.

Last, schemathesis checks that every answer keeps the OpenAPI document's promises (status
codes, media types, schemas, headers) for generated valid and invalid requests. Examples
are few and derandomized, so the run is short and the same each time."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from sqlalchemy import event

from surveys.extensions import db

from tests.support.analysis import demo_framework

from .conftest import demo_database

PROBLEM_FIELDS = {"type", "title", "status", "detail"}
#: Requests schemathesis generates per operation and mode.
EXAMPLES = 10


@pytest.fixture(scope="module")
def demo(demo_snapshots):
    with demo_database(demo_snapshots, "conventions") as app:
        with app.app_context():
            framework = demo_framework()
            app.config["DEMO"] = {"slug": framework.slug,
                                  "years": [w.year for w in framework.waves],
                                  "groupings": list(framework.groupings)}
        yield app


def base(demo) -> str:
    return f"/api/v1/frameworks/{demo.config['DEMO']['slug']}"


def test_every_error_is_problem_details_in_the_language_asked(demo):
    client = demo.test_client()
    cases = {
        f"{base(demo)}/indicators/nope?lang=en": (
            404, "tag:delaktig.se,2026:problem:indicator_not_found", "Indicator not found"),
        "/api/v1/no/such/thing?lang=en": (404, "about:blank", "Not Found"),
        f"{base(demo)}/indicators?year=20x5&lang=en": (
            400, "tag:delaktig.se,2026:problem:invalid_parameter", "Invalid query parameter"),
        f"{base(demo)}/indicators?format=xml&lang=en": (
            400, "tag:delaktig.se,2026:problem:unknown_format", "Unknown format"),
    }
    for url, (status, kind, title) in cases.items():
        response = client.get(url)
        assert response.status_code == status, url
        assert response.mimetype == "application/problem+json"
        problem = response.json
        assert PROBLEM_FIELDS <= set(problem)
        assert (problem["status"], problem["type"], problem["title"]) == (status, kind, title)
        assert problem["detail"] and problem["detail"] == problem["error"]["message"]
        assert response.headers["Content-Language"] == "en"
    written = client.delete(f"{base(demo)}/indicators")
    assert written.status_code == 405 and written.mimetype == "application/problem+json"
    assert written.headers["Allow"] == "GET, HEAD"
    assert written.json["title"] == "Method Not Allowed"
    arabic = client.get(f"{base(demo)}/indicators?year=1800&lang=ar").json["detail"]
    assert arabic != client.get(f"{base(demo)}/indicators?year=1800&lang=en").json["detail"]


def test_filters_by_year_grouping_and_indicator(demo):
    client = demo.test_client()
    years = demo.config["DEMO"]["years"]
    everything = client.get(f"{base(demo)}/indicators").json["indicators"]
    assert all("groups" not in w for i in everything for w in i["waves"])
    keys = [i["key"] for i in everything][:2]

    one_year = client.get(f"{base(demo)}/indicators?year={years[-1]}&lang=en&group=born"
                          f"&indicator={keys[0]}&indicator={keys[1]}").json["indicators"]
    assert [i["key"] for i in one_year] == keys
    for item in one_year:
        assert [w["year"] for w in item["waves"]] == [years[-1]]
        groups = item["waves"][0]["groups"]
        assert {(g["group"], g["label"]) for g in groups} == {
            ("inrikes", "Born in Sweden"), ("utrikes", "Born abroad")}
        assert {g["variable"] for g in item["waves"][0]["gaps"]} == {"born"}
        assert item["follow_up"]["latest_wave"] == years[-1]  # the follow-up is unfiltered

    detail = client.get(f"{base(demo)}/indicators/tillit_manniskor?group=gender&lang=sv").json
    waves = detail["indicator"]["waves"]
    assert len(waves) == len(years)
    assert {g["variable"] for w in waves for g in w["groups"]} == {"gender"}
    assert {(g["group"], g["label"]) for g in waves[0]["groups"]} >= {("kvinna", "Kvinnor")}
    assert {g["variable"] for g in detail["indicator"]["follow_up"]["groups"]} == {"gender"}

    rows = client.get(f"{base(demo)}/indicators.csv?year={years[0]}&group=born&lang=en"
                      f"&indicator=tillit_manniskor").get_data(as_text=True).splitlines()
    assert len(rows) == 1 + 1 + 2 + 1  # header, overall, two groups, one gap
    assert "Born abroad" in rows[-1] and "Born in Sweden" in rows[-1]

    for query, status in (("year=1800", 400), ("year=soon", 400), ("group=Födda", 400),
                          ("group=income", 404), ("indicator=Tillit!", 400),
                          ("indicator=no_such_key", 404)):
        response = client.get(f"{base(demo)}/indicators?{query}")
        assert response.status_code == status, query
        assert response.mimetype == "application/problem+json"


def test_an_etag_answers_304_when_nothing_changed(demo):
    client = demo.test_client()
    url = f"{base(demo)}/indicators/tillit_manniskor?lang=en"
    first = client.get(url)
    tag = first.headers["ETag"]
    again = client.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == tag
    other_language = client.get(url.replace("lang=en", "lang=ar"),
                                headers={"If-None-Match": tag})
    assert other_language.status_code == 200  # group labels differ, so does the tag
    stale = client.get(url, headers={"If-None-Match": '"not-the-tag"'})
    assert stale.status_code == 200 and stale.json == first.json


def test_any_web_page_may_read_the_api(demo):
    client = demo.test_client()
    for url in (f"{base(demo)}/indicators", "/api/v1/nothing-here"):
        response = client.get(url, headers={"Origin": "https://example.org"})
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = client.options(f"{base(demo)}/indicators", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]


def test_every_indicator_names_its_municipality_and_rounds_its_shares(demo):
    client = demo.test_client()
    listing = client.get(f"{base(demo)}/indicators").json["indicators"]
    assert {(i["organisation"], i["municipality_code"]) for i in listing} == {
        ("Exempelby kommun", "9999")}
    shares = [i for i in listing if i["kind"] == "share"]
    assert shares and all(i["decimals"] == 4 for i in shares)
    values = [w["overall"][f] for i in shares for w in i["waves"]
              for f in ("value", "se", "ci_low", "ci_high") if w["overall"][f] is not None]
    assert values and all(v == round(v, 4) for v in values)
    assert any(v != round(v, 3) for v in values)  # four decimals, not fewer
    others = [i for i in listing if i["kind"] != "share"]
    assert others and all(i["decimals"] is None for i in others)


def test_reading_the_api_writes_nothing(demo):
    client = demo.test_client()
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement.lstrip().split(None, 1)[0].upper())

    with demo.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        for url in ("", "/indicators", "/indicators.csv?group=born",
                    "/indicators/tillit_manniskor", "/indicators/nope", "/indicators?year=x"):
            client.get(base(demo) + url)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert "SELECT" in statements
    assert set(statements) <= {"SELECT", "BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT",
                               "RELEASE"}


# -- the OpenAPI document's promises ---------------------------------------------------------
@pytest.fixture(scope="module")
def api_schema(demo):
    """The document as the demo's app serves it, requests sent to the app in-process."""
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", demo)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_the_promises_of_its_openapi_document(api_schema, mode):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {o.label for o in operations} >= {
        "GET /frameworks/{slug}", "GET /frameworks/{slug}/indicators",
        "GET /frameworks/{slug}/indicators.csv", "GET /frameworks/{slug}/indicators/{key}"}

    for operation in operations:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def keeps_its_promises(case):
            case.call_and_validate()

        keeps_its_promises()
