"""The notification centre: own notifications only, unread count, mark read, open the object."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from tandem.notifications import services
from tandem.notifications.models import Notification
from tests.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

CENTRE = "/notifications/"


def _without_csrf(content: bytes) -> bytes:
    # The token and the language switch's "back to this page" differ; the rest must not.
    return re.sub(rb'name="(csrfmiddlewaretoken|next)" value="[^"]+"', b"", content)


def _notify(user, n: int, url: str = "/tandems/") -> Notification:
    services.notify(recipients=[user], kind="notifications.welcome", event_key=f"e:{n}", url=url)
    return Notification.objects.get(recipient=user, channel="in_app", dedupe_key=f"e:{n}:{user.pk}:in_app")


def test_url_names():
    assert reverse("notifications:centre") == CENTRE
    assert reverse("notifications:preferences") == "/notifications/settings/"


def test_anonymous_is_sent_to_login(client):
    response = client.get(CENTRE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_shows_own_notifications_with_unread_count_in_german(cast):
    peer = cast.peer.user
    for n in range(3):
        _notify(peer, n)
    _notify(cast.mentor.user, 99)
    response = cast.client_for(cast.peer).get(CENTRE)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="link-button">Willkommen bei Tandem: So hält Tandem Sie auf dem Laufenden<') == 3
    assert "3 ungelesen" in body
    assert reverse("notifications:preferences") in body


def test_in_english_for_english_users(cast):
    peer = cast.peer.user
    peer.preferred_language = "en"
    peer.save()
    _notify(peer, 1)
    with translation.override("en"):
        body = cast.client_for(cast.peer).get(CENTRE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Welcome to Tandem: how it keeps you informed" in body
    assert "1 unread" in body


def test_mark_all_read(cast):
    peer = cast.peer.user
    for n in range(3):
        _notify(peer, n)
    other = _notify(cast.mentor.user, 99)
    response = cast.client_for(cast.peer).post(reverse("notifications:mark_read"))
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=peer).unread().in_app().exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_one_read(cast):
    first, second = _notify(cast.peer.user, 1), _notify(cast.peer.user, 2)
    response = cast.client_for(cast.peer).post(reverse("notifications:mark_one_read", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.read_at is not None and second.read_at is None


def test_open_marks_read_and_leads_to_the_object(cast):
    notification = _notify(cast.peer.user, 1, url="/mentoring/irritations/7/")
    response = cast.client_for(cast.peer).post(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response["Location"] == "/mentoring/irritations/7/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_open_never_leads_off_site(cast):
    notification = _notify(cast.peer.user, 1, url="https://evil.example.com/")
    response = cast.client_for(cast.peer).post(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == CENTRE


@pytest.mark.parametrize("name", ["notifications:open", "notifications:mark_one_read"])
def test_someone_elses_notification_is_a_404_like_a_missing_one(cast, name):
    foreign = _notify(cast.mentor.user, 1)
    client = cast.client_for(cast.peer)
    missing = client.post(reverse(name, args=[999999]))
    response = client.post(reverse(name, args=[foreign.pk]))
    assert response.status_code == missing.status_code == 404
    assert _without_csrf(response.content) == _without_csrf(missing.content)
    foreign.refresh_from_db()
    assert foreign.read_at is None


def test_read_actions_need_post(cast):
    notification = _notify(cast.peer.user, 1)
    assert cast.client_for(cast.peer).get(reverse("notifications:open", args=[notification.pk])).status_code == 405


def test_start_page_shows_the_unread_count(cast):
    for n in range(2):
        _notify(cast.peer.user, n)
    body = cast.client_for(cast.peer).get("/").content.decode()
    assert "2 ungelesene Benachrichtigungen" in body


def test_centre_query_count_does_not_grow_with_rows(cast):
    sent = []

    def notifications(n: int) -> None:
        for _ in range(n):
            _notify(cast.peer.user, len(sent))
            sent.append(n)

    # session, user, membership, paginator count, unread count (page and header), page rows,
    # and the session save (savepoint, update, release): the same for 3 rows and for 30.
    assert_constant_queries(cast.client_for(cast.peer), CENTRE, notifications, expected=10)
