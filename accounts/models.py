"""People and organisations: users, organisations (Träger), services, teams, memberships, roles.

Nothing clinical is stored about staff. A peer's former client placements and a professional's
lived experience are recorded only as the person declares them, and only the rules that need
them (and the person) read them.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import zoneinfo
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones()) if "/" in name]


class Role(models.TextChoices):
    ORG_ADMIN = "org_admin", _("Organisation admin")
    TEAM_LEAD = "team_lead", _("Team lead")
    PEER = "peer", _("Peer")
    PROFESSIONAL = "professional", _("Professional")
    MENTOR = "mentor", _("Mentor")
    SUPERVISOR = "supervisor", _("Supervisor")


ROLE_FIELDS = {
    Role.ORG_ADMIN: "is_org_admin",
    Role.TEAM_LEAD: "is_team_lead",
    Role.PEER: "is_peer",
    Role.PROFESSIONAL: "is_professional",
    Role.MENTOR: "is_mentor",
    Role.SUPERVISOR: "is_supervisor",
}

# Roles that read confidential content (irritations, supervision notes, personal data of staff).
CONFIDENTIAL_ROLES = (Role.MENTOR, Role.SUPERVISOR, Role.ORG_ADMIN)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    class Language(models.TextChoices):
        GERMAN = "de", _("German")
        ENGLISH = "en", _("English")

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.GERMAN
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/Berlin"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("operator (Django admin)"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    # Set when an org admin erases a person who left: the row stays as a pseudonym so that
    # tandems and the audit trail keep their shape.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def visible_to(self, user: User | AnonymousUser) -> OrganisationQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(memberships__user=user, memberships__ended_on__isnull=True).distinct()


class Organisation(models.Model):
    """A provider (Träger)."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=60, unique=True)
    mfa_required = models.BooleanField(
        _("require two-factor authentication for mentors, supervisors and org admins"),
        default=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and self.mfa_required is False and settings.TANDEM_MFA_REQUIRED_BY_DEFAULT:
            self.mfa_required = True
        super().save(*args, **kwargs)


class ServiceQuerySet(models.QuerySet["Service"]):
    def visible_to(self, user: User | AnonymousUser) -> ServiceQuerySet:
        return self.filter(organisation__in=Organisation.objects.visible_to(user))

    def active(self) -> ServiceQuerySet:
        return self.filter(archived_at__isnull=True)


class Service(models.Model):
    """A service or facility (Einrichtung) of an organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="services", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=200)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="service_unique_name_per_org")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accounts:service_detail", args=[self.pk])


class TeamQuerySet(models.QuerySet["Team"]):
    def visible_to(self, user: User | AnonymousUser) -> TeamQuerySet:
        return self.filter(organisation__in=Organisation.objects.visible_to(user)).select_related(
            "service"
        )

    def active(self) -> TeamQuerySet:
        return self.filter(archived_at__isnull=True)


class Team(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="teams", verbose_name=_("organisation")
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="teams", verbose_name=_("service")
    )
    name = models.CharField(_("name"), max_length=200)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["service__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["service", "name"], name="team_unique_name_per_service")
        ]

    def __str__(self) -> str:
        return f"{self.service.name} · {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("accounts:team_detail", args=[self.pk])


class MembershipQuerySet(models.QuerySet["Membership"]):
    def visible_to(self, user: User | AnonymousUser) -> MembershipQuerySet:
        return self.filter(organisation__in=Organisation.objects.visible_to(user)).select_related(
            "user", "organisation"
        )

    def active(self) -> MembershipQuerySet:
        return self.filter(ended_on__isnull=True)

    def with_role(self, role: Role | str) -> MembershipQuerySet:
        return self.filter(**{ROLE_FIELDS[Role(role)]: True})


class Membership(models.Model):
    """A person's place in an organisation, with the roles they hold there."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("organisation")
    )
    is_org_admin = models.BooleanField(_("organisation admin"), default=False)
    is_team_lead = models.BooleanField(_("team lead"), default=False)
    is_peer = models.BooleanField(_("peer"), default=False)
    is_professional = models.BooleanField(_("professional"), default=False)
    is_mentor = models.BooleanField(_("mentor"), default=False)
    is_supervisor = models.BooleanField(_("supervisor"), default=False)
    # An external supervisor's account is limited to the supervision groups they lead.
    is_external = models.BooleanField(_("external"), default=False)
    started_on = models.DateField(_("since"), default=timezone.localdate)
    ended_on = models.DateField(_("until"), null=True, blank=True)
    # The services whose teams a team lead creates and runs (accounts.rules.services_run_by).
    led_services = models.ManyToManyField(
        Service, blank=True, related_name="leads", verbose_name=_("services led")
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user__full_name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(ended_on__isnull=True),
                name="membership_one_active_per_org",
            ),
            models.CheckConstraint(
                condition=~(Q(is_peer=True) & Q(is_professional=True)),
                name="membership_not_peer_and_professional",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user.display_name} ({self.organisation})"

    def get_absolute_url(self) -> str:
        return reverse("accounts:member_detail", args=[self.pk])

    @property
    def roles(self) -> list[Role]:
        return [role for role, field in ROLE_FIELDS.items() if getattr(self, field)]

    def has_role(self, role: Role | str) -> bool:
        return bool(getattr(self, ROLE_FIELDS[Role(role)]))

    @property
    def is_active(self) -> bool:
        return self.ended_on is None

    @property
    def needs_mfa(self) -> bool:
        return self.organisation.mfa_required and any(self.has_role(r) for r in CONFIDENTIAL_ROLES)


class PeerProfile(models.Model):
    class Kind(models.TextChoices):
        EMPLOYED = "employed", _("Employed peer")
        VOLUNTEER = "volunteer", _("Volunteer peer")
        RELATIVE = "relative", _("Relative peer")

    class ExinStatus(models.TextChoices):
        NONE = "none", _("No EX-IN training")
        IN_TRAINING = "in_training", _("In EX-IN training")
        CERTIFIED = "certified", _("EX-IN certified")
        TRAINER = "trainer", _("EX-IN trainer")

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="peer_profile", verbose_name=_("membership")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.EMPLOYED)
    exin_status = models.CharField(
        _("EX-IN status"), max_length=20, choices=ExinStatus.choices, default=ExinStatus.NONE
    )
    exin_certified_on = models.DateField(_("EX-IN certified on"), null=True, blank=True)
    exin_trainer = models.CharField(_("EX-IN trainer"), max_length=150, blank=True)
    weekly_hours = models.DecimalField(
        _("weekly hours"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(60)],
    )
    expense_allowance = models.DecimalField(
        _("expense allowance per month (EUR)"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta:
        verbose_name = _("peer details")
        verbose_name_plural = _("peer details")

    def __str__(self) -> str:
        return str(self.membership)


class ProfessionalProfile(models.Model):
    class Visibility(models.TextChoices):
        # Who sees it is decided in one place: accounts.disclosure.sees_lived_experience.
        NOBODY = "nobody", _("Nobody")
        TANDEM = "tandem", _("My tandem partners")
        TEAM = "team", _("The people of my team")
        PEERS = "peers", _("The peers of my organisation")
        ORGANISATION = "organisation", _("Everyone in my organisation")

    membership = models.OneToOneField(
        Membership,
        on_delete=models.CASCADE,
        related_name="professional_profile",
        verbose_name=_("membership"),
    )
    profession = models.CharField(_("profession"), max_length=120, blank=True)
    # Disclosure is the professional's own decision; only they can change these two fields.
    has_lived_experience = models.BooleanField(_("I have lived experience of crisis myself"), default=False)
    lived_experience_visible_to = models.CharField(
        _("who may see this"), max_length=20, choices=Visibility.choices, default=Visibility.NOBODY
    )

    class Meta:
        verbose_name = _("professional details")
        verbose_name_plural = _("professional details")

    def __str__(self) -> str:
        return str(self.membership)


class TeamMembershipQuerySet(models.QuerySet["TeamMembership"]):
    def visible_to(self, user: User | AnonymousUser) -> TeamMembershipQuerySet:
        return self.filter(team__organisation__in=Organisation.objects.visible_to(user)).select_related(
            "team", "membership__user"
        )

    def current(self) -> TeamMembershipQuerySet:
        today = timezone.localdate()
        return self.filter(started_on__lte=today).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))


class TeamMembership(models.Model):
    class Function(models.TextChoices):
        PEER = "peer", _("Peer")
        PROFESSIONAL = "professional", _("Professional")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="team_memberships", verbose_name=_("team"))
    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="team_memberships", verbose_name=_("person")
    )
    function = models.CharField(_("function"), max_length=20, choices=Function.choices)
    started_on = models.DateField(_("since"), default=timezone.localdate)
    ended_on = models.DateField(_("until"), null=True, blank=True)

    objects = TeamMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        ordering = ["team", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "membership"],
                condition=Q(ended_on__isnull=True),
                name="team_membership_one_open_per_team",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="team_membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership.user.display_name} in {self.team}"


class PlacementConflictQuerySet(models.QuerySet["PlacementConflict"]):
    def visible_to(self, user: User | AnonymousUser) -> PlacementConflictQuerySet:
        # Only the peer who declared it reads the declaration itself; rules read it through
        # accounts.rules.has_placement_conflict, which answers yes or no and nothing more.
        if not user.is_authenticated:
            return self.none()
        return self.filter(peer__user=user, peer__ended_on__isnull=True)


class PlacementConflict(models.Model):
    """A service where the peer was once a client (declared by the peer)."""

    peer = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="placement_conflicts", verbose_name=_("peer")
    )
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="placement_conflicts", verbose_name=_("service")
    )
    declared_at = models.DateTimeField(auto_now_add=True)

    objects = PlacementConflictQuerySet.as_manager()

    class Meta:
        verbose_name = _("placement conflict")
        verbose_name_plural = _("placement conflicts")
        constraints = [
            models.UniqueConstraint(fields=["peer", "service"], name="placement_conflict_unique")
        ]

    def __str__(self) -> str:
        return str(_("placement conflict declared"))


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def visible_to(self, user: User | AnonymousUser) -> InvitationQuerySet:
        if not user.is_authenticated:
            return self.none()
        managed = Membership.objects.filter(user=user, ended_on__isnull=True).filter(
            Q(is_org_admin=True) | Q(is_team_lead=True)
        )
        return self.filter(organisation__in=managed.values("organisation")).select_related(
            "organisation", "invited_by"
        )

    def by_token(self, token: str) -> InvitationQuerySet:
        return self.filter(token_hash=_hash_token(token))


class Invitation(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        EXPIRED = "expired", _("expired")
        REVOKED = "revoked", _("revoked")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("organisation")
    )
    email = models.EmailField(_("e-mail address"))
    full_name = models.CharField(_("name"), max_length=150, blank=True)
    roles = models.JSONField(_("roles"), default=list)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("team")
    )
    # Only a hash of the link's token is kept: a database dump does not hand out working invitation
    # links. The token itself is derived from this random nonce and SECRET_KEY (see ``token()``), so
    # the outbox can put the link into the e-mail when it sends it, without storing it anywhere.
    link_nonce = models.CharField(max_length=64, blank=True, editable=False)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("invited by")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # The invitation's e-mails in the outbox go with it (erasure deletes invitations by address).
    notifications = GenericRelation("notifications.Notification")

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    def new_link(self) -> str:
        """A fresh link: a new nonce, so every earlier link of this invitation stops working."""
        self.link_nonce = secrets.token_urlsafe(32)
        token = self.token()
        self.token_hash = _hash_token(token)
        return token

    def token(self) -> str:
        """The token of the current link: HMAC of the nonce under SECRET_KEY (nothing without the key)."""
        mac = salted_hmac("accounts.Invitation.link", self.link_nonce, algorithm="sha256")
        return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()

    def token_is_current(self) -> bool:
        # False when SECRET_KEY changed since the link was made: the derived link would not open.
        return bool(self.link_nonce) and _hash_token(self.token()) == self.token_hash

    @staticmethod
    def default_expiry() -> Any:
        return timezone.now() + timedelta(days=settings.TANDEM_INVITATION_DAYS)

    @property
    def state(self) -> State:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    @property
    def role_labels(self) -> list[str]:
        return [str(Role(r).label) for r in self.roles if r in Role.values]
