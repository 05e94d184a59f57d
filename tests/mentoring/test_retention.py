"""Resolved and withdrawn irritations, with their threads, are deleted after the organisation's period."""

from __future__ import annotations

import datetime as dt

import time_machine

from mentoring import escalation, services
from mentoring.models import EscalationStep, Irritation, IrritationMessage, MentoringSettings
from tandem.audit.models import AuditEvent

from .conftest import raise_irritation

T0 = dt.datetime(2026, 1, 15, 10, 0, tzinfo=dt.UTC)


def _closed(cast, how: str) -> Irritation:
    with time_machine.travel(T0, tick=False):
        irritation = raise_irritation(cast)
        services.post_message(irritation=irritation, by=cast.peer.user, body="Nachtrag")
        EscalationStep.objects.create(irritation=irritation, kind="ack_reminder", key="x")
        getattr(services, how)(irritation=irritation, by=cast.peer.user)
    return irritation


def test_closed_irritations_are_deleted_after_twelve_months_by_default(cast, assignment):
    resolved = _closed(cast, "resolve")
    withdrawn = _closed(cast, "withdraw")
    with time_machine.travel(T0, tick=False):
        still_open = raise_irritation(cast)
    with time_machine.travel(T0 + dt.timedelta(days=364), tick=False):
        assert escalation.purge_expired() == 0
    assert Irritation.objects.count() == 3
    with time_machine.travel(dt.datetime(2027, 1, 15, 10, 1, tzinfo=dt.UTC), tick=False):
        assert escalation.purge_expired() == 2
        assert escalation.purge_expired() == 0
    assert list(Irritation.objects.values_list("pk", flat=True)) == [still_open.pk]
    assert not IrritationMessage.objects.filter(irritation_id__in=[resolved.pk, withdrawn.pk]).exists()
    assert not EscalationStep.objects.filter(irritation_id__in=[resolved.pk, withdrawn.pk]).exists()
    purged = AuditEvent.objects.get(action="irritations.purged")
    assert purged.detail == {"count": 2} and purged.organisation == cast.organisation


def test_the_organisation_sets_the_retention_period(cast, assignment):
    MentoringSettings.objects.create(organisation=cast.organisation, retention_months=3)
    _closed(cast, "resolve")
    with time_machine.travel(T0 + dt.timedelta(days=80), tick=False):
        assert escalation.purge_expired() == 0
    with time_machine.travel(T0 + dt.timedelta(days=92), tick=False):
        assert escalation.purge_expired() == 1
    assert not Irritation.objects.exists()


def test_open_irritations_are_never_deleted(cast, assignment):
    with time_machine.travel(T0, tick=False):
        raise_irritation(cast)
    with time_machine.travel(T0 + dt.timedelta(days=3000), tick=False):
        assert escalation.purge_expired() == 0
    assert Irritation.objects.count() == 1


def test_retention_task_records_its_run(cast, assignment):
    from mentoring.tasks import purge_irritations
    from tandem.notifications.models import SweepRun

    _closed(cast, "withdraw")
    with time_machine.travel(T0 + dt.timedelta(days=400), tick=False):
        assert purge_irritations.run() == 1
    assert SweepRun.objects.get(name="mentoring.retention").last_processed == 1
