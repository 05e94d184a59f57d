"""Volunteer hours: her own pages (phone first), the team lead's approval, billing runs, statements."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import admin_membership, manager_membership
from accounts.http import AuthenticatedHttpRequest
from tandem import web
from tandem.audit.services import record

from . import access, csv, pdf, rules, selectors, services
from .forms import AgreementForm, ChangeEntryForm, HoursForm, MonthForm, RejectForm, SettingsForm, parse_month
from .models import BillingRun, EntryStatus, HourEntry, VolunteeringSettings, private_storage


def _month(request: AuthenticatedHttpRequest) -> dt.date:
    try:
        return parse_month(request.GET.get("month"))
    except forms.ValidationError:
        raise Http404 from None


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store, private"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _no_store(response)


def _language(request: AuthenticatedHttpRequest) -> str:
    """German unless English is asked for (?lang=en)."""
    return "en" if request.GET.get("lang") == "en" else "de"


# --- The volunteer --------------------------------------------------------------------------------


@login_required
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = access.own_membership(request)
    if not membership.is_peer:
        raise Http404
    if not selectors.is_volunteer(membership):
        return render(request, "volunteering/not_volunteer.html")
    page = selectors.my_page(membership)
    mode = VolunteeringSettings.for_organisation(membership.organisation).approval_mode
    return render(request, "volunteering/mine.html", {"page": page, "lead_records": mode == "lead_records"})


@login_required
def record_hours(request: AuthenticatedHttpRequest) -> HttpResponse:
    volunteer = access.volunteer_membership(request)
    form = HoursForm(request.POST or None, request.FILES or None, volunteer=volunteer)

    def save(data: dict[str, Any]) -> HourEntry:
        return services.record_hours(
            volunteer=volunteer, by=request.user, date=data["date"], minutes=data["duration"], kind=data["kind"],
            support_process=data.get("support_process"), expense_cents=data.get("expense") or 0,
            expense_note=data.get("expense_note", ""), receipt=data.get("receipt"),
        )

    return web.submit(
        request, form, save, template="volunteering/record.html", context={"volunteer": volunteer, "for_lead": False},
        success=_("Your hours were recorded."), next_url=reverse("volunteering:mine"),
    )


@login_required
def entry_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = access.get_entry(request, pk)
    own = entry.volunteer.user_id == request.user.pk
    manager = not own and request.membership is not None and (request.membership.is_team_lead or request.membership.is_org_admin)
    return render(request, "volunteering/entry_detail.html", {
        "entry": entry, "own": own, "manager": manager, "reject_form": RejectForm(),
        "closed": bool(rules.month_refusal(selectors.run_for(entry.organisation_id, entry.date))),
    })


@login_required
def entry_change(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = access.get_own_entry(request, pk)
    initial = {"date": entry.date, "hours": entry.minutes // 60, "minutes": entry.minutes % 60, "kind": entry.kind,
               "support_process": entry.support_process_id}
    form = ChangeEntryForm(request.POST or None, initial=initial, volunteer=entry.volunteer)
    return web.submit(
        request, form,
        lambda data: services.change_entry(entry=entry, by=request.user, date=data["date"], minutes=data["duration"],
                                           kind=data["kind"], support_process=data.get("support_process")),
        template="volunteering/entry_change.html", context={"entry": entry},
        success=_("The entry was changed and submitted again."), next_url=entry.get_absolute_url(),
    )


@login_required
def entry_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = access.get_own_entry(request, pk)
    if request.method == "POST":
        return web.act(request, lambda: services.withdraw_entry(entry=entry, by=request.user),
                       success=_("The entry was withdrawn."), next_url=reverse("volunteering:mine"),
                       refused_url=entry.get_absolute_url())
    return web.confirm(
        request, title=_("Withdraw this entry?"),
        question=_("The entry of %(date)s (%(hours)s hours) is deleted.") % {"date": entry.date.strftime("%d.%m.%Y"), "hours": entry.hours},
        cancel_url=entry.get_absolute_url(), button=_("Withdraw"),
    )


@login_required
def receipt(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = access.get_entry(request, pk)
    if not entry.receipt:
        raise Http404
    try:
        with private_storage().open(entry.receipt.name, "rb") as handle:
            content = handle.read()  # at most TANDEM_RECEIPT_MAX_BYTES
    except FileNotFoundError:
        raise Http404 from None
    record(actor=request.user, action="volunteering.receipt_downloaded", obj=entry, organisation=entry.organisation,
           detail={"volunteer": entry.volunteer_id})
    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}.get(entry.receipt_content_type, "bin")
    response = HttpResponse(content, content_type=entry.receipt_content_type or "application/octet-stream")
    response["Content-Disposition"] = f'attachment; filename="beleg-{entry.date.isoformat()}-{entry.pk}.{extension}"'
    return _no_store(response)


@require_POST
@login_required
def session_confirm(request: AuthenticatedHttpRequest) -> HttpResponse:
    volunteer = access.volunteer_membership(request)
    try:
        session_id = int(request.POST.get("session", ""))
    except ValueError:
        session_id = 0
    return web.act(request, lambda: services.confirm_session(volunteer=volunteer, by=request.user, session_id=session_id),
                   success=_("The session was added to your hours."), next_url=reverse("volunteering:mine"))


@login_required
def statement_pdf(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    statement = access.get_statement(request, pk)
    record(actor=request.user, action="volunteering.statement_downloaded", obj=statement, organisation=statement.run.organisation,
           detail={"volunteer": statement.volunteer_id})
    content = pdf.statement(statement, language=_language(request))
    return _pdf_response(content, f"abrechnung-{statement.run.month:%Y-%m}-{statement.volunteer_id}.pdf")


def _certificate(request: AuthenticatedHttpRequest, volunteer: Any, year: int) -> HttpResponse:
    refusal = rules.certificate_refusal(year, timezone.localdate())
    if refusal:
        return web.refused(request, ValidationError(refusal), back_url=reverse("volunteering:mine"), back_label=_("Back"))
    certificate = selectors.certificate(volunteer, year)
    return _pdf_response(pdf.certificate(certificate, language=_language(request)), f"bescheinigung-{year}-{volunteer.pk}.pdf")


@login_required
def my_certificate(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    return _certificate(request, access.volunteer_membership(request), year)


# --- Team lead / org admin -----------------------------------------------------------------------


@login_required
def lead(request: AuthenticatedHttpRequest) -> HttpResponse:
    manager = manager_membership(request)
    month = _month(request)
    return render(request, "volunteering/lead.html", {
        "month": month, "rows": selectors.lead_overview(manager.organisation, month),
        "run": selectors.run_for(manager.organisation, month),
        "previous": (month - dt.timedelta(days=1)).replace(day=1), "next": (month + dt.timedelta(days=32)).replace(day=1),
        "settings": VolunteeringSettings.for_organisation(manager.organisation),
    })


@login_required
def person(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    volunteer = access.get_volunteer_for_manager(request, pk)
    month = _month(request)
    entries = selectors.person_entries(volunteer, month)
    return render(request, "volunteering/person.html", {
        "volunteer": volunteer, "month": month, "entries": entries,
        "submitted": [e for e in entries if e.status == EntryStatus.SUBMITTED],
        "agreements": selectors.agreements_of(volunteer),
        "position": selectors.limit_position(volunteer, month.year),
        "run": selectors.run_for(volunteer.organisation, month),
        "own": volunteer.user_id == request.user.pk,
        "past_years": list(range(month.year - 1, month.year - 4, -1)),
    })


@login_required
def agreement_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    volunteer = access.get_volunteer_for_manager(request, pk)
    today = timezone.localdate()
    form = AgreementForm(request.POST or None, initial={"valid_from": today, "declared_on": today, "elsewhere_year": today.year})

    def save(data: dict[str, Any]) -> Any:
        return services.create_agreement(
            volunteer=volunteer, by=request.user, valid_from=data["valid_from"], activity=data["activity"],
            allowance_kind=data["allowance_kind"], rate_kind=data["rate_kind"], rate_cents=data["rate"],
            hours_per_week=data["hours_per_week"], uses_allowance_elsewhere=data["uses_allowance_elsewhere"],
            elsewhere_cents=data.get("elsewhere") or 0, elsewhere_year=data.get("elsewhere_year"), declared_on=data["declared_on"],
        )

    return web.submit(
        request, form, save, template="volunteering/agreement_form.html", context={"volunteer": volunteer},
        success=_("The agreement was saved."), next_url=reverse("volunteering:person", args=[volunteer.pk]),
    )


@login_required
def lead_record(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    volunteer = access.get_volunteer_for_manager(request, pk)
    form = HoursForm(request.POST or None, request.FILES or None, volunteer=volunteer)

    def save(data: dict[str, Any]) -> HourEntry:
        if volunteer.user_id == request.user.pk:
            raise ValidationError(_("Please record your own hours on your own page."))
        return services.record_hours(
            volunteer=volunteer, by=request.user, date=data["date"], minutes=data["duration"], kind=data["kind"],
            support_process=data.get("support_process"), expense_cents=data.get("expense") or 0,
            expense_note=data.get("expense_note", ""), receipt=data.get("receipt"),
        )

    return web.submit(
        request, form, save, template="volunteering/record.html", context={"volunteer": volunteer, "for_lead": True},
        success=_("The hours were recorded and approved."),
        next_url=lambda entry: reverse("volunteering:person", args=[volunteer.pk]) + f"?month={entry.date:%Y-%m}",
    )


@require_POST
@login_required
def entries_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    volunteer = access.get_volunteer_for_manager(request, pk)
    ids = [value for value in request.POST.getlist("entries") if value.isdigit()]
    entries = list(HourEntry.objects.filter(volunteer=volunteer, pk__in=ids))
    back = reverse("volunteering:person", args=[volunteer.pk]) + (f"?month={entries[0].date:%Y-%m}" if entries else "")
    if not entries:
        return web.refused(request, ValidationError(_("Please choose at least one entry.")), back_url=back, back_label=_("Back"))
    try:
        services.approve_entries(entries=entries, by=request.user)
    except ValidationError as error:
        return web.refused(request, error, back_url=back, back_label=_("Back"))
    messages.success(request, _("The chosen entries were approved."))
    return redirect(back)


@require_POST
@login_required
def month_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    volunteer = access.get_volunteer_for_manager(request, pk)
    form = MonthForm(request.POST)
    if not form.is_valid():
        return web.refused(request, ValidationError(_("Please choose a month, e.g. 2026-03.")),
                           back_url=reverse("volunteering:person", args=[volunteer.pk]), back_label=_("Back"))
    month = form.cleaned_data["month"]
    back = reverse("volunteering:person", args=[volunteer.pk]) + f"?month={month:%Y-%m}"
    try:
        services.approve_month(volunteer=volunteer, month=month, by=request.user)
    except ValidationError as error:
        return web.refused(request, error, back_url=back, back_label=_("Back"))
    messages.success(request, _("All submitted entries of the month were approved."))
    return redirect(back)


@login_required
def entry_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = access.get_entry_for_manager(request, pk)
    form = RejectForm(request.POST or None)
    return web.submit(
        request, form, lambda data: services.reject_entry(entry=entry, by=request.user, reason=data["reason"]),
        template="volunteering/reject.html", context={"entry": entry},
        success=_("The entry was not approved; she sees your reason."),
        next_url=reverse("volunteering:person", args=[entry.volunteer_id]) + f"?month={entry.date:%Y-%m}",
    )


@login_required
def settings_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    admin = admin_membership(request)
    current = VolunteeringSettings.for_organisation(admin.organisation)
    form = SettingsForm(request.POST or None, initial={"approval_mode": current.approval_mode})
    return web.submit(
        request, form,
        lambda data: services.save_settings(organisation=admin.organisation, approval_mode=data["approval_mode"], by=request.user),
        template="volunteering/settings.html", success=_("The volunteering settings were saved."),
        next_url=reverse("volunteering:settings"),
    )


@login_required
def runs(request: AuthenticatedHttpRequest) -> HttpResponse:
    manager = manager_membership(request)
    form = MonthForm(request.POST or None, initial={"month": timezone.localdate().strftime("%Y-%m")})
    return web.submit(
        request, form, lambda data: services.open_run(organisation=manager.organisation, month=data["month"], by=request.user),
        template="volunteering/runs.html",
        context={"runs": BillingRun.objects.filter(organisation=manager.organisation).order_by("-month")[:36]},
        next_url=lambda run: run.get_absolute_url(),
    )


@login_required
def run_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = access.get_run(request, pk)
    return render(request, "volunteering/run_detail.html", {
        "run": run, "statements": selectors.run_statements(run),
        "pending": selectors.pending_in_month(run.organisation, run.month),
        "rows": selectors.lead_overview(run.organisation, run.month),
    })


def _run_action(request: AuthenticatedHttpRequest, pk: int, *, service: Any, title: str, question: str, button: str, success: str) -> HttpResponse:
    run = access.get_run(request, pk)
    if request.method == "POST":
        return web.act(request, lambda: service(run=run, by=request.user), success=success, next_url=run.get_absolute_url())
    return web.confirm(request, title=title, question=question, cancel_url=run.get_absolute_url(), button=button)


@login_required
def run_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _run_action(
        request, pk, service=services.approve_run, title=_("Approve this month?"),
        question=_("Every approved entry of the month goes onto one statement per person. Afterwards no entry of this month can be added or changed."),
        button=_("Approve the month"), success=_("The month was approved; the statements are ready."),
    )


@login_required
def run_lock(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _run_action(
        request, pk, service=services.lock_run, title=_("Lock this month?"),
        question=_("A locked month is final: it cannot be reopened. Corrections are new entries in an open month."),
        button=_("Lock the month"), success=_("The month was locked."),
    )


@login_required
def run_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _run_action(
        request, pk, service=services.reopen_run, title=_("Reopen this month?"),
        question=_("The statements of this month are withdrawn and the month can be reviewed again."),
        button=_("Reopen the month"), success=_("The month is open for review again."),
    )


@login_required
def run_csv(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    run = access.get_run(request, pk)
    if not run.is_closed:
        raise Http404
    with translation.override(_language(request)):
        content = csv.render(run, selectors.run_statements(run))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="aufwandsentschaedigung-{run.month:%Y-%m}.csv"'
    return _no_store(response)


@login_required
def certificate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """?year=2025; the previous year without it."""
    volunteer = access.get_volunteer_for_manager(request, pk)
    try:
        year = int(request.GET.get("year") or timezone.localdate().year - 1)
    except ValueError:
        raise Http404 from None
    return _certificate(request, volunteer, year)
