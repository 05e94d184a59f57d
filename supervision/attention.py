"""Start-page items: unanswered sessions and polls for members, unrecorded attendance for supervisors."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from tandem.navigation import AttentionItem

from .models import DatePoll, GroupMember, GroupSupervisor, PollAnswer, Rsvp, Session


def items(request: HttpRequest) -> list[AttentionItem]:
    user = request.user
    if not user.is_authenticated or getattr(request, "membership", None) is None:
        return []
    now = timezone.now()
    result: list[AttentionItem] = []
    my_groups = GroupMember.objects.current().filter(membership__user=user).values("group_id")
    soon = Session.objects.scheduled().filter(group_id__in=my_groups, starts_at__gt=now, starts_at__lte=now + dt.timedelta(days=14))
    unanswered = soon.exclude(pk__in=Rsvp.objects.filter(membership__user=user).values("session_id")).count()
    if unanswered:
        result.append(
            AttentionItem(
                ngettext(
                    "%(count)d supervision session in the next two weeks awaits your answer",
                    "%(count)d supervision sessions in the next two weeks await your answer",
                    unanswered,
                ) % {"count": unanswered},
                reverse("supervision:overview"),
                unanswered,
            )
        )
    tomorrow = soon.filter(starts_at__lte=now + dt.timedelta(days=1)).exclude(
        pk__in=Rsvp.objects.filter(membership__user=user, answer="no").values("session_id")
    ).first()
    if tomorrow is not None:
        result.append(
            AttentionItem(
                ngettext("Peer supervision within %(hours)d hour: %(title)s", "Peer supervision within %(hours)d hours: %(title)s",
                         max(1, int((tomorrow.starts_at - now).total_seconds() // 3600)))
                % {"hours": max(1, int((tomorrow.starts_at - now).total_seconds() // 3600)), "title": tomorrow.title},
                tomorrow.get_absolute_url(),
            )
        )
    polls = (
        DatePoll.objects.open()
        .filter(group_id__in=my_groups)
        .exclude(pk__in=PollAnswer.objects.filter(membership__user=user).values("slot__poll_id"))
        .count()
    )
    if polls:
        result.append(
            AttentionItem(
                ngettext("%(count)d date poll awaits your answer", "%(count)d date polls await your answer", polls)
                % {"count": polls},
                reverse("supervision:overview"),
                polls,
            )
        )
    led = GroupSupervisor.objects.current().filter(membership__user=user).values("group_id")
    unrecorded_sessions = (
        Session.objects.scheduled()
        .filter(group_id__in=led, starts_at__lte=now, starts_at__gte=now - dt.timedelta(days=60))
        .exclude(pk__in=Session.objects.filter(attendance__isnull=False).values("pk"))
        .order_by("starts_at")
    )
    unrecorded = unrecorded_sessions.count()
    first_unrecorded = unrecorded_sessions.first() if unrecorded else None
    if first_unrecorded is not None:
        result.append(
            AttentionItem(
                ngettext(
                    "Attendance not yet recorded for %(count)d supervision session",
                    "Attendance not yet recorded for %(count)d supervision sessions",
                    unrecorded,
                ) % {"count": unrecorded},
                first_unrecorded.get_absolute_url(),
                unrecorded,
            )
        )
    return result
