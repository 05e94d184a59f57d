"""Leak paths besides object pages: lists, search, counts, e-mails, notifications, audit, admin."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.core import mail
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from .conftest import CONFIDENTIAL_TEXT

IRRITATION_TITLE = "Wie eine Klientin behandelt"


def _tables_containing(needle: str) -> set[str]:
    found = set()
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, (models.CharField, models.TextField, models.JSONField))]
        if not fields:
            continue
        condition, annotations = Q(), {}
        for f in fields:
            name = f.attname
            if isinstance(f, models.JSONField):
                annotations[f"_t_{name}"] = Cast(name, models.TextField())
                name = f"_t_{name}"
            condition |= Q(**{f"{name}__contains": needle})
        if model._base_manager.annotate(**annotations).filter(condition).exists():
            found.add(model._meta.label)
    return found


def test_confidential_text_lives_only_in_the_irritation(world: Any) -> None:
    """Notifications, e-mail outbox rows, the audit trail: they say *that*, never *what*."""
    from tandem.notifications.models import Notification

    assert Notification.objects.filter(recipient=world.cast.mentor.user).exists(), "the mentor was notified"
    assert _tables_containing(CONFIDENTIAL_TEXT) == {"mentoring.Irritation"}
    assert _tables_containing(IRRITATION_TITLE) == {"mentoring.Irritation"}


def test_sent_emails_carry_no_confidential_text(world: Any) -> None:
    from tandem.notifications import sending

    mail.outbox = []
    sending.send_due(now=timezone.now() + dt.timedelta(days=2))  # past any quiet hours
    assert mail.outbox, "the mentor's e-mail about the new irritation was sent"
    for message in mail.outbox:
        bodies = [message.body, message.subject] + [content for content, _type in getattr(message, "alternatives", [])]
        for text in bodies:
            assert CONFIDENTIAL_TEXT not in text
            assert IRRITATION_TITLE not in text


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("other_peer", "/mentoring/irritations/"),
        ("professional", "/"),
        ("team_lead", "/"),
        ("team_lead", "/tandems/dashboard/"),
        ("other_mentor", "/mentoring/mentees/"),
        ("org_admin", "/"),
        ("supervisor", "/"),
        ("outsider", "/"),
        ("outsider", "/people/"),
        ("outsider", "/tandems/all/"),
    ],
)
def test_lists_and_start_pages_show_nobody_elses_irritation(world: Any, who: str, url: str) -> None:
    response = world.cast.client_for(getattr(world.cast, who)).get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert IRRITATION_TITLE not in page
    assert CONFIDENTIAL_TEXT not in page


def test_search_finds_nobody_of_another_organisation(world: Any) -> None:
    peer_name = world.cast.peer.user.full_name
    response = world.cast.client_for(world.cast.outsider).get(reverse("accounts:member_list"), {"q": peer_name})
    assert response.status_code == 200
    page = response.content.decode().replace(f'value="{peer_name}"', "")  # the search box echoes the query
    assert peer_name not in page
    assert world.cast.peer.user.email not in page
    # The same search by her own org admin does find her (the test can fail).
    own = world.cast.client_for(world.cast.org_admin).get(reverse("accounts:member_list"), {"q": peer_name})
    assert peer_name in own.content.decode()


def test_lists_of_another_organisation_show_none_of_her_tandems(world: Any) -> None:
    peer_name = world.cast.peer.user.full_name
    for url in ("/tandems/all/", "/tandems/dashboard/", "/mentoring/mentors/", "/supervision/shares/"):
        response = world.cast.client_for(world.cast.outsider).get(url)
        assert response.status_code == 200, url
        assert peer_name not in response.content.decode(), url


def test_professionals_do_not_see_peer_supervision(world: Any) -> None:
    response = world.cast.client_for(world.cast.professional).get(reverse("supervision:group_list"))
    assert response.status_code == 200
    assert world.objects["group"].name not in response.content.decode()


def test_django_admin_does_not_show_irritations_to_operators(world: Any) -> None:
    """Operators run the system; they do not read peers' confidential irritations."""
    client = world.cast.client_for(world.cast.superuser)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert "/admin/mentoring/irritation/" not in index.content.decode()
    for url in ("/admin/mentoring/irritation/", f"/admin/mentoring/irritation/{world.objects['irritation'].pk}/change/"):
        response = client.get(url)
        assert response.status_code == 404  # not registered in admin
        assert CONFIDENTIAL_TEXT not in response.content.decode()
    # Notifications and audit events in admin carry no confidential text either.
    for url in ("/admin/notifications/notification/", "/admin/audit/auditevent/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert CONFIDENTIAL_TEXT not in response.content.decode()
        assert IRRITATION_TITLE not in response.content.decode()
