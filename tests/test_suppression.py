"""The kernel's suppression by people: a count is withheld when fewer than three people could be behind it.

The attacker knows every shown cell, the total if it is shown, and how many people stand behind each
cell (team sizes are no secret). A withheld cell can hold any count from 0, so it is safe when two
lines consistent with what is shown give it different values.
"""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.suppression import TOTAL, Protected, protect_by_people, threshold

LIMIT = 3


def pinned(result: Protected) -> list[int]:
    """The withheld entries a reader can work out exactly from the shown ones."""
    hidden = [key for key in result.cells if result.is_suppressed(key)]
    if result.is_suppressed(TOTAL):
        # Without a total the withheld cells are bound by nothing: every one can move. The total is
        # the sum, so it is pinned only when every cell is shown.
        return [TOTAL] if not hidden and result.cells else []
    shown = sum(result.values[key] for key in result.cells if key not in hidden)
    residual = result.values[TOTAL] - shown
    seen: dict[int, set[int]] = {key: set() for key in hidden}
    for guess in itertools.product(range(residual + 1), repeat=len(hidden)):
        if sum(guess) == residual:
            for key, value in zip(hidden, guess, strict=True):
                seen[key].add(value)
    return [key for key, found in seen.items() if len(found) < 2]


counts = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), min_size=1, max_size=5)


@settings(max_examples=400, deadline=None)
@given(line=counts)
def test_no_withheld_count_can_be_recomputed(line: list[tuple[int, int]]) -> None:
    cells, people = [c for c, _ in line], [p for _, p in line]
    assert pinned(protect_by_people(cells, people, limit=LIMIT)) == []


@settings(max_examples=300, deadline=None)
@given(line=counts)
def test_every_cell_with_fewer_than_three_people_is_withheld_whatever_its_count(line: list[tuple[int, int]]) -> None:
    cells, people = [c for c, _ in line], [p for _, p in line]
    result = protect_by_people(cells, people, limit=LIMIT)
    assert all(result.published(key) is None for key, count in enumerate(people) if count < LIMIT)


@settings(max_examples=300, deadline=None)
@given(line=st.lists(st.tuples(st.integers(0, 9), st.integers(LIMIT, 20)), min_size=1, max_size=6))
def test_a_line_where_enough_people_stand_behind_every_cell_is_shown_whole(line: list[tuple[int, int]]) -> None:
    cells, people = [c for c, _ in line], [p for _, p in line]
    result = protect_by_people(cells, people, limit=LIMIT)
    assert not result.primary and not result.secondary


def test_a_team_of_one_peer_hides_its_count_and_the_next_smallest_team() -> None:
    # The only peer of team 1 raises one: "1" would name her, and so would "0" turning into "1".
    result = protect_by_people([4, 1, 2, 6], [5, 1, 4, 8], limit=LIMIT)
    assert [result.published(c) for c in range(4)] == [4, None, None, 6]
    assert result.published(TOTAL) == 13


def test_a_zero_of_a_small_team_is_withheld_too() -> None:
    result = protect_by_people([0, 3], [2, 7], limit=LIMIT)
    assert result.published(0) is None


def test_a_zero_among_withheld_cells_is_not_given_away_by_a_zero_residual() -> None:
    # Both withheld cells are 0: a shown total equal to the shown cells would pin both at 0.
    result = protect_by_people([0, 0, 5], [1, 2, 9], limit=LIMIT)
    assert result.published(TOTAL) is None or result.published(2) is None


def test_an_organisation_with_fewer_than_three_peers_withholds_its_total() -> None:
    result = protect_by_people([1], [2], limit=LIMIT)
    assert result.published(0) is None and result.published(TOTAL) is None


def test_the_total_counts_distinct_people_when_given() -> None:
    # Two teams of two, three distinct peers: the total may be shown, its two cells not.
    result = protect_by_people([1, 1], [2, 2], total=2, total_people=3, limit=LIMIT)
    assert [result.published(0), result.published(1), result.published(TOTAL)] == [None, None, 2]
    # One team of two and one of three, the same two peers in both: two people behind the total.
    result = protect_by_people([1, 4], [2, 3], total=5, total_people=2, limit=LIMIT)
    assert result.published(TOTAL) is None


def test_one_number_of_people_per_cell() -> None:
    with pytest.raises(ValueError):
        protect_by_people([1, 2], [3], limit=LIMIT)


def test_the_threshold_is_three_unless_set_higher() -> None:
    assert threshold() == 3
    with override_settings(TANDEM_MIN_COUNT=4):
        assert threshold() == 4
    with override_settings(TANDEM_MIN_COUNT=2), pytest.raises(ImproperlyConfigured):
        threshold()


def pinned_when_read_as_small(result: Protected, limit: int = LIMIT) -> list[int]:
    """The withheld cells a reader works out who takes every cell marked "fewer than 3" for a count
    below 3 (as the same marker means elsewhere in the report) and every other withheld cell for any
    count from 0. Each cell's possible values are a range, so a value is possible exactly when the
    other withheld cells can make up the rest."""
    if result.is_suppressed(TOTAL):
        return []
    hidden = [key for key in result.cells if result.is_suppressed(key)]
    residual = result.values[TOTAL] - sum(result.values[key] for key in result.cells if key not in hidden)
    ranges = {key: (0, min(limit - 1, residual) if key in result.primary else residual) for key in hidden}
    pinned = []
    for key in hidden:
        low = sum(ranges[other][0] for other in hidden if other != key)
        high = sum(ranges[other][1] for other in hidden if other != key)
        possible = [v for v in range(ranges[key][0], ranges[key][1] + 1) if low <= residual - v <= high]
        if len(possible) == 1:
            pinned.append(key)
    return pinned


@settings(max_examples=400, deadline=None)
@given(line=counts)
def test_read_as_small_no_withheld_count_can_be_recomputed_under_either_reading(line: list[tuple[int, int]]) -> None:
    cells, people = [c for c, _ in line], [p for _, p in line]
    result = protect_by_people(cells, people, limit=LIMIT, read_as_small=True)
    assert pinned(result) == []
    assert pinned_when_read_as_small(result) == []
    # It only ever withholds more than the plain rule.
    plain = protect_by_people(cells, people, limit=LIMIT)
    assert plain.primary == result.primary and plain.secondary <= result.secondary


def test_two_small_cells_at_the_bound_are_not_left_beside_a_shown_cell_and_total() -> None:
    # 2 and 2 beside 10 and 14: taken for counts below 3, both would have to be 2.
    assert pinned_when_read_as_small(protect_by_people([2, 2, 10], [1, 1, 5], limit=LIMIT)) == [0, 1]
    result = protect_by_people([2, 2, 10], [1, 1, 5], limit=LIMIT, read_as_small=True)
    assert [result.published(c) for c in range(3)] == [None, None, None]
    assert result.published(TOTAL) == 14
