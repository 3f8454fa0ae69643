"""Register-based values: CSV and JSON-stat 2.0 yearly series beside the survey ones."""

from __future__ import annotations

import json

import pytest

from surveys.indicators import (
    Assessment,
    RegisterFormatError,
    RegisterIndicator,
    ShareIndicator,
    Target,
    TargetStatus,
    estimate_wave,
    follow_up,
    read_register_csv,
    read_register_jsonstat,
    register_waves,
)
from tests.support.reference import reference_design


def codes(error: pytest.ExceptionInfo[RegisterFormatError]) -> list[str]:
    return [p.code for p in error.value.problems]


def test_csv_swedish_header_semicolon_and_decimal_comma() -> None:
    series = read_register_csv(
        "År;Värde\n2019;61,2\n2020;..\n2021;63,5\n\n", source="SCB", unit="procent"
    )
    assert dict(series.values) == {2019: 61.2, 2021: 63.5}
    assert series.missing_years == (2020,)
    assert (series.source, series.unit) == ("SCB", "procent")


def test_csv_two_columns_take_the_other_one_as_value_and_cp1252_is_read() -> None:
    raw = "tid,Andel förvärvsarbetande\n2022,64.1\n2023,65\n".encode("cp1252")
    series = read_register_csv(raw)
    assert dict(series.values) == {2022: 64.1, 2023: 65.0}
    named = read_register_csv("year,men,women\n2022,1,2\n", value_column="Women")
    assert dict(named.values) == {2022: 2.0}


def test_csv_problems_are_listed_with_line_numbers() -> None:
    with pytest.raises(RegisterFormatError) as info:
        read_register_csv("year;value\n2019;61,2\n20x0;3\n2021;abc\n2022\n")
    problems = info.value.problems
    assert [(p.code, p.details.get("line")) for p in problems] == [
        ("bad_year", 3),
        ("bad_value", 4),
        ("wrong_field_count", 5),
    ]
    with pytest.raises(RegisterFormatError) as info:
        read_register_csv("year;value\n2019;1\n2019;2\n")
    assert codes(info) == ["duplicate_year"]
    with pytest.raises(RegisterFormatError) as info:
        read_register_csv("region;a;b\n1380;1;2\n")
    assert codes(info) == ["missing_column", "missing_column"]
    with pytest.raises(RegisterFormatError) as info:
        read_register_csv("year;value\n2019;..\n")
    assert codes(info) == ["no_values"]


def scb_dataset(**changes: object) -> dict:
    """Employment rate 20-64 by region and country of birth, as PxWebApi's json-stat2."""
    data = {
        "version": "2.0",
        "class": "dataset",
        "label": "Andel förvärvsarbetande 20-64 år efter region, födelseregion och år",
        "source": "SCB",
        "updated": "2025-11-20T07:00:00Z",
        "id": ["Region", "Fodelseregion", "ContentsCode", "Tid"],
        "size": [1, 2, 1, 4],
        "dimension": {
            "Region": {
                "label": "region",
                "category": {"index": {"1380": 0}, "label": {"1380": "Halmstad"}},
            },
            "Fodelseregion": {
                "label": "födelseregion",
                "category": {
                    "index": {"010": 0, "020": 1},
                    "label": {"010": "Sverige", "020": "Utrikes född"},
                },
            },
            "ContentsCode": {
                "label": "tabellinnehåll",
                "category": {
                    "index": {"AA0003X1": 0},
                    "label": {"AA0003X1": "Andel förvärvsarbetande"},
                    "unit": {"AA0003X1": {"label": "procent", "decimals": 1}},
                },
            },
            "Tid": {
                "label": "år",
                "category": {"index": {"2020": 0, "2021": 1, "2022": 2, "2023": 3}},
            },
        },
        "role": {"time": ["Tid"], "metric": ["ContentsCode"], "geo": ["Region"]},
        # row-major: born-in-Sweden 2020-2023, then foreign-born 2020-2023
        "value": [84.1, 84.6, 85.0, 85.3, 60.2, None, 62.9, 64.4],
    }
    data.update(changes)
    return data


def test_jsonstat_series_for_one_selected_category() -> None:
    raw = json.dumps(scb_dataset()).encode()
    foreign = read_register_jsonstat(raw, select={"Fodelseregion": "020"})
    assert dict(foreign.values) == {2020: 60.2, 2022: 62.9, 2023: 64.4}
    assert foreign.missing_years == (2021,)
    assert (foreign.source, foreign.unit) == ("SCB", "procent")
    assert foreign.updated == "2025-11-20T07:00:00Z"
    sweden = read_register_jsonstat(raw, select={"Fodelseregion": "010"})
    assert dict(sweden.values) == {2020: 84.1, 2021: 84.6, 2022: 85.0, 2023: 85.3}


def test_jsonstat_sparse_values_and_index_as_list() -> None:
    data = scb_dataset(value={"4": 60.2, "6": 62.9, "7": 64.4})
    data["dimension"]["Tid"]["category"]["index"] = ["2020", "2021", "2022", "2023"]
    series = read_register_jsonstat(json.dumps(data), select={"Fodelseregion": "020"})
    assert dict(series.values) == {2020: 60.2, 2022: 62.9, 2023: 64.4}


def test_jsonstat_problems() -> None:
    raw = json.dumps(scb_dataset())
    with pytest.raises(RegisterFormatError) as info:
        read_register_jsonstat(raw)
    assert codes(info) == ["several_categories"]
    assert info.value.problems[0].details == {"dimension": "Fodelseregion", "codes": ["010", "020"]}
    with pytest.raises(RegisterFormatError) as info:
        read_register_jsonstat(raw, select={"Fodelseregion": "999", "Kon": "1"})
    assert codes(info) == ["unknown_code", "unknown_dimension"]
    monthly = scb_dataset()
    monthly["dimension"]["Tid"]["category"]["index"] = {
        "2023M01": 0,
        "2023M02": 1,
        "2023M03": 2,
        "2023M04": 3,
    }
    with pytest.raises(RegisterFormatError) as info:
        read_register_jsonstat(json.dumps(monthly), select={"Fodelseregion": "020"})
    assert codes(info) == ["bad_year"]
    with pytest.raises(RegisterFormatError) as info:
        read_register_jsonstat(
            json.dumps(scb_dataset(value=[1, 2, 3])), select={"Fodelseregion": "020"}
        )
    assert codes(info) == ["value_count"]
    for bad, code in (
        (scb_dataset(version="3.0"), "wrong_version"),
        ({"class": "collection"}, "not_dataset"),
    ):
        with pytest.raises(RegisterFormatError) as info:
            read_register_jsonstat(json.dumps(bad))
        assert codes(info) == [code]
    with pytest.raises(RegisterFormatError) as info:
        read_register_jsonstat(b"{not json")
    assert codes(info) == ["not_json"]
    no_time = scb_dataset(role={})
    no_time["id"] = ["Region", "Fodelseregion", "ContentsCode", "Period"]
    no_time["dimension"]["Period"] = no_time["dimension"].pop("Tid")
    with pytest.raises(RegisterFormatError) as info:
        read_register_jsonstat(json.dumps(no_time), select={"Fodelseregion": "020"})
    assert codes(info) == ["no_time_dimension"]


def test_register_indicator_from_jsonstat_sits_beside_a_survey_indicator() -> None:
    """Both follow-ups have the same shape; the register one changes exactly."""
    series = read_register_jsonstat(json.dumps(scb_dataset()), select={"Fodelseregion": "020"})
    employment = RegisterIndicator(
        key="sysselsattning_utrikes", baseline_wave=2020, target=Target(70.0, 2030)
    )
    waves = register_waves(employment, series)
    assert [w.year for w in waves] == [2020, 2022, 2023]
    assert waves[0].source == "SCB" and waves[0].estimator == "register"
    register = follow_up(employment, waves)
    assert register.overall.since_previous.value == pytest.approx(1.5)
    assert register.overall.since_baseline.value == pytest.approx(4.2)
    assert register.overall.since_baseline.significant is None
    assert register.overall.since_baseline.assessment is Assessment.IMPROVED
    # line from 60.2 (2020) to 70 (2030) asks 63.14 in 2023; 64.4 is ahead of it
    assert register.required == pytest.approx(60.2 + 9.8 * 3 / 10)
    assert register.status is TargetStatus.ON_TRACK

    trust = ShareIndicator(
        key="tillit", item="trust_kommun", values=range(7, 11), baseline_wave=2023
    )
    survey = follow_up(
        trust, [estimate_wave(trust, reference_design("muni_rake", "rake_tight"), year=2023)]
    )
    both = [register.to_dict(), survey.to_dict()]
    assert [d["latest"]["estimator"] for d in both] == ["register", "proportion"]
    assert set(both[0]) == set(both[1])
    assert both[0]["latest"]["overall"]["value"] == 64.4
    assert both[0]["latest"]["source"] == "SCB"
    json.dumps(both)
