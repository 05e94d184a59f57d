"""Small-number suppression: no combination of published cells and the total gives a withheld count away.

The attacker below knows everything the report prints: every published cell, the total if it is
published, which entries read "fewer than N" (their value lies in 0..N-1) and which are withheld to
protect them (any value from 0; the strict attacker also knows such a value is at least N, since
anything smaller would itself read "fewer than N"). A withheld entry is safe when two different
lines, both consistent with all of that, give it different values. The search is exhaustive.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.rules import threshold
from tandem.suppression import TOTAL, Protected, follows, protect_line

LIMIT = 3


def consistent_values(result: Protected, limit: int, *, strict: bool = False) -> dict[int, set[int]]:
    """Values each withheld entry takes over lines consistent with what is published (the search
    stops once every withheld entry has shown two)."""
    values = result.values
    cells = result.cells
    hidden_cells = [key for key in cells if result.is_suppressed(key)]
    shown_sum = sum(values[key] for key in cells if key not in hidden_cells)

    def allowed(key: int, value: int) -> bool:
        if key in result.primary:
            return 0 <= value < limit
        if key in result.secondary:
            return value >= (limit if strict else 0)
        return value == values[key]

    # No line's total can exceed the published total, or (withheld) the true total plus the threshold.
    most_total = values[TOTAL] if not result.is_suppressed(TOTAL) else values[TOTAL] + limit
    seen: dict[int, set[int]] = {key: set() for key in values if result.is_suppressed(key)}
    guess: dict[int, int] = {}

    def done() -> bool:
        return all(len(found) >= 2 for found in seen.values())

    def search(index: int, partial: int) -> None:
        if done():
            return
        if index == len(hidden_cells):
            total = shown_sum + partial
            if allowed(TOTAL, total):
                for key in seen:
                    seen[key].add(total if key == TOTAL else guess[key])
            return
        key = hidden_cells[index]
        for value in range(0, most_total - shown_sum - partial + 1):
            if allowed(key, value):
                guess[key] = value
                search(index + 1, partial + value)

    search(0, 0)
    return seen


def leaks(cells: list[int], *, limit: int = LIMIT, strict: bool = False) -> list[int]:
    result = protect_line(cells, limit=limit)
    seen = consistent_values(result, limit, strict=strict)
    assert all(found for found in seen.values())  # the true line is always among the consistent ones
    if strict:
        # Knowing the protecting cells are at least N may pin a small count at zero (nobody), or a
        # protecting cell at its (publishable) value, never a small count at a number of people.
        return [key for key, found in seen.items() if key in result.primary and len(found) < 2 and found != {0}]
    return [key for key, found in seen.items() if len(found) < 2]


lines = st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=5)


@settings(max_examples=400, deadline=None)
@given(cells=lines)
def test_no_withheld_entry_of_a_line_can_be_recomputed(cells: list[int]) -> None:
    assert leaks(cells) == []


@settings(max_examples=400, deadline=None)
@given(cells=lines)
def test_a_strict_attacker_pins_no_withheld_count_of_people(cells: list[int]) -> None:
    assert leaks(cells, strict=True) == []


@settings(max_examples=100, deadline=None)
@given(cells=st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=4), limit=st.integers(3, 5))
def test_no_withheld_entry_can_be_recomputed_at_a_higher_threshold(cells: list[int], limit: int) -> None:
    assert leaks(cells, limit=limit) == []


@settings(max_examples=300, deadline=None)
@given(cells=lines, total=st.integers(min_value=0, max_value=40))
def test_a_reader_who_takes_a_distinct_total_for_the_sum_pins_no_small_count(cells: list[int], total: int) -> None:
    # A count of people per service and the organisation's count of distinct people: the total may be
    # less than the sum (one person in two services) or more (a person in none). A reader who assumes
    # it is the sum either finds no consistent line (and learns nothing exact) or more than one.
    result = protect_line(cells, total=total, limit=LIMIT)
    seen = consistent_values(result, LIMIT)
    assert all(len(found) != 1 for key, found in seen.items() if key in result.primary)


@settings(max_examples=300, deadline=None)
@given(cells=lines)
def test_every_small_count_is_withheld(cells: list[int]) -> None:
    result = protect_line(cells, limit=LIMIT)
    assert all(result.published(key) is None for key, value in result.values.items() if value < LIMIT)


@settings(max_examples=300, deadline=None)
@given(cells=st.lists(st.integers(min_value=LIMIT, max_value=50), min_size=1, max_size=6))
def test_a_line_without_small_counts_is_published_whole(cells: list[int]) -> None:
    result = protect_line(cells, limit=LIMIT)
    assert not result.primary and not result.secondary


@settings(max_examples=200, deadline=None)
@given(cells=lines, days=st.lists(st.integers(min_value=0, max_value=400), min_size=5, max_size=5))
def test_figures_that_follow_a_count_cannot_be_recomputed_either(cells: list[int], days: list[int]) -> None:
    count = protect_line(cells, limit=LIMIT)
    figures = follows(count, days[: len(cells)])
    hidden = [key for key in figures.values if figures.is_suppressed(key)]
    # Days have no upper bound: a withheld day figure is safe when its line withholds two entries,
    # or withholds the total.
    assert not hidden or len(hidden) >= 2 or TOTAL in hidden


def test_one_small_service_hides_the_next_smallest_service_too() -> None:
    result = protect_line([12, 2, 5, 9], limit=LIMIT)
    assert [result.published(c) for c in range(4)] == [12, None, None, 9]
    assert result.published(TOTAL) == 28


def test_two_services_at_the_most_a_small_count_can_be_hide_a_third() -> None:
    # 2 and 2 beside a total of 11 would each have to be 2 ("fewer than 3" at most 2).
    result = protect_line([2, 2, 7], limit=LIMIT)
    assert [result.published(c) for c in range(3)] == [None, None, None]
    assert result.published(TOTAL) == 11


def test_a_line_of_small_counts_withholds_its_total() -> None:
    result = protect_line([2, 2], limit=LIMIT)
    assert result.published(TOTAL) is None


def test_an_organisation_without_services_has_only_its_total() -> None:
    assert protect_line([], total=2, limit=LIMIT).published(TOTAL) is None
    assert protect_line([], total=4, limit=LIMIT).published(TOTAL) == 4


def test_zero_reads_fewer_than_three_too() -> None:
    assert protect_line([0, 7, 9], limit=LIMIT).published(0) is None


def test_the_exhaustive_attacker_finds_a_naive_suppression() -> None:
    # The check itself can fail: hiding only the small cell of [5, 2] with its total 7 gives it away.
    naive = Protected(values={0: 5, 1: 2, TOTAL: 7}, primary=frozenset({1}), secondary=frozenset())
    assert consistent_values(naive, LIMIT)[1] == {2}


@override_settings(TANDEM_REPORT_MIN_COUNT=2)
def test_a_threshold_below_three_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured):
        threshold()


@override_settings(TANDEM_REPORT_MIN_COUNT=5)
def test_a_higher_threshold_is_used() -> None:
    assert threshold() == 5
