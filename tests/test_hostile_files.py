"""Files built to hurt: a JSON-stat table declaring 100 million cells, nesting 100,000
deep, a number with 400 digits, a CSV field of 200,000 characters. Each is refused quickly
with a clear message (400 in the app), before anything big is allocated."""

from __future__ import annotations

import json
import time

import pytest

from surveys.core.roles import Role
from surveys.indicators import RegisterFormatError, read_register_csv, read_register_jsonstat
from surveys.runs import jsonstat
from tests.support.analysis import import_jsonstat
from tests.support.manage import staff

HUGE_TABLE = json.dumps({
    "version": "2.0", "class": "dataset", "id": ["Region", "Alder", "Tid"],
    "size": [400, 500, 500], "value": [1],
    "dimension": {d: {"category": {"index": {"a": 0}}} for d in ("Region", "Alder", "Tid")},
}).encode()
DEEP = b"[" * 100_000
LONG_NUMBER = b'{"version": "2.0", "class": "dataset", "value": [1' + b"0" * 400 + b"]}"


@pytest.mark.parametrize(("raw", "code"), [(HUGE_TABLE, "too_many_cells"), (DEEP, "not_json"),
                                            (LONG_NUMBER, "not_json")])
def test_the_margins_reader_refuses_at_once(raw, code):
    began = time.perf_counter()
    with pytest.raises(jsonstat.JsonStatError) as refused:
        jsonstat.parse(raw)
    assert [p.code for p in refused.value.problems] == [code]
    assert time.perf_counter() - began < 2


@pytest.mark.parametrize(("raw", "code"), [(HUGE_TABLE, "too_many_cells"), (DEEP, "not_json"),
                                            (LONG_NUMBER, "not_json")])
def test_the_register_reader_refuses_at_once(raw, code):
    with pytest.raises(RegisterFormatError) as refused:
        read_register_jsonstat(raw)
    assert [p.code for p in refused.value.problems] == [code]


def test_a_csv_field_beyond_the_csv_modules_limit_is_a_clear_problem():
    raw = "år;värde\n2024;" + "9" * 200_000 + "\n"
    with pytest.raises(RegisterFormatError) as refused:
        read_register_csv(raw)
    assert [p.code for p in refused.value.problems] == ["not_csv"]


def test_an_oversized_table_uploaded_as_margins_gets_a_400_with_the_reason(client, make_org,
                                                                           login):
    staff(client, login, make_org(), Role.analyst)
    for raw, words in ((HUGE_TABLE, "more than 10,000,000 cells"), (DEEP, "not JSON")):
        reply = import_jsonstat(client, raw)
        assert reply.status_code == 400
        assert words in reply.get_data(as_text=True)
