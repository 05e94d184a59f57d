"""Operators cannot become someone through Django admin, and every change they make to a person is
audited and told to her (in Tandem and by e-mail through the outbox)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import NoReverseMatch, get_resolver, reverse

from accounts.models import Membership, User
from mentoring.models import MentorAssignment
from tandem.audit.models import AuditEvent
from tandem.notifications.models import Channel, Notification


def _value(bound: Any) -> Any:
    value = bound.value()
    if isinstance(value, dt.date | dt.datetime):
        return bound.field.widget.format_value(value)
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [getattr(v, "pk", v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    return "" if value is None else value


def admin_form_data(response: Any, **changes: Any) -> dict[str, Any]:
    """The data of an admin change page as its form would send it, with ``changes`` applied."""
    data: dict[str, Any] = {}
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        data[name] = _value(form[name])
        if field.show_hidden_initial:  # fields with a callable default, as the page sends them
            data[f"initial-{name}"] = data[name]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = _value(formset.management_form[name])
        for inline_form in formset.forms:
            for name, field in inline_form.fields.items():
                data[inline_form.add_prefix(name)] = _value(inline_form[name])
                if field.show_hidden_initial:
                    data[inline_form.add_initial_prefix(name)] = data[inline_form.add_prefix(name)]
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def _events(action: str, obj: Any) -> Any:
    return AuditEvent.objects.for_object(obj).filter(action=action)


def _told(user: User) -> set[str]:
    return set(
        Notification.objects.filter(recipient=user, kind="accounts.operator_changed").values_list("channel", flat=True)
    )


def test_a_membership_cannot_be_moved_to_another_account(cast):
    client = cast.client_for(cast.superuser)
    url = reverse("admin:accounts_membership_change", args=[cast.mentor.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "user" not in page.context["adminform"].form.fields
    assert "organisation" not in page.context["adminform"].form.fields
    data = admin_form_data(page, user=cast.superuser.pk, organisation=cast.outsider_organisation.pk, is_supervisor="on")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    cast.mentor.refresh_from_db()
    assert cast.mentor.user == cast.mentor.user.__class__.objects.get(email="mentor@example.org")
    assert cast.mentor.organisation == cast.organisation
    assert cast.mentor.is_supervisor  # the role change itself went through ...
    event = _events("operator.changed", cast.mentor).get()  # ... audited ...
    assert event.actor == cast.superuser
    assert event.detail["fields"] == ["is_supervisor"]
    assert _told(cast.mentor.user) == {Channel.IN_APP, Channel.EMAIL}  # ... and she is told
    # The team lead's page of her shows the operator's change too.
    lead = cast.client_for(cast.org_admin).get(reverse("accounts:member_detail", args=[cast.mentor.pk]))
    assert "Vom technischen Betrieb geändert" in lead.content.decode()


def test_no_password_can_be_set_for_another_person(cast):
    client = cast.client_for(cast.superuser)
    with pytest.raises(NoReverseMatch):
        reverse("admin:accounts_user_password_change", args=[cast.peer.user.pk])
    response = client.get(f"/admin/accounts/user/{cast.peer.user.pk}/password/")
    assert b"password1" not in response.content
    client.post(
        f"/admin/accounts/user/{cast.peer.user.pk}/password/",
        {"password1": "operator-knows-it-1", "password2": "operator-knows-it-1"},
    )
    cast.peer.user.refresh_from_db()
    assert not cast.peer.user.check_password("operator-knows-it-1")
    page = client.get(reverse("admin:accounts_user_change", args=[cast.peer.user.pk]))
    assert "password" not in page.context["adminform"].form.fields
    assert "/password/" not in page.content.decode()


def test_her_address_cannot_be_changed_to_the_operators(cast):
    client = cast.client_for(cast.superuser)
    url = reverse("admin:accounts_user_change", args=[cast.peer.user.pk])
    page = client.get(url)
    assert "email" not in page.context["adminform"].form.fields
    response = client.post(url, admin_form_data(page, email="root@example.org", full_name="Neuer Name"))
    assert response.status_code == 302, response.content.decode()[:3000]
    cast.peer.user.refresh_from_db()
    assert cast.peer.user.email == "peer@example.org"
    assert cast.peer.user.full_name == "Neuer Name"
    assert _events("operator.changed", cast.peer.user).get().detail["fields"] == ["full_name"]
    assert _told(cast.peer.user) == {Channel.IN_APP, Channel.EMAIL}


def test_the_reset_email_goes_to_her_own_address_and_is_audited(cast):
    client = cast.client_for(cast.superuser)
    mail.outbox.clear()
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "send_password_reset_email", "_selected_action": [cast.peer.user.pk]},
    )
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["peer@example.org"]]
    assert _events("operator.password_reset_sent", cast.peer.user).get().actor == cast.superuser
    assert _told(cast.peer.user) == {Channel.IN_APP, Channel.EMAIL}
    assert cast.peer.user.check_password("correct-horse-battery-9")  # nothing was set


def test_an_operator_creates_an_account_without_knowing_its_password(cast):
    client = cast.client_for(cast.superuser)
    page = client.get(reverse("admin:accounts_user_add"))
    assert "password1" not in page.content.decode()
    mail.outbox.clear()
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"email": "Neu@Example.org", "full_name": "Neu", "preferred_language": "de", "password1": "x-long-pass-1", "password2": "x-long-pass-1"},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(email="neu@example.org")
    assert not user.has_usable_password()
    assert [message.to for message in mail.outbox] == [["neu@example.org"]]  # she chooses it herself
    assert _events("operator.added", user).get().actor == cast.superuser


def test_there_is_no_impersonation(cast):
    words = ("impersonat", "hijack", "loginas", "login_as", "login-as", "become", "switch_user", "sudo")

    def walk(patterns: Any, prefix: str = "") -> list[str]:
        found = []
        for pattern in patterns:
            text = prefix + str(pattern.pattern)
            found.append(f"{text} {getattr(pattern, 'name', '') or ''}")
            if hasattr(pattern, "url_patterns"):
                found += walk(pattern.url_patterns, text)
        return found

    routes = walk(get_resolver().url_patterns)
    assert routes
    assert not [route for route in routes if any(word in route.lower() for word in words)]
    # An operator's session stays his own: opening a person in admin signs in as nobody else.
    client = cast.client_for(cast.superuser)
    client.get(reverse("admin:accounts_user_change", args=[cast.peer.user.pk]))
    assert client.session["_auth_user_id"] == str(cast.superuser.pk)


def test_an_operator_cannot_make_himself_a_mentor(cast):
    assignment = MentorAssignment.objects.create(
        organisation=cast.organisation, peer=cast.peer, mentor=cast.mentor, assigned_by=cast.team_lead.user
    )
    client = cast.client_for(cast.superuser)
    assert client.get(reverse("admin:mentoring_mentorassignment_add")).status_code == 403
    page = client.get(reverse("admin:mentoring_mentorassignment_change", args=[assignment.pk]))
    assert page.status_code == 200
    assert "mentor" not in page.context["adminform"].form.fields
    assert "peer" not in page.context["adminform"].form.fields


def test_invitations_cannot_be_rewritten(cast):
    from accounts import services

    invitation, _token = services.invite(
        by=cast.org_admin.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"]
    )
    client = cast.client_for(cast.superuser)
    page = client.get(reverse("admin:accounts_invitation_change", args=[invitation.pk]))
    assert page.status_code == 200
    assert "email" not in page.context["adminform"].form.fields  # shown, not editable
    assert client.get(reverse("admin:accounts_invitation_add")).status_code == 403


def test_removing_her_second_factor_is_audited_and_told(cast):
    authenticator = Authenticator.objects.create(user=cast.mentor.user, type=Authenticator.Type.TOTP, data={})
    client = cast.client_for(cast.superuser)
    response = client.post(reverse("admin:mfa_authenticator_delete", args=[authenticator.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=authenticator.pk).exists()
    event = AuditEvent.objects.get(action="operator.second_factor_removed")
    assert event.actor == cast.superuser
    assert _told(cast.mentor.user) == {Channel.IN_APP, Channel.EMAIL}


def test_the_email_says_what_happened_in_her_language(cast):
    from tandem.notifications.sending import send_due

    cast.peer.user.preferred_language = "en"
    cast.peer.user.save()
    client = cast.client_for(cast.superuser)
    url = reverse("admin:accounts_membership_change", args=[cast.peer.pk])
    page = client.get(url)
    client.post(url, admin_form_data(page, is_mentor="on"))
    assert Membership.objects.get(pk=cast.peer.pk).is_mentor
    mail.outbox.clear()
    rows = Notification.objects.filter(recipient=cast.peer.user, channel=Channel.EMAIL)
    send_due(now=max(row.send_after for row in rows))  # after her quiet hours, if it is night now
    messages = [m for m in mail.outbox if m.to == ["peer@example.org"]]
    assert len(messages) == 1
    assert "An operator of this Tandem installation changed an entry about you (membership: is_mentor)" in messages[0].body
