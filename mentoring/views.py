from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Max, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import admin_membership, manager_membership
from accounts.models import Membership, Team
from tandem.idempotency import once
from tandem.web import apply_errors, confirm

from . import access, services
from .forms import (
    AssignMentorForm,
    CheckInForm,
    CheckInIntervalForm,
    ClarifyByForm,
    IrritationForm,
    MentoringSettingsForm,
    MessageForm,
    ResolutionForm,
    ShareWithLeadForm,
)
from .models import Irritation, MentorAssignment, MentoringSettings
from .stats import irritation_counts_per_team

PAGE_SIZE = 25


def _status(form: Any) -> int:
    return 422 if form.errors else 200


# --- Team lead / org admin: assignments ---------------------------------------------------------


@login_required
def lead_overview(request: HttpRequest) -> HttpResponse:
    """Peers and their mentors; per team only numbers of irritations, never text or names."""
    manager = manager_membership(request)
    current = MentorAssignment.objects.current().select_related("mentor__user")
    peers = (
        Membership.objects.active()
        .filter(organisation=manager.organisation, is_peer=True)
        .select_related("user")
        .prefetch_related(Prefetch("mentor_assignments", queryset=current, to_attr="current_assignments"))
    )
    page = Paginator(peers, PAGE_SIZE).get_page(request.GET.get("page"))
    teams = list(Team.objects.active().filter(organisation=manager.organisation).select_related("service"))
    counts = irritation_counts_per_team([t.pk for t in teams])
    team_rows = [(team, counts[team.pk]) for team in teams]
    return render(request, "mentoring/lead_overview.html", {"page": page, "team_rows": team_rows})


@login_required
def assign(request: HttpRequest) -> HttpResponse:
    manager = manager_membership(request)
    initial: dict[str, Any] = {}
    if request.GET.get("peer"):
        initial["peer"] = access.get_peer_for_manager(request, request.GET["peer"]).pk  # type: ignore[arg-type]
    form = AssignMentorForm(request.POST or None, organisation=manager.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.assign_mentor(
                peer=form.cleaned_data["peer"],
                mentor=form.cleaned_data["mentor"],
                by=request.user,
                started_on=form.cleaned_data["started_on"],
                check_in_every_weeks=form.cleaned_data["check_in_every_weeks"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("%(mentor)s is now the mentor of %(peer)s.")
                % {"mentor": assignment.mentor.user.display_name, "peer": assignment.peer.user.display_name},
            )
            return redirect("mentoring:peer_history", pk=assignment.peer_id)
    return render(request, "mentoring/assign.html", {"form": form}, status=_status(form))


@login_required
def peer_history(request: HttpRequest, pk: int) -> HttpResponse:
    peer = access.get_peer_for_manager(request, pk)
    assignments = MentorAssignment.objects.visible_to(request.user).filter(peer=peer)
    return render(request, "mentoring/peer_history.html", {"peer": peer, "assignments": assignments})


@login_required
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = access.get_assignment_for_manager(request, pk)
    back = reverse("mentoring:peer_history", args=[assignment.peer_id])
    if request.method != "POST":
        return confirm(
            request,
            title=_("End mentoring"),
            question=_(
                "End the mentoring of %(peer)s by %(mentor)s? Her open irritations stay with her until she agrees "
                "to hand them over to a new mentor."
            )
            % {"peer": assignment.peer.user.display_name, "mentor": assignment.mentor.user.display_name},
            action=request.path,
            cancel_url=back,
            button=_("End mentoring"),
        )
    try:
        services.end_assignment(assignment=assignment, by=request.user)
        messages.success(request, _("The mentoring has ended."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(back)


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    admin = admin_membership(request)
    instance = MentoringSettings.for_organisation(admin.organisation)
    form = MentoringSettingsForm(request.POST or None, instance=instance, organisation=admin.organisation)
    if request.method == "POST" and form.is_valid():
        services.save_settings(form=form, by=request.user)
        messages.success(request, _("The mentoring settings were saved."))
        return redirect("mentoring:settings")
    return render(request, "mentoring/settings.html", {"form": form}, status=_status(form))


# --- Mentor ------------------------------------------------------------------------------------


@login_required
def mentees(request: HttpRequest) -> HttpResponse:
    mentor = access.mentor_membership(request)
    assignments = list(
        MentorAssignment.objects.current()
        .filter(mentor=mentor)
        .annotate(last_held_on=Max("check_ins__held_on"))
        .select_related("peer__user")
        .order_by("peer__user__full_name")
    )
    by_peer: dict[int, list[Irritation]] = defaultdict(list)
    for irritation in Irritation.objects.visible_to(request.user).open().filter(mentor=mentor).order_by("clarify_by"):
        by_peer[irritation.peer_id].append(irritation)
    today = timezone.localdate()
    rows = []
    for assignment in assignments:
        due = assignment.next_check_in_on(assignment.last_held_on)  # type: ignore[attr-defined]
        rows.append({"assignment": assignment, "irritations": by_peer.get(assignment.peer_id, []),
                     "next_check_in": due, "overdue": due < today})
    return render(request, "mentoring/mentees.html", {"rows": rows})


@login_required
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = access.get_assignment_for_mentor(request, pk)
    form = CheckInForm(request.POST or None, initial={"held_on": timezone.localdate()})
    interval_form = CheckInIntervalForm(initial={"check_in_every_weeks": assignment.check_in_every_weeks})
    if request.method == "POST" and form.is_valid():
        try:
            services.record_check_in(assignment=assignment, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The check-in was recorded."))
            return redirect("mentoring:mentees")
    check_ins = assignment.check_ins.all()[:20]
    return render(
        request,
        "mentoring/check_in.html",
        {"assignment": assignment, "form": form, "interval_form": interval_form, "check_ins": check_ins},
        status=_status(form),
    )


@require_POST
@login_required
def check_in_interval(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = access.get_assignment_for_mentor(request, pk)
    form = CheckInIntervalForm(request.POST)
    if form.is_valid():
        services.set_check_in_interval(assignment=assignment, weeks=form.cleaned_data["check_in_every_weeks"], by=request.user)
        messages.success(request, _("The check-in interval was changed."))
        return redirect("mentoring:check_in", pk=assignment.pk)
    return render(
        request,
        "mentoring/check_in.html",
        {"assignment": assignment, "form": CheckInForm(initial={"held_on": timezone.localdate()}),
         "interval_form": form, "check_ins": assignment.check_ins.all()[:20]},
        status=422,
    )


# --- Peer: the irritation log ---------------------------------------------------------------------


@login_required
def my_irritations(request: HttpRequest) -> HttpResponse:
    peer = access.peer_membership(request)
    irritations = Irritation.objects.visible_to(request.user).filter(peer=peer).order_by("-created_at", "-id")
    page = Paginator(irritations, PAGE_SIZE).get_page(request.GET.get("page"))
    assignment = (
        MentorAssignment.objects.current().filter(peer=peer)
        .annotate(last_held_on=Max("check_ins__held_on")).select_related("mentor__user").first()
    )
    next_check_in = assignment.next_check_in_on(assignment.last_held_on) if assignment else None  # type: ignore[attr-defined]
    pending = Irritation.objects.open().filter(peer=peer, handover_pending=True).count() if assignment else 0
    return render(
        request,
        "mentoring/my_irritations.html",
        {"page": page, "assignment": assignment, "next_check_in": next_check_in, "handover_pending": pending},
    )


@login_required
def irritation_create(request: HttpRequest) -> HttpResponse:
    peer = access.peer_membership(request)
    settings = MentoringSettings.for_organisation(peer.organisation)
    form = IrritationForm(
        request.POST or None,
        peer=peer,
        settings=settings,
        initial={"happened_on": timezone.localdate(), "start_mode": Irritation.StartMode.MENTOR_NOW},
    )
    if request.method == "POST" and form.is_valid():
        try:
            irritation = once(
                user=request.user, token=form.submission_token,
                create=lambda: services.raise_irritation(peer=peer, by=request.user, **form.cleaned_data),
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Your irritation was saved."))
            return redirect(irritation)
    return render(request, "mentoring/irritation_form.html", {"form": form}, status=_status(form))


@login_required
def irritation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    irritation = access.get_irritation(request, pk)
    return _detail(request, irritation)


def _detail(request: HttpRequest, irritation: Irritation, status: int = 200, **forms: Any) -> HttpResponse:
    from tandem.audit.services import timeline

    is_peer = irritation.peer.user_id == request.user.pk
    is_mentor = (
        irritation.mentor is not None and irritation.mentor.user_id == request.user.pk and not irritation.handover_pending
    )
    context: dict[str, Any] = {
        "irritation": irritation,
        "is_peer": is_peer,
        "is_mentor": is_mentor,
        "thread": irritation.messages.select_related("author") if (is_peer or is_mentor) else [],
        "events": timeline(irritation)[:50] if (is_peer or is_mentor) else [],
        "requires_confirmation": MentoringSettings.for_organisation(irritation.organisation_id).resolve_requires_peer_confirmation,
    }
    if irritation.is_open:
        if is_peer or is_mentor:
            context["message_form"] = forms.get("message_form") or MessageForm()
        if is_peer:
            context["date_form"] = forms.get("date_form") or ClarifyByForm(initial={"clarify_by": irritation.clarify_by})
            context["share_form"] = forms.get("share_form") or ShareWithLeadForm(organisation=irritation.organisation)
        if is_mentor:
            context["resolution_form"] = forms.get("resolution_form") or ResolutionForm()
    context["error"] = forms.get("error")
    return render(request, "mentoring/irritation_detail.html", context, status=status)


def _act(request: HttpRequest, pk: int, action: Any, success: str, **kwargs: Any) -> HttpResponse:
    irritation = access.get_irritation(request, pk, read=False)
    try:
        action(irritation=irritation, by=request.user, **kwargs)
    except ValidationError as error:
        irritation.refresh_from_db()
        return _detail(request, irritation, status=422, error=" ".join(error.messages))
    messages.success(request, success)
    if not Irritation.objects.visible_to(request.user).filter(pk=irritation.pk).exists():
        return redirect("mentoring:mentees")
    return redirect(irritation)


@require_POST
@login_required
def irritation_address(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.address_to_mentor, _("Your mentor can now see this irritation."))


@require_POST
@login_required
def irritation_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.acknowledge, _("You acknowledged the irritation."))


@require_POST
@login_required
def irritation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.withdraw, _("The irritation was withdrawn."))


@require_POST
@login_required
def irritation_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.resolve, _("The irritation is resolved."))


@require_POST
@login_required
def irritation_revoke_share(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.revoke_lead_share, _("The team lead can no longer see this irritation."))


def _form_act(request: HttpRequest, pk: int, form_class: Any, form_name: str, action: Any, success: str,
              form_kwargs: dict[str, Any] | None = None, mapping: dict[str, str] | None = None) -> HttpResponse:
    irritation = access.get_irritation(request, pk, read=False)
    form = form_class(request.POST, **(form_kwargs(irritation) if callable(form_kwargs) else {}))
    if form.is_valid():
        data = {(mapping or {}).get(k, k): v for k, v in form.cleaned_data.items()}
        try:
            action(irritation=irritation, by=request.user, **data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(irritation)
    irritation.refresh_from_db()
    # A closed irritation shows no forms: its refusal is shown on top of the page instead.
    refusal = "" if irritation.is_open else " ".join(str(e) for e in form.non_field_errors())
    return _detail(request, irritation, status=422, error=refusal, **{form_name: form})


@require_POST
@login_required
def irritation_message(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_act(request, pk, MessageForm, "message_form", services.post_message, _("Your message was added."))


@require_POST
@login_required
def irritation_propose(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_act(request, pk, ResolutionForm, "resolution_form", services.propose_resolution,
                     _("Your proposal was sent to the peer."))


@require_POST
@login_required
def irritation_move_date(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_act(request, pk, ClarifyByForm, "date_form", services.move_clarify_by, _("The date was moved."))


@require_POST
@login_required
def irritation_share(request: HttpRequest, pk: int) -> HttpResponse:
    return _form_act(
        request, pk, ShareWithLeadForm, "share_form", services.share_with_lead,
        _("The team lead can now read this irritation until you revoke it."),
        form_kwargs=lambda irritation: {"organisation": irritation.organisation},  # type: ignore[arg-type]
    )


@require_POST
@login_required
def hand_over(request: HttpRequest) -> HttpResponse:
    peer = access.peer_membership(request)
    try:
        moved = services.hand_over(peer=peer, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your new mentor now has your %(count)d open irritations.") % {"count": moved})
    return redirect("mentoring:my_irritations")

