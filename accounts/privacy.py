"""What accounts keeps about people, registered with the kernel's personal-data registry, and what
erasing a person means for her account: invitations, admin log, sessions, then the pseudonym."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tandem import privacy
from tandem.audit.services import record
from tandem.privacy import AUDIT, KEEP, WHILE_MEMBER, WITH_ORGANISATION

WORK = _("Coordinating peer–professional work in the organisation")


def erasure_check(user: Any) -> str | None:
    """Only people who have left every organisation using Tandem can be erased."""
    from .models import Membership

    if Membership.objects.active().filter(user=user).exists():
        return str(_("This person is still active in an organisation using Tandem."))
    return None


def _invitations(user: Any, identity: dict[str, Any]) -> None:
    from .models import Invitation

    Invitation.objects.filter(email__iexact=identity["email"]).delete()


def _admin_log(user: Any, identity: dict[str, Any]) -> None:
    from django.contrib.admin.models import LogEntry

    for needle in (n for n in (identity["email"], identity["name"]) if n):
        LogEntry.objects.filter(object_repr__icontains=needle).update(object_repr=identity["pseudonym"])
        LogEntry.objects.filter(change_message__icontains=needle).update(change_message="")


def _sessions(user: Any, identity: dict[str, Any]) -> None:
    from django.contrib.sessions.models import Session

    doomed = [s.pk for s in Session.objects.all() if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)]
    Session.objects.filter(pk__in=doomed).delete()


def _pseudonymise(user: Any, identity: dict[str, Any]) -> None:
    user.email = f"erased-{user.pk}@erased.invalid"
    user.full_name = identity["pseudonym"]
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.erased_at = timezone.now()
    user.save()


def register() -> None:
    privacy.register_erasure_check(erasure_check)
    privacy.register_erasure_step(_invitations, order=10)
    privacy.register_erasure_step(_admin_log, order=20)
    privacy.register_erasure_step(_sessions, order=90)
    privacy.register_erasure_step(_pseudonymise, order=100)
    privacy.register(
        "accounts.User",
        purpose=_("Signing in, contacting the person, showing who did what"),
        retention=WHILE_MEMBER,
        subject=("pk",),
        fields=("id", "email", "full_name", "preferred_language", "time_zone", "date_joined", "last_login"),
        erase=KEEP,  # pseudonymised by the last erasure step
    )
    privacy.register("accounts.Membership", purpose=WORK, retention=WITH_ORGANISATION, subject=("user",), erase=KEEP)
    privacy.register(
        "accounts.PeerProfile",
        purpose=_("Peer details: kind of peer work, EX-IN training, hours, expense allowance"),
        retention=WHILE_MEMBER,
        subject=("membership__user",),
    )
    privacy.register(
        "accounts.ProfessionalProfile",
        purpose=_("Profession, and lived experience if the professional chose to disclose it"),
        retention=WHILE_MEMBER,
        subject=("membership__user",),
        special_category=True,
        legal_basis=_("Explicit consent of the professional (Art. 9(2)(a) GDPR)"),
    )
    privacy.register(
        "accounts.TeamMembership", purpose=WORK, retention=WITH_ORGANISATION, subject=("membership__user",), erase=KEEP
    )
    privacy.register(
        "accounts.PlacementConflict",
        purpose=_("Rule of practice: a peer should not work where they were once a client"),
        retention=WHILE_MEMBER,
        subject=("peer__user",),
        special_category=True,
        legal_basis=_("Explicit consent of the peer, who declares it (Art. 9(2)(a) GDPR)"),
    )
    privacy.register(
        "accounts.Invitation",
        purpose=_("Inviting a person to join the organisation in Tandem"),
        retention=_("Until accepted or revoked; deleted when the person is erased."),
        subject=("accepted_by",),
        fields=("id", "organisation_id", "email", "full_name", "roles", "created_at", "accepted_at"),
    )
    privacy.register(
        "account.EmailAddress",
        purpose=_("Signing in and confirming the e-mail address"),
        retention=WHILE_MEMBER,
        subject=("user",),
        fields=("id", "email", "verified", "primary"),
    )
    privacy.register(
        "mfa.Authenticator",
        purpose=_("Second factor for signing in"),
        retention=WHILE_MEMBER,
        subject=("user",),
        fields=("id", "type", "created_at", "last_used_at"),
    )
    privacy.register(
        "sessions.Session",
        purpose=_("Keeping a person signed in (30 minutes idle, 12 hours at most)"),
        retention=_("30 minutes after the last request, 12 hours at most."),
        subject=(),
        fields=("expire_date",),
        erase=KEEP,  # not linked by a column: dropped by an erasure step
    )
    privacy.register(
        "admin.LogEntry",
        purpose=_("Record of changes made by operators in Django admin"),
        retention=AUDIT,
        subject=("user",),
        fields=("id", "action_time", "content_type_id", "object_id", "action_flag"),
        erase=KEEP,
    )


def erasure_refusal(membership: Any) -> str | None:
    """Why the person of this membership cannot be erased yet (None: she can)."""
    if membership.user.erased_at is None and membership.ended_on is None:
        return str(_("End the membership first: only people who have left can be erased."))
    return privacy.erasure_refusal(membership.user)


@transaction.atomic
def erase_member(*, membership: Any, by: Any) -> Any:
    """An org admin erases a person who left her organisation (GDPR Art. 17)."""
    refusal = erasure_refusal(membership)
    if refusal:
        raise ValidationError(refusal)
    user = privacy.erase_person(user=membership.user)
    record(
        actor=by,
        action="privacy.person_erased",
        obj=membership,
        organisation=membership.organisation,
        detail={"user": user.pk},
    )
    return user
