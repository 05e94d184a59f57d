"""Sessions: personal pages are never cached, a sign-in lasts at most 12 hours, visitors leave no rows."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from .conftest import sign_in


def test_anonymous_visits_create_no_sessions(db):
    client = Client()
    for _ in range(3):
        client.get(reverse("account_login"))
        client.get(reverse("health"))
    assert Session.objects.count() == 0


def test_sign_in_ends_after_twelve_hours_however_active(cast):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = Client()
        sign_in(client, cast.peer.user.email)
        for hours in range(1, 12):
            # Active every 20 minutes, so the idle timeout never strikes.
            for minutes in (20, 40, 60):
                traveller.move_to(start + dt.timedelta(hours=hours - 1, minutes=minutes))
                assert client.get(reverse("home")).status_code == 200
        traveller.move_to(start + dt.timedelta(hours=12, minutes=5))
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert SESSION_KEY not in client.session


def test_idle_session_expires_after_thirty_minutes(cast):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        client = Client()
        sign_in(client, cast.peer.user.email)
        traveller.move_to(start + dt.timedelta(minutes=31))
        assert client.get(reverse("home")).status_code == 302


def test_personal_pages_are_not_stored(cast):
    response = cast.client_for(cast.peer).get(reverse("accounts:profile"))
    assert "no-store" in response["Cache-Control"]
    assert "no-store" in Client().get(reverse("account_login"))["Cache-Control"]
