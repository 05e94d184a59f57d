from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tandem.navigation import AttentionItem

from .models import Invitation, Membership


def items(request: HttpRequest) -> list[AttentionItem]:
    membership: Membership | None = getattr(request, "membership", None)
    result: list[AttentionItem] = []
    if membership is None:
        result.append(
            AttentionItem(_("You are not a member of any organisation yet. Please ask for an invitation."), "")
        )
        return result
    if membership.is_org_admin or membership.is_team_lead:
        pending = Invitation.objects.filter(
            organisation=membership.organisation,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).count()
        if pending:
            result.append(
                AttentionItem(
                    ngettext("%(count)d invitation not yet accepted", "%(count)d invitations not yet accepted", pending)
                    % {"count": pending},
                    reverse("accounts:invitation_list"),
                    pending,
                )
            )
    return result
