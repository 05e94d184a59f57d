"""Start-page items for volunteering: entries waiting for a team lead's decision (a count only)."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import ngettext

from tandem.navigation import AttentionItem

from .models import EntryStatus, HourEntry


def items(request: HttpRequest) -> list[AttentionItem]:
    membership = getattr(request, "membership", None)
    if membership is None or not (membership.is_team_lead or membership.is_org_admin):
        return []
    waiting = HourEntry.objects.filter(organisation_id=membership.organisation_id, status=EntryStatus.SUBMITTED).count()
    if not waiting:
        return []
    text = ngettext(
        "%(count)s entry of volunteer hours waits for approval", "%(count)s entries of volunteer hours wait for approval", waiting
    ) % {"count": waiting}
    return [AttentionItem(text, reverse("volunteering:lead"), waiting)]
