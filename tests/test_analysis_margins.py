"""An analyst imports population margins: a long CSV, or SCB's JSON-stat; bad files store nothing."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest
from sqlalchemy import select

from surveys.core.roles import Role
from surveys.extensions import db
from surveys.runs import jsonstat
from surveys.runs.models import MarginRow, MarginSet
from tests.support.analysis import (
    DEMO_CSV,
    SCB_FILE,
    import_csv,
    import_jsonstat,
    location_id,
    problems,
    text_of,
)
from tests.support.manage import snapshot, staff

SCB = json.loads(SCB_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def analyst(make_org, client, login):
    org = make_org()
    staff(client, login, org, Role.analyst)
    return org, client


def margin_rows(app, margin_set_id: int) -> list[tuple[str, str, float]]:
    with app.app_context():
        return [(r.variable, r.category, r.population_count) for r in db.session.scalars(
            select(MarginRow).where(MarginRow.margin_set_id == margin_set_id)
            .order_by(MarginRow.position))]


def scb_cube() -> np.ndarray:
    return np.array(SCB["value"], dtype=float).reshape(SCB["size"])


def test_an_analyst_imports_a_csv_from_a_swedish_spreadsheet(app, analyst):
    org, client = analyst
    content = ("\ufeffvariable;category;population_count\r\n"
               "age;16-29;10 222\r\nage;30-64;24 000\r\n"
               "gender;kvinna;17 111\r\ngender;man;17 111\r\n").encode("utf-8")
    reply = import_csv(client, content, name="Befolkning 31 dec 2025", source="SCB BE0101")
    margin_set_id = location_id(reply)
    assert margin_rows(app, margin_set_id) == [
        ("age", "16-29", 10222.0), ("age", "30-64", 24000.0),
        ("gender", "kvinna", 17111.0), ("gender", "man", 17111.0)]
    with app.app_context():
        stored = db.session.get(MarginSet, margin_set_id)
        assert (stored.organisation_id, stored.name, stored.source, stored.file_format) == (
            org.id, "Befolkning 31 dec 2025", "SCB BE0101", "csv")
        assert stored.reference_date.isoformat() == "2025-12-31"
        assert "inconsistent_totals" not in stored.notes
    page = text_of(client.get(f"/analysis/margins/{margin_set_id}").get_data(as_text=True))
    assert "age: population by category (total 34,222)" in page
    assert "16-29 10,222 29.9%" in page


def test_the_scb_file_gives_the_margins_of_the_population_it_counts(app, analyst):
    _org, client = analyst
    from_csv = location_id(import_csv(client, DEMO_CSV.read_bytes(), name="CSV"))
    from_scb = location_id(import_jsonstat(client, SCB_FILE.read_bytes(), name="SCB"))
    # The same residents, counted once as a long CSV and once as SCB's cube.
    assert sorted(margin_rows(app, from_scb)) == sorted(margin_rows(app, from_csv))
    assert [r[:2] for r in margin_rows(app, from_scb)][:6] == [
        ("age", "16-29"), ("age", "30-44"), ("age", "45-64"), ("age", "65-84"),
        ("gender", "man"), ("gender", "kvinna")]

    cube = scb_cube()
    ages = SCB["dimension"]["Alder"]["category"]["index"]
    outside = [i for code, i in ages.items() if code.endswith("+") or not 16 <= int(code) <= 84]
    left_out = cube[:, outside].sum()
    assert left_out > 0
    page = text_of(client.get(f"/analysis/margins/{from_scb}").get_data(as_text=True))
    assert (f"Ages 0-15, 85-99, 100+ ({int(left_out):,} persons) are in no age group and were "
            "left out.") in page
    with app.app_context():
        assert db.session.get(MarginSet, from_scb).file_format == "json-stat"


def test_an_open_age_group_takes_the_oldest_and_four_birth_groups_can_be_kept(app, analyst):
    _org, client = analyst
    reply = import_jsonstat(client, SCB_FILE.read_bytes(), age_groups="16-44, 45-64, 65+",
                            born_codes="010 = sverige\n020 = norden\n030 = europa\n"
                                       "060 = utanfor_europa")
    rows = margin_rows(app, location_id(reply))
    cube = scb_cube()
    ages = SCB["dimension"]["Alder"]["category"]["index"]
    old = [i for code, i in ages.items() if code.endswith("+") or int(code) >= 65]
    assert ("age", "65+", float(cube[:, old].sum())) in rows
    born = {c: n for v, c, n in rows if v == "born"}
    assert list(born) == ["sverige", "norden", "europa", "utanfor_europa"]
    adults = [i for code, i in ages.items() if code.endswith("+") or int(code) >= 16]
    assert born["norden"] == float(cube[:, adults, :, 1].sum())
    assert sum(born.values()) == float(cube[:, adults].sum())


def mutated(change) -> bytes:
    data = copy.deepcopy(SCB)
    change(data)
    return json.dumps(data).encode()


def set_value(position, value):
    def change(data):
        data["value"][position] = value
    return change


def two_years(data):
    data["dimension"]["Tid"]["category"] = {"index": {"2024": 0, "2025": 1}}
    data["size"][-1] = 2
    data["value"] = [v for v in data["value"] for _ in range(2)]


BAD_FILES = {
    "not JSON": (b"Region;Alder;Kon\n1480;16;1", {},
                 ["The file is not JSON (the error is at line 1, column 1)."]),
    "JSON-stat 3.0": (mutated(lambda d: d.update(version="3.0")), {},
                      ["The file is JSON-stat version “3.0”, which cannot be read"]),
    "sizes against values": (mutated(lambda d: d["value"].pop()), {},
                             [("The sizes of the dimensions give 4,040 cells, but the file "
                               "has 4,039 values.")]),
    "a code without a category": (SCB_FILE.read_bytes(), {"born_codes": "010 = inrikes"},
                                  [("The dimension Fodelseregion has codes without a "
                                    "category: 020 (Norden utom Sverige), 030 (EU utom "
                                    "Norden), 060 (Asien).")]),
    "regions without districts": (SCB_FILE.read_bytes(), {"region_codes": ""},
                                  ["The file covers 5 regions"]),
    "negative and missing counts": (
        mutated(lambda d: (set_value(1, -3)(d), set_value(128, None)(d),
                           set_value(4039, None)(d))), {},
        [("1 cell has no value: Region=9999R001, Alder=16, Kon=1, Fodelseregion=010, "
          "ContentsCode=000005FF, Tid=2025."),
         ("1 cell has a negative population count: Region=9999R001, Alder=0, Kon=1, "
          "Fodelseregion=020, ContentsCode=000005FF, Tid=2025.")]),
    "several years": (mutated(two_years), {}, ["The file holds several years (2024, 2025)"]),
    "a bad line of codes": (SCB_FILE.read_bytes(), {"sex_codes": "1 = man\n2 kvinna"},
                            [("Codes for sex, line 2: “2 kvinna” is not of the form "
                              "code = category.")]),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_a_bad_json_stat_file_is_refused_with_a_message_per_problem(app, analyst, case):
    _org, client = analyst
    content, fields, expected = BAD_FILES[case]
    before = snapshot(app)
    reply = import_jsonstat(client, content, **fields)
    assert reply.status_code == 400
    found = problems(reply.get_data(as_text=True))
    assert len(found) == len(expected), found
    for message, wanted in zip(found, expected, strict=True):
        assert message.startswith(wanted), (message, wanted)
    assert snapshot(app) == before


def test_bad_csv_lines_are_named_by_line_number_and_nothing_is_stored(app, analyst):
    _org, client = analyst
    content = (b"variable,category,population_count\n"
               b"age,16-29,100\n"
               b"age,30-44,-5\n"
               b"age,45-64,many\n"
               b"age,16-29,100\n"
               b",kvinna,3\n")
    before = snapshot(app)
    reply = import_csv(client, content)
    assert reply.status_code == 400
    assert problems(reply.get_data(as_text=True)) == [
        "Line 3, population_count “-5”: the population count is negative.",
        "Line 4, population_count “many”: the population count is not a number.",
        "Line 5, category “16-29”: the same variable and category as line 2.",
        "Line 6, variable: the variable name is empty.",
    ]
    assert snapshot(app) == before
    missing = import_csv(client, b"variable,category,count\nage,16-29,3\n")
    assert problems(missing.get_data(as_text=True)) == [(
        "The file lacks the column(s) population_count; the header must be "
        "variable,category,population_count.")]
    empty = import_csv(client, b"")
    assert empty.status_code == 400
    assert problems(empty.get_data(as_text=True))[0].startswith("The file has no margins")
    assert snapshot(app) == before


def test_totals_that_disagree_are_imported_with_a_warning(app, analyst):
    _org, client = analyst
    reply = import_csv(client, b"variable,category,population_count\nage,young,100\nage,old,50\n"
                               b"gender,kvinna,80\ngender,man,80\n")
    page = text_of(client.get(f"/analysis/margins/{location_id(reply)}").get_data(as_text=True))
    assert ("The margins do not describe the same population: the totals differ between "
            "variables (age: 150; gender: 160).") in page


def test_the_form_asks_for_a_name_a_date_and_a_file(app, analyst):
    _org, client = analyst
    reply = client.post_form("/analysis/margins/csv", {"name": "", "source": "SCB",
                                                      "reference_date": "31/12/2025"})
    assert reply.status_code == 400
    found = problems(reply.get_data(as_text=True))
    assert "Name: This field is required." in found
    assert "Reference date: Write the date as year-month-day, e.g. 2025-12-31." in found
    assert "CSV file: Choose a file." in found


def test_an_unused_margin_set_can_be_deleted(app, analyst):
    _org, client = analyst
    margin_set_id = location_id(import_csv(client, DEMO_CSV.read_bytes()))
    assert client.get(f"/analysis/margins/{margin_set_id}/delete").status_code == 200
    assert client.post_form(f"/analysis/margins/{margin_set_id}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(MarginSet, margin_set_id) is None
        assert db.session.scalars(select(MarginRow)).all() == []


def test_the_reader_takes_sparse_values_and_array_indexes():
    data = {"version": "2.0", "class": "dataset", "id": ["Kon", "Alder"], "size": [2, 2],
            "dimension": {"Kon": {"category": {"index": ["1", "2"]}},
                          "Alder": {"category": {"index": {"20": 0, "21": 1}}}},
            "value": {"0": 5, "1": 6, "2": 7, "3": 8}}
    frame, notes = jsonstat.read_margins(json.dumps(data), jsonstat.CodeMapping(
        age_groups=[(16, 29)]))
    assert frame.values.tolist() == [["age", "16-29", 26.0], ["gender", "man", 11.0],
                                     ["gender", "kvinna", 15.0]]
    assert notes == []
    del data["value"]["3"]  # a sparse cell left out is a missing value
    with pytest.raises(jsonstat.JsonStatError) as caught:
        jsonstat.read_margins(json.dumps(data), jsonstat.CodeMapping(age_groups=[(16, 29)]))
    assert [p.code for p in caught.value.problems] == ["missing_values"]
    assert caught.value.problems[0].details["cells"] == ["Kon=2, Alder=21"]
