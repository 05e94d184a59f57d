"""RFC 5545 output (icalendar): one calendar per feed or per session download.

Times are written in UTC (allowed by RFC 5545 and needing no VTIMEZONE); the UID is stable per
session, SEQUENCE grows with every change, and a cancelled session stays in the feed with
STATUS:CANCELLED so that calendars remove it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Session

PRODID = "-//Tandem//Peer supervision//DE"


def _absolute(path: str) -> str:
    return settings.TANDEM_BASE_URL.rstrip("/") + path


def event(session: Session, *, stamp: dt.datetime) -> icalendar.Event:
    item = icalendar.Event()
    item.add("uid", f"{session.uid}@tandem")
    item.add("dtstamp", stamp.astimezone(dt.UTC))
    item.add("dtstart", session.starts_at.astimezone(dt.UTC))
    item.add("dtend", session.ends_at.astimezone(dt.UTC))
    item.add("sequence", session.sequence)
    item.add("summary", f"{session.title} · {session.group.name}")
    item.add("last-modified", session.updated_at.astimezone(dt.UTC))
    location = session.place or session.video_url
    if location:
        item.add("location", location)
    # A calendar app opens URL with one tap: the video link where there is one, else the session page.
    item.add("url", session.video_url or _absolute(session.get_absolute_url()))
    item.add("description", description(session))
    item.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    return item


def description(session: Session) -> str:
    """What a member needs in her calendar, in the active language: agenda, why it was cancelled,
    the video link and where to answer."""
    lines = []
    if session.is_cancelled:
        reason = session.cancel_reason.strip()
        lines.append(_("Cancelled: %(reason)s") % {"reason": reason} if reason else _("Cancelled."))
    if session.agenda.strip():
        lines += [_("Agenda:"), session.agenda.strip()]
    if session.video_url:
        lines.append(_("Video link: %(url)s") % {"url": session.video_url})
    lines.append(_("In Tandem: %(url)s") % {"url": _absolute(session.get_absolute_url())})
    return "\n".join(lines)


def calendar(sessions: Iterable[Session], *, name: str) -> bytes:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    stamp = timezone.now()
    for session in sessions:
        cal.add_component(event(session, stamp=stamp))
    return cal.to_ical()
