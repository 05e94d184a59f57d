"""The second factor follows the strictest membership, and this session must have verified it.

A person's access spans every organisation she belongs to. If any of her memberships requires a
second factor for a role she holds there, she has one, set up and confirmed in this session, before
she opens anything confidential — whichever organisation she has selected.
"""

from __future__ import annotations

import datetime as dt

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts import rules, services
from accounts.middleware import ORGANISATION_SESSION_KEY
from accounts.models import Membership
from mentoring.models import Irritation, IrritationMessage, MentorAssignment
from tests.factories import MembershipFactory, OrganisationFactory
from tests.mentoring.conftest import raise_irritation

from .conftest import sign_in, totp_code


@pytest.fixture
def two_organisations(cast):
    """Her peer's organisation (the cast's) requires MFA; her other organisation, selected, does not."""
    cast.organisation.mfa_required = True
    cast.organisation.save()
    relaxed = OrganisationFactory(name="Träger Ost", slug="ost", mfa_required=False)
    MembershipFactory(user=cast.mentor.user, organisation=relaxed, is_mentor=True)
    MentorAssignment.objects.create(
        organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor, assigned_by=cast.team_lead.user,
        started_on=timezone.localdate() - dt.timedelta(days=14),
    )
    irritation = raise_irritation(cast, mode=Irritation.StartMode.MENTOR_NOW)
    return relaxed, irritation


def _working_in(client: Client, organisation) -> None:  # type: ignore[no-untyped-def]
    session = client.session
    session[ORGANISATION_SESSION_KEY] = organisation.pk
    session.save()


def _mentor_client(cast, relaxed) -> Client:  # type: ignore[no-untyped-def]
    client = cast.client_for(cast.mentor)
    _working_in(client, relaxed)
    return client


def _with_totp(user) -> str:  # type: ignore[no-untyped-def]
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def test_mentor_whose_selected_organisation_has_no_requirement_is_sent_to_set_up(cast, two_organisations):
    relaxed, irritation = two_organisations
    client = _mentor_client(cast, relaxed)
    page = client.get(reverse("home"))
    assert page.status_code == 302  # the selected organisation does not decide alone
    detail = reverse("mentoring:irritation_detail", args=[irritation.pk])
    response = client.get(detail)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_required")
    body = client.get(response["Location"]).content.decode()
    assert reverse("mfa_activate_totp") in body
    assert cast.organisation.name in body
    assert "SECRET-CONTENT" not in body


def test_she_cannot_answer_the_irritation_without_the_second_factor(cast, two_organisations):
    relaxed, irritation = two_organisations
    client = _mentor_client(cast, relaxed)
    before = IrritationMessage.objects.filter(irritation=irritation).count()
    response = client.post(reverse("mentoring:irritation_message", args=[irritation.pk]), {"body": "Ich melde mich."})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:mfa_required")
    assert IrritationMessage.objects.filter(irritation=irritation).count() == before


def test_a_factor_set_up_elsewhere_must_be_confirmed_in_this_session(cast, two_organisations):
    relaxed, irritation = two_organisations
    secret = _with_totp(cast.mentor.user)
    client = _mentor_client(cast, relaxed)  # signed in without a code (an older session)
    detail = reverse("mentoring:irritation_detail", args=[irritation.pk])
    response = client.get(detail)
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert reverse("mfa_reauthenticate") in page
    assert reverse("mfa_activate_totp") not in page
    assert f"{reverse('mfa_reauthenticate')}?next={detail}" in page  # back to where she was going
    confirmed = client.post(reverse("mfa_reauthenticate") + "?next=" + detail, {"code": totp_code(secret)})
    assert confirmed.status_code == 302
    assert confirmed["Location"] == detail
    opened = client.get(detail)
    assert opened.status_code == 200
    assert "SECRET-CONTENT" in opened.content.decode()


def test_signing_in_with_the_code_is_enough(cast, two_organisations):
    relaxed, irritation = two_organisations
    secret = _with_totp(cast.mentor.user)
    client = Client()
    assert sign_in(client, cast.mentor.user.email)["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    _working_in(client, relaxed)
    assert client.get(reverse("mentoring:irritation_detail", args=[irritation.pk])).status_code == 200


def test_setting_it_up_in_this_session_verifies_it(cast, two_organisations):
    from .test_login_mfa import _enrol

    relaxed, irritation = two_organisations
    client = Client()
    sign_in(client, cast.mentor.user.email)
    _working_in(client, relaxed)
    _enrol(client)
    assert client.get(reverse("mentoring:irritation_detail", args=[irritation.pk])).status_code == 200


def test_switching_the_requirement_on_applies_to_open_sessions_and_off_relaxes(cast, two_organisations):
    relaxed, irritation = two_organisations
    detail = reverse("mentoring:irritation_detail", args=[irritation.pk])
    cast.organisation.mfa_required = False
    cast.organisation.save()
    client = _mentor_client(cast, relaxed)
    assert client.get(detail).status_code == 200
    services.update_organisation_settings(organisation=cast.organisation, by=cast.org_admin.user, mfa_required=True)
    assert client.get(detail).status_code == 302
    services.update_organisation_settings(organisation=cast.organisation, by=cast.org_admin.user, mfa_required=False)
    assert client.get(detail).status_code == 200


def test_the_requirement_follows_the_role_she_holds_there(cast, two_organisations):
    relaxed, _irritation = two_organisations
    client = _mentor_client(cast, relaxed)
    assert client.get(reverse("home")).status_code == 302
    # She stays in the strict organisation as a professional only: no confidential role there.
    services.set_roles(membership=cast.mentor, roles=["professional"], by=cast.org_admin.user)
    assert not rules.second_factor_required(cast.mentor.user)
    assert client.get(reverse("home")).status_code == 200
    services.set_roles(membership=cast.mentor, roles=["professional", "mentor"], by=cast.org_admin.user)
    assert client.get(reverse("home")).status_code == 302


def test_leaving_the_strict_organisation_ends_the_requirement(cast, two_organisations):
    relaxed, _irritation = two_organisations
    client = _mentor_client(cast, relaxed)
    services.end_membership(membership=cast.mentor, by=cast.org_admin.user)
    assert client.get(reverse("home")).status_code == 200


def test_a_peer_of_a_strict_organisation_is_not_asked(cast, two_organisations):
    relaxed, _irritation = two_organisations
    # A peer there, a mentor in an organisation without the requirement: nothing confidential asks for it.
    MembershipFactory(user=cast.other_peer.user, organisation=relaxed, is_mentor=True)
    assert not rules.second_factor_required(cast.other_peer.user)
    assert cast.client_for(cast.other_peer).get(reverse("home")).status_code == 200


def test_the_last_authenticator_cannot_be_removed_while_required(cast, two_organisations):
    from allauth.mfa.adapter import get_adapter

    _with_totp(cast.mentor.user)
    authenticator = Authenticator.objects.get(user=cast.mentor.user, type=Authenticator.Type.TOTP)
    assert not get_adapter().can_delete_authenticator(authenticator)
    Membership.objects.filter(pk=cast.mentor.pk).update(is_mentor=False)
    assert get_adapter().can_delete_authenticator(authenticator)
