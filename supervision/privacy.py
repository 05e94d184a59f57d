"""What peer supervision keeps about people, registered with the kernel's personal-data registry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tandem import privacy
from tandem.privacy import KEEP, WHILE_MEMBER, WITH_ORGANISATION

# Models of the supervision history, and the lookups from each to the person.
HISTORY = (
    ("supervision.SupervisionGroup", ("created_by",)),
    ("supervision.GroupShare", ("requested_by", "accepted_by")),
    ("supervision.GroupSupervisor", ("membership__user",)),
    ("supervision.GroupMember", ("membership__user",)),
    ("supervision.Series", ("created_by",)),
    ("supervision.Attendance", ("membership__user", "recorded_by")),
    ("supervision.SessionNote", ("author",)),
    ("supervision.DatePoll", ("created_by",)),
)


def register() -> None:
    for label, subject in HISTORY:
        privacy.register(
            label,
            purpose=_("Peer supervision: groups, dates, attendance and notes (rule of practice 8)"),
            retention=WITH_ORGANISATION,
            subject=subject,
            erase=KEEP,
        )
    privacy.register(
        "supervision.Rsvp", purpose=_("Answers to supervision dates"), retention=WHILE_MEMBER, subject=("membership__user",)
    )
    privacy.register(
        "supervision.PollAnswer", purpose=_("Answers to date polls"), retention=WHILE_MEMBER, subject=("membership__user",)
    )
    privacy.register(
        "supervision.CalendarFeed",
        purpose=_("The person's private calendar address"),
        retention=WHILE_MEMBER,
        subject=("user",),
        fields=("id", "created_at"),
    )
