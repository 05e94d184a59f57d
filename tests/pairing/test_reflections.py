"""Reflections every N weeks: private to the author unless shared; reminders through a sweep."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from pairing import selectors, services, tasks
from pairing.models import PairingSettings, Reflection, Tandem
from tandem.notifications.models import Channel, Notification, SweepRun


def _write(cast, tandem, who, **extra):
    data = {"how_it_goes": "Wir finden unseren Rhythmus.", "what_irritates": "Die Übergaben am Freitag.", **extra}
    return cast.client_for(who).post(reverse("tandems:reflection_new", args=[tandem.pk]), data)


def test_reflection_is_private_to_its_author(cast, make_tandem):
    tandem = make_tandem(Tandem.State.ACTIVE)
    assert _write(cast, tandem, cast.peer).status_code == 302
    reflection = Reflection.objects.get()
    assert reflection.author == cast.peer and reflection.shared_at is None
    assert "Freitag" in cast.client_for(cast.peer).get(tandem.get_absolute_url()).content.decode()
    for who in (cast.professional, cast.team_lead, cast.org_admin):
        assert "Freitag" not in cast.client_for(who).get(tandem.get_absolute_url()).content.decode()
    assert not Reflection.objects.visible_to(cast.professional.user).exists()


def test_shared_reflection_is_read_by_the_partner_only(cast, make_tandem):
    tandem = make_tandem(Tandem.State.ACTIVE)
    _write(cast, tandem, cast.peer)
    reflection = Reflection.objects.get()
    # Only the author can share it.
    assert cast.client_for(cast.professional).post(reverse("tandems:reflection_share", args=[reflection.pk])).status_code == 404
    assert cast.client_for(cast.peer).post(reverse("tandems:reflection_share", args=[reflection.pk])).status_code == 302
    assert "Freitag" in cast.client_for(cast.professional).get(tandem.get_absolute_url()).content.decode()
    assert "Freitag" not in cast.client_for(cast.team_lead).get(tandem.get_absolute_url()).content.decode()


def test_empty_reflection_is_422_and_not_saved(cast, make_tandem):
    tandem = make_tandem(Tandem.State.ACTIVE)
    assert _write(cast, tandem, cast.peer, how_it_goes="").status_code == 422
    assert not Reflection.objects.exists()


def test_no_reflection_on_a_proposed_tandem(cast, make_tandem):
    tandem = make_tandem(Tandem.State.PROPOSED)
    assert _write(cast, tandem, cast.peer).status_code == 422
    assert not Reflection.objects.exists()


def test_outsiders_cannot_write_a_reflection(cast, make_tandem):
    tandem = make_tandem(Tandem.State.ACTIVE)
    assert _write(cast, tandem, cast.team_lead).status_code == 404
    assert _write(cast, tandem, cast.other_peer).status_code == 404


def test_reminder_sweep_invites_each_partner_when_due_and_only_once(cast, make_tandem):
    today = timezone.localdate()
    tandem = make_tandem(Tandem.State.ACTIVE, activated_on=today - dt.timedelta(weeks=6))
    assert tasks.send_reflection_reminders() == 2
    tasks.send_reflection_reminders()
    rows = Notification.objects.filter(kind="tandem.reflection_due", channel=Channel.IN_APP)
    assert sorted(rows.values_list("recipient__email", flat=True)) == ["peer@example.org", "professional@example.org"]
    assert SweepRun.objects.get(name="tandem.reflection_reminders").last_completed_at is not None
    # After the peer reflects, only the professional remains due.
    Reflection.objects.create(tandem=tandem, author=cast.peer, how_it_goes="gut")
    due = selectors.due_reflections(Tandem.objects.all())
    assert [d.side for d in due] == ["professional"]


def test_interval_is_an_organisation_setting(cast, make_tandem):
    today = timezone.localdate()
    make_tandem(Tandem.State.ACTIVE, activated_on=today - dt.timedelta(weeks=6))
    PairingSettings.objects.create(organisation=cast.organisation, reflection_every_weeks=8)
    assert selectors.due_reflections(Tandem.objects.all()) == []
    assert services.send_reflection_reminders() == 0


def test_no_reminder_for_paused_tandems(cast, make_tandem):
    make_tandem(Tandem.State.PAUSED, activated_on=timezone.localdate() - dt.timedelta(weeks=10))
    assert services.send_reflection_reminders() == 0
