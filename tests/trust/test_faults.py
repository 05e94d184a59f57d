"""Faults: Redis (broker and cache) down, the database connection dropped mid-request, a worker
killed mid-task. Pages keep working or fail cleanly; nothing is half-saved, lost or doubled."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from tandem.settings import redis_cache
from tests.factories import MentorAssignmentFactory

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from tandem.celery import app

    # setitem/setenv restore the configuration exactly as it was (a key that was not set is removed
    # again), so later tests that point Celery elsewhere through the environment still can.
    monkeypatch.setenv("CELERY_BROKER_URL", DEAD_REDIS)
    monkeypatch.setitem(app.conf, "broker_url", DEAD_REDIS)
    monkeypatch.setitem(app.conf, "broker_write_url", DEAD_REDIS)
    yield


def test_raising_an_irritation_works_with_the_broker_down(
    cast: Any, broker_down: None, django_capture_on_commit_callbacks: Any
) -> None:
    from mentoring.models import Irritation
    from tandem.notifications.models import Channel, Notification

    MentorAssignmentFactory(organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor)
    client = cast.client_for(cast.peer)
    form = {
        "title": "Nicht gehört",
        "what_happened": "In der Teamsitzung wurde mein Einwand übergangen.",
        "happened_on": timezone.localdate().isoformat(),
        "category": "not_heard",
        "start_mode": "mentor_now",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mentoring:irritation_create"), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Irritation.objects.filter(peer=cast.peer).count() == 1
    # The e-mail waits in the outbox (the database), not in Redis ...
    waiting = Notification.objects.filter(recipient=cast.mentor.user, channel=Channel.EMAIL, sent_at__isnull=True)
    assert waiting.count() == 1
    # ... and the sweep sends it once Redis is back (here: the sweep runs without the broker).
    from tandem.notifications import sending

    mail.outbox = []
    sending.send_due(now=timezone.now() + dt.timedelta(days=2))
    assert [m.to for m in mail.outbox] == [[cast.mentor.user.email]]
    assert not waiting.exists()


def test_health_reports_redis_down(db: None) -> None:
    from django.test import Client

    with override_settings(REDIS_URL=DEAD_REDIS):
        response = Client().get("/health/")
    assert response.status_code == 503
    assert response.json()["redis"] is False


@override_settings(CACHES={"default": redis_cache(DEAD_REDIS)})
def test_sign_in_works_with_the_cache_down(cast: Any, password: str) -> None:
    """In production the cache (allauth's rate-limit counters) lives in Redis: signing in must not
    fail when Redis is down (the cache falls back to process memory)."""
    from django.test import Client

    client = Client(raise_request_exception=False)
    page = client.get(reverse("account_login"))
    assert page.status_code == 200
    response = client.post(reverse("account_login"), {"login": cast.peer.user.email, "password": password})
    assert response.status_code == 302


# --- The database connection drops in the middle of a request --------------------------------------


@pytest.mark.django_db(transaction=True)
def test_database_connection_dropped_mid_request_saves_nothing_and_shows_a_clean_page(
    cast: Any, monkeypatch: Any
) -> None:
    from django.db import connection
    from django.test import Client

    from mentoring import services
    from mentoring.models import Irritation

    MentorAssignmentFactory(organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor)
    real_record = services.record
    calls = {"n": 0}

    def drop_connection(*args: Any, **kwargs: Any) -> Any:
        # The irritation row is written; now the server goes away before the transaction commits.
        calls["n"] += 1
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return real_record(*args, **kwargs)

    monkeypatch.setattr(services, "record", drop_connection)
    client = Client(raise_request_exception=False)
    client.force_login(cast.peer.user)
    form = {
        "title": "Nicht gehört",
        "what_happened": "VERTRAULICH-db-drop: mein Einwand wurde übergangen.",
        "happened_on": timezone.localdate().isoformat(),
        "category": "not_heard",
        "start_mode": "mentor_now",
    }
    response = client.post(reverse("mentoring:irritation_create"), form)
    assert calls["n"] == 1, "the fault was injected inside the service"
    assert response.status_code == 500
    page = response.content.decode()
    assert "Nothing was saved" in page and "Traceback" not in page and "VERTRAULICH" not in page
    connection.close()  # the next query opens a fresh connection
    assert not Irritation.objects.filter(peer=cast.peer).exists(), "no partial write"
    # The next request works again.
    monkeypatch.setattr(services, "record", real_record)
    again = client.post(reverse("mentoring:irritation_create"), form)
    assert again.status_code == 302
    assert Irritation.objects.filter(peer=cast.peer).count() == 1


# --- A worker killed mid-task ------------------------------------------------------------------------


def test_worker_killed_after_claiming_loses_and_doubles_nothing(world: Any) -> None:
    import time_machine

    from tandem.notifications import sending

    mail.outbox = []
    with time_machine.travel(timezone.now() + dt.timedelta(days=2), tick=False) as traveller:
        claimed_by_dead_worker = sending.claim_due()  # worker A claims ... and is killed here
        assert claimed_by_dead_worker, "the world has an e-mail waiting (the mentor's)"
        traveller.shift(dt.timedelta(minutes=1))
        assert sending.claim_due() == [], "leased rows are not sent twice while the lease runs"
        traveller.shift(sending.LEASE)
        assert sending.send_due() == len(claimed_by_dead_worker), "after the lease another worker sends them"
        assert len(mail.outbox) == len(claimed_by_dead_worker)
        # Worker A was only stalled and comes back: it sends nothing a second time.
        assert sending.send_claimed(claimed_by_dead_worker) == 0
        assert len(mail.outbox) == len(claimed_by_dead_worker)
