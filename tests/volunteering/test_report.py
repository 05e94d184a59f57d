"""The year report's volunteering section: real figures, withheld for fewer than three volunteers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from reports import selectors as report_selectors
from reports.period import Period
from tests.factories import member
from volunteering import services

from .conftest import START, agree, at, hours, make_volunteer


def _section(cast: Any) -> dict[str, Any]:
    report = report_selectors.year_report(cast.organisation, Period.year(2025), today=dt.date(2026, 1, 10))
    section = next(s for s in report.sections if s.key == "volunteering")
    return {row.key: row.total for row in section.rows}


def test_figures_of_three_volunteers_are_published(cast: Any) -> None:
    people = [make_volunteer(cast.peer), make_volunteer(cast.other_peer),
              make_volunteer(member(cast.organisation, team=cast.team, is_peer=True, email="third@example.org"))]
    for person in people:
        agree(person, cast.team_lead.user, valid_from=START)
        hours(person, cast.team_lead.user, dt.date(2025, 3, 4), 90)
    with at(dt.date(2025, 3, 28)):
        services.approve_run(run=services.open_run(organisation=cast.organisation, month=dt.date(2025, 3, 1), by=cast.team_lead.user),
                             by=cast.team_lead.user)
    found = _section(cast)
    assert found["volunteering_volunteers"].text == "3"
    assert found["volunteering_hours"].text == "4.5"
    assert found["volunteering_allowance"].text == "45.00"


def test_one_volunteers_figures_are_withheld(cast: Any) -> None:
    make_volunteer(cast.peer)
    agree(cast.peer, cast.team_lead.user, valid_from=START)
    hours(cast.peer, cast.team_lead.user, dt.date(2025, 3, 4), 90)
    found = _section(cast)
    assert all(cell.value is None and cell.withheld for cell in found.values())
    assert "15" not in " ".join(cell.text for cell in found.values())
