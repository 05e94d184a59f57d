"""The notification settings offer a person only the kinds that can reach her with the roles she holds."""

from __future__ import annotations

import pytest

from accounts.models import Membership
from tandem.notifications import kinds
from tandem.notifications.models import Delivery, NotificationPreference
from tests.factories import member

pytestmark = pytest.mark.django_db

URL = "/notifications/settings/"


def _field(key: str) -> str:
    return f'name="kind__{key.replace(".", "__")}"'


def _times() -> dict[str, str]:
    return {"quiet_from": "21:00", "quiet_until": "06:30", "digest_at": "08:00"}


def test_a_professional_is_not_offered_the_peers_or_the_leads_kinds(cast):
    body = cast.client_for(cast.professional).get(URL).content.decode()
    assert _field("tandem.proposed") in body and _field("tandem.reflection_due") in body
    assert _field("notifications.welcome") in body  # reaches everybody
    for foreign in ("mentoring.irritation_update", "mentoring.mentor_assigned", "mentoring.peer_needs_mentor",
                    "mentoring.irritation_shared", "supervision.reminder", "supervision.share_requested"):
        assert _field(foreign) not in body, foreign


def test_a_peer_sees_her_irritation_and_supervision_kinds_but_not_the_mentors(cast):
    body = cast.client_for(cast.peer).get(URL).content.decode()
    for key in ("mentoring.irritation_update", "mentoring.mentor_assigned", "supervision.reminder", "tandem.proposed"):
        assert _field(key) in body, key
    for key in ("mentoring.irritation_addressed", "mentoring.mentee_assigned", "mentoring.irritation_shared"):
        assert _field(key) not in body, key


def test_a_team_lead_sees_what_reaches_a_lead(cast):
    body = cast.client_for(cast.team_lead).get(URL).content.decode()
    assert _field("mentoring.peer_needs_mentor") in body and _field("mentoring.irritation_shared") in body
    assert _field("tandem.activated") in body
    assert _field("tandem.reflection_due") not in body and _field("mentoring.irritation_update") not in body


def test_the_offer_follows_the_current_roles(cast):
    client = cast.client_for(cast.professional)
    assert _field("mentoring.mentee_assigned") not in client.get(URL).content.decode()
    cast.professional.is_mentor = True
    cast.professional.save()
    assert _field("mentoring.mentee_assigned") in client.get(URL).content.decode()


def test_saving_leaves_the_choices_for_kinds_not_shown_alone(cast):
    user = cast.professional.user
    NotificationPreference.objects.create(user=user, kind="mentoring.mentee_assigned", delivery=Delivery.IN_APP_ONLY)
    shown = [k.key for k in kinds.choosable_for(user)]
    assert "mentoring.mentee_assigned" not in shown
    data = {f"kind__{key.replace('.', '__')}": Delivery.IMMEDIATELY for key in shown} | _times()
    # A crafted field for a hidden kind changes nothing either.
    data["kind__mentoring__mentee_assigned"] = Delivery.DIGEST
    response = cast.client_for(cast.professional).post(URL, data)
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=user, kind="mentoring.mentee_assigned").delivery == Delivery.IN_APP_ONLY
    assert set(NotificationPreference.objects.filter(user=user).values_list("kind", flat=True)) == {*shown, "mentoring.mentee_assigned"}


def test_roles_count_in_every_organisation_she_belongs_to(cast):
    # A supervisor elsewhere who is a peer here gets the kinds of both roles offered.
    elsewhere = member(cast.outsider_organisation, is_supervisor=True, email="both@example.org")
    Membership.objects.create(user=elsewhere.user, organisation=cast.organisation, is_peer=True)
    keys = {k.key for k in kinds.choosable_for(elsewhere.user)}
    assert "supervision.reminder" in keys and "mentoring.irritation_update" in keys
    assert "mentoring.irritation_addressed" not in keys


def test_kernel_kind_without_roles_reaches_everyone_and_with_roles_only_them():
    open_kind = kinds.NotificationKind("tests.open", "Open")
    narrow = kinds.NotificationKind("tests.narrow", "Narrow", roles=frozenset({"mentor"}))
    assert open_kind.reaches(set()) and open_kind.reaches({"peer"})
    assert narrow.reaches({"mentor", "peer"}) and not narrow.reaches({"peer"}) and not narrow.reaches(set())


def test_every_kind_a_person_can_choose_declares_whom_it_reaches():
    # Only the welcome e-mail and an operator's change to a person reach everybody; a new kind names
    # its roles, or people who can never receive it would be asked about it.
    from accounts.services import OPERATOR_CHANGE_KIND

    undeclared = {k.key for k in kinds.choosable() if not k.roles}
    assert undeclared == {"notifications.welcome", OPERATOR_CHANGE_KIND}
