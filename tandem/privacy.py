"""The personal-data registry: what Tandem keeps about people, why, for how long, and how it is
exported (GDPR Art. 15/20) and erased (Art. 17).

Every model that holds personal data has one entry. The same registry drives the JSON export a
person downloads, the erasure an org admin runs when someone leaves, and the record of processing
(Art. 30) page, so the three cannot drift apart. tests/trust/test_privacy.py fails for a model
with personal data that is not registered here.

Apps may register their own models (``privacy.register(...)`` in ``AppConfig.ready()``); the
entries below are the defaults and step aside for an app's own registration of the same model.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import Membership, User

EMPLOYMENT = _("Employment relationship (Art. 6(1)(b) GDPR, § 26 BDSG)")

# What happens to a model's rows about a person when they are erased.
DELETE = "delete"  # the rows go
KEEP = "keep"  # the rows stay and point to the pseudonymised person (tandems, audit trail, history)

Eraser = Callable[["User", dict[str, Any]], None]


@dataclass(frozen=True)
class Entry:
    label: str  # "app_label.ModelName"
    purpose: Any
    retention: Any
    # Lookups from the model to the person (a User): rows matching any of them concern the person.
    subject: tuple[str, ...]
    erase: str | Eraser = DELETE
    # Exported fields (None: every concrete field). Secrets (password hashes, tokens) never are.
    fields: tuple[str, ...] | None = None
    special_category: bool = False  # GDPR Art. 9: lived experience of crisis, confidential conflicts
    legal_basis: Any = None  # None: the employment relationship (see EMPLOYMENT)
    default: bool = field(default=False, compare=False)

    @property
    def basis(self) -> Any:
        return self.legal_basis or EMPLOYMENT

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    def rows(self, user: User) -> models.QuerySet[Any]:
        if not self.subject:  # not linked by a column (sessions): handled by the accounts.User eraser
            return self.model._base_manager.none()
        condition = Q()
        for lookup in self.subject:
            condition |= Q(**{lookup: user.pk})
        return self.model._base_manager.filter(condition).distinct()


_REGISTRY: dict[str, Entry] = {}
_DEFAULTS_LOADED = False


def _register_audit_labels() -> None:
    # Lazily (on first use of the registry, after the apps are ready): tandem/apps.py is not ours.
    from tandem.audit.models import register_actions

    register_actions({"privacy.person_erased": _("Personal data erased")})


def register(label: str, **options: Any) -> Entry:
    """Register (or replace) the personal-data handling of one model."""
    entry = Entry(label=label, **options)
    existing = _REGISTRY.get(label)
    if existing is not None and not existing.default and entry.default:
        return existing  # an app's own registration wins over the defaults below
    _REGISTRY[label] = entry
    return entry


def registry() -> dict[str, Entry]:
    _load_defaults()
    return dict(_REGISTRY)


# --- Logs -----------------------------------------------------------------------------------------

# PostgreSQL echoes the values of a rejected row ("DETAIL: Failing row contains (..., <text>, ...)",
# "Key (title)=(<text>) already exists"): an error while saving an irritation would copy its
# confidential text into the log. The console handler (settings.LOGGING) redacts such details.
_DETAIL = re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE)
_FAILING_ROW = re.compile(r"Failing row contains \(.*?\)(?=\.?\s*$)", re.MULTILINE | re.DOTALL)
_KEY_VALUE = re.compile(r"Key \(([^)]*)\)=\(.*?\)(?= already exists| is not present| conflicts)")


def redact(text: str) -> str:
    text = _DETAIL.sub(r"\1 [redacted]", text)
    text = _FAILING_ROW.sub("Failing row contains [redacted]", text)
    return _KEY_VALUE.sub(r"Key (\1)=([redacted])", text)


class RedactDatabaseDetail(logging.Filter):
    """Removes row values echoed by the database from log records (message and traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken log call must not break logging
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


# --- Export -------------------------------------------------------------------------------------

SECRET_FIELDS = {"password", "token_hash", "secret", "data", "session_key", "session_data", "dedupe_key"}


def _export_rows(entry: Entry, user: User) -> list[dict[str, Any]]:
    model = entry.model
    names = entry.fields or tuple(
        f.attname for f in model._meta.concrete_fields if f.name not in SECRET_FIELDS and f.attname not in SECRET_FIELDS
    )
    return list(entry.rows(user).order_by("pk").values(*names))


def export_for(user: User) -> dict[str, Any]:
    """Everything Tandem keeps about ``user``, as JSON-able data, one section per registered model."""
    data: dict[str, Any] = {}
    for label, entry in sorted(registry().items()):
        rows = _export_rows(entry, user)
        if rows:
            data[label] = {"description": str(entry.model._meta.verbose_name_plural), "purpose": str(entry.purpose), "rows": rows}
    document = {
        "generated_at": timezone.now(),
        "person": {"id": user.pk, "email": user.email, "name": user.full_name},
        "data": data,
    }
    # Dates, decimals and UUIDs become strings: the result survives json.dumps unchanged.
    return json.loads(json.dumps(document, cls=DjangoJSONEncoder))


# --- Erasure ------------------------------------------------------------------------------------


def erasure_refusal(membership: Membership) -> str | None:
    """Why this person cannot be erased yet (None: they can)."""
    from accounts.models import Membership

    if membership.user.erased_at is not None:
        return str(_("This person has already been erased."))
    if membership.ended_on is None:
        return str(_("End the membership first: only people who have left can be erased."))
    if Membership.objects.active().filter(user_id=membership.user_id).exists():
        return str(_("This person is still active in an organisation using Tandem."))
    return None


def pseudonym(user: User) -> str:
    return str(_("Former member %(number)s") % {"number": user.pk})


@transaction.atomic
def erase_person(*, membership: Membership, by: User) -> User:
    """Erase a person who left: personal data removed or pseudonymised, confidential irritations
    deleted; tandems and the audit trail keep the (pseudonymised) person."""
    from accounts.models import User
    from tandem.audit.services import record

    refusal = erasure_refusal(membership)
    if refusal:
        raise ValidationError(str(refusal))
    user = User.objects.select_for_update().get(pk=membership.user_id)
    # What identified them, so that copies elsewhere (notification texts, admin log) can be scrubbed.
    identity = {"email": user.email, "name": user.full_name, "pseudonym": pseudonym(user)}
    entries = registry()
    # Delete first (their own rows), then handlers that rewrite, the person's own row last.
    for _label, entry in sorted(entries.items(), key=lambda item: (item[1].erase != DELETE, item[0] == "accounts.User")):
        if entry.erase == DELETE:
            entry.rows(user).delete()
        elif callable(entry.erase):
            entry.erase(user, identity)
    record(
        actor=by,
        action="privacy.person_erased",
        obj=membership,
        organisation=membership.organisation,
        detail={"user": user.pk},
    )
    user.refresh_from_db()
    return user


def _pseudonymise_user(user: User, identity: dict[str, Any]) -> None:
    user.email = f"erased-{user.pk}@erased.invalid"
    user.full_name = identity["pseudonym"]
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.erased_at = timezone.now()
    user.save()


def _drop_sessions(user: User, identity: dict[str, Any]) -> None:
    from django.contrib.sessions.models import Session

    doomed = [s.pk for s in Session.objects.all() if str(s.get_decoded().get("_auth_user_id")) == str(user.pk)]
    Session.objects.filter(pk__in=doomed).delete()


def _scrub_texts(user: User, identity: dict[str, Any]) -> None:
    """Copies of the name or address in other people's notifications and in the admin log."""
    from django.contrib.admin.models import LogEntry

    from tandem.notifications.models import Notification

    needles = [n for n in (identity["email"], identity["name"]) if n]
    for needle in needles:
        rows = Notification.objects.annotate(text=Cast("context", TextField())).filter(text__icontains=needle)
        for notification in rows:
            notification.context = json.loads(
                json.dumps(notification.context).replace(json.dumps(needle)[1:-1], identity["pseudonym"])
            )
            notification.save(update_fields=["context"])
        LogEntry.objects.filter(object_repr__icontains=needle).update(object_repr=identity["pseudonym"])
        LogEntry.objects.filter(change_message__icontains=needle).update(change_message="")


def _forget_in_other_records(user: User, identity: dict[str, Any]) -> None:
    """Other people's records keep what happened, without naming the erased person."""
    if apps.is_installed("mentoring"):
        Irritation = apps.get_model("mentoring", "Irritation")
        Irritation._base_manager.filter(colleague__user=user).update(colleague=None)
        MentoringSettings = apps.get_model("mentoring", "MentoringSettings")
        MentoringSettings._base_manager.filter(backup__user=user).update(backup=None)


def _invitations(user: User, identity: dict[str, Any]) -> None:
    from accounts.models import Invitation

    Invitation.objects.filter(email__iexact=identity["email"]).delete()


def _erase_user(user: User, identity: dict[str, Any]) -> None:
    _invitations(user, identity)
    _scrub_texts(user, identity)
    _forget_in_other_records(user, identity)
    _drop_sessions(user, identity)
    _pseudonymise_user(user, identity)


# --- The registry -----------------------------------------------------------------------------------


def _load_defaults() -> None:
    global _DEFAULTS_LOADED
    if _DEFAULTS_LOADED:
        return
    _DEFAULTS_LOADED = True
    _register_audit_labels()
    for label, options in _defaults():
        if apps.is_installed(label.split(".")[0]) or _app_installed(label):
            register(label, default=True, **options)


def _app_installed(label: str) -> bool:
    try:
        apps.get_model(label)
    except LookupError:
        return False
    return True


WHILE_MEMBER = _("While the person is a member; erased on request after they leave.")
WITH_ORGANISATION = _("As long as the organisation uses Tandem; pseudonymised when the person is erased.")
AUDIT = _("Kept as evidence of who read or changed personal data; the person appears as a pseudonym after erasure.")


def _defaults() -> Iterable[tuple[str, dict[str, Any]]]:
    work = _("Coordinating peer–professional work in the organisation")
    yield "accounts.User", {
        "purpose": _("Signing in, contacting the person, showing who did what"),
        "retention": WHILE_MEMBER,
        "subject": ("pk",),
        "fields": ("id", "email", "full_name", "preferred_language", "time_zone", "date_joined", "last_login"),
        "erase": _erase_user,
    }
    yield "accounts.Membership", {"purpose": work, "retention": WITH_ORGANISATION, "subject": ("user",), "erase": KEEP}
    yield "accounts.PeerProfile", {
        "purpose": _("Peer details: kind of peer work, EX-IN training, hours, expense allowance"),
        "retention": WHILE_MEMBER,
        "subject": ("membership__user",),
    }
    yield "accounts.ProfessionalProfile", {
        "purpose": _("Profession, and lived experience if the professional chose to disclose it"),
        "retention": WHILE_MEMBER,
        "subject": ("membership__user",),
        "special_category": True,
        "legal_basis": _("Explicit consent of the professional (Art. 9(2)(a) GDPR)"),
    }
    yield "accounts.TeamMembership", {"purpose": work, "retention": WITH_ORGANISATION, "subject": ("membership__user",), "erase": KEEP}
    yield "accounts.PlacementConflict", {
        "purpose": _("Rule of practice: a peer should not work where they were once a client"),
        "retention": WHILE_MEMBER,
        "subject": ("peer__user",),
        "special_category": True,
        "legal_basis": _("Explicit consent of the peer, who declares it (Art. 9(2)(a) GDPR)"),
    }
    yield "accounts.Invitation", {
        "purpose": _("Inviting a person to join the organisation in Tandem"),
        "retention": _("Until accepted or revoked; deleted when the person is erased."),
        "subject": ("accepted_by",),
        "fields": ("id", "organisation_id", "email", "full_name", "roles", "created_at", "accepted_at"),
    }
    yield "account.EmailAddress", {
        "purpose": _("Signing in and confirming the e-mail address"),
        "retention": WHILE_MEMBER,
        "subject": ("user",),
        "fields": ("id", "email", "verified", "primary"),
    }
    yield "mfa.Authenticator", {
        "purpose": _("Second factor for signing in"),
        "retention": WHILE_MEMBER,
        "subject": ("user",),
        "fields": ("id", "type", "created_at", "last_used_at"),
    }
    yield "sessions.Session", {
        "purpose": _("Keeping a person signed in (30 minutes idle, 12 hours at most)"),
        "retention": _("30 minutes after the last request, 12 hours at most."),
        "subject": (),
        "fields": ("expire_date",),
        "erase": KEEP,  # dropped by the accounts.User handler (sessions are not linked by a column)
    }
    yield "admin.LogEntry", {
        "purpose": _("Record of changes made by operators in Django admin"),
        "retention": AUDIT,
        "subject": ("user",),
        "fields": ("id", "action_time", "content_type_id", "object_id", "action_flag"),
        "erase": KEEP,
    }
    yield "audit.AuditEvent", {
        "purpose": _("Showing who read or changed personal data (accountability, Art. 5(2) GDPR)"),
        "retention": AUDIT,
        "subject": ("actor",),
        "fields": ("id", "action", "outcome", "content_type_id", "object_id", "occurred_at"),
        "erase": KEEP,
        "legal_basis": _("Legal obligation and legitimate interest in accountability (Art. 6(1)(c), (f) GDPR)"),
    }
    yield "notifications.Notification", {
        "purpose": _("Telling the person what needs their attention"),
        "retention": WHILE_MEMBER,
        "subject": ("recipient",),
        "fields": ("id", "kind", "channel", "url", "created_at", "sent_at", "read_at"),
    }
    yield "notifications.NotificationPreference", {"purpose": _("The person's notification choices"), "retention": WHILE_MEMBER, "subject": ("user",)}
    yield "notifications.DeliverySettings", {"purpose": _("Quiet hours and digest time"), "retention": WHILE_MEMBER, "subject": ("user",)}
    yield "tandem.Tandem", {
        "purpose": _("Pairing a peer with a professional (rules of practice 1–4)"),
        "retention": WITH_ORGANISATION,
        "subject": ("peer__user", "professional__user", "proposed_by"),
        "erase": KEEP,
    }
    yield "tandem.Reflection", {
        "purpose": _("A partner's own reflection on how the tandem goes"),
        "retention": WHILE_MEMBER,
        "subject": ("author__user",),
    }
    yield "tandem.SupportProcess", {
        "purpose": _("Twelve months of support for a client (pseudonymous client code only)"),
        "retention": WITH_ORGANISATION,
        "subject": ("created_by", "tandem__peer__user", "tandem__professional__user"),
        "erase": KEEP,
    }
    yield "mentoring.MentorAssignment", {
        "purpose": _("Rule of practice 1: every peer has a mentor"),
        "retention": WITH_ORGANISATION,
        "subject": ("peer__user", "mentor__user", "assigned_by"),
        "erase": KEEP,
    }
    yield "mentoring.CheckIn", {
        "purpose": _("Regular talks between a mentor and a peer"),
        "retention": WHILE_MEMBER,
        "subject": ("assignment__peer__user",),
        "special_category": True,
    }
    yield "mentoring.Irritation", {
        "purpose": _("Confidential irritations a peer raises with her mentor (rule of practice 5)"),
        "retention": _("Deleted after the organisation's retention period once resolved or withdrawn; deleted when the peer is erased."),
        "subject": ("peer__user",),
        "special_category": True,
        "legal_basis": _("Explicit consent of the peer who writes it (Art. 9(2)(a) GDPR)"),
    }
    yield "mentoring.IrritationMessage", {
        "purpose": _("The conversation between a peer and her mentor about an irritation"),
        "retention": _("Deleted with its irritation."),
        "subject": ("author", "irritation__peer__user"),
        "special_category": True,
        "erase": KEEP,  # the peer's own threads go with her irritations; a mentor's replies stay in the peer's record
    }
    yield "mentoring.EscalationStep", {
        "purpose": _("When an irritation was escalated, and to whom"),
        "retention": _("Deleted with its irritation."),
        "subject": ("mentor__user", "irritation__peer__user"),
        "erase": KEEP,
    }
    yield "mentoring.MentoringSettings", {
        "purpose": _("The organisation's backup person for unanswered irritations"),
        "retention": WITH_ORGANISATION,
        "subject": ("backup__user",),
        "erase": KEEP,  # the accounts.User handler clears the backup
    }
    for label, what in (
        ("supervision.SupervisionGroup", ("created_by",)),
        ("supervision.GroupShare", ("requested_by", "accepted_by")),
        ("supervision.GroupSupervisor", ("membership__user",)),
        ("supervision.GroupMember", ("membership__user",)),
        ("supervision.Series", ("created_by",)),
        ("supervision.Attendance", ("membership__user", "recorded_by")),
        ("supervision.SessionNote", ("author",)),
        ("supervision.DatePoll", ("created_by",)),
    ):
        yield label, {
            "purpose": _("Peer supervision: groups, dates, attendance and notes (rule of practice 8)"),
            "retention": WITH_ORGANISATION,
            "subject": what,
            "erase": KEEP,
        }
    yield "supervision.Rsvp", {"purpose": _("Answers to supervision dates"), "retention": WHILE_MEMBER, "subject": ("membership__user",)}
    yield "supervision.PollAnswer", {"purpose": _("Answers to date polls"), "retention": WHILE_MEMBER, "subject": ("membership__user",)}
    yield "supervision.CalendarFeed", {
        "purpose": _("The person's private calendar address"),
        "retention": WHILE_MEMBER,
        "subject": ("user",),
        "fields": ("id", "created_at"),
    }

