"""What the pairing domain keeps about people, registered with the kernel's personal-data registry."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tandem import privacy
from tandem.privacy import KEEP, WHILE_MEMBER, WITH_ORGANISATION


def register() -> None:
    privacy.register(
        "tandem.Tandem",
        purpose=_("Pairing a peer with a professional (rules of practice 1–4)"),
        retention=WITH_ORGANISATION,
        subject=("peer__user", "professional__user", "proposed_by"),
        erase=KEEP,
    )
    privacy.register(
        "tandem.Reflection",
        purpose=_("A partner's own reflection on how the tandem goes"),
        retention=WHILE_MEMBER,
        subject=("author__user",),
    )
    privacy.register(
        "tandem.SupportProcess",
        purpose=_("Twelve months of support for a client (pseudonymous client code only)"),
        retention=WITH_ORGANISATION,
        subject=("created_by", "tandem__peer__user", "tandem__professional__user"),
        erase=KEEP,
    )
