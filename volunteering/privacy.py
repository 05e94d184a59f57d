"""What volunteering keeps about people.

Statements and the entries and receipts behind them are booking records: kept ten years after the
year they belong to (§ 147 AO, § 257 HGB), then deleted by the retention sweep. An erasure keeps
them pointing to the pseudonymised person and deletes the rest (entries never billed, their receipts).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tandem import privacy
from tandem.privacy import KEEP

BOOKING = _(
    "Booking record: kept for ten years after the end of the calendar year (§ 147 AO, § 257 HGB), then deleted; "
    "pseudonymised when the person is erased."
)
TAX_LAW = _("Legal obligation under tax and commercial law (Art. 6(1)(c) GDPR with § 147 AO, § 257 HGB)")
AGREEMENT = _("The volunteer agreement (Art. 6(1)(b) GDPR)")


def _erase_unbilled(user: Any, identity: dict[str, Any]) -> None:
    """What bookkeeping does not need goes: entries never on a statement, and their receipts."""
    from .models import HourEntry

    unbilled = HourEntry._base_manager.filter(volunteer__user=user, statement__isnull=True)
    files = list(unbilled.exclude(receipt="").values_list("receipt", flat=True))
    unbilled.delete()
    transaction.on_commit(lambda: _delete_files(files))


def register() -> None:
    privacy.register_erasure_step(_erase_unbilled, order=40)
    privacy.register(
        "volunteering.VolunteerAgreement",
        purpose=_("The volunteer agreement: allowance, rate, agreed hours and her declaration about allowances used elsewhere"),
        retention=BOOKING,
        subject=("volunteer__user", "created_by"),
        erase=KEEP,
        legal_basis=AGREEMENT,
    )
    privacy.register(
        "volunteering.HourEntry",
        purpose=_("Volunteer hours and reimbursed expenses, the basis of the expense allowance"),
        retention=BOOKING,
        subject=("volunteer__user", "recorded_by", "decided_by"),
        erase=KEEP,  # billed entries stay (booking records); the erasure step deletes the rest
        legal_basis=TAX_LAW,
    )
    privacy.register(
        "volunteering.Statement",
        purpose=_("Monthly statement of the expense allowance for the bookkeeping"),
        retention=BOOKING,
        subject=("volunteer__user",),
        erase=KEEP,
        legal_basis=TAX_LAW,
    )
    privacy.register(
        "volunteering.BillingRun",
        purpose=_("Who approved and locked a billing month"),
        retention=BOOKING,
        subject=("approved_by", "locked_by"),
        erase=KEEP,
        legal_basis=TAX_LAW,
    )


def _delete_files(names: list[str]) -> None:
    from .models import private_storage

    storage = private_storage()
    for name in names:
        storage.delete(name)
