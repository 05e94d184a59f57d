"""Peer supervision: groups, series, sessions, date polls, answers, attendance, notes, calendar feeds.

Peer supervision is peer-only (rule of practice): professionals and team leads are never members
and never read any of it. Every model has ONE ``visible_to(user)``, all derived from the group's:
a person sees a group while they are one of its current members or supervisors.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
import zoneinfo
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import TIME_ZONE_CHOICES, Membership, Organisation

from . import recurrence

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

WEEKDAY_CHOICES = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


def _pk(user: User | AnonymousUser) -> Any:
    return user.pk


def _in_visible_groups(user: User | AnonymousUser, field: str) -> Q:
    """``field`` (a group id) is one of the groups ``user`` currently belongs to, as member or
    supervisor: the one scope every model of this app derives its visibility from."""
    as_member = GroupMember.objects.filter(
        membership__user_id=_pk(user), membership__ended_on__isnull=True, left_at__isnull=True
    ).values("group_id")
    # ONE subquery (a UNION of both roles), not an OR of two: PostgreSQL can then look the rows up
    # through the ``field`` index instead of scanning every organisation's rows (BENCHMARKS.md).
    return Q(**{f"{field}__in": as_member.union(_supervised_group_ids(user))})


def _supervised_group_ids(user: User | AnonymousUser) -> Any:
    return GroupSupervisor.objects.filter(
        membership__user_id=_pk(user), membership__ended_on__isnull=True, left_at__isnull=True
    ).values("group_id")


class GroupQuerySet(models.QuerySet["SupervisionGroup"]):
    def visible_to(self, user: User | AnonymousUser) -> GroupQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(_in_visible_groups(user, "pk")).select_related("organisation")

    def supervised_by(self, user: User | AnonymousUser) -> GroupQuerySet:
        """Narrows a visible set to the groups ``user`` leads (for changes only supervisors make)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(pk__in=_supervised_group_ids(user))


class SupervisionGroup(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="supervision_groups", verbose_name=_("organisation")
    )
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    archived_at = models.DateTimeField(null=True, blank=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision group")
        verbose_name_plural = _("supervision groups")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("supervision:group_detail", args=[self.pk])

    def organisation_ids(self) -> list[int]:
        """The owning organisation and every organisation that agreed to share the group."""
        shared = self.shares.filter(accepted_at__isnull=False, withdrawn_at__isnull=True).values_list(
            "organisation_id", flat=True
        )
        return [self.organisation_id, *shared]


class GroupShareQuerySet(models.QuerySet["GroupShare"]):
    def visible_to(self, user: User | AnonymousUser) -> GroupShareQuerySet:
        """The group's supervisors, and the org admins of the organisation asked to share."""
        if not user.is_authenticated:
            return self.none()
        admin_of = Membership.objects.active().filter(user=user, is_org_admin=True).values("organisation_id")
        return self.filter(
            Q(group_id__in=_supervised_group_ids(user)) | Q(organisation_id__in=admin_of)
        ).select_related("group__organisation", "organisation")


class GroupShare(models.Model):
    """Another organisation shares a group; it counts only once that organisation's admin agreed."""

    group = models.ForeignKey(SupervisionGroup, on_delete=models.CASCADE, related_name="shares")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = GroupShareQuerySet.as_manager()

    class Meta:
        verbose_name = _("shared group")
        verbose_name_plural = _("shared groups")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "organisation"], condition=Q(withdrawn_at__isnull=True), name="supervision_share_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.group} ↔ {self.organisation}"

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.withdrawn_at is None


class GroupSupervisorQuerySet(models.QuerySet["GroupSupervisor"]):
    def visible_to(self, user: User | AnonymousUser) -> GroupSupervisorQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(_in_visible_groups(user, "group_id")).select_related("membership__user")

    def current(self) -> GroupSupervisorQuerySet:
        return self.filter(left_at__isnull=True, membership__ended_on__isnull=True)


class GroupSupervisor(models.Model):
    group = models.ForeignKey(SupervisionGroup, on_delete=models.CASCADE, related_name="supervisors")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="supervised_groups", verbose_name=_("supervisor"))
    added_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    objects = GroupSupervisorQuerySet.as_manager()

    class Meta:
        verbose_name = _("group supervisor")
        verbose_name_plural = _("group supervisors")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "membership"], condition=Q(left_at__isnull=True), name="supervision_supervisor_once"
            )
        ]

    def __str__(self) -> str:
        return self.membership.user.display_name


class GroupMemberQuerySet(models.QuerySet["GroupMember"]):
    def visible_to(self, user: User | AnonymousUser) -> GroupMemberQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(_in_visible_groups(user, "group_id")).select_related("membership__user")

    def current(self) -> GroupMemberQuerySet:
        return self.filter(left_at__isnull=True, membership__ended_on__isnull=True)


class GroupMember(models.Model):
    """A peer in a group. Only peers: peer supervision is a space without professionals."""

    group = models.ForeignKey(SupervisionGroup, on_delete=models.CASCADE, related_name="members")
    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="supervision_groups", verbose_name=_("peer"))
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)

    objects = GroupMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "membership"], condition=Q(left_at__isnull=True), name="supervision_member_once"
            )
        ]

    def __str__(self) -> str:
        return self.membership.user.display_name


class SeriesQuerySet(models.QuerySet["Series"]):
    def visible_to(self, user: User | AnonymousUser) -> SeriesQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(_in_visible_groups(user, "group_id"))


class Series(models.Model):
    class Frequency(models.TextChoices):
        MONTHLY = recurrence.MONTHLY, _("Monthly (same day of the month)")
        WEEKLY = recurrence.WEEKLY, _("Every N weeks")
        NTH_WEEKDAY = recurrence.NTH_WEEKDAY, _("The Nth weekday of the month")

    class Nth(models.IntegerChoices):
        FIRST = 1, _("first")
        SECOND = 2, _("second")
        THIRD = 3, _("third")
        FOURTH = 4, _("fourth")
        LAST = -1, _("last")

    group = models.ForeignKey(SupervisionGroup, on_delete=models.CASCADE, related_name="series")
    title = models.CharField(_("title"), max_length=150)
    frequency = models.CharField(_("repeats"), max_length=20, choices=Frequency.choices, default=Frequency.MONTHLY)
    interval = models.PositiveSmallIntegerField(
        _("every"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("Months (monthly, Nth weekday) or weeks (every N weeks)."),
    )
    nth = models.SmallIntegerField(_("which"), choices=Nth.choices, default=Nth.FIRST)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=WEEKDAY_CHOICES, null=True, blank=True)
    rotation = models.JSONField(_("rotating weekdays"), default=list, blank=True)
    starts_on = models.DateField(_("first date"))
    local_time = models.TimeField(_("time of day"))
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/Berlin")
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=120, validators=[MinValueValidator(15), MaxValueValidator(600)]
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity"), null=True, blank=True, validators=[MinValueValidator(1)])
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        verbose_name = _("series")
        verbose_name_plural = _("series")
        ordering = ["group", "starts_on", "id"]

    def __str__(self) -> str:
        return self.title

    def rule(self) -> recurrence.Rule:
        return recurrence.Rule(
            frequency=self.frequency,
            start=self.starts_on,
            at=self.local_time,
            time_zone=self.time_zone,
            interval=self.interval,
            weekday=self.weekday,
            nth=self.nth,
            rotation=tuple(self.rotation or ()),
        )

    @property
    def rotation_labels(self) -> list[str]:
        return recurrence.weekday_names(self.rotation or [])


class SessionQuerySet(models.QuerySet["Session"]):
    def visible_to(self, user: User | AnonymousUser) -> SessionQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(_in_visible_groups(user, "group_id")).select_related("group")

    def scheduled(self) -> SessionQuerySet:
        return self.filter(status=Session.Status.SCHEDULED)

    def upcoming(self) -> SessionQuerySet:
        return self.filter(ends_at__gt=timezone.now())

    def past(self) -> SessionQuerySet:
        return self.filter(starts_at__lte=timezone.now())


class Session(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        CANCELLED = "cancelled", _("cancelled")

    group = models.ForeignKey(SupervisionGroup, on_delete=models.CASCADE, related_name="sessions")
    series = models.ForeignKey(Series, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions")
    # The occurrence number in its series: generating twice finds the same row (unique below).
    series_index = models.PositiveIntegerField(null=True, blank=True)
    title = models.CharField(_("title"), max_length=150)
    starts_at = models.DateTimeField(_("start"))
    ends_at = models.DateTimeField(_("end"))
    time_zone = models.CharField(max_length=64, default="Europe/Berlin")
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity"), null=True, blank=True, validators=[MinValueValidator(1)])
    # What the group plans to talk about: members read it on the session page and in their calendar.
    agenda = models.TextField(_("agenda"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    cancel_reason = models.CharField(_("reason"), max_length=300, blank=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # RFC 5545 SEQUENCE: +1 on every change a calendar must pick up.
    sequence = models.PositiveIntegerField(default=0)
    # +1 whenever the time changes; reminder event keys carry it, so a moved session is reminded
    # of its new time and the old time's pending reminders can be withdrawn by prefix.
    time_version = models.PositiveIntegerField(default=0)
    reminded_7d_version = models.IntegerField(null=True, blank=True)
    reminded_1d_version = models.IntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["series", "series_index"], name="supervision_session_once_per_index"),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="supervision_session_ends_after_start"),
        ]
        indexes = [models.Index(fields=["status", "starts_at"], name="supervision_session_due_idx")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("supervision:session_detail", args=[self.pk])

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def local_weekday(self) -> int:
        return self.starts_at.astimezone(zoneinfo.ZoneInfo(self.time_zone)).weekday()

    def event_key(self, suffix: str = "") -> str:
        """Notification event key; includes the time version (see ``time_version``)."""
        return f"supervision.session:{self.pk}:t{self.time_version}:{suffix}"


class Answer(models.TextChoices):
    YES = "yes", _("yes")
    MAYBE = "maybe", _("maybe")
    NO = "no", _("no")


class RsvpQuerySet(models.QuerySet["Rsvp"]):
    def visible_to(self, user: User | AnonymousUser) -> RsvpQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(_in_visible_groups(user, "session__group_id"))


class Rsvp(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="rsvps")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices)
    # A yes beyond the capacity waits; the earliest waiting yes moves up when a place frees.
    waiting_since = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    objects = RsvpQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [models.UniqueConstraint(fields=["session", "membership"], name="supervision_rsvp_once")]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.answer}"

    @property
    def is_waiting(self) -> bool:
        return self.waiting_since is not None


class AttendanceQuerySet(models.QuerySet["Attendance"]):
    def visible_to(self, user: User | AnonymousUser) -> AttendanceQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(_in_visible_groups(user, "session__group_id"))


class Attendance(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    attended = models.BooleanField(_("attended"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["session", "membership"], name="supervision_attendance_once")]

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.attended}"


class NoteQuerySet(models.QuerySet["SessionNote"]):
    def visible_to(self, user: User | AnonymousUser) -> NoteQuerySet:
        """Members and supervisors of the group only; nobody else, not even org admins."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(_in_visible_groups(user, "session__group_id")).select_related("author")


class SessionNote(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    text = models.TextField(_("note"), max_length=10000)
    created_at = models.DateTimeField(default=timezone.now)

    objects = NoteQuerySet.as_manager()

    class Meta:
        verbose_name = _("session note")
        verbose_name_plural = _("session notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return str(_("note"))


class PollQuerySet(models.QuerySet["DatePoll"]):
    def visible_to(self, user: User | AnonymousUser) -> PollQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(_in_visible_groups(user, "group_id")).select_related("group")

    def open(self) -> PollQuerySet:
        return self.filter(decided_at__isnull=True, closed_at__isnull=True)


class DatePoll(models.Model):
    group = models.ForeignKey(SupervisionGroup, on_delete=models.CASCADE, related_name="polls")
    title = models.CharField(_("title"), max_length=150)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=120, validators=[MinValueValidator(15), MaxValueValidator(600)]
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    video_url = models.URLField(_("video link"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    session = models.OneToOneField(Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="poll")
    # Optional: answers are taken until then, and whoever has not answered is reminded a day before.
    answer_by = models.DateTimeField(_("answer by"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    objects = PollQuerySet.as_manager()

    class Meta:
        verbose_name = _("date poll")
        verbose_name_plural = _("date polls")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("supervision:poll_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.decided_at is None and self.closed_at is None

    def takes_answers(self, now: dt.datetime) -> bool:
        return self.is_open and (self.answer_by is None or now < self.answer_by)


class PollSlotQuerySet(models.QuerySet["PollSlot"]):
    def visible_to(self, user: User | AnonymousUser) -> PollSlotQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(_in_visible_groups(user, "poll__group_id"))


class PollSlot(models.Model):
    poll = models.ForeignKey(DatePoll, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField(_("start"))

    objects = PollSlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposed date")
        verbose_name_plural = _("proposed dates")
        ordering = ["starts_at", "id"]
        constraints = [models.UniqueConstraint(fields=["poll", "starts_at"], name="supervision_slot_once")]

    def __str__(self) -> str:
        return self.starts_at.isoformat()


class PollAnswerQuerySet(models.QuerySet["PollAnswer"]):
    def visible_to(self, user: User | AnonymousUser) -> PollAnswerQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(_in_visible_groups(user, "slot__poll__group_id"))


class PollAnswer(models.Model):
    class Choice(models.TextChoices):
        YES = "yes", _("yes")
        IF_NEED_BE = "if_need_be", _("if need be")
        NO = "no", _("no")

    slot = models.ForeignKey(PollSlot, on_delete=models.CASCADE, related_name="answers")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(_("answer"), max_length=12, choices=Choice.choices)
    answered_at = models.DateTimeField(default=timezone.now)

    objects = PollAnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("poll answer")
        verbose_name_plural = _("poll answers")
        constraints = [models.UniqueConstraint(fields=["slot", "membership"], name="supervision_poll_answer_once")]

    def __str__(self) -> str:
        return self.choice


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeedQuerySet(models.QuerySet["CalendarFeed"]):
    def visible_to(self, user: User | AnonymousUser) -> CalendarFeedQuerySet:
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def by_token(self, token: str) -> CalendarFeedQuerySet:
        return self.filter(token_hash=_hash_token(token), user__is_active=True)


class CalendarFeed(models.Model):
    """A person's secret calendar address. Only the hash is stored; renewing replaces it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="supervision_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(_("calendar feed"))

    @staticmethod
    def new_token() -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, _hash_token(token)
