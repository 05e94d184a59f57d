"""Journey 4: a volunteer records her hours on a phone, the team lead approves the month, the PDF
statement is downloaded and read: the month's total and what remains of the tax-free limit."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from pypdf import PdfReader

from accounts.models import PeerProfile
from volunteering import services as volunteering
from volunteering.models import HourEntry, Statement, TaxFreeLimit

from .harness import Person, today

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPECTED = {"de": ("25,00 €", "Verbleibender Freibetrag"), "en": ("€25.00", "Remaining tax-free limit")}


@pytest.fixture
def limits(db: None) -> None:
    """The known limits, as the data migration writes them: a transactional test before this one
    flushed every table, the migration's rows included."""
    import importlib

    migration = importlib.import_module("volunteering.migrations.0002_tax_free_limits")
    for year, kind, cents in migration.LIMITS:
        TaxFreeLimit.objects.get_or_create(year=year, kind=kind, defaults={"amount_cents": cents})


def euros(cents: int, lang: str) -> str:
    whole = f"{cents // 100:,}"
    return f"€{whole}.{cents % 100:02d}" if lang == "en" else f"{whole.replace(',', '.')},{cents % 100:02d} €"


def test_volunteer_records_hours_lead_approves_and_the_statement_adds_up(
    people: Callable[..., Person], staff: object, lang: str, password: str, limits: None
) -> None:
    peer_membership = staff.peer  # type: ignore[attr-defined]
    lead_membership = staff.team_lead  # type: ignore[attr-defined]
    PeerProfile.objects.filter(membership=peer_membership).update(kind=PeerProfile.Kind.VOLUNTEER)
    day = today()
    volunteering.create_agreement(
        volunteer=peer_membership, by=lead_membership.user, valid_from=day, activity="Genesungsbegleitung",
        allowance_kind="26a", rate_kind="hour", rate_cents=1000, hours_per_week=Decimal(4),
        uses_allowance_elsewhere=False, declared_on=day,
    )
    peer, lead = people("volunteer", lang), people("team lead", lang)
    peer.sign_in(peer_membership.user.email, password)
    lead.sign_in(lead_membership.user.email, password)

    # On her phone: her hours page, then the form, filled and sent with the keyboard alone.
    peer.goto("/volunteering/", shot="volunteer-hours", phone=True)
    peer.click_and_arrive(peer.page.locator("main a[href='/volunteering/record/']"), shot="volunteer-record", phone=True)
    form = peer.page.locator("main form[method=post]")
    form.locator("[name=date]").fill(day.isoformat())
    form.locator("[name=hours]").fill("2")
    form.locator("[name=minutes]").fill("30")
    form.locator("[name=kind][value=tandem]").check()
    form.locator("[name=minutes]").focus()
    peer.press_and_arrive("Enter")
    assert peer.path() == "/volunteering/", peer.text()[:600]
    entry = HourEntry.objects.get()
    assert (entry.minutes, entry.status) == (150, "submitted")

    # The team lead approves her month.
    lead.goto("/volunteering/lead/", phone=True)
    lead.click_and_arrive(lead.page.locator(f"main a[href^='/volunteering/lead/volunteers/{peer_membership.pk}/']").first)
    lead.click_and_arrive(lead.page.locator("main form[action$='/approve-month/'] button"), shot="volunteer-approve", phone=True)
    entry.refresh_from_db()
    assert entry.status == "approved"

    # The billing month: opened, approved (after the confirmation), its statement downloaded.
    lead.goto("/volunteering/lead/runs/")
    lead.page.locator("main form[method=post] [name=month]").fill(day.strftime("%Y-%m"))
    lead.click_and_arrive(lead.page.locator("main form[method=post] button[type=submit]"))
    lead.click_and_arrive(lead.page.locator("main a[href$='/approve/']"))
    lead.click_and_arrive(lead.page.locator("main form button[type=submit]").first)
    statement = Statement.objects.get()
    with lead.page.expect_download() as download:
        lead.page.locator(f"main a[href='/volunteering/statements/{statement.pk}/pdf/']").click()
    content = open(download.value.path(), "rb").read()  # noqa: SIM115
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    total, remaining_label = EXPECTED[lang]
    if lang == "en":
        english = lead.page.context.request.get(lead.url(f"/volunteering/statements/{statement.pk}/pdf/?lang=en"))
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(english.body())).pages)
    limit = TaxFreeLimit.cents_for("26a", day.year) or 0
    assert total in text, text[:800]
    assert remaining_label in text and euros(limit - 2500, lang) in text, text[:1200]
