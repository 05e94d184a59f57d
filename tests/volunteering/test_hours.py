"""Recording hours: what is accepted, what is refused (and then nothing is saved), approval modes."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from tandem.audit.models import AuditEvent
from tandem.notifications.models import Notification
from volunteering import services
from volunteering.models import BillingRun, EntryStatus, HourEntry, VolunteerAgreement

from .conftest import START, agree, at, hours

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def receipt(content: bytes = PDF, name: str = "fahrkarte.pdf", content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def private_files() -> list[Path]:
    from django.conf import settings

    root = Path(settings.TANDEM_PRIVATE_FILES_DIR)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# --- Agreements -----------------------------------------------------------------------------------


def test_agreement_in_the_past_is_refused_and_nothing_saved(cast: Any, volunteer: Any) -> None:
    with at(START), pytest.raises(ValidationError) as error:
        services.create_agreement(
            volunteer=volunteer, by=cast.team_lead.user, valid_from=START - dt.timedelta(days=1), activity="x",
            allowance_kind="26a", rate_kind="hour", rate_cents=1000, hours_per_week=4, uses_allowance_elsewhere=False,
            declared_on=START,
        )
    assert "valid_from" in error.value.error_dict
    assert not VolunteerAgreement.objects.exists()


def test_agreement_form_in_the_past_answers_422_in_german(cast: Any, volunteer: Any) -> None:
    with at(START):
        response = cast.client_for(cast.team_lead).post(reverse("volunteering:agreement_new", args=[volunteer.pk]), {
            "valid_from": "2025-03-01", "activity": "Genesungsbegleitung", "allowance_kind": "26a", "rate_kind": "hour",
            "rate": "10,00", "hours_per_week": "4", "declared_on": "2025-03-01",
        })
    assert response.status_code == 422
    assert "nicht in der Vergangenheit beginnen" in response.content.decode()
    assert not VolunteerAgreement.objects.exists()


def test_a_change_is_a_new_version_and_history_stays(cast: Any, volunteer: Any, agreement: Any) -> None:
    later = agree(volunteer, cast.team_lead.user, valid_from=dt.date(2025, 7, 1), rate_cents=1200)
    assert list(VolunteerAgreement.objects.filter(volunteer=volunteer).order_by("valid_from")) == [agreement, later]
    june = hours(volunteer, cast.team_lead.user, dt.date(2025, 6, 30), 60)
    july = hours(volunteer, cast.team_lead.user, dt.date(2025, 7, 1), 60)
    assert (june.amount_cents, july.amount_cents) == (1000, 1200)


def test_only_a_volunteer_peer_gets_an_agreement(cast: Any) -> None:
    with at(START), pytest.raises(ValidationError):
        agree(cast.other_peer, cast.team_lead.user, valid_from=START)


# --- Bad input saves nothing ----------------------------------------------------------------------


@pytest.mark.parametrize(("hours_", "minutes", "field"), [("-1", "0", "hours"), ("0", "0", None), ("13", "0", "hours"), ("99999", "0", "hours"), ("1", "75", "minutes")])
def test_bad_durations_are_refused_with_a_message(cast: Any, agreement: Any, hours_: str, minutes: str, field: str | None) -> None:
    with at(dt.date(2025, 3, 10)):
        response = cast.client_for(cast.peer).post(reverse("volunteering:record"), {
            "date": "2025-03-10", "hours": hours_, "minutes": minutes, "kind": "tandem",
        })
    assert response.status_code == 422
    assert not HourEntry.objects.exists()


def test_no_agreement_on_that_date_refuses(cast: Any, agreement: Any) -> None:
    with pytest.raises(ValidationError) as error:
        hours(cast.peer, cast.peer.user, START - dt.timedelta(days=3), 60, when=START + dt.timedelta(days=1))
    assert "ehrenamtsvereinbarung" in " ".join(error.value.messages).lower()
    assert not HourEntry.objects.exists()


def test_future_date_is_refused(cast: Any, agreement: Any) -> None:
    with pytest.raises(ValidationError):
        hours(cast.peer, cast.peer.user, dt.date(2025, 3, 20), 60, when=dt.date(2025, 3, 10))
    assert not HourEntry.objects.exists()


def test_a_date_in_a_closed_month_is_refused_with_a_clear_message(cast: Any, agreement: Any) -> None:
    BillingRun.objects.create(organisation=cast.organisation, month=dt.date(2025, 3, 1), state=BillingRun.State.LOCKED)
    with at(dt.date(2025, 4, 2)):
        response = cast.client_for(cast.peer).post(reverse("volunteering:record"), {
            "date": "2025-03-28", "hours": "2", "minutes": "0", "kind": "tandem",
        })
    assert response.status_code == 422
    assert "Korrektur" in response.content.decode()
    assert not HourEntry.objects.exists()


def test_receipt_that_is_not_an_image_or_pdf_is_refused(cast: Any, agreement: Any) -> None:
    before = private_files()
    fake = receipt(b"MZ\x90\0 this is a program", "beleg.pdf", "application/pdf")  # the name and type lie
    with at(dt.date(2025, 3, 10)):
        response = cast.client_for(cast.peer).post(reverse("volunteering:record"), {
            "date": "2025-03-10", "hours": "1", "minutes": "0", "kind": "travel", "expense": "4,50", "receipt": fake,
        })
    assert response.status_code == 422
    assert "Foto" in response.content.decode()
    assert not HourEntry.objects.exists() and private_files() == before


@override_settings(TANDEM_RECEIPT_MAX_BYTES=1024)
def test_receipt_that_is_too_large_is_refused(cast: Any, agreement: Any) -> None:
    with pytest.raises(ValidationError) as error:
        hours(cast.peer, cast.peer.user, dt.date(2025, 3, 10), 60, kind="travel", expense_cents=450,
              receipt=receipt(PDF + b"0" * 2000))
    assert "receipt" in error.value.error_dict
    assert not HourEntry.objects.exists()


def test_expense_needs_a_receipt(cast: Any, agreement: Any) -> None:
    with pytest.raises(ValidationError) as error:
        hours(cast.peer, cast.peer.user, dt.date(2025, 3, 10), 60, kind="travel", expense_cents=450)
    assert "expense" in error.value.error_dict
    assert not HourEntry.objects.exists()


def test_a_refusal_after_the_upload_leaves_no_file_behind(cast: Any, agreement: Any) -> None:
    before = private_files()
    BillingRun.objects.create(organisation=cast.organisation, month=dt.date(2025, 3, 1), state=BillingRun.State.APPROVED)
    with pytest.raises(ValidationError):
        hours(cast.peer, cast.peer.user, dt.date(2025, 3, 10), 60, kind="travel", expense_cents=450, receipt=receipt(),
              when=dt.date(2025, 4, 1))
    assert private_files() == before


# --- Recording and approval -----------------------------------------------------------------------


def test_volunteer_records_hours_with_a_receipt_stored_privately(cast: Any, agreement: Any) -> None:
    with at(dt.date(2025, 3, 10)):
        response = cast.client_for(cast.peer).post(reverse("volunteering:record"), {
            "date": "2025-03-10", "hours": "1", "minutes": "30", "kind": "travel", "expense": "4,50",
            "expense_note": "Fahrkarte", "receipt": receipt(PNG, "foto.png", "image/png"),
        })
    assert response.status_code == 302
    entry = HourEntry.objects.get()
    assert (entry.minutes, entry.amount_cents, entry.expense_cents, entry.status) == (90, 1500, 450, EntryStatus.SUBMITTED)
    assert entry.receipt_content_type == "image/png"
    assert "foto" not in entry.receipt.name, "the file name she chose is not kept"
    from django.conf import settings

    assert not str(settings.TANDEM_PRIVATE_FILES_DIR).startswith(str(getattr(settings, "MEDIA_ROOT", "") or "/nonexistent"))


def test_receipt_download_is_access_checked_and_not_cached(cast: Any, agreement: Any) -> None:
    entry = hours(cast.peer, cast.peer.user, dt.date(2025, 3, 10), 60, kind="travel", expense_cents=450, receipt=receipt())
    url = reverse("volunteering:receipt", args=[entry.pk])
    for who in (cast.peer, cast.team_lead, cast.org_admin):
        response = cast.client_for(who).get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert "no-store" in response["Cache-Control"]
        assert response.content.startswith(b"%PDF")
    for who in (cast.other_peer, cast.professional, cast.mentor, cast.supervisor, cast.outsider):
        assert cast.client_for(who).get(url).status_code == 404
    assert AuditEvent.objects.filter(action="volunteering.receipt_downloaded").count() == 3


def test_team_lead_records_for_her_approved_at_once(cast: Any, agreement: Any) -> None:
    with at(dt.date(2025, 3, 10)):
        response = cast.client_for(cast.team_lead).post(reverse("volunteering:lead_record", args=[cast.peer.pk]), {
            "date": "2025-03-09", "hours": "2", "minutes": "0", "kind": "qualification",
        })
    assert response.status_code == 302
    entry = HourEntry.objects.get()
    assert entry.status == EntryStatus.APPROVED and entry.recorded_by == cast.team_lead.user


def test_automatic_mode_approves_her_own_entries(cast: Any, agreement: Any) -> None:
    services.save_settings(organisation=cast.organisation, approval_mode="automatic", by=cast.org_admin.user)
    assert hours(cast.peer, cast.peer.user, dt.date(2025, 3, 10), 60).status == EntryStatus.APPROVED


def test_lead_records_mode_refuses_her_own_recording(cast: Any, agreement: Any) -> None:
    services.save_settings(organisation=cast.organisation, approval_mode="lead_records", by=cast.org_admin.user)
    with pytest.raises(ValidationError):
        hours(cast.peer, cast.peer.user, dt.date(2025, 3, 10), 60)
    assert hours(cast.peer, cast.team_lead.user, dt.date(2025, 3, 10), 60).status == EntryStatus.APPROVED


def test_approve_several_and_the_whole_month(cast: Any, agreement: Any) -> None:
    a, b, c = (hours(cast.peer, cast.peer.user, dt.date(2025, 3, d), 60) for d in (4, 5, 6))
    other_month = hours(cast.peer, cast.peer.user, dt.date(2025, 4, 1), 60)
    lead = cast.client_for(cast.team_lead)
    response = lead.post(reverse("volunteering:entries_approve", args=[cast.peer.pk]), {"entries": [a.pk, b.pk]})
    assert response.status_code == 302
    assert set(HourEntry.objects.filter(status="approved").values_list("pk", flat=True)) == {a.pk, b.pk}
    lead.post(reverse("volunteering:month_approve", args=[cast.peer.pk]), {"month": "2025-03"})
    assert set(HourEntry.objects.filter(status="approved").values_list("pk", flat=True)) == {a.pk, b.pk, c.pk}
    other_month.refresh_from_db()
    assert other_month.status == EntryStatus.SUBMITTED


def test_reject_with_a_reason_she_sees(cast: Any, agreement: Any) -> None:
    entry = hours(cast.peer, cast.peer.user, dt.date(2025, 3, 4), 60)
    lead = cast.client_for(cast.team_lead)
    assert lead.post(reverse("volunteering:entry_reject", args=[entry.pk]), {"reason": ""}).status_code == 422
    assert lead.post(reverse("volunteering:entry_reject", args=[entry.pk]), {"reason": "Bitte das Datum prüfen"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == EntryStatus.REJECTED
    page = cast.client_for(cast.peer).get(reverse("volunteering:mine")).content.decode()
    assert "Bitte das Datum prüfen" in page and "nicht genehmigt" in page
    assert Notification.objects.filter(recipient=cast.peer.user, kind="volunteering.entry_rejected").exists()


def test_she_corrects_a_rejected_entry_and_it_is_submitted_again(cast: Any, agreement: Any) -> None:
    entry = hours(cast.peer, cast.peer.user, dt.date(2025, 3, 4), 60)
    services.reject_entry(entry=entry, by=cast.team_lead.user, reason="zu lang")
    with at(dt.date(2025, 3, 10)):
        response = cast.client_for(cast.peer).post(reverse("volunteering:entry_change", args=[entry.pk]), {
            "date": "2025-03-04", "hours": "0", "minutes": "45", "kind": "tandem",
        })
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.minutes, entry.status, entry.amount_cents, entry.reject_reason) == (45, EntryStatus.SUBMITTED, 750, "")


def test_nobody_approves_their_own_hours(cast: Any) -> None:
    from .conftest import make_volunteer

    lead = cast.team_lead
    lead.is_peer = True
    lead.save()
    from accounts.models import PeerProfile

    PeerProfile.objects.create(membership=lead)
    make_volunteer(lead)
    agree(lead, cast.org_admin.user, valid_from=START)
    entry = hours(lead, lead.user, dt.date(2025, 3, 4), 60)
    with pytest.raises(ValidationError):
        services.approve_entries(entries=[entry], by=lead.user)
    entry.refresh_from_db()
    assert entry.status == EntryStatus.SUBMITTED


def test_form_is_phone_friendly_and_keyboard_operable(cast: Any, today_agreement: Any) -> None:
    body = cast.client_for(cast.peer).get(reverse("volunteering:record")).content.decode()
    assert 'type="date"' in body and 'inputmode="numeric"' in body
    assert 'type="radio"' in body and "<fieldset><legend>" in body, "the kinds are a labelled radio group"
    assert 'accept="image/jpeg,image/png,image/webp,application/pdf"' in body


def test_attended_peer_supervision_is_offered_and_confirmed_once(cast: Any, today_agreement: Any) -> None:
    from django.utils import timezone

    from supervision import services as supervision

    group = supervision.create_group(supervisor=cast.supervisor, name="Peer-Supervision", by=cast.supervisor.user)
    supervision.add_member(group=group, membership=cast.peer, by=cast.supervisor.user)
    starts = timezone.now() - dt.timedelta(days=2)
    from supervision.models import Attendance, Session

    session = Session.objects.create(group=group, title="Supervision", starts_at=starts, ends_at=starts + dt.timedelta(minutes=120))
    Attendance.objects.create(session=session, membership=cast.peer, attended=True, recorded_by=cast.supervisor.user)
    client = cast.client_for(cast.peer)
    assert "Peer-Supervision" in client.get(reverse("volunteering:mine")).content.decode()
    assert client.post(reverse("volunteering:session_confirm"), {"session": session.pk}).status_code == 302
    entry = HourEntry.objects.get()
    assert (entry.kind, entry.minutes, entry.supervision_session_id) == ("peer_supervision", 120, session.pk)
    client.post(reverse("volunteering:session_confirm"), {"session": session.pk})
    assert HourEntry.objects.count() == 1, "a session becomes hours once"
    # Another peer cannot confirm her session.
    from .conftest import make_volunteer

    make_volunteer(cast.other_peer)
    agree(cast.other_peer, cast.team_lead.user, valid_from=timezone.localdate().replace(day=1))
    cast.client_for(cast.other_peer).post(reverse("volunteering:session_confirm"), {"session": session.pk})
    assert HourEntry.objects.count() == 1


def test_unused_io_import_guard() -> None:
    assert io.BytesIO
