"""What mentoring keeps about people, and what an erasure makes other people's records forget."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from tandem import privacy
from tandem.privacy import KEEP, WHILE_MEMBER, WITH_ORGANISATION


def _forget_in_other_records(user: Any, identity: dict[str, Any]) -> None:
    """Other people's records keep what happened, without naming the erased person."""
    from .models import Irritation, MentoringSettings

    Irritation._base_manager.filter(colleague__user=user).update(colleague=None)
    MentoringSettings._base_manager.filter(backup__user=user).update(backup=None)


def _erase_check_ins(user: Any, identity: dict[str, Any]) -> None:
    """A peer's check-ins go with her; a mentor's erasure takes his private notes, not her talks."""
    from .models import CheckIn

    CheckIn._base_manager.filter(assignment__peer__user=user).delete()
    CheckIn._base_manager.filter(recorded_by=user).update(note="")


def register() -> None:
    privacy.register_erasure_step(_forget_in_other_records, order=30)
    privacy.register(
        "mentoring.MentorAssignment",
        purpose=_("Rule of practice 1: every peer has a mentor"),
        retention=WITH_ORGANISATION,
        subject=("peer__user", "mentor__user", "assigned_by"),
        erase=KEEP,
    )
    privacy.register(
        "mentoring.MentorRequest",
        purpose=_("A peer's request for a (different) mentor; her reason is hers alone"),
        retention=WHILE_MEMBER,
        subject=("peer__user",),
    )
    privacy.register(
        "mentoring.CheckIn",
        purpose=_("Regular talks between a mentor and a peer"),
        retention=WHILE_MEMBER,
        subject=("assignment__peer__user", "recorded_by"),
        special_category=True,
        # The note is the mentor's own ("only you can read it"): in the mentor's export, never the peer's.
        owned_by=(("note", "recorded_by"),),
        erase=_erase_check_ins,
    )
    privacy.register(
        "mentoring.Irritation",
        purpose=_("Confidential irritations a peer raises with her mentor (rule of practice 5)"),
        retention=_(
            "Deleted after the organisation's retention period once resolved or withdrawn; deleted when the peer is erased."
        ),
        subject=("peer__user",),
        special_category=True,
        legal_basis=_("Explicit consent of the peer who writes it (Art. 9(2)(a) GDPR)"),
    )
    privacy.register(
        "mentoring.IrritationMessage",
        purpose=_("The conversation between a peer and her mentor about an irritation"),
        retention=_("Deleted with its irritation."),
        subject=("author", "irritation__peer__user"),
        special_category=True,
        erase=KEEP,  # the peer's own threads go with her irritations; a mentor's replies stay in the peer's record
    )
    privacy.register(
        "mentoring.EscalationStep",
        purpose=_("When an irritation was escalated, and to whom"),
        retention=_("Deleted with its irritation."),
        subject=("mentor__user", "irritation__peer__user"),
        erase=KEEP,
    )
    privacy.register(
        "mentoring.MentoringSettings",
        purpose=_("The organisation's backup person for unanswered irritations"),
        retention=WITH_ORGANISATION,
        subject=("backup__user",),
        erase=KEEP,  # an erasure step clears the backup
    )
