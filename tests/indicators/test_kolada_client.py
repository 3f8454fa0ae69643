"""The Kolada client against a local server answering in Kolada's documented format."""

from __future__ import annotations

import pytest

from surveys.indicators.kolada import Kolada, KoladaError, county_of, difference
from tests.support.kolada import KoladaServer


@pytest.fixture(scope="module")
def kolada():
    with KoladaServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _reset(kolada):
    kolada.mode, kolada.page_size = "ok", 3
    kolada.seen.clear()


def client(kolada, timeout: float = 5.0) -> Kolada:
    return Kolada(kolada.url, timeout=timeout)


def codes(error: pytest.ExceptionInfo) -> list[str]:
    return [p.code for p in error.value.problems]


def test_values_per_area_and_year_follow_every_page(kolada):
    found = client(kolada).values("N00914", ["1480", "0014", "0000", "G124026"],
                                  range(2021, 2026))
    assert found["1480"] == {2021: 76.0, 2022: 76.5, 2023: 77.0, 2024: 77.5}  # no 2025
    assert found["0000"][2025] == 81.0
    assert found["G124026"][2023] == 77.0
    assert sum("/data/kpi/N00914/municipality/1480,0014,0000,G124026/year/" in p
               for p in kolada.seen) == 7  # 19 values, 3 a page
    assert any("page=7" in p for p in kolada.seen)


def test_gender_breakdowns(kolada):
    women = client(kolada).values("N00914", ["1480"], [2021], gender="K")
    men = client(kolada).values("N00914", ["1480"], [2021], gender="M")
    assert women["1480"] == {2021: 74.0} and men["1480"] == {2021: 78.0}


def test_metadata_kpi_municipalities_and_groups(kolada):
    api = client(kolada)
    kpi = api.kpi("N00914")
    assert kpi.title.startswith("Invånare 20-64 år") and kpi.unit == "procent" and kpi.by_gender
    names = {a.id: a.title for a in api.municipalities(["1480", county_of("1480"), "0000"])}
    assert names == {"1480": "Göteborg", "0014": "Region Västra Götaland", "0000": "Riket"}
    assert [a.id for a in api.municipalities(title="göte")] == ["1480"]
    group = api.group("G124026")
    assert [m.id for m in group.members] == ["1280", "0180"]
    assert [g.id for g in api.groups("Göteborg")] == ["G124026"]


def test_unknown_kpi_and_group_and_malformed_ids(kolada):
    with pytest.raises(KoladaError) as error:
        client(kolada).kpi("N12345")
    assert codes(error) == ["kolada_unknown_kpi"]
    with pytest.raises(KoladaError) as error:
        client(kolada).group("G1")
    assert codes(error) == ["kolada_unknown_group"]
    for bad in ("../admin", "N0091", "n00914 "):
        with pytest.raises(KoladaError) as error:
            client(kolada).kpi(bad)
        assert codes(error) == ["kolada_bad_id"]
    with pytest.raises(KoladaError):
        client(kolada).values("N00914", ["14800"], [2024])
    assert not any("admin" in p for p in kolada.seen)


@pytest.mark.parametrize(("mode", "code"), [
    ("garbage", "kolada_garbage"), ("shape", "kolada_garbage"), ("count", "kolada_garbage"),
    ("error", "kolada_refused"),
    ("elsewhere", "kolada_garbage")])
def test_bad_answers_are_named(kolada, mode, code):
    kolada.mode = mode
    with pytest.raises(KoladaError) as error:
        client(kolada).values("N00914", ["1480", "0014", "0000"], range(2021, 2026))
    assert codes(error) == [code]
    if mode == "elsewhere":  # the next page on another host is never asked for
        assert len(kolada.seen) == 1


def test_a_slow_service_times_out(kolada):
    kolada.mode, kolada.delay = "slow", 1.0
    with pytest.raises(KoladaError) as error:
        client(kolada, timeout=0.2).kpi("N00914")
    assert codes(error) == ["kolada_timeout"]


def test_an_unreachable_service():
    with pytest.raises(KoladaError) as error:
        Kolada("http://127.0.0.1:9/v2", timeout=2).kpi("N00914")
    assert codes(error) == ["kolada_unreachable"]


def test_the_difference_of_two_independent_estimates():
    d = difference(0.60, 0.02, 0.50, 0.03)
    assert d.value == pytest.approx(0.10)
    assert d.se == pytest.approx((0.02 ** 2 + 0.03 ** 2) ** 0.5)
    assert d.z == pytest.approx(0.10 / d.se)
    assert d.p_value == pytest.approx(0.0055457, abs=1e-6) and d.significant
    assert d.ci_low == pytest.approx(0.10 - 1.959964 * d.se)
    exact = difference(76.0, None, 80.0, None)
    assert exact.value == -4.0 and exact.p_value is None and exact.significant is None



def test_values_that_are_not_objects_are_garbage(kolada, monkeypatch):
    original = kolada.answer
    monkeypatch.setattr(kolada, "answer", lambda path, title: [
        *original(path, title), "not an object"])
    with pytest.raises(KoladaError) as error:
        client(kolada).kpi("N00914")
    assert codes(error) == ["kolada_garbage"]
