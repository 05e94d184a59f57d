"""The rules as plain functions, and the tax-free limits as data."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from volunteering import rules
from volunteering.models import TaxFreeLimit


@pytest.mark.parametrize(
    ("kind", "year", "cents"),
    [("26a", 2021, 84000), ("26a", 2025, 84000), ("26", 2025, 300000), ("26a", 2026, 96000), ("26", 2026, 330000),
     ("26a", 2031, 96000), ("26", 2020, None), ("none", 2026, None)],
)
def test_limit_of_a_year_is_the_latest_row_up_to_it(db: None, kind: str, year: int, cents: int | None) -> None:
    assert TaxFreeLimit.cents_for(kind, year) == cents


def test_a_change_of_law_is_a_new_row(db: None) -> None:
    TaxFreeLimit.objects.create(year=2029, kind="26a", amount_cents=120000)
    assert TaxFreeLimit.cents_for("26a", 2028) == 96000
    assert TaxFreeLimit.cents_for("26a", 2029) == 120000


@pytest.mark.parametrize(
    ("minutes", "rate_kind", "rate", "cents"),
    [(60, "hour", 1000, 1000), (7, "hour", 1000, 117), (1, "hour", 150, 3), (1, "hour", 90, 2), (45, "hour", 1250, 938),
     (90, "session", 2500, 2500), (300, "month", 10000, 0)],
)
def test_amount_per_entry_is_rounded_half_up_once(minutes: int, rate_kind: str, rate: int, cents: int) -> None:
    assert rules.amount_for(minutes, rate_kind, rate) == cents


def test_agreement_cannot_start_in_the_past() -> None:
    today = dt.date(2026, 5, 10)
    assert rules.agreement_start_refusal(today - dt.timedelta(days=1), today)
    assert rules.agreement_start_refusal(today, today) is None
    assert rules.agreement_start_refusal(today + dt.timedelta(days=30), today) is None


@pytest.mark.parametrize(("minutes", "ok"), [(0, False), (-30, False), (1, True), (720, True), (721, False), (100000, False)])
def test_duration_limits(minutes: int, ok: bool) -> None:
    assert (rules.duration_refusal(minutes) is None) is ok


def test_thresholds_count_what_she_uses_elsewhere() -> None:
    assert rules.LimitPosition(limit=96000, elsewhere=0, year_to_date=76799).threshold == 0
    assert rules.LimitPosition(limit=96000, elsewhere=0, year_to_date=76800).threshold == 80
    assert rules.LimitPosition(limit=96000, elsewhere=40000, year_to_date=40000).threshold == 80
    assert rules.LimitPosition(limit=96000, elsewhere=40000, year_to_date=56000).threshold == 100
    position = rules.LimitPosition(limit=96000, elsewhere=10000, year_to_date=90000)
    assert (position.remaining, position.above) == (0, 4000)


def test_amount_above_the_limit_is_split_off_never_cut() -> None:
    before = rules.LimitPosition(limit=84000, elsewhere=0, year_to_date=80000)
    assert rules.split_month(before=before, month_cents=10000) == (4000, 6000)
    assert rules.split_month(before=rules.LimitPosition(limit=None, elsewhere=0, year_to_date=0), month_cents=500) == (0, 500)


def test_overwork_needs_several_weeks_markedly_above_the_agreement() -> None:
    agreed = Decimal("4")  # 240 minutes; "markedly more" is more than 360 (4 h + 2 h, above 125 %)
    assert rules.is_overworking([400, 400, 400], agreed)
    assert not rules.is_overworking([400, 300, 400], agreed), "one normal week breaks the pattern"
    assert not rules.is_overworking([360, 360, 360], agreed)
    assert not rules.is_overworking([900, 900], agreed), "two weeks are not several"
    assert not rules.is_overworking([900, 900, 900], Decimal("0"))


def test_annual_certificate_only_for_a_finished_year() -> None:
    assert rules.certificate_refusal(2026, dt.date(2026, 12, 31))
    assert rules.certificate_refusal(2025, dt.date(2026, 1, 2)) is None
