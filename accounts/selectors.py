"""Reads for the pages of accounts."""

from __future__ import annotations

from .models import Invitation


def usable_invitation(token: str) -> Invitation | None:
    """The invitation behind a link, whatever its state, or None for an unknown link."""
    return Invitation.objects.by_token(token).select_related("organisation", "team").first()
