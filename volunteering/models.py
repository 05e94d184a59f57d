"""Volunteer peers: agreements, hours, expenses, monthly billing runs and statements.

Money is kept as whole cents (integers); amounts are computed with ``Decimal`` and rounded half up
to the cent once per entry (see ``rules.amount_for``). The tax-free limits of § 3 Nr. 26/26a EStG
are data (``TaxFreeLimit``): a change of law is a new row, not new code.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership, Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

MAX_MINUTES_PER_ENTRY = 12 * 60
MAX_EXPENSE_CENTS = 100_000  # 1,000 € per entry: more is a typing error, not a ticket
MAX_RATE_CENTS = 100_000


def private_storage() -> FileSystemStorage:
    """Receipts live outside MEDIA: no URL serves them, only the access-checked download view.

    A callable, so that migrations name it instead of freezing a directory."""
    return FileSystemStorage(location=str(settings.TANDEM_PRIVATE_FILES_DIR), base_url=None)


def receipt_path(instance: Any, filename: str) -> str:
    # A random name: the volunteer's file name (which may name a client or a place) is not kept on disk.
    suffix = ".pdf" if instance.receipt_content_type == "application/pdf" else ""
    return f"receipts/{instance.organisation_id}/{uuid.uuid4().hex}{suffix}"


class AllowanceKind(models.TextChoices):
    EHRENAMT = "26a", _("Volunteer allowance (§ 3 No. 26a EStG)")
    UEBUNGSLEITER = "26", _("Trainer allowance (§ 3 No. 26 EStG)")
    NONE = "none", _("No tax-free allowance")


class RateKind(models.TextChoices):
    HOUR = "hour", _("per hour")
    MONTH = "month", _("per month")
    SESSION = "session", _("per session")


class TaxFreeLimit(models.Model):
    """The yearly tax-free amount of one allowance from a year on (until a later row replaces it)."""

    year = models.PositiveSmallIntegerField(_("from year"), validators=[MinValueValidator(2000), MaxValueValidator(2200)])
    kind = models.CharField(
        _("allowance"), max_length=4, choices=[(AllowanceKind.EHRENAMT, AllowanceKind.EHRENAMT.label),
                                               (AllowanceKind.UEBUNGSLEITER, AllowanceKind.UEBUNGSLEITER.label)]
    )
    amount_cents = models.PositiveIntegerField(_("amount per year (cents)"))

    class Meta:
        verbose_name = _("tax-free limit")
        verbose_name_plural = _("tax-free limits")
        ordering = ["kind", "-year"]
        constraints = [models.UniqueConstraint(fields=["year", "kind"], name="volunteering_limit_once_per_year")]

    def __str__(self) -> str:
        return f"{self.kind} {self.year}: {self.amount_cents / 100:.2f} €"

    @classmethod
    def cents_for(cls, kind: str, year: int) -> int | None:
        """The limit in force in ``year``: the latest row from that year or before (None: no limit)."""
        if kind == AllowanceKind.NONE:
            return None
        return cls.objects.filter(kind=kind, year__lte=year).order_by("-year").values_list("amount_cents", flat=True).first()


class ApprovalMode(models.TextChoices):
    AUTOMATIC = "automatic", _("Approved automatically")
    LEAD_APPROVES = "lead_approves", _("The volunteer submits, the team lead approves")
    LEAD_RECORDS = "lead_records", _("The team lead records the hours (approved at once)")


class VolunteeringSettings(models.Model):
    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="volunteering_settings", verbose_name=_("organisation")
    )
    approval_mode = models.CharField(
        _("approval of hours"), max_length=20, choices=ApprovalMode.choices, default=ApprovalMode.LEAD_APPROVES
    )

    class Meta:
        verbose_name = _("volunteering settings")
        verbose_name_plural = _("volunteering settings")

    def __str__(self) -> str:
        return str(self.organisation)

    @classmethod
    def for_organisation(cls, organisation: Organisation) -> VolunteeringSettings:
        found = cls.objects.filter(organisation=organisation).first()
        return found or cls(organisation=organisation)


def _managed_organisations(user: Any) -> Any:
    return Membership.objects.active().filter(user=user).filter(Q(is_org_admin=True) | Q(is_team_lead=True)).values("organisation")


def _visible(user: Any, volunteer_lookup: str, organisation_lookup: str) -> Q:
    """The volunteer herself, and the team leads and org admins of her organisation; nobody else."""
    return Q(**{f"{volunteer_lookup}__user": user, f"{volunteer_lookup}__ended_on__isnull": True}) | Q(
        **{f"{organisation_lookup}__in": _managed_organisations(user)}
    )


class AgreementQuerySet(models.QuerySet["VolunteerAgreement"]):
    def visible_to(self, user: User | AnonymousUser) -> AgreementQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(_visible(user, "volunteer", "organisation")).select_related("volunteer__user")

    def in_force_on(self, day: dt.date) -> AgreementQuerySet:
        return self.filter(valid_from__lte=day).order_by("-valid_from", "-id")


class VolunteerAgreement(models.Model):
    """One version of a volunteer's agreement; a change is a new version from a later date."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    volunteer = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="volunteer_agreements", verbose_name=_("volunteer")
    )
    valid_from = models.DateField(_("valid from"))
    activity = models.CharField(
        _("activity"), max_length=200, help_text=_("As it should appear on the statement, e.g. peer support of clients.")
    )
    allowance_kind = models.CharField(_("tax-free allowance"), max_length=4, choices=AllowanceKind.choices)
    rate_kind = models.CharField(_("rate"), max_length=10, choices=RateKind.choices, default=RateKind.HOUR)
    rate_cents = models.PositiveIntegerField(_("rate (cents)"), validators=[MaxValueValidator(MAX_RATE_CENTS)])
    hours_per_week = models.DecimalField(
        _("agreed hours per week"), max_digits=4, decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(40)],
    )
    # The volunteer's written declaration: how much of the same allowance she already uses elsewhere.
    uses_allowance_elsewhere = models.BooleanField(_("uses the same allowance elsewhere"), default=False)
    elsewhere_cents = models.PositiveIntegerField(_("amount used elsewhere (cents)"), default=0)
    elsewhere_year = models.PositiveSmallIntegerField(_("year of the amount used elsewhere"), null=True, blank=True)
    declared_on = models.DateField(_("declaration signed on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("volunteer agreement")
        verbose_name_plural = _("volunteer agreements")
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "valid_from"], name="volunteering_agreement_one_per_day")
        ]

    def __str__(self) -> str:
        return str(_("Agreement from %(date)s") % {"date": self.valid_from})

    def elsewhere_in(self, year: int) -> int:
        return self.elsewhere_cents if self.uses_allowance_elsewhere and self.elsewhere_year == year else 0


class EntryKind(models.TextChoices):
    CLIENT_SUPPORT = "client_support", _("Client support")
    TANDEM = "tandem", _("Tandem work")
    PEER_SUPERVISION = "peer_supervision", _("Peer supervision")
    QUALIFICATION = "qualification", _("Qualification")
    TRAVEL = "travel", _("Travel")


class EntryStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    REJECTED = "rejected", _("rejected")


class HourEntryQuerySet(models.QuerySet["HourEntry"]):
    def visible_to(self, user: User | AnonymousUser) -> HourEntryQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(_visible(user, "volunteer", "organisation")).select_related("volunteer__user")

    def approved(self) -> HourEntryQuerySet:
        return self.filter(status=EntryStatus.APPROVED)

    def in_month(self, month: dt.date) -> HourEntryQuerySet:
        return self.filter(date__year=month.year, date__month=month.month)


class HourEntry(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    volunteer = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="hour_entries", verbose_name=_("volunteer"))
    agreement = models.ForeignKey(VolunteerAgreement, on_delete=models.PROTECT, related_name="entries")
    date = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(MAX_MINUTES_PER_ENTRY)]
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    # Her support process (a pseudonymous client code, never a name).
    support_process = models.ForeignKey(
        "tandem.SupportProcess", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("support process"),
    )
    supervision_session = models.ForeignKey(
        "supervision.Session", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Snapshot at recording: the rate of the agreement in force that day, rounded once per entry.
    allowance_kind = models.CharField(max_length=4, choices=AllowanceKind.choices)
    amount_cents = models.PositiveIntegerField(_("allowance (cents)"), default=0)
    expense_cents = models.PositiveIntegerField(
        _("expense (cents)"), default=0, validators=[MaxValueValidator(MAX_EXPENSE_CENTS)]
    )
    expense_note = models.CharField(_("what the expense was for"), max_length=120, blank=True)
    receipt = models.FileField(_("receipt"), storage=private_storage, upload_to=receipt_path, blank=True, max_length=200)
    receipt_content_type = models.CharField(max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.SUBMITTED)
    reject_reason = models.CharField(_("reason"), max_length=300, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    statement = models.ForeignKey("Statement", on_delete=models.PROTECT, null=True, blank=True, related_name="entries")

    objects = HourEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("hour entry")
        verbose_name_plural = _("hour entries")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "supervision_session"],
                condition=Q(supervision_session__isnull=False),
                name="volunteering_session_confirmed_once",
            ),
            models.CheckConstraint(
                condition=Q(minutes__gte=1) & Q(minutes__lte=MAX_MINUTES_PER_ENTRY), name="volunteering_entry_minutes_range"
            ),
            models.CheckConstraint(condition=Q(expense_cents__lte=MAX_EXPENSE_CENTS), name="volunteering_entry_expense_range"),
        ]

    def __str__(self) -> str:
        return f"{self.date} · {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("volunteering:entry_detail", args=[self.pk])

    @property
    def hours(self) -> str:
        return f"{self.minutes // 60}:{self.minutes % 60:02d}"


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


class BillingRunQuerySet(models.QuerySet["BillingRun"]):
    def visible_to(self, user: User | AnonymousUser) -> BillingRunQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(organisation__in=_managed_organisations(user))


class BillingRun(models.Model):
    """One month of one organisation: review → approved → locked."""

    class State(models.TextChoices):
        REVIEW = "review", _("in review")
        APPROVED = "approved", _("approved")
        LOCKED = "locked", _("locked")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))  # always the first day
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.REVIEW)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    locked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = BillingRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("billing run")
        verbose_name_plural = _("billing runs")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="volunteering_run_once_per_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="volunteering_run_month_first_day"),
        ]

    def __str__(self) -> str:
        return self.month.strftime("%m/%Y")

    def get_absolute_url(self) -> str:
        return reverse("volunteering:run_detail", args=[self.pk])

    @property
    def is_closed(self) -> bool:
        """Approved or locked: the month's figures are on statements and no longer change."""
        return self.state != self.State.REVIEW


class StatementQuerySet(models.QuerySet["Statement"]):
    def visible_to(self, user: User | AnonymousUser) -> StatementQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(_visible(user, "volunteer", "run__organisation")).select_related("run", "volunteer__user", "agreement")


class Statement(models.Model):
    """The figures of one person's month, frozen when the month is approved."""

    run = models.ForeignKey(BillingRun, on_delete=models.CASCADE, related_name="statements")
    volunteer = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="volunteer_statements", verbose_name=_("volunteer"))
    agreement = models.ForeignKey(VolunteerAgreement, on_delete=models.PROTECT, related_name="+")
    allowance_kind = models.CharField(max_length=4, choices=AllowanceKind.choices)
    minutes = models.PositiveIntegerField(default=0)
    entries_cents = models.PositiveIntegerField(default=0)  # sum of the rounded entries
    flat_cents = models.PositiveIntegerField(default=0)  # a monthly flat rate
    allowance_cents = models.PositiveIntegerField(default=0)  # entries + flat
    tax_free_cents = models.PositiveIntegerField(default=0)
    taxable_cents = models.PositiveIntegerField(default=0)  # above the limit: shown, never cut
    expenses_cents = models.PositiveIntegerField(default=0)  # reimbursed actual costs, with receipts
    year_to_date_cents = models.PositiveIntegerField(default=0)  # allowance this year incl. this month
    limit_cents = models.PositiveIntegerField(null=True, blank=True)
    elsewhere_cents = models.PositiveIntegerField(default=0)
    remaining_cents = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        ordering = ["volunteer__user__full_name", "id"]
        constraints = [models.UniqueConstraint(fields=["run", "volunteer"], name="volunteering_statement_once")]

    def __str__(self) -> str:
        return f"{self.volunteer.user.display_name} {self.run}"

    @property
    def total_cents(self) -> int:
        return self.allowance_cents + self.expenses_cents
