"""Rules of practice for mentoring, as plain functions returning explanations the UI can show."""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.models import Membership
from pairing.models import Tandem


def mentor_refusal(*, peer: Membership, mentor: Membership) -> str | None:
    """Why ``mentor`` cannot mentor ``peer``, or None if they can."""
    if mentor.pk == peer.pk:
        return _("A peer cannot be her own mentor.")
    if not mentor.is_active or not mentor.is_mentor:
        return _("This person is not a mentor in your organisation.")
    if mentor.organisation_id != peer.organisation_id:
        return _("This person is not a mentor in your organisation.")
    # The mentor mediates exactly the conflicts between a peer and her tandem partner.
    if Tandem.objects.open().filter(peer=peer, professional=mentor).exists():
        return _(
            "%(mentor)s works in a tandem with %(peer)s and cannot be her mentor: the mentor mediates "
            "exactly the conflicts that can arise between tandem partners. Please choose someone else."
        ) % {"mentor": mentor.user.display_name, "peer": peer.user.display_name}
    return None


def has_mentor(peer: Membership) -> bool:
    """Rule of practice 1: every peer has a mentor before and while working in a team."""
    return peer.mentor_assignments.filter(ended_on__isnull=True).exists()
