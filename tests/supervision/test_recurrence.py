"""The recurrence rules as plain functions, including the two daylight-saving changes of 2026."""

import datetime as dt
import zoneinfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervision import recurrence
from supervision.recurrence import MONTHLY, NTH_WEEKDAY, WEEKLY, Rule

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
UTC = dt.UTC


def starts(rule: Rule, count: int) -> list[dt.datetime]:
    return [recurrence.occurrence(rule, i) for i in range(count)]


def test_monthly_keeps_the_day_of_month_and_clamps_short_months():
    rule = Rule(MONTHLY, start=dt.date(2026, 1, 31), at=dt.time(18, 0))
    days = [recurrence.local_date(rule, i) for i in range(4)]
    assert days == [dt.date(2026, 1, 31), dt.date(2026, 2, 28), dt.date(2026, 3, 31), dt.date(2026, 4, 30)]


def test_every_n_months():
    rule = Rule(MONTHLY, start=dt.date(2026, 1, 15), at=dt.time(18, 0), interval=2)
    assert [recurrence.local_date(rule, i) for i in range(3)] == [dt.date(2026, 1, 15), dt.date(2026, 3, 15), dt.date(2026, 5, 15)]


def test_every_three_weeks():
    rule = Rule(WEEKLY, start=dt.date(2026, 1, 7), at=dt.time(10, 0), interval=3)
    assert [recurrence.local_date(rule, i) for i in range(3)] == [dt.date(2026, 1, 7), dt.date(2026, 1, 28), dt.date(2026, 2, 18)]


def test_nth_weekday_of_the_month():
    rule = Rule(NTH_WEEKDAY, start=dt.date(2026, 1, 1), at=dt.time(17, 0), weekday=2, nth=2)  # 2nd Wednesday
    assert [recurrence.local_date(rule, i) for i in range(3)] == [dt.date(2026, 1, 14), dt.date(2026, 2, 11), dt.date(2026, 3, 11)]


def test_last_weekday_of_the_month():
    rule = Rule(NTH_WEEKDAY, start=dt.date(2026, 1, 1), at=dt.time(17, 0), weekday=4, nth=-1)  # last Friday
    assert [recurrence.local_date(rule, i) for i in range(3)] == [dt.date(2026, 1, 30), dt.date(2026, 2, 27), dt.date(2026, 3, 27)]


def test_rotation_moves_each_next_session_to_the_next_weekday():
    # First Monday, then first Tuesday, first Wednesday, first Thursday, and round again.
    rule = Rule(NTH_WEEKDAY, start=dt.date(2026, 1, 1), at=dt.time(18, 0), rotation=(0, 1, 2, 3))
    days = [recurrence.local_date(rule, i) for i in range(5)]
    assert [d.weekday() for d in days] == [0, 1, 2, 3, 0]
    assert days == [dt.date(2026, 1, 5), dt.date(2026, 2, 3), dt.date(2026, 3, 4), dt.date(2026, 4, 2), dt.date(2026, 5, 4)]


def test_monthly_rotation_takes_the_first_rotated_weekday_on_or_after_the_anchor_day():
    rule = Rule(MONTHLY, start=dt.date(2026, 1, 1), at=dt.time(18, 0), rotation=(0, 1, 2, 3))  # 1 Jan 2026 is a Thursday
    days = [recurrence.local_date(rule, i) for i in range(4)]
    assert days == [dt.date(2026, 1, 5), dt.date(2026, 2, 3), dt.date(2026, 3, 4), dt.date(2026, 4, 2)]


def test_weekly_rotation_stays_in_the_anchor_week():
    rule = Rule(WEEKLY, start=dt.date(2026, 1, 5), at=dt.time(18, 0), interval=2, rotation=(0, 3))
    assert [recurrence.local_date(rule, i) for i in range(3)] == [dt.date(2026, 1, 5), dt.date(2026, 1, 22), dt.date(2026, 2, 2)]


def test_local_time_is_kept_across_spring_forward_2026_03_29():
    rule = Rule(WEEKLY, start=dt.date(2026, 3, 22), at=dt.time(18, 0))  # Sundays, one before and one after the change
    before, after = starts(rule, 2)
    assert before == dt.datetime(2026, 3, 22, 17, 0, tzinfo=UTC)  # CET, UTC+1
    assert after == dt.datetime(2026, 3, 29, 16, 0, tzinfo=UTC)  # CEST, UTC+2
    assert before.astimezone(BERLIN).time() == after.astimezone(BERLIN).time() == dt.time(18, 0)


def test_local_time_is_kept_across_fall_back_2026_10_25():
    rule = Rule(WEEKLY, start=dt.date(2026, 10, 18), at=dt.time(18, 0))
    before, after = starts(rule, 2)
    assert before == dt.datetime(2026, 10, 18, 16, 0, tzinfo=UTC)
    assert after == dt.datetime(2026, 10, 25, 17, 0, tzinfo=UTC)
    assert after.astimezone(BERLIN).time() == dt.time(18, 0)


def test_a_time_inside_the_spring_gap_moves_forward():
    assert recurrence.to_utc(dt.date(2026, 3, 29), dt.time(2, 30), "Europe/Berlin") == dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert recurrence.to_utc(dt.date(2026, 3, 29), dt.time(2, 30), "Europe/Berlin").astimezone(BERLIN).time() == dt.time(3, 30)


def test_an_ambiguous_autumn_time_is_the_first_of_the_two():
    assert recurrence.to_utc(dt.date(2026, 10, 25), dt.time(2, 30), "Europe/Berlin") == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


def test_monthly_series_over_both_changes_keeps_18_oclock():
    rule = Rule(NTH_WEEKDAY, start=dt.date(2026, 1, 1), at=dt.time(18, 0), weekday=6, nth=-1)  # last Sunday = the DST days
    values = starts(rule, 12)
    assert recurrence.local_date(rule, 2) == dt.date(2026, 3, 29)
    assert recurrence.local_date(rule, 9) == dt.date(2026, 10, 25)
    assert {v.astimezone(BERLIN).time() for v in values} == {dt.time(18, 0)}
    assert {v.utcoffset() for v in values} == {dt.timedelta(0)}
    assert values[2].hour == 16 and values[9].hour == 17


def test_occurrences_have_stable_indices_and_respect_after_and_until():
    rule = Rule(MONTHLY, start=dt.date(2026, 1, 10), at=dt.time(9, 0))
    found = list(
        recurrence.occurrences(
            rule, after=dt.datetime(2026, 3, 1, tzinfo=UTC), until=dt.datetime(2026, 6, 10, 7, 0, tzinfo=UTC)
        )
    )
    assert [i for i, _ in found] == [2, 3, 4, 5]
    assert found[-1][1] == dt.datetime(2026, 6, 10, 7, 0, tzinfo=UTC)


def test_other_time_zones_work_too():
    rule = Rule(MONTHLY, start=dt.date(2026, 3, 1), at=dt.time(9, 0), time_zone="America/New_York", interval=1)
    assert recurrence.occurrence(rule, 0) == dt.datetime(2026, 3, 1, 14, 0, tzinfo=UTC)
    assert recurrence.occurrence(rule, 1) == dt.datetime(2026, 4, 1, 13, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"frequency": "yearly"},
        {"frequency": NTH_WEEKDAY, "weekday": None},
        {"frequency": MONTHLY, "interval": 0},
        {"frequency": NTH_WEEKDAY, "weekday": 1, "nth": 5},
        {"frequency": MONTHLY, "rotation": (7,)},
    ],
)
def test_invalid_rules_are_refused(kwargs):
    with pytest.raises(ValueError):
        Rule(start=dt.date(2026, 1, 1), at=dt.time(18, 0), **kwargs)


@given(
    frequency=st.sampled_from([MONTHLY, WEEKLY, NTH_WEEKDAY]),
    start=st.dates(min_value=dt.date(2025, 1, 1), max_value=dt.date(2030, 12, 31)),
    hour=st.integers(min_value=4, max_value=22),
    interval=st.integers(min_value=1, max_value=4),
    rotation=st.lists(st.integers(min_value=0, max_value=6), unique=True, max_size=4),
)
def test_occurrences_rise_and_keep_their_local_time(frequency, start, hour, interval, rotation):
    rule = Rule(frequency, start=start, at=dt.time(hour, 0), interval=interval, weekday=2, rotation=tuple(rotation))
    values = starts(rule, 14)
    assert values == sorted(values) and len(set(values)) == len(values)
    assert {v.astimezone(BERLIN).time() for v in values} == {dt.time(hour, 0)}
    if rotation:
        assert [v.astimezone(BERLIN).weekday() for v in values] == [rotation[i % len(rotation)] for i in range(14)]
