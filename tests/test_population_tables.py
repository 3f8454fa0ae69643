"""Population tables as SCB serves them: one reader for every format, codes mapped in the
browser and remembered, tables fetched by id from a PxWebApi 2 server started here.

The two files in tests/data/scb/ named pxwebapi* are synthetic numbers written in the exact
layouts PxWebApi 2 (json-stat2) and PxWebApi 1 (json-stat, a 1.x bundle) answer with:
Göteborg's RegSO areas by five-year age band and sex, one cell ".." (no value).
"""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import numpy as np
import pytest
from sqlalchemy import select

from surveys.core import jsonstat
from surveys.core.problems import MAX_CELLS
from surveys.core.roles import Role
from surveys.extensions import db
from surveys.indicators import read_register_jsonstat
from surveys.runs import jsonstat as margins
from surveys.runs.models import CodeList, MarginRow, PopulationTable
from tests.support.analysis import DATA, location_id, problems, text_of, upload
from tests.support.manage import snapshot, staff

V2 = (DATA / "scb" / "pxwebapi2_tab9999.json").read_bytes()
V1 = (DATA / "scb" / "pxwebapi1_be0101n1.json").read_bytes()
#: PxWebApi 1's plain "json" format: keyed rows, values as text, ".." for no value.
PLAIN = {"columns": [{"code": "Region", "text": "region", "type": "d"},
                     {"code": "Kon", "text": "kön", "type": "d"},
                     {"code": "Tid", "text": "år", "type": "t"},
                     {"code": "BE0101N1", "text": "Folkmängd", "type": "c"}],
         "comments": [],
         "data": [{"key": ["0180", "1", "2024"], "values": ["490012"]},
                  {"key": ["0180", "2", "2024"], "values": [".."]},
                  {"key": ["1480", "1", "2024"], "values": ["300123"]},
                  {"key": ["1480", "2", "2024"], "values": ["301000"]}]}
DISTRICTS = {"1480R001": "centrum", "1480R002": "norr", "1480R003": "hisingen"}
#: Five-year bands into the survey's groups, 15-19 counted with 16-29 (SCB has no 16-19).
BANDS = {"15-19": "16-29", "20-24": "16-29", "25-29": "16-29", "30-34": "30-44",
         "35-39": "30-44", "40-44": "30-44", "45-49": "45-64", "50-54": "45-64",
         "55-59": "45-64", "60-64": "45-64", "65-69": "65-84", "70-74": "65-84",
         "75-79": "65-84", "80-84": "65-84"}


# -- one reader -------------------------------------------------------------------------------
def test_pxwebapi_2_and_1_give_the_same_table_with_its_missing_cell():
    two, one = jsonstat.parse(V2), jsonstat.parse(V1)
    assert two.ids == one.ids == ["Region", "Alder", "Kon", "ContentsCode", "Tid"]
    assert two.codes["Alder"][:3] == ["-4", "5-9", "10-14"] and two.codes["Alder"][-1] == "100+"
    assert np.array_equal(two.values, one.values, equal_nan=True)
    assert np.isnan(two.values[2, 20, 1, 0, 0]) and two.status == {125: ".."}
    assert two.labels["Region"]["1480R002"] == "Göteborg Norr"
    assert two.roles["time"] == ["Tid"] and two.updated == "2026-02-21T07:00:00Z"


def test_pxwebapi_plain_json_reads_as_a_table():
    table = jsonstat.parse(json.dumps(PLAIN))
    assert table.ids == ["Region", "Kon", "Tid", "ContentsCode"]
    assert table.sizes == [2, 2, 1, 1]
    assert table.values.reshape(-1)[[0, 2, 3]].tolist() == [490012, 300123, 301000]
    assert table.status == {1: ".."}
    assert jsonstat.first_cells(table, np.isnan(table.values)) == (
        1, ["Region=0180, Kon=2, Tid=2024, ContentsCode=BE0101N1 (..)"])


def test_a_register_series_reads_from_a_version_1_bundle():
    bundle = {"dataset": {"dimension": {
        "id": ["Region", "Tid"], "size": [1, 3], "role": {"time": ["Tid"]},
        "Region": {"category": {"index": {"1480": 0}}},
        "Tid": {"category": {"index": {"2022": 0, "2023": 1, "2024": 2}}}},
        "value": [61.5, None, 63.0], "status": {"1": ".."}}}
    series = read_register_jsonstat(json.dumps(bundle))
    assert dict(series.values) == {2022: 61.5, 2024: 63.0}
    assert series.missing_years == (2023,)


@pytest.mark.parametrize(("sizes", "code"), [
    ([100_000, 100_000, 2], "too_many_cells"),
    ([1] * 33, "too_many_dimensions"),
])
def test_an_impossible_table_is_refused_before_anything_is_allocated(sizes, code):
    ids = [f"d{i}" for i in range(len(sizes))]
    raw = json.dumps({"version": "2.0", "class": "dataset", "id": ids, "size": sizes,
                      "dimension": {}, "value": []})
    with pytest.raises(jsonstat.JsonStatError) as refused:
        jsonstat.parse(raw)
    assert [p.code for p in refused.value.problems] == [code]
    assert MAX_CELLS == 10_000_000
    plain = dict(PLAIN, data=[{"key": [str(i), str(i), "2024"], "values": ["1"]}
                              for i in range(4000)])
    with pytest.raises(jsonstat.JsonStatError) as refused:  # 4,000 x 4,000 codes
        jsonstat.parse(json.dumps(plain))
    assert [p.code for p in refused.value.problems] == ["too_many_cells"]


def test_scbs_age_and_region_codes():
    assert [jsonstat.age_range(c) for c in ("-4", "5-9", "16", "100+", "tot", "9-5")] == [
        (0, 4), (5, 9), (16, 16), (100, None), None, None]
    assert [jsonstat.region_level(c) for c in ("00", "14", "1480", "1480R001", "0180C1010",
                                               "SE")] == [
        "country", "county", "municipality", "regso", "deso", None]


def test_five_year_bands_become_age_groups_that_begin_where_the_bands_begin():
    table = jsonstat.parse(V2)
    mapping = margins.CodeMapping(age_groups=[(15, 29), (30, 44), (45, 64), (65, 84)],
                                  region=DISTRICTS)
    frame, notes = margins.to_margins(table, mapping)
    counted = table.values[:, 3:17, :, 0, 0]  # bands 15-19 ... 80-84
    totals = frame.groupby("variable", sort=False)["population_count"].sum()
    assert totals.tolist() == [counted.sum()] * 3
    assert [n.code for n in notes] == ["ages_left_out"]
    assert notes[0].details["codes"] == "-4, 5-9, 10-14, 85-89, 90-94, 95-99, 100+"
    with pytest.raises(jsonstat.JsonStatError) as refused:
        margins.to_margins(table, margins.CodeMapping(
            age_groups=[(16, 29), (30, 44)], region=DISTRICTS))
    assert refused.value.problems[0].code == "age_band_straddles"
    assert refused.value.problems[0].details == {"code": "15-19", "groups": ["16-29"]}
    with pytest.raises(jsonstat.JsonStatError) as refused:  # the ".." cell is now counted
        margins.to_margins(table, margins.CodeMapping(age_groups=[(15, None)],
                                                      region=DISTRICTS))
    assert [p.code for p in refused.value.problems] == ["missing_values"]
    assert refused.value.problems[0].details["cells"] == [
        "Region=1480R003, Alder=100+, Kon=2, ContentsCode=000007JB, Tid=2025 (..)"]


# -- mapping in the browser ------------------------------------------------------------------
@pytest.fixture
def analyst(make_org, client, login):
    org = make_org()
    staff(client, login, org, Role.analyst)
    return org, client


def mapping_form(page: str, **overrides) -> dict[str, str]:
    """Every text box of the mapping page as the page fills it, with `overrides`."""
    fields = dict(re.findall(r'<input type="text" id="[^"]+" name="([^"]+)" value="([^"]*)"',
                             page))
    return {**fields, **overrides}


def band_fields(table: jsonstat.Dataset) -> dict[str, str]:
    return {f"d1-c{j}": BANDS.get(code, "") for j, code in enumerate(table.codes["Alder"])}


def test_an_analyst_maps_a_tables_codes_and_the_mapping_is_offered_again(app, analyst):
    org, client = analyst
    with app.app_context():
        org = db.session.merge(org)
        org.municipality_code = "1480"
        db.session.commit()
    page = client.get("/analysis/tables").get_data(as_text=True)
    assert "Region = 1480" in page  # the query starts from the organisation's kommunkod
    reply = upload(client, "/analysis/tables", V1, "be0101n1.json")
    table_url = reply.headers["Location"]
    assert reply.status_code == 302 and "/analysis/tables/" in table_url
    page = client.get(table_url).get_data(as_text=True)
    assert "Tid = 2025" in text_of(page)
    assert 'value="2025-12-31"' in page  # SCB counts the population on 31 December
    filled = mapping_form(page)
    # SCB's sex codes are suggested, the bands and the districts are the analyst's to say
    assert (filled["d2-variable"], filled["d2-c0"], filled["d2-c1"]) == ("gender", "man",
                                                                          "kvinna")
    assert filled["d0-variable"] == "district" and filled["d0-c0"] == ""
    assert filled["d1-variable"] == "age" and filled["d1-c0"] == ""

    table = jsonstat.parse(V2)
    bad = client.post_form(table_url, mapping_form(
        page, name="Göteborg 2025", source="SCB", reference_date="2025-12-31",
        **{"d1-variable": "Ålder"}))
    assert bad.status_code == 400
    assert problems(bad.get_data(as_text=True)) == [
        "A variable name uses lower-case letters a-z, digits and underscores (at most 40)."]
    missing = client.post_form(table_url, mapping_form(
        page, name="Göteborg 2025", source="SCB", reference_date="2025-12-31",
        **{**band_fields(table), "d1-c20": "85+"},
        **{f"d0-c{j}": d for j, d in enumerate(DISTRICTS.values())}))
    assert missing.status_code == 400
    assert problems(missing.get_data(as_text=True)) == [(
        "1 cell has no value: Region=1480R003, Alder=100+, Kon=2, ContentsCode=000007JB, "
        "Tid=2025 (..).")]
    done = client.post_form(table_url, mapping_form(
        page, name="Göteborg 2025", source="SCB", reference_date="2025-12-31",
        **band_fields(table), **{f"d0-c{j}": d for j, d in enumerate(DISTRICTS.values())}))
    margin_set_id = location_id(done)
    with app.app_context():
        rows = db.session.execute(select(MarginRow.variable, MarginRow.category,
                                         MarginRow.population_count)
                                  .where(MarginRow.margin_set_id == margin_set_id)
                                  .order_by(MarginRow.position)).all()
        assert db.session.scalars(select(PopulationTable)).all() == []
        saved = {c.dimension: (c.variable, c.categories) for c in db.session.scalars(
            select(CodeList))}
    counted = table.values[:, 3:17, :, 0, 0]
    assert [r[:2] for r in rows] == [("district", d) for d in DISTRICTS.values()] + [
        ("age", g) for g in ("16-29", "30-44", "45-64", "65-84")] + [
        ("gender", "man"), ("gender", "kvinna")]
    assert [r[2] for r in rows[:3]] == counted.sum(axis=(1, 2)).tolist()
    assert rows[3][2] == counted[:, 0:3].sum()
    assert saved["region"] == ("district", DISTRICTS)
    assert saved["alder"][1]["15-19"] == "16-29" and saved["alder"][1]["-4"] == ""

    # the next table, here the same areas from PxWebApi 2, starts from what was saved
    again = upload(client, "/analysis/tables", V2, "tab9999.json")
    filled = mapping_form(client.get(again.headers["Location"]).get_data(as_text=True))
    assert [filled[f"d0-c{j}"] for j in range(3)] == list(DISTRICTS.values())
    assert filled["d1-c3"] == "16-29" and filled["d1-c0"] == ""


def test_a_file_that_is_no_table_is_refused_and_nothing_is_kept(app, analyst):
    _org, client = analyst
    before = snapshot(app)
    for content, message in (
            (b"Region;Alder\n1480;16", ("The file is not JSON (the error is at line 1, "
                                        "column 1).")),
            (json.dumps({"version": "3.0", "class": "dataset"}).encode(),
             "The file is JSON-stat version “3.0”, which cannot be read.")):
        reply = upload(client, "/analysis/tables", content, "x.json")
        assert reply.status_code == 400
        assert problems(reply.get_data(as_text=True))[0].startswith(message)
    assert snapshot(app) == before


# -- fetching from SCB -------------------------------------------------------------------------
class PxWebApi(BaseHTTPRequestHandler):
    """PxWebApi 2 as far as fetching a table's data goes, with recorded answers."""

    asked: ClassVar[list[str]] = []
    release = threading.Event()

    def do_GET(self):
        PxWebApi.asked.append(self.path)
        table = self.path.split("/tables/", 1)[-1].split("/", 1)[0]
        if table == "TAB9999":
            self._send(200, V2)
        elif table == "GARBAGE":
            self._send(200, b"<html><body>Service unavailable</body></html>", "text/html")
        elif table == "HUGE":
            self._send(200, b"[" + b"1," * 600_000 + b"1]")
        elif table == "SLOW":
            PxWebApi.release.wait(5)
            self._send(200, V2)
        elif table == "BAD":
            self._send(400, json.dumps({"type": "about:blank", "title": "Bad request",
                                        "status": 400,
                                        "detail": "Non-existent variable Alder2"}).encode(),
                       "application/problem+json")
        else:
            self._send(404, b'{"title": "Not found"}')

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def scb_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), PxWebApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True,
                              kwargs={"poll_interval": 0.05})
    thread.start()
    PxWebApi.asked.clear()
    PxWebApi.release.clear()
    yield f"http://127.0.0.1:{server.server_port}/api/v2"
    PxWebApi.release.set()
    server.shutdown()
    server.server_close()


def fetch(client, table_id: str, query: str = "Region = 1480R001, 1480R002\nAlder = *"):
    return client.post_form("/analysis/tables?from=scb", {"table_id": table_id,
                                                          "query": query})


def test_a_table_is_fetched_from_scb_by_its_id(app, analyst, scb_server):
    _org, client = analyst
    app.config["SCB_API_URL"] = scb_server
    reply = fetch(client, "TAB9999", "Region = 1480R001, 1480R002\nAlder = *\nTid = top(1)")
    assert reply.status_code == 302, problems(reply.get_data(as_text=True))
    assert PxWebApi.asked == [(
        "/api/v2/tables/TAB9999/data?lang=sv&outputFormat=json-stat2"
        "&valueCodes[Region]=1480R001,1480R002&valueCodes[Alder]=*&valueCodes[Tid]=top(1)")]
    with app.app_context():
        (table,) = db.session.scalars(select(PopulationTable)).all()
        assert table.origin == ("SCB TAB9999: Region = 1480R001, 1480R002; Alder = *; "
                                "Tid = top(1)")
    page = text_of(client.get(reply.headers["Location"]).get_data(as_text=True))
    assert "Folkmängd efter region, ålder, kön och år (syntetiska data)" in page


def test_scb_unreachable_or_answering_nonsense_gives_a_clear_message(app, analyst, scb_server):
    _org, client = analyst
    app.config.update(SCB_API_URL=scb_server, SCB_TIMEOUT=0.3, SCB_MAX_BYTES=1_000_000)
    before = snapshot(app)
    cases = {
        "GARBAGE": "SCB's answer for table GARBAGE is not a table.",
        "HUGE": "SCB's answer is larger than 1,000,000 bytes. Fetch fewer codes.",
        "SLOW": "SCB's statistical database (127.0.0.1:",
        "NOSUCH": "SCB has no table NOSUCH.",
        "BAD": ("SCB refused the request (HTTP status 400). Check the codes to fetch. "
                "Non-existent variable Alder2"),
    }
    for table_id, message in cases.items():
        reply = fetch(client, table_id)
        assert reply.status_code == 400, table_id
        assert problems(reply.get_data(as_text=True))[0].startswith(message), table_id
    PxWebApi.release.set()
    app.config["SCB_API_URL"] = "http://127.0.0.1:9/api/v2"  # nothing listens there
    reply = fetch(client, "TAB9999")
    assert problems(reply.get_data(as_text=True)) == [(
        "SCB's statistical database (127.0.0.1:9) could not be reached or did not answer in "
        "time. Try again later, or save the table as a file and read that.")]
    bad_query = fetch(client, "TAB9999", "Region 1480")
    assert problems(bad_query.get_data(as_text=True)) == [
        "Codes to fetch, line 1: “Region 1480” is not of the form dimension = codes."]
    assert snapshot(app) == before
    assert len(PxWebApi.asked) == len(cases)


def test_the_mapping_page_names_the_categories_the_surveys_use(app, analyst, make_survey):
    org, client = analyst
    make_survey(org, slug="enkat")
    reply = upload(client, "/analysis/tables", V2, "tab9999.json")
    page = client.get(reply.headers["Location"]).get_data(as_text=True)
    assert "The surveys' categories of gender: kvinna, man, annat." in text_of(page)
    assert "The surveys' categories of age: 16-29, 30-44, 45-64, 65-84." in text_of(page)
    assert 'list="categories-2"' in page and '<option value="kvinna">' in page
