"""The Flask-free cores of fieldwork: AAPOR rates against hand-worked examples, allocation
properties, reproducible draws, margins of error, frame files and access codes."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveys.fieldwork import aapor, codes, export, figures, frame_file, sampling
from surveys.fieldwork.aapor import Outcome
from surveys.fieldwork.figures import Case, by_channel, published_strata
from tests.support.frames import HEADER
from tests.support.frames import frame_file as make_frame

# -- AAPOR -----------------------------------------------------------------------------------
#: A mail survey worked by hand: 1,100 sampled.
WORKED = {"I": 400, "P": 50, "R": 100, "NC": 150, "O": 50, "UH": 200, "UO": 50, "NE": 100}


def test_rates_of_a_hand_worked_example():
    r = aapor.rates(WORKED)
    # e = eligible known / (eligible known + not eligible) = 750 / 850 = 15/17
    assert r.e == pytest.approx(15 / 17)
    assert r.rr1 == pytest.approx(400 / 1000)
    assert r.rr2 == pytest.approx(450 / 1000)
    # 750 + 15/17 · 250 = 16,500/17
    assert r.rr3 == pytest.approx(400 * 17 / 16500)
    assert r.rr4 == pytest.approx(450 * 17 / 16500)
    assert r.coop1 == pytest.approx(400 / 600)
    assert r.ref1 == pytest.approx(100 / 1000)


def test_a_stated_e_replaces_the_default_and_must_be_a_share():
    assert aapor.rates(WORKED, e=0.5).rr3 == pytest.approx(400 / 875)
    assert aapor.rates(WORKED, e=0.0).rr3 == pytest.approx(400 / 750)
    with pytest.raises(ValueError):
        aapor.rates(WORKED, e=1.5)


def test_rates_without_cases_or_without_known_eligibility():
    empty = aapor.rates(dict.fromkeys(aapor.CODES, 0))
    assert (empty.rr1, empty.rr3, empty.coop1, empty.e) == (None, None, None, None)
    # Nothing returned yet: RR1 is 0, but e (and so RR3) cannot be estimated.
    waiting = aapor.rates({**dict.fromkeys(aapor.CODES, 0), "UH": 40})
    assert waiting.rr1 == 0 and waiting.rr3 is None
    # No unknown cases: RR3 = RR1 whatever e.
    known = aapor.rates({**dict.fromkeys(aapor.CODES, 0), "I": 3, "R": 1})
    assert known.rr3 == known.rr1 == pytest.approx(0.75)


def test_a_completed_response_wins_over_a_registered_outcome():
    assert aapor.final_outcome(Outcome.refused, True, True) is Outcome.complete
    assert aapor.final_outcome(Outcome.refused, True, False) is Outcome.refused
    assert aapor.final_outcome(None, True, False) is Outcome.partial
    assert aapor.final_outcome(None, False, False) is Outcome.no_reply
    counts = aapor.count_codes([Outcome.deceased, Outcome.language_barrier, Outcome.moved_out,
                                Outcome.unknown_address])
    assert counts == {**dict.fromkeys(aapor.CODES, 0), "O": 2, "NE": 1, "UH": 1}


def test_the_channels_rates_share_the_samples_denominator_and_add_up():
    cases = ([Case("a", "sv", "web", Outcome.complete)] * 3
             + [Case("a", "sv", "paper", Outcome.complete)] * 2
             + [Case("a", "sv", "web", Outcome.partial)]
             + [Case("a", "sv", "–", Outcome.no_reply)] * 4)
    channels = {f.label: f for f in by_channel(cases)}
    assert set(channels) == {"web", "paper"}
    assert channels["web"].rates.rr1 == pytest.approx(0.3)
    assert channels["paper"].rates.rr1 == pytest.approx(0.2)
    assert channels["paper"].rates.rr2 == pytest.approx(0.2)
    overall = aapor.rates(aapor.count_codes(c.outcome for c in cases))
    assert channels["web"].rates.rr1 + channels["paper"].rates.rr1 == pytest.approx(overall.rr1)


def test_published_strata_merge_small_ones_and_drop_what_stays_small():
    cases = ([Case("big", "sv", "web", Outcome.complete)] * 12
             + [Case("a", "sv", "web", Outcome.no_reply)] * 6
             + [Case("b", "sv", "web", Outcome.complete)] * 5
             + [Case("c", "sv", "web", Outcome.complete)] * 3)
    shown = {f.label: f.sampled for f in published_strata(cases)}
    assert shown == {"big": 12, "other": 14}
    assert {f.label for f in published_strata(cases[:12] + cases[-3:])} == {"big"}


def test_rate_tables_as_files_keep_a_formula_like_label_as_text():
    cases = [Case("=HYPERLINK(1)", "sv", "web", Outcome.complete)] * 2
    rows = export.rate_rows([("stratum", [figures.group_figures("=HYPERLINK(1)", cases)])])
    assert rows[0][:4] == ["stratum", "=HYPERLINK(1)", 2, 2]
    assert "'=HYPERLINK(1)" in export.to_csv(export.RATE_HEADER, rows).decode("utf-8")


# -- allocation and draws -------------------------------------------------------------------
populations = st.dictionaries(st.text("abcdefgh", min_size=1, max_size=3),
                              st.integers(0, 400), min_size=1, max_size=12)


@settings(max_examples=100, deadline=None)
@given(populations, st.data())
def test_allocation_sums_to_n_respects_the_minimum_and_never_exceeds_n_h(population, data):
    total = sum(population.values())
    n = data.draw(st.integers(0, total))
    minimum = data.draw(st.integers(0, 30))
    method = data.draw(st.sampled_from(sampling.METHODS))
    factors = data.draw(st.dictionaries(st.sampled_from(sorted(population)),
                                        st.floats(0.1, 5), max_size=len(population)))
    needed = sum(min(minimum, size) for size in population.values())
    if needed > n:
        with pytest.raises(sampling.AllocationError):
            sampling.allocate(population, n, method, minimum, factors)
        return
    sizes = sampling.allocate(population, n, method, minimum, factors)
    assert sum(sizes.values()) == n
    for h, size in population.items():
        assert min(minimum, size) <= sizes[h] <= size


def test_proportional_equal_and_oversampled_allocations():
    population = {"a": 600, "b": 300, "c": 100}
    assert sampling.allocate(population, 100) == {"a": 60, "b": 30, "c": 10}
    assert sampling.allocate(population, 90, "equal") == {"a": 30, "b": 30, "c": 30}
    # c oversampled by 3: weights 600, 300, 300
    assert sampling.allocate(population, 120, factors={"c": 3}) == {"a": 60, "b": 30, "c": 30}
    # a minimum of 20 takes from the others in proportion
    assert sampling.allocate(population, 100, minimum=20) == {"a": 53, "b": 27, "c": 20}
    # a stratum never gets more than it has
    assert sampling.allocate({"a": 5, "b": 1000}, 100, "equal") == {"a": 5, "b": 95}
    with pytest.raises(sampling.AllocationError, match="n_beyond_population"):
        sampling.allocate(population, 1001)


def test_the_same_seed_draws_the_same_sample_and_another_seed_another():
    ids = {"a": list(range(1000)), "b": list(range(1000, 1500))}
    sizes = {"a": 50, "b": 20}
    first = sampling.draw(ids, sizes, seed=2026)
    shuffled = {"b": list(reversed(ids["b"])), "a": ids["a"][::-1]}
    assert sampling.draw(shuffled, sizes, seed=2026) == first
    assert sampling.draw(ids, sizes, seed=2027) != first
    assert {k: len(v) for k, v in first.items()} == sizes
    assert len(set(first["a"])) == 50 and set(first["b"]) <= set(ids["b"])


def test_margin_of_error_with_finite_population_correction():
    # 400 respondents of an infinite population: 1.96 · √(0.25/400) ≈ 4.9 %
    assert sampling.margin_of_error(10**9, 1000, 0.4) == pytest.approx(0.049, abs=5e-4)
    # the whole stratum answering leaves no sampling error
    assert sampling.margin_of_error(100, 100, 1.0) == 0
    assert sampling.margin_of_error(1000, 200, 0.5) == pytest.approx(
        1.959964 * math.sqrt(0.25 / 100 * 0.9))
    assert sampling.margin_of_error(100, 3, 0.5) is None
    assert sampling.age_group(2000, 2026) == "16–29" and sampling.age_group(1940, 2026) == "80+"


# -- frame files -----------------------------------------------------------------------------
def test_a_clean_frame_in_windows_1252_with_semicolons():
    checked = frame_file.check(make_frame(20, encoding="cp1252"), 2026)
    assert not checked.problems and not checked.file_problems
    assert len(checked.rows) == 20 and checked.rows[0]["line"] == 2
    assert {r["district"] for r in checked.rows} <= {"Centrum", "Norr", "Söder", "Väster"}


def test_every_bad_row_is_listed_with_its_line_and_reason():
    bad = ("19000000-0000;Dubbel;;Gatan 1;43000;Varberg;1980;man;Norr;sverige;;;",
           "1;Utan adress;;;43000;;1980;man;Norr;sverige;;;",
           "2;Fel postnummer;;Gatan 2;430 0;Varberg;1980;man;Norr;sverige;;;",
           "3;Fel år;;Gatan 3;43000;Varberg;18x0;man;Norr;sverige;;;",
           "4;Fel område;;Gatan 4;43000;Varberg;1980;man;Atlantis;sverige;;;",
           "5;Fel språk;;Gatan 5;43000;Varberg;1980;man;Norr;sverige;arabiska!;;")
    checked = frame_file.check(make_frame(3, extra=bad), 2026,
                               districts=["Centrum", "Norr", "Söder", "Väster"])
    found = [(p.line, p.code) for p in checked.problems]
    assert found == [(5, "duplicate_id"), (6, "missing_address"), (7, "bad_postal_code"),
                     (8, "bad_birth_year"), (9, "unknown_district"), (10, "bad_language")]
    assert checked.problems[0].value == "2"  # the line it duplicates
    assert len(checked.rows) == 3 and checked.bad_lines == [5, 6, 7, 8, 9, 10]


def test_a_file_without_the_required_columns_is_refused_as_a_whole():
    checked = frame_file.check(b"namn,adress\nA,B\n", 2026)
    assert [p.value for p in checked.file_problems][:2] == ["person_id", "postal_code"]
    assert frame_file.check(b"", 2026).file_problems[0].code == "empty"
    assert frame_file.check((HEADER + "\n").encode(), 2026).file_problems[0].code == "no_rows"


def test_a_field_beyond_the_csv_modules_limit_is_a_problem_of_the_file():
    checked = frame_file.check(make_frame(3, extra=("1;" + "x" * 200_000,)), 2026)
    assert [(p.line, p.code) for p in checked.file_problems] == [(5, "not_csv")]


# -- codes and hashes ------------------------------------------------------------------------
def test_codes_are_unique_long_enough_and_typed_back_in_any_case():
    assert math.log2(len(codes.ALPHABET)) * codes.LENGTH >= 40
    taken: set[str] = set()
    made = [codes.new_code(taken) for _ in range(2000)]
    assert len(set(made)) == 2000 and all(set(c) <= set(codes.ALPHABET) for c in made)
    assert not set(codes.ALPHABET) & set("0O1IL2Z5S8B")
    shown = codes.format_code(made[0])
    assert codes.normalise_code(f" {shown.lower()} ") == made[0]


def test_the_person_hash_needs_the_secret_and_ignores_hyphens():
    one = codes.person_hash("19800101-1234", "secret", "salt")
    assert one == codes.person_hash("198001011234", "secret", "salt")
    assert one != codes.person_hash("198001011234", "other", "salt")
    assert one != codes.person_hash("198001011234", "secret", "pepper")
    assert "1234" not in one and len(one) == 64
