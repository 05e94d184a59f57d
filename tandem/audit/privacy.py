"""The audit trail is personal data too: who read or changed what. It is kept, never erased."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from tandem import privacy
from tandem.privacy import AUDIT, KEEP


def register() -> None:
    privacy.register(
        "audit.AuditEvent",
        purpose=_("Showing who read or changed personal data (accountability, Art. 5(2) GDPR)"),
        retention=AUDIT,
        subject=("actor",),
        fields=("id", "action", "outcome", "content_type_id", "object_id", "occurred_at"),
        erase=KEEP,
        legal_basis=_("Legal obligation and legitimate interest in accountability (Art. 6(1)(c), (f) GDPR)"),
    )
