"""Writes for volunteering: agreements, hours, approvals, billing runs. Atomic, audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Membership
from tandem.audit.services import record
from tandem.notifications.services import notify

from . import rules, selectors
from .models import (
    AllowanceKind,
    ApprovalMode,
    BillingRun,
    EntryKind,
    EntryStatus,
    HourEntry,
    Statement,
    VolunteerAgreement,
    VolunteeringSettings,
    private_storage,
)
from .receipts import sniff_receipt

# --- Agreements --------------------------------------------------------------------------------------


@transaction.atomic
def create_agreement(
    *,
    volunteer: Membership,
    by: Any,
    valid_from: dt.date,
    activity: str,
    allowance_kind: str,
    rate_kind: str,
    rate_cents: int,
    hours_per_week: Any,
    uses_allowance_elsewhere: bool,
    elsewhere_cents: int = 0,
    elsewhere_year: int | None = None,
    declared_on: dt.date,
    today: dt.date | None = None,
) -> VolunteerAgreement:
    """A new version of the agreement from ``valid_from`` (today or later); earlier versions stay."""
    today = today or timezone.localdate()
    if not selectors.is_volunteer(volunteer):
        raise ValidationError(_("Only a current volunteer peer can have a volunteer agreement."))
    refusal = rules.agreement_start_refusal(valid_from, today)
    if refusal:
        raise ValidationError({"valid_from": refusal})
    if uses_allowance_elsewhere and (not elsewhere_year or elsewhere_cents <= 0):
        raise ValidationError({"elsewhere_cents": _("Please enter the amount and the year she uses elsewhere.")})
    if not uses_allowance_elsewhere:
        elsewhere_cents, elsewhere_year = 0, None
    if declared_on > today:
        raise ValidationError({"declared_on": _("The declaration cannot be signed in the future.")})
    if allowance_kind == AllowanceKind.NONE and rate_cents:
        raise ValidationError({"allowance_kind": _("Without a tax-free allowance the flat rate is 0; reimbursed costs are recorded with receipts.")})
    Membership.objects.select_for_update().get(pk=volunteer.pk)
    if VolunteerAgreement.objects.filter(volunteer=volunteer, valid_from=valid_from).exists():
        raise ValidationError({"valid_from": _("A version of the agreement from this date exists already.")})
    agreement = VolunteerAgreement(
        organisation=volunteer.organisation,
        volunteer=volunteer,
        valid_from=valid_from,
        activity=activity,
        allowance_kind=allowance_kind,
        rate_kind=rate_kind,
        rate_cents=rate_cents,
        hours_per_week=hours_per_week,
        uses_allowance_elsewhere=uses_allowance_elsewhere,
        elsewhere_cents=elsewhere_cents,
        elsewhere_year=elsewhere_year,
        declared_on=declared_on,
        created_by=by,
    )
    agreement.full_clean()
    agreement.save()
    record(actor=by, action="volunteering.agreement_created", obj=agreement, organisation=volunteer.organisation,
           detail={"volunteer": volunteer.pk, "valid_from": valid_from.isoformat()})
    return agreement


# --- Hours -----------------------------------------------------------------------------------------


def _check_entry(
    *, volunteer: Membership, day: dt.date, minutes: int, kind: str, expense_cents: int, has_receipt: bool,
    support_process: Any, today: dt.date,
) -> VolunteerAgreement:
    errors: dict[str, str] = {}
    refusal = rules.duration_refusal(minutes)
    if refusal:
        errors["minutes"] = refusal
    refusal = rules.entry_date_refusal(day, today)
    if refusal:
        errors["date"] = refusal
    refusal = rules.expense_refusal(expense_cents, has_receipt=has_receipt)
    if refusal:
        errors["expense"] = refusal
    if kind not in EntryKind.values:
        errors["kind"] = _("Please choose what the time was for.")
    if support_process is not None:
        if kind != EntryKind.CLIENT_SUPPORT:
            errors["support_process"] = _("A support process belongs to client support only.")
        elif support_process.tandem.peer_id != volunteer.pk:
            errors["support_process"] = _("Please choose one of your own support processes.")
    if errors:
        raise ValidationError(errors)
    refusal = rules.month_refusal(selectors.run_for(volunteer.organisation_id, day))
    if refusal:
        raise ValidationError({"date": refusal})
    agreement = selectors.agreement_on(volunteer, day)
    if agreement is None:
        raise ValidationError({"date": _("There is no volunteer agreement in force on this date. The allowance must be agreed before the work starts.")})
    return agreement


def record_hours(
    *,
    volunteer: Membership,
    by: Any,
    date: dt.date,
    minutes: int,
    kind: str,
    support_process: Any = None,
    expense_cents: int = 0,
    expense_note: str = "",
    receipt: UploadedFile | None = None,
    supervision_session: Any = None,
    today: dt.date | None = None,
) -> HourEntry:
    """Record hours, by the volunteer herself or by a team lead for her.

    The organisation's setting decides the status: automatic → approved; the team lead records or
    approves → a team lead's entry is approved at once, the volunteer's own waits for approval.
    """
    today = today or timezone.localdate()
    if not selectors.is_volunteer(volunteer):
        raise ValidationError(_("Only a current volunteer peer records volunteer hours."))
    by_volunteer = by.pk == volunteer.user_id
    mode = VolunteeringSettings.for_organisation(volunteer.organisation).approval_mode
    if by_volunteer and mode == ApprovalMode.LEAD_RECORDS:
        raise ValidationError(_("In your organisation the team lead records your hours. Please give them your times."))
    content_type = sniff_receipt(receipt) if receipt else ""
    saved: list[str] = []
    try:
        return _record(
            volunteer=volunteer, by=by, by_volunteer=by_volunteer, mode=mode, date=date, minutes=minutes, kind=kind,
            support_process=support_process, expense_cents=expense_cents, expense_note=expense_note, receipt=receipt,
            content_type=content_type, supervision_session=supervision_session, today=today, saved=saved,
        )
    except Exception:
        # Nothing is saved on a refusal: not the row, and not the receipt's file either.
        for name in saved:
            private_storage().delete(name)
        raise


@transaction.atomic
def _record(
    *, volunteer: Membership, by: Any, by_volunteer: bool, mode: str, date: dt.date, minutes: int, kind: str,
    support_process: Any, expense_cents: int, expense_note: str, receipt: UploadedFile | None, content_type: str,
    supervision_session: Any, today: dt.date, saved: list[str],
) -> HourEntry:
    # Her row first, then the month's run row: approving the month and a new entry serialise.
    Membership.objects.select_for_update().get(pk=volunteer.pk)
    agreement = _check_entry(
        volunteer=volunteer, day=date, minutes=minutes, kind=kind, expense_cents=expense_cents,
        has_receipt=receipt is not None, support_process=support_process, today=today,
    )
    _lock_month(volunteer.organisation_id, date)
    approved = (not by_volunteer) or mode == ApprovalMode.AUTOMATIC
    entry = HourEntry(
        organisation=volunteer.organisation,
        volunteer=volunteer,
        agreement=agreement,
        date=date,
        minutes=minutes,
        kind=kind,
        support_process=support_process if kind == EntryKind.CLIENT_SUPPORT else None,
        supervision_session=supervision_session,
        allowance_kind=agreement.allowance_kind,
        amount_cents=rules.amount_for(minutes, agreement.rate_kind, agreement.rate_cents),
        expense_cents=expense_cents or 0,
        expense_note=expense_note if expense_cents else "",
        receipt_content_type=content_type,
        status=EntryStatus.APPROVED if approved else EntryStatus.SUBMITTED,
        decided_by=None if not approved or by_volunteer else by,
        decided_at=timezone.now() if approved else None,
        recorded_by=by,
    )
    if receipt is not None:
        entry.receipt.save("receipt", receipt, save=False)
        saved.append(entry.receipt.name)
    entry.save()
    record(actor=by, action="volunteering.hours_recorded", obj=entry, organisation=volunteer.organisation,
           detail={"volunteer": volunteer.pk, "minutes": minutes, "status": entry.status})
    if approved:
        _after_approval([entry])
    _overwork_note(volunteer, today)
    return entry


def _lock_month(organisation_id: int, day: dt.date) -> None:
    """Lock the month's run row (if any) so that a concurrent approval and a new entry serialise."""
    run = BillingRun.objects.select_for_update().filter(organisation_id=organisation_id, month=day.replace(day=1)).first()
    refusal = rules.month_refusal(run)
    if refusal:
        raise ValidationError({"date": refusal})


def confirm_session(*, volunteer: Membership, by: Any, session_id: int, today: dt.date | None = None) -> HourEntry:
    """An attended peer-supervision session becomes hours (once)."""
    session = next((s for s in selectors.offered_sessions(volunteer, today=today) if s.pk == session_id), None)
    if session is None:
        raise ValidationError(_("This session is not (or no longer) offered as hours."))
    minutes = max(1, min(int((session.ends_at - session.starts_at).total_seconds() // 60), 12 * 60))
    return record_hours(
        volunteer=volunteer, by=by, date=timezone.localtime(session.starts_at).date(), minutes=minutes,
        kind=EntryKind.PEER_SUPERVISION, supervision_session=session, today=today,
    )


@transaction.atomic
def change_entry(
    *, entry: HourEntry, by: Any, date: dt.date, minutes: int, kind: str, support_process: Any = None,
    today: dt.date | None = None,
) -> HourEntry:
    """She corrects her own submitted or rejected entry; it is submitted again."""
    today = today or timezone.localdate()
    entry = HourEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status == EntryStatus.APPROVED:
        raise ValidationError(_("An approved entry does not change. Please record a correction as a new entry."))
    for day in {entry.date, date}:
        _lock_month(entry.organisation_id, day)
    agreement = _check_entry(
        volunteer=entry.volunteer, day=date, minutes=minutes, kind=kind, expense_cents=entry.expense_cents,
        has_receipt=bool(entry.receipt), support_process=support_process, today=today,
    )
    mode = VolunteeringSettings.for_organisation(entry.volunteer.organisation).approval_mode
    entry.date, entry.minutes, entry.kind, entry.agreement = date, minutes, kind, agreement
    entry.support_process = support_process if kind == EntryKind.CLIENT_SUPPORT else None
    entry.allowance_kind = agreement.allowance_kind
    entry.amount_cents = rules.amount_for(minutes, agreement.rate_kind, agreement.rate_cents)
    entry.reject_reason = ""
    entry.status = EntryStatus.APPROVED if mode == ApprovalMode.AUTOMATIC else EntryStatus.SUBMITTED
    entry.decided_at = timezone.now() if entry.status == EntryStatus.APPROVED else None
    entry.decided_by = None
    entry.save()
    record(actor=by, action="volunteering.hours_changed", obj=entry, organisation=entry.organisation, detail={"minutes": minutes})
    if entry.status == EntryStatus.APPROVED:
        _after_approval([entry])
    return entry


@transaction.atomic
def withdraw_entry(*, entry: HourEntry, by: Any) -> None:
    entry = HourEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status == EntryStatus.APPROVED:
        raise ValidationError(_("An approved entry does not change. Please record a correction as a new entry."))
    _lock_month(entry.organisation_id, entry.date)
    record(actor=by, action="volunteering.hours_withdrawn", obj=entry, organisation=entry.organisation, detail={"date": entry.date.isoformat()})
    receipt = entry.receipt.name
    entry.delete()
    if receipt:
        transaction.on_commit(lambda: private_storage().delete(receipt))


# --- Approval ---------------------------------------------------------------------------------------


def _decide(entries: Iterable[HourEntry], *, by: Any, status: str, reason: str = "") -> list[HourEntry]:
    ids = [e.pk for e in entries]
    if not ids:
        raise ValidationError(_("Please choose at least one entry."))
    locked = list(HourEntry.objects.select_for_update().filter(pk__in=ids).select_related("volunteer").order_by("pk"))
    changed = []
    for entry in locked:
        refusal = rules.self_approval_refusal(by.pk, entry.volunteer.user_id)
        if refusal:
            raise ValidationError(refusal)
        _lock_month(entry.organisation_id, entry.date)
        if entry.status == status:
            continue  # a second approver finds it approved: nothing twice
        if entry.status != EntryStatus.SUBMITTED and not (status == EntryStatus.APPROVED and entry.status == EntryStatus.REJECTED):
            raise ValidationError(_("Only submitted entries can be rejected."))
        entry.status, entry.reject_reason = status, reason
        entry.decided_by, entry.decided_at = by, timezone.now()
        entry.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])
        record(actor=by, action=f"volunteering.hours_{status}", obj=entry, organisation=entry.organisation,
               detail={"volunteer": entry.volunteer_id})
        changed.append(entry)
    return changed


@transaction.atomic
def approve_entries(*, entries: Iterable[HourEntry], by: Any) -> list[HourEntry]:
    changed = _decide(entries, by=by, status=EntryStatus.APPROVED)
    _after_approval(changed)
    return changed


@transaction.atomic
def approve_month(*, volunteer: Membership, month: dt.date, by: Any) -> list[HourEntry]:
    """Approve every submitted entry of her month."""
    pending = list(HourEntry.objects.filter(volunteer=volunteer, status=EntryStatus.SUBMITTED).in_month(month))
    if not pending:
        raise ValidationError(_("There is nothing left to approve in this month."))
    return approve_entries(entries=pending, by=by)


@transaction.atomic
def reject_entry(*, entry: HourEntry, by: Any, reason: str) -> HourEntry:
    if not reason.strip():
        raise ValidationError({"reason": _("Please give a reason, so that she knows what to correct.")})
    _decide([entry], by=by, status=EntryStatus.REJECTED, reason=reason.strip())
    entry.refresh_from_db()
    notify(
        recipients=[entry.volunteer.user], kind="volunteering.entry_rejected", event_key=f"hours:{entry.pk}:rejected:{entry.decided_at}",
        obj=entry, url=entry.get_absolute_url(), context={"date": entry.date.isoformat()},
        organisation=entry.organisation,
    )
    return entry


def team_leads(volunteer: Membership) -> list[Any]:
    return [
        m.user for m in Membership.objects.active().filter(organisation_id=volunteer.organisation_id, is_team_lead=True)
        .exclude(user_id=volunteer.user_id).select_related("user")
    ]


def _after_approval(entries: list[HourEntry]) -> None:
    """Tell her and her team leads once when the year reaches 80 % and 100 % of the limit."""
    seen: set[tuple[int, int]] = set()
    for entry in entries:
        key = (entry.volunteer_id, entry.date.year)
        if key in seen:
            continue
        seen.add(key)
        volunteer = entry.volunteer
        position = selectors.limit_position(volunteer, entry.date.year, kind=entry.allowance_kind, agreement=entry.agreement)
        for threshold in (80, 100):
            if position.threshold < threshold:
                continue
            context = {"year": entry.date.year, "percent": threshold, "name": volunteer.user.display_name}
            base = f"volunteering:{volunteer.pk}:{entry.date.year}:{entry.allowance_kind}:limit{threshold}"
            notify(recipients=[volunteer.user], kind=f"volunteering.limit_{threshold}", event_key=f"{base}:own",
                   obj=volunteer, url=reverse("volunteering:mine"), context=context, organisation=volunteer.organisation)
            notify(recipients=team_leads(volunteer), kind=f"volunteering.limit_{threshold}_lead", event_key=f"{base}:lead",
                   obj=volunteer, url=reverse("volunteering:person", args=[volunteer.pk]), context=context,
                   organisation=volunteer.organisation)


def _overwork_note(volunteer: Membership, today: dt.date) -> None:
    """A friendly note to her, and only her, once per week in which the pattern holds."""
    agreement = selectors.agreement_on(volunteer, today)
    if agreement is None:
        return
    weeks = selectors.weekly_minutes(volunteer, until=today, weeks=rules.OVERWORK_WEEKS)
    if rules.is_overworking(weeks, agreement.hours_per_week):
        year, week, _day = today.isocalendar()
        notify(recipients=[volunteer.user], kind="volunteering.overwork", event_key=f"volunteering:{volunteer.pk}:overwork:{year}-{week}",
               obj=volunteer, url=reverse("volunteering:mine"), context={}, organisation=volunteer.organisation)


# --- Settings ---------------------------------------------------------------------------------------


@transaction.atomic
def save_settings(*, organisation: Any, approval_mode: str, by: Any) -> VolunteeringSettings:
    if approval_mode not in ApprovalMode.values:
        raise ValidationError({"approval_mode": _("Please choose how hours are approved.")})
    settings_row, _created = VolunteeringSettings.objects.update_or_create(organisation=organisation, defaults={"approval_mode": approval_mode})
    record(actor=by, action="volunteering.settings_changed", obj=settings_row, organisation=organisation, detail={"approval_mode": approval_mode})
    return settings_row


# --- Billing runs -----------------------------------------------------------------------------------


@transaction.atomic
def open_run(*, organisation: Any, month: dt.date, by: Any, today: dt.date | None = None) -> BillingRun:
    today = today or timezone.localdate()
    month = month.replace(day=1)
    if month > today.replace(day=1):
        raise ValidationError({"month": _("A month can be billed once it has begun.")})
    run, created = BillingRun.objects.get_or_create(organisation=organisation, month=month)
    if created:
        record(actor=by, action="volunteering.run_opened", obj=run, organisation=organisation, detail={"month": month.isoformat()})
    return run


def _statement_for(run: BillingRun, volunteer: Membership, entries: list[HourEntry]) -> Statement:
    month = run.month
    agreement = entries[-1].agreement
    kind = agreement.allowance_kind
    entries_cents = sum(e.amount_cents for e in entries if e.allowance_kind == kind)
    flat = agreement.rate_cents if agreement.rate_kind == "month" else 0
    allowance = entries_cents + flat
    before = selectors.limit_position(volunteer, month.year, kind=kind, agreement=agreement, before_month=month.month)
    tax_free, taxable = rules.split_month(before=before, month_cents=allowance)
    after = rules.LimitPosition(limit=before.limit, elsewhere=before.elsewhere, year_to_date=before.year_to_date + allowance)
    return Statement.objects.create(
        run=run,
        volunteer=volunteer,
        agreement=agreement,
        allowance_kind=kind,
        minutes=sum(e.minutes for e in entries),
        entries_cents=entries_cents,
        flat_cents=flat,
        allowance_cents=allowance,
        tax_free_cents=tax_free,
        taxable_cents=taxable,
        expenses_cents=sum(e.expense_cents for e in entries),
        year_to_date_cents=after.year_to_date,
        limit_cents=before.limit,
        elsewhere_cents=before.elsewhere,
        remaining_cents=after.remaining,
    )


def approve_run(*, run: BillingRun, by: Any) -> BillingRun:
    """Close the month: its approved entries go onto one statement per person, once.

    The run row is locked first: a second approver waits, then finds it approved and does nothing,
    so the month closes once and each statement exists once (also a unique constraint).
    """
    with transaction.atomic():
        locked = BillingRun.objects.select_for_update().get(pk=run.pk)
        if locked.state != BillingRun.State.REVIEW:
            raise ValidationError(_("This month has already been approved."))
        pending = HourEntry.objects.filter(organisation_id=locked.organisation_id, status=EntryStatus.SUBMITTED).in_month(locked.month)
        if pending.exists():
            raise ValidationError(
                _("%(count)s entries of this month still wait for a decision. Please approve or reject them first.")
                % {"count": pending.count()}
            )
        entries = list(
            HourEntry.objects.select_for_update().filter(organisation_id=locked.organisation_id, status=EntryStatus.APPROVED, statement__isnull=True)
            .in_month(locked.month).select_related("agreement", "volunteer__user").order_by("volunteer_id", "date", "id")
        )
        per_person: dict[int, list[HourEntry]] = {}
        for entry in entries:
            per_person.setdefault(entry.volunteer_id, []).append(entry)
        for person_entries in per_person.values():
            statement = _statement_for(locked, person_entries[0].volunteer, person_entries)
            HourEntry.objects.filter(pk__in=[e.pk for e in person_entries]).update(statement=statement)
        locked.state, locked.approved_by, locked.approved_at = BillingRun.State.APPROVED, by, timezone.now()
        locked.save(update_fields=["state", "approved_by", "approved_at"])
        record(actor=by, action="volunteering.run_approved", obj=locked, organisation=locked.organisation,
               detail={"month": locked.month.isoformat(), "statements": len(per_person)})
        for statement in locked.statements.select_related("volunteer__user"):
            notify(recipients=[statement.volunteer.user], kind="volunteering.statement_ready",
                   event_key=f"statement:{statement.pk}:ready", obj=statement.volunteer,
                   url=reverse("volunteering:mine"), context={"month": locked.month.strftime("%m/%Y")},
                   organisation=locked.organisation)
    run.refresh_from_db()
    return run


@transaction.atomic
def lock_run(*, run: BillingRun, by: Any) -> BillingRun:
    locked = BillingRun.objects.select_for_update().get(pk=run.pk)
    if locked.state == BillingRun.State.LOCKED:
        raise ValidationError(_("This month is already locked."))
    if locked.state != BillingRun.State.APPROVED:
        raise ValidationError(_("Please approve the month before locking it."))
    locked.state, locked.locked_by, locked.locked_at = BillingRun.State.LOCKED, by, timezone.now()
    locked.save(update_fields=["state", "locked_by", "locked_at"])
    record(actor=by, action="volunteering.run_locked", obj=locked, organisation=locked.organisation, detail={"month": locked.month.isoformat()})
    run.refresh_from_db()
    return run


@transaction.atomic
def reopen_run(*, run: BillingRun, by: Any) -> BillingRun:
    """An approved (not yet locked) month goes back to review; its statements are withdrawn."""
    locked = BillingRun.objects.select_for_update().get(pk=run.pk)
    if locked.state != BillingRun.State.APPROVED:
        raise ValidationError(_("Only an approved month that is not locked can be reopened."))
    HourEntry.objects.filter(statement__run=locked).update(statement=None)
    locked.statements.all().delete()
    locked.state, locked.approved_by, locked.approved_at = BillingRun.State.REVIEW, None, None
    locked.save(update_fields=["state", "approved_by", "approved_at"])
    record(actor=by, action="volunteering.run_reopened", obj=locked, organisation=locked.organisation, detail={"month": locked.month.isoformat()})
    run.refresh_from_db()
    return run


# --- Retention --------------------------------------------------------------------------------------

RETENTION_YEARS = 10


def purge_expired(*, today: dt.date | None = None) -> int:
    """Booking records (statements, entries, receipts, agreements no longer referenced) are kept ten
    full calendar years after the year they belong to (§ 147 AO, § 257 HGB), then deleted."""
    today = today or timezone.localdate()
    cutoff = dt.date(today.year - RETENTION_YEARS, 1, 1)  # everything dated before this year is due
    deleted = 0
    with transaction.atomic():
        entries = HourEntry.objects.filter(date__lt=cutoff)
        files = list(entries.exclude(receipt="").values_list("receipt", flat=True))
        deleted += entries.delete()[0]
        deleted += Statement.objects.filter(run__month__lt=cutoff).delete()[0]
        deleted += BillingRun.objects.filter(month__lt=cutoff, statements__isnull=True).delete()[0]
        # An agreement replaced by a later version and without entries any more has done its job.
        for agreement in VolunteerAgreement.objects.filter(valid_from__lt=cutoff, entries__isnull=True):
            newer = VolunteerAgreement.objects.filter(volunteer_id=agreement.volunteer_id, valid_from__gt=agreement.valid_from)
            if newer.exists() and not Statement.objects.filter(agreement=agreement).exists():
                agreement.delete()
                deleted += 1
        transaction.on_commit(lambda: _delete_files(files))
    return deleted


def _delete_files(names: list[str]) -> None:
    storage = private_storage()
    for name in names:
        storage.delete(name)
