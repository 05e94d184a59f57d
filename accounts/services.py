"""Writes for people and organisations. Each is atomic and leaves an audit event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tandem.audit.services import record
from tandem.notifications import services as notifications
from tandem.notifications.kinds import Obsolete
from tandem.notifications.models import Notification

from . import rules
from .models import (
    ROLE_FIELDS,
    Invitation,
    Membership,
    Organisation,
    PeerProfile,
    PlacementConflict,
    ProfessionalProfile,
    Role,
    Service,
    Team,
    TeamMembership,
    User,
)

# Team leads pair and onboard; granting admin, team-lead or supervisor rights is the org admin's.
ROLES_A_TEAM_LEAD_MAY_GRANT = {Role.PEER, Role.PROFESSIONAL, Role.MENTOR}


def grantable_roles(membership: Membership) -> list[Role]:
    if membership.is_org_admin:
        return list(Role)
    if membership.is_team_lead:
        return [r for r in Role if r in ROLES_A_TEAM_LEAD_MAY_GRANT]
    return []


def validate_roles(roles: Iterable[str]) -> list[Role]:
    chosen = [Role(r) for r in roles]
    if not chosen:
        raise ValidationError({"roles": _("Choose at least one role.")})
    if Role.PEER in chosen and Role.PROFESSIONAL in chosen:
        raise ValidationError({"roles": _("A person is either a peer or a professional in a team, not both.")})
    return chosen


@transaction.atomic
def invite(
    *,
    by: User,
    organisation: Organisation,
    email: str,
    roles: Iterable[str],
    full_name: str = "",
    team: Team | None = None,
) -> tuple[Invitation, str]:
    """Create an invitation and queue the e-mail with its single-use link in the outbox.

    Returns the invitation and the link's token (for tests and the demo; never stored).
    """
    inviter = Membership.objects.active().filter(user=by, organisation=organisation).first()
    if inviter is None or not grantable_roles(inviter):
        raise ValidationError(_("Only organisation admins and team leads can invite people."))
    chosen = validate_roles(roles)
    not_allowed = [r for r in chosen if r not in grantable_roles(inviter)]
    if not_allowed:
        raise ValidationError({"roles": _("You cannot grant the role “%(role)s”.") % {"role": not_allowed[0].label}})
    if team is not None and team.organisation_id != organisation.pk:
        raise ValidationError({"team": _("This team belongs to another organisation.")})
    email = email.strip().lower()
    if Membership.objects.active().filter(organisation=organisation, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member of your organisation.")})
    # One unanswered invitation per address: inviting again updates it (roles, team, a fresh link
    # and expiry) instead of sending a second link that would offer other roles.
    existing = (
        open_invitations(organisation=organisation, email=email).select_for_update().order_by("-created_at").first()
    )
    if existing is not None:
        existing.roles = [str(r) for r in chosen]
        existing.team = team
        if full_name.strip():
            existing.full_name = full_name.strip()
        existing.expires_at = Invitation.default_expiry()
        token = existing.new_link()
        existing.save(update_fields=["roles", "team", "full_name", "expires_at", "link_nonce", "token_hash"])
        record(
            actor=by, action="invitation.updated", obj=existing, organisation=organisation, detail={"roles": existing.roles}
        )
        _queue_invitation_email(existing, by=by)
        return existing, token
    invitation = Invitation(
        organisation=organisation,
        email=email,
        full_name=full_name.strip(),
        roles=[str(r) for r in chosen],
        team=team,
        invited_by=by,
        expires_at=Invitation.default_expiry(),
    )
    token = invitation.new_link()
    invitation.save()
    record(actor=by, action="invitation.sent", obj=invitation, organisation=organisation, detail={"roles": invitation.roles})
    _queue_invitation_email(invitation, by=by)
    return invitation, token


def open_invitations(*, organisation: Organisation, email: str) -> QuerySet[Invitation]:
    """The invitations to ``email`` that nobody accepted or revoked yet (also those that expired)."""
    return Invitation.objects.filter(
        organisation=organisation, email__iexact=email.strip(), accepted_at__isnull=True, revoked_at__isnull=True
    )


INVITATION_KIND = "accounts.invitation"
INVITATION_EMAILS = "invitation:{pk}:"


def _queue_invitation_email(invitation: Invitation, *, by: User) -> None:
    """The invitation e-mail as an outbox row, sent and retried like every other e-mail.

    The row holds neither the token nor the link: the sender asks ``invitation_email_context`` for
    them when it sends. One row per link; an unsent row of an earlier link is withdrawn.
    """
    prefix = INVITATION_EMAILS.format(pk=invitation.pk)
    notifications.cancel_pending(event_key_prefix=prefix)
    notifications.notify_address(
        address=invitation.email,
        kind=INVITATION_KIND,
        # The hash names the link without revealing it; a resend makes a new one, hence a new row.
        event_key=f"{prefix}{invitation.token_hash[:16]}",
        obj=invitation,
        organisation=invitation.organisation,
        # The invitee has no language yet: the inviter's, with the other language below it.
        language=by.preferred_language,
    )


def invitation_url(token: str) -> str:
    return settings.TANDEM_BASE_URL.rstrip("/") + reverse("accounts:invitation_accept", args=[token])


def invitation_email_context(notification: Notification) -> dict[str, Any]:
    """The link of an invitation e-mail, computed when it is sent (never stored with the row)."""
    invitation = (
        Invitation.objects.select_related("organisation").filter(pk=notification.object_id).first()
        if notification.object_id
        else None
    )
    if invitation is None or invitation.state != Invitation.State.PENDING:
        raise Obsolete("the invitation was accepted, revoked, has expired or is gone")
    if not invitation.token_is_current():
        # SECRET_KEY changed since the invitation was made: the link would not open.
        raise Obsolete("the invitation link cannot be derived any more; send the invitation again")
    other = "en" if (notification.language or settings.LANGUAGE_CODE) == "de" else "de"
    return {"invitation": invitation, "url": invitation_url(invitation.token()), "other_language": other}


@transaction.atomic
def resend_invitation(*, invitation: Invitation, by: User) -> str:
    """A fresh link (the old one stops working) with a fresh expiry."""
    if invitation.state in (Invitation.State.ACCEPTED, Invitation.State.REVOKED):
        raise ValidationError(_("This invitation can no longer be sent again."))
    token = invitation.new_link()
    invitation.expires_at = Invitation.default_expiry()
    invitation.save(update_fields=["link_nonce", "token_hash", "expires_at"])
    record(actor=by, action="invitation.sent", obj=invitation, detail={"resent": True})
    _queue_invitation_email(invitation, by=by)
    return token


@transaction.atomic
def revoke_invitation(*, invitation: Invitation, by: User) -> None:
    if invitation.state != Invitation.State.PENDING:
        raise ValidationError(_("Only pending invitations can be revoked."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    notifications.cancel_pending(event_key_prefix=INVITATION_EMAILS.format(pk=invitation.pk))
    record(actor=by, action="invitation.revoked", obj=invitation)


@transaction.atomic
def accept_invitation(
    *,
    token: str,
    full_name: str = "",
    password: str | None = None,
    user: User | None = None,
    preferred_language: str = User.Language.GERMAN,
) -> User:
    """Create (or join) the account of an invitee; the link works exactly once.

    A new account keeps the language the invitee chose on the invitation page.
    """
    invitation = Invitation.objects.select_for_update().by_token(token).first()
    if invitation is None or invitation.state != Invitation.State.PENDING:
        raise ValidationError(_("This invitation link is no longer valid."))
    if user is None:
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise ValidationError(_("An account with this e-mail address exists already. Please sign in first."))
        if preferred_language not in User.Language.values:
            preferred_language = User.Language.GERMAN
        user = User.objects.create_user(
            email=invitation.email,
            password=password,
            full_name=full_name.strip() or invitation.full_name,
            preferred_language=preferred_language,
        )
    elif user.email.lower() != invitation.email.lower():
        raise ValidationError(_("This invitation was sent to another e-mail address."))
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    membership = Membership.objects.active().filter(user=user, organisation=invitation.organisation).first()
    if membership is None:
        membership = Membership(user=user, organisation=invitation.organisation)
    for role in invitation.roles:
        setattr(membership, ROLE_FIELDS[Role(role)], True)
    membership.save()
    _ensure_profiles(membership)
    if invitation.team is not None and (membership.is_peer or membership.is_professional):
        add_to_team(membership=membership, team=invitation.team, by=user)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record(actor=user, action="invitation.accepted", obj=invitation, organisation=invitation.organisation)
    return user


def _ensure_profiles(membership: Membership) -> None:
    if membership.is_peer:
        PeerProfile.objects.get_or_create(membership=membership)
    if membership.is_professional:
        ProfessionalProfile.objects.get_or_create(membership=membership)


@transaction.atomic
def set_roles(
    *, membership: Membership, roles: Iterable[str], by: User, led_services: Iterable[Service] | None = None
) -> Membership:
    """Set the roles; ``led_services`` (if given) names the services a team lead runs."""
    chosen = validate_roles(roles)
    before = [str(r) for r in membership.roles]
    if membership.user_id == by.pk and membership.is_org_admin and Role.ORG_ADMIN not in chosen:
        others = Membership.objects.active().filter(organisation=membership.organisation, is_org_admin=True)
        if not others.exclude(pk=membership.pk).exists():
            raise ValidationError({"roles": _("The organisation needs at least one admin.")})
    for role, field in ROLE_FIELDS.items():
        setattr(membership, field, role in chosen)
    membership.save()
    _ensure_profiles(membership)
    detail: dict[str, Any] = {"before": before, "after": [str(r) for r in chosen]}
    if led_services is not None:
        led = [s for s in led_services if s.organisation_id == membership.organisation_id] if membership.is_team_lead else []
        membership.led_services.set(led)
        detail["led_services"] = [s.pk for s in led]
    record(
        actor=by,
        action="membership.roles_changed",
        obj=membership,
        organisation=membership.organisation,
        detail=detail,
    )
    return membership


@transaction.atomic
def end_membership(*, membership: Membership, by: User, on: dt.date | None = None) -> Membership:
    """A person leaves the organisation; their history stays."""
    on = on or timezone.localdate()
    if membership.user_id == by.pk:
        raise ValidationError(_("You cannot end your own membership."))
    membership.ended_on = on
    membership.save(update_fields=["ended_on"])
    TeamMembership.objects.filter(membership=membership, ended_on__isnull=True).update(ended_on=on)
    record(actor=by, action="membership.ended", obj=membership, organisation=membership.organisation)
    return membership


@transaction.atomic
def add_to_team(
    *, membership: Membership, team: Team, by: User, started_on: dt.date | None = None
) -> TeamMembership:
    if team.organisation_id != membership.organisation_id:
        raise ValidationError({"team": _("This team belongs to another organisation.")})
    if team.archived_at is not None:
        raise ValidationError({"team": _("This team is archived.")})
    if membership.is_peer:
        function = TeamMembership.Function.PEER
    elif membership.is_professional:
        function = TeamMembership.Function.PROFESSIONAL
    else:
        raise ValidationError(_("Only peers and professionals are members of teams."))
    existing = TeamMembership.objects.filter(team=team, membership=membership, ended_on__isnull=True).first()
    if existing is not None:
        return existing
    team_membership = TeamMembership.objects.create(
        team=team, membership=membership, function=function, started_on=started_on or timezone.localdate()
    )
    record(actor=by, action="team_membership.added", obj=team_membership, organisation=team.organisation)
    return team_membership


@transaction.atomic
def end_team_membership(*, team_membership: TeamMembership, by: User, on: dt.date | None = None) -> TeamMembership:
    on = on or timezone.localdate()
    if on < team_membership.started_on:
        raise ValidationError({"ended_on": _("The end cannot be before the start.")})
    team_membership.ended_on = on
    team_membership.save(update_fields=["ended_on"])
    record(actor=by, action="team_membership.ended", obj=team_membership, organisation=team_membership.team.organisation)
    return team_membership


@transaction.atomic
def create_service(*, organisation: Organisation, name: str, by: User) -> Service:
    service = Service(organisation=organisation, name=name.strip())
    service.full_clean()
    service.save()
    record(actor=by, action="service.created", obj=service, organisation=organisation)
    return service


@transaction.atomic
def archive_service(*, service: Service, by: User) -> Service:
    service.archived_at = timezone.now()
    service.save(update_fields=["archived_at"])
    Team.objects.filter(service=service, archived_at__isnull=True).update(archived_at=service.archived_at)
    record(actor=by, action="service.archived", obj=service, organisation=service.organisation)
    return service


def _refuse_unless_runs(service: Service, by: User) -> None:
    runner = Membership.objects.active().filter(user=by, organisation_id=service.organisation_id).first()
    if runner is None or not rules.services_run_by(runner).filter(pk=service.pk).exists():
        raise ValidationError(_("You can create and run teams only in the services you run."))


@transaction.atomic
def create_team(*, service: Service, name: str, by: User) -> Team:
    _refuse_unless_runs(service, by)
    if Team.objects.filter(service=service, name__iexact=name.strip()).exists():
        raise ValidationError({"name": _("A team with this name exists already in this service.")})
    team = Team(organisation=service.organisation, service=service, name=name.strip())
    team.full_clean()
    team.save()
    record(actor=by, action="team.created", obj=team, organisation=service.organisation)
    return team


@transaction.atomic
def archive_team(*, team: Team, by: User) -> Team:
    _refuse_unless_runs(team.service, by)
    team.archived_at = timezone.now()
    team.save(update_fields=["archived_at"])
    record(actor=by, action="team.archived", obj=team, organisation=team.organisation)
    return team


@transaction.atomic
def update_profile(*, user: User, **fields: Any) -> User:
    allowed = {"full_name", "preferred_language", "time_zone"}
    changed = []
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(name)
        if getattr(user, name) != value:
            setattr(user, name, value)
            changed.append(name)
    user.full_clean(exclude=["password"])
    user.save()
    if changed:
        record(actor=user, action="profile.changed", obj=user, detail={"fields": changed})
    return user


@transaction.atomic
def update_organisation_settings(*, organisation: Organisation, by: User, **fields: Any) -> Organisation:
    changed = [name for name, value in fields.items() if getattr(organisation, name) != value]
    for name, value in fields.items():
        setattr(organisation, name, value)
    organisation.full_clean()
    organisation.save()
    record(actor=by, action="organisation.settings_changed", obj=organisation, organisation=organisation, detail={"fields": changed})
    return organisation


@transaction.atomic
def declare_placement_conflict(*, peer: Membership, service: Service) -> PlacementConflict:
    if not peer.is_peer:
        raise ValidationError(_("Only peers declare former placements."))
    if service.organisation_id != peer.organisation_id:
        raise ValidationError({"service": _("This service belongs to another organisation.")})
    conflict, _created = PlacementConflict.objects.get_or_create(peer=peer, service=service)
    # The audit names the peer, not the service: the trail itself must not reveal the placement.
    record(actor=peer.user, action="placement_conflict.declared", obj=peer, organisation=peer.organisation)
    return conflict


@transaction.atomic
def withdraw_placement_conflict(*, conflict: PlacementConflict) -> None:
    peer = conflict.peer
    conflict.delete()
    record(actor=peer.user, action="placement_conflict.withdrawn", obj=peer, organisation=peer.organisation)


@transaction.atomic
def set_lived_experience(
    *, profile: ProfessionalProfile, by: User, has_lived_experience: bool, visible_to: str
) -> ProfessionalProfile:
    # Disclosure is the professional's own decision, never anybody else's.
    if profile.membership.user_id != by.pk:
        raise ValidationError(_("Only the professional themselves can change this."))
    profile.has_lived_experience = has_lived_experience
    profile.lived_experience_visible_to = (
        visible_to if has_lived_experience else ProfessionalProfile.Visibility.NOBODY
    )
    profile.full_clean()
    profile.save()
    record(actor=by, action="lived_experience.changed", obj=profile.membership, organisation=profile.membership.organisation)
    return profile


# What an org admin or team lead may edit about a person's work (never lived experience).
MEMBER_DETAIL_FIELDS = {
    PeerProfile: {"kind", "exin_status", "exin_certified_on", "exin_trainer", "weekly_hours", "expense_allowance"},
    ProfessionalProfile: {"profession"},
}


@transaction.atomic
def update_member_details(
    *, profile: PeerProfile | ProfessionalProfile, by: User, fields: dict[str, Any]
) -> PeerProfile | ProfessionalProfile:
    allowed = MEMBER_DETAIL_FIELDS[type(profile)]
    changed = []
    for name, value in fields.items():
        if name not in allowed:
            raise ValueError(name)
        if getattr(profile, name) != value:
            setattr(profile, name, value)
            changed.append(name)
    profile.full_clean()
    profile.save()
    if changed:
        membership = profile.membership
        record(
            actor=by,
            action="membership.details_changed",
            obj=membership,
            organisation=membership.organisation,
            detail={"fields": sorted(changed)},
        )
    return profile


# --- what operators do in Django admin ---------------------------------------------------------

OPERATOR_CHANGE_KIND = "accounts.operator_changed"


def person_of(obj: models.Model) -> User | None:
    """The person an admin object is about (whose account, membership or details it is)."""
    if isinstance(obj, User):
        return obj
    if isinstance(obj, Membership):
        return obj.user
    if isinstance(obj, PeerProfile | ProfessionalProfile | TeamMembership):
        return obj.membership.user
    if isinstance(obj, Authenticator):
        return obj.user  # type: ignore[no-any-return]
    return None


def operator_changed(
    request: HttpRequest,
    obj: models.Model,
    *,
    action: str,
    fields: Sequence[str] = (),
    people: Sequence[Any] | None = None,
) -> None:
    """Record an operator's change to a person and tell her (in Tandem and by e-mail, via the outbox)."""
    if people is None:
        person = person_of(obj)
        people = [person] if person is not None else []
    event = record(
        actor=request.user,
        action=action,
        obj=obj,
        organisation=getattr(obj, "organisation", None),
        detail={"model": obj._meta.model_name, "fields": sorted(fields)},
    )
    if not people:
        return
    notifications.notify(
        recipients=people,
        kind=OPERATOR_CHANGE_KIND,
        event_key=f"operator:{event.pk}",
        url=reverse("accounts:profile"),
        # Names of fields only, never their values.
        context={"action": action, "model": str(obj._meta.model_name), "fields": sorted(fields)},
    )
