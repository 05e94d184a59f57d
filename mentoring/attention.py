"""Start-page items: what needs the person's attention in mentoring (counts, never content)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from tandem.navigation import AttentionItem

from .models import Irritation, MentorAssignment, MentorRequest
from .rules import check_in_due_on, check_in_status
from .selectors import peers_without_mentor, with_last_check_in


def items(request: HttpRequest) -> list[AttentionItem]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return []
    result: list[AttentionItem] = []
    today = timezone.localdate()
    if membership.is_mentor:
        waiting = (
            Irritation.objects.visible_to(request.user).open().filter(mentor=membership, acknowledged_at__isnull=True).count()
        )
        if waiting:
            result.append(AttentionItem(
                ngettext("%(count)d irritation waits for your acknowledgement",
                         "%(count)d irritations wait for your acknowledgement", waiting) % {"count": waiting},
                reverse("mentoring:mentees"), waiting))
        asked = MentorAssignment.objects.proposed().filter(mentor=membership, mentor_accepted_at__isnull=True).count()
        if asked:
            result.append(AttentionItem(
                ngettext("You are asked to become the mentor of %(count)d peer",
                         "You are asked to become the mentor of %(count)d peers", asked) % {"count": asked},
                reverse("mentoring:mentees"), asked))
        due = [
            a for a in with_last_check_in(MentorAssignment.objects.that_count().filter(mentor=membership))
            if check_in_status(check_in_due_on(a), today=today) is not None
        ]
        if due:
            result.append(AttentionItem(
                ngettext("%(count)d check-in is due", "%(count)d check-ins are due", len(due)) % {"count": len(due)},
                reverse("mentoring:mentees"), len(due)))
    if membership.is_peer:
        proposal = MentorAssignment.objects.proposed().filter(peer=membership, peer_accepted_at__isnull=True).first()
        if proposal is not None:
            result.append(AttentionItem(
                _("A mentor is proposed for you: please accept or say no"),
                reverse("mentoring:proposal", args=[proposal.pk])))
        mine = with_last_check_in(MentorAssignment.objects.that_count().filter(peer=membership)).first()
        if mine is not None and check_in_status(check_in_due_on(mine), today=today) is not None:
            result.append(AttentionItem(_("A talk with your mentor is due"), reverse("mentoring:my_irritations")))
        own = Irritation.objects.visible_to(request.user).open().filter(peer=membership)
        proposals = own.filter(resolution_proposed_at__isnull=False).count()
        if proposals:
            result.append(AttentionItem(
                ngettext("Your mentor proposed a resolution for %(count)d irritation",
                         "Your mentor proposed a resolution for %(count)d irritations", proposals) % {"count": proposals},
                reverse("mentoring:my_irritations"), proposals))
        soon = own.filter(shared_with_mentor_at__isnull=True, clarify_by__lte=today + dt.timedelta(days=1)).count()
        if soon:
            result.append(AttentionItem(
                ngettext("%(count)d of your irritations goes to your mentor soon",
                         "%(count)d of your irritations go to your mentor soon", soon) % {"count": soon},
                reverse("mentoring:my_irritations"), soon))
    if membership.is_team_lead or membership.is_org_admin:
        asking = MentorRequest.objects.filter(
            organisation_id=membership.organisation_id, closed_at__isnull=True, peer__ended_on__isnull=True
        ).count()
        if asking:
            result.append(AttentionItem(
                ngettext("%(count)d peer asks for a different mentor", "%(count)d peers ask for a different mentor",
                         asking) % {"count": asking},
                reverse("mentoring:lead_overview"), asking))
        without = peers_without_mentor(membership.organisation_id)
        if without:
            result.append(AttentionItem(
                ngettext("%(count)d peer has no mentor", "%(count)d peers have no mentor", without) % {"count": without},
                reverse("mentoring:lead_overview"), without))
    return result
