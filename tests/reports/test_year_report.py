"""The year in numbers: correct counts per service and for the organisation, small numbers withheld."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from reports import selectors
from reports.period import Period
from tests.factories import OrganisationFactory

from .world import known_year, scaled

YEAR = Period.year(2025)
TODAY = dt.date(2026, 1, 15)
# Columns: Krisendienst, Wohnen (by name), then the organisation.


def figures(report: selectors.Report) -> dict[str, list[str]]:
    return {row.key: [cell.text for cell in row.cells] for _section, row in report.rows()}


@pytest.fixture
def report(db: None) -> selectors.Report:
    known = known_year()
    with translation.override("en"):
        return selectors.year_report(known.organisation, YEAR, today=TODAY)


def test_it_counts_peers_by_kind_and_professionals_in_tandems(report: selectors.Report) -> None:
    found = figures(report)
    assert report.columns == ["Krisendienst", "Wohnen", "Organisation"]
    assert found["peers_employed"] == ["0", "4", "4"]
    assert found["peers_volunteer"] == ["1", "0", "1"]
    assert found["professionals_in_tandems"] == ["1", "2", "3"]


def test_it_counts_tandems_per_service_and_in_total(report: selectors.Report) -> None:
    found = figures(report)
    assert found["tandems_proposed"] == ["1", "4", "5"]
    assert found["tandems_started"] == ["1", "3", "4"]
    assert found["tandems_active"] == ["1", "4", "5"]
    assert found["tandems_paused"] == ["0", "1", "1"]
    assert found["tandems_ended"] == ["1", "3", "4"]  # the declined proposal is not an ending


def test_early_endings_below_three_per_service_read_fewer_than_three(report: selectors.Report) -> None:
    found = figures(report)
    assert found["tandems_ended_early"] == ["fewer than 3", "fewer than 3", "3"]
    assert found["tandems_ended_early_share"] == ["fewer than 3", "fewer than 3", "75 %"]


def test_peers_without_a_mentor_and_their_days_are_withheld_when_fewer_than_three(report: selectors.Report) -> None:
    found = figures(report)
    assert found["peers_without_mentor"] == ["fewer than 3"] * 3
    assert found["days_without_mentor"] == ["fewer than 3"] * 3
    assert found["check_ins"] == ["0", "4", "4"]


def test_one_small_service_withholds_the_other_service_too(report: selectors.Report) -> None:
    found = figures(report)
    # 1 and 5 with the total 6: the 5 is withheld so the 1 cannot be worked out as 6 - 5.
    assert found["irritations_raised"] == ["fewer than 3", "withheld", "6"]
    assert found["irritations_clarified"] == ["fewer than 3", "withheld", "3"]
    assert found["irritations_escalated"] == ["fewer than 3"] * 3
    assert found["irritations_median_days"] == ["fewer than 3", "withheld", "10"]


def test_support_processes_started_completed_and_ended_early(report: selectors.Report) -> None:
    found = figures(report)
    assert found["support_started"] == ["1", "1", "2"]
    assert found["support_completed"] == ["0", "1", "1"]
    assert found["support_ended_early"] == ["fewer than 3"] * 3


def test_peer_supervision_is_counted_for_the_organisation(report: selectors.Report) -> None:
    found = figures(report)
    assert found["supervision_0"][-1] == "3"  # sessions held
    assert found["supervision_1"][-1] == "2.0"  # 6 present in 3 sessions
    assert found["supervision_2"][-1] == "100 %"  # all in a series with rotating weekdays
    assert found["supervision_3"][-1] == "3"  # Monday, Wednesday, Friday
    attendance = next(chart for chart in report.charts if chart.key == "attendance")
    assert [(bar.label, bar.values) for bar in attendance.bars] == [("Peer-Gruppe Nord", [2.0, 3])]


def test_the_trend_has_one_bar_per_quarter(report: selectors.Report) -> None:
    trend = next(chart for chart in report.charts if chart.key == "trend")
    assert [bar.values[0] for bar in trend.bars] == [3, 1, 0, 0]  # tandems started per quarter
    assert [bar.values[2] for bar in trend.bars] == [3, 0, 0, 0]  # sessions held per quarter


def test_a_quarter_counts_only_its_own_days(db: None) -> None:
    known = known_year()
    with translation.override("en"):
        found = figures(selectors.year_report(known.organisation, Period.quarter(2025, 2), today=TODAY))
    assert found["tandems_started"] == ["0", "1", "1"]
    assert found["tandems_ended"] == ["1", "1", "2"]  # 1 April (Krisendienst), 1 June (Wohnen); 1 July is Q3


def test_irritations_still_in_the_peers_private_log_are_not_counted(db: None) -> None:
    known = known_year()
    report = selectors.year_report(known.organisation, Period(dt.date(2025, 8, 1), dt.date(2025, 8, 31)), today=TODAY)
    raised = next(row for _s, row in report.rows() if row.key == "irritations_raised")
    assert raised.total.value is None and raised.total.withheld == "small"  # 0, not 1
    assert all(cell.value is None for cell in raised.cells)


def test_another_organisations_numbers_never_appear(db: None) -> None:
    known = known_year()
    known_year(OrganisationFactory(name="Träger Ost", slug="ost"))
    found = figures(selectors.year_report(known.organisation, YEAR, today=TODAY))
    assert found["tandems_proposed"][-1] == "5"


@pytest.mark.parametrize("rows", [3, 30])
def test_the_report_reads_a_fixed_number_of_queries(db: None, django_assert_num_queries: object, rows: int) -> None:
    organisation = OrganisationFactory()
    scaled(organisation, rows)
    with django_assert_num_queries(15):  # type: ignore[operator]
        selectors.year_report(organisation, YEAR, today=TODAY)


def test_an_organisation_without_services_gets_its_report(db: None) -> None:
    organisation = OrganisationFactory()
    report = selectors.year_report(organisation, YEAR, today=TODAY)
    assert report.columns[-1:] == [report.columns[0]] and len(report.columns) == 1
    assert figures(report)["tandems_proposed"] == ["0"]
