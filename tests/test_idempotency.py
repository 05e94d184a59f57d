"""Form posts that create something carry a token: sending the same form twice creates one thing,
and the second post is redirected to what the first created."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from mentoring.models import Irritation
from tests.factories import MentorAssignmentFactory

pytestmark = pytest.mark.django_db


def _token(page: Any) -> str:
    match = re.search(r'name="submission_token" value="([0-9a-f-]{36})"', page.content.decode())
    assert match, "the form carries a hidden token"
    return match.group(1)


def _irritation_form(token: str) -> dict[str, str]:
    return {
        "title": "Nicht gehört",
        "what_happened": "In der Teamsitzung wurde mein Einwand übergangen.",
        "happened_on": timezone.localdate().isoformat(),
        "category": "not_heard",
        "start_mode": "mentor_now",
        "submission_token": token,
    }


def test_raising_an_irritation_twice_with_the_same_form_creates_one_and_redirects_to_it(cast: Any) -> None:
    MentorAssignmentFactory(organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor)
    client = cast.client_for(cast.peer)
    url = reverse("mentoring:irritation_create")
    token = _token(client.get(url))
    first = client.post(url, _irritation_form(token))
    second = client.post(url, _irritation_form(token))  # e.g. after an error page for a committed write
    assert first.status_code == second.status_code == 302
    assert Irritation.objects.filter(peer=cast.peer).count() == 1
    assert second["Location"] == first["Location"] == Irritation.objects.get().get_absolute_url()


def test_a_new_form_creates_a_new_irritation(cast: Any) -> None:
    MentorAssignmentFactory(organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor)
    client = cast.client_for(cast.peer)
    url = reverse("mentoring:irritation_create")
    client.post(url, _irritation_form(_token(client.get(url))))
    client.post(url, _irritation_form(_token(client.get(url))))
    assert Irritation.objects.filter(peer=cast.peer).count() == 2


def test_inviting_twice_with_the_same_form_sends_one_invitation(cast: Any) -> None:
    from accounts.models import Invitation

    client = cast.client_for(cast.org_admin)
    url = reverse("accounts:invitation_create")
    token = _token(client.get(url))
    form = {"email": "neu@example.org", "full_name": "Neu", "roles": ["peer"], "submission_token": token}
    assert client.post(url, form).status_code == 302
    assert client.post(url, form).status_code == 302
    assert Invitation.objects.filter(email="neu@example.org").count() == 1


def test_recording_a_check_in_twice_with_the_same_form_records_one(cast: Any) -> None:
    from mentoring.models import CheckIn

    assignment = MentorAssignmentFactory(
        organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor,
        started_on=timezone.localdate() - timezone.timedelta(days=30),
    )
    client = cast.client_for(cast.mentor)
    url = reverse("mentoring:check_in", args=[assignment.pk])
    token = _token(client.get(url))
    data = {"held_on": timezone.localdate().isoformat(), "note": "", "submission_token": token}
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert CheckIn.objects.filter(assignment=assignment).count() == 1


def test_setting_up_a_supervision_group_twice_with_the_same_form_sets_up_one(cast: Any) -> None:
    from supervision.models import SupervisionGroup

    client = cast.client_for(cast.supervisor)
    url = reverse("supervision:group_create")
    token = _token(client.get(url))
    data = {"name": "Peer-Gruppe Nord", "description": "", "submission_token": token}
    first, second = client.post(url, data), client.post(url, data)
    assert first.status_code == second.status_code == 302
    assert SupervisionGroup.objects.filter(name="Peer-Gruppe Nord").count() == 1
    assert first["Location"] == second["Location"]
