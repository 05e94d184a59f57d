"""The time-zone choice: the organisation's zone preselected, common zones first, names people read."""

from __future__ import annotations

import re

from django.urls import reverse

from accounts import zones
from accounts.models import User


def _select(html: str) -> str:
    match = re.search(r'<select name="time_zone".*?</select>', html, re.S)
    assert match, "no time-zone select on the profile page"
    return match.group(0)


def test_common_zones_come_first_with_readable_german_names(cast):
    client = cast.client_for(cast.peer)
    select = _select(client.get(reverse("accounts:profile")).content.decode())
    groups = re.findall(r'<optgroup label="([^"]+)">', select)
    assert groups == ["Häufige Zeitzonen", "Alle Zeitzonen"]
    first = re.search(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select)
    assert first and first.group(1) == "Europe/Berlin"
    assert re.fullmatch(r"Berlin \(Europa, UTC\+0[12]:00\)", first.group(2))
    assert re.search(r'value="Europe/Vienna"[^>]*>Wien \(Europa, UTC\+0[12]:00\)<', select)
    assert "Europe/Vienna</option>" not in select and "America/New_York</option>" not in select
    assert re.search(r'value="America/New_York"[^>]*>New York \(Amerika, UTC−0[45]:00\)<', select)


def test_the_organisations_zone_is_preselected(cast):
    client = cast.client_for(cast.peer)
    select = _select(client.get(reverse("accounts:profile")).content.decode())
    assert re.search(r'<option value="Europe/Berlin" selected>', select)
    assert zones.default() == "Europe/Berlin"


def test_english_names_in_english(cast):
    cast.peer.user.preferred_language = "en"
    cast.peer.user.save()
    client = cast.client_for(cast.peer)
    select = _select(client.get(reverse("accounts:profile"), HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert re.search(r'value="Europe/Vienna"[^>]*>Vienna \(Europe, UTC\+0[12]:00\)<', select)


def test_a_chosen_zone_is_saved_and_shown_selected(cast):
    client = cast.client_for(cast.peer)
    client.post(reverse("accounts:profile"), {"full_name": "Paula", "preferred_language": "de", "time_zone": "Europe/Zurich"})
    assert User.objects.get(pk=cast.peer.user.pk).time_zone == "Europe/Zurich"
    select = _select(client.get(reverse("accounts:profile")).content.decode())
    assert re.search(r'<option value="Europe/Zurich" selected>Zürich', select)
