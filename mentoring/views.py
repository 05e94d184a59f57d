from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import admin_membership, manager_membership
from accounts.http import AuthenticatedHttpRequest
from tandem import web

from . import access, rules, selectors, services
from .forms import (
    AddressForm,
    AssignMentorForm,
    CheckInForm,
    CheckInIntervalForm,
    ClarifyByForm,
    DeclineMentoringForm,
    IrritationForm,
    MentoringSettingsForm,
    MessageForm,
    RequestMentorForm,
    ResolutionForm,
    ShareWithLeadForm,
)
from .models import Irritation, IrritationMessage, MentorAssignment, MentoringSettings

PAGE_SIZE = 25


# --- Team lead / org admin: assignments ---------------------------------------------------------


@login_required
def lead_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Peers and their mentors; per team only numbers of irritations, never text or names."""
    manager = manager_membership(request)
    page = Paginator(selectors.peers_with_mentors(manager.organisation), PAGE_SIZE).get_page(request.GET.get("page"))
    team_rows = selectors.irritation_numbers_per_team(manager.organisation)
    return render(request, "mentoring/lead_overview.html", {"page": page, "team_rows": team_rows})


def safe_next(request: HttpRequest) -> str:
    """The ``next`` page to return to, only if it is a path on this site ("" otherwise)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return ""
    return target


@login_required
def assign(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A team lead or org admin proposes a mentor; it begins when the peer and the mentor agree."""
    manager = manager_membership(request)
    initial: dict[str, Any] = {}
    if request.GET.get("peer"):
        initial["peer"] = access.get_peer_for_manager(request, request.GET["peer"]).pk
    form = AssignMentorForm(request.POST or None, organisation=manager.organisation, initial=initial)
    back = safe_next(request)

    def propose_mentor(data: dict[str, Any]) -> MentorAssignment:
        assignment = services.propose_mentor(
            peer=data["peer"], mentor=data["mentor"], by=request.user, check_in_every_weeks=data["check_in_every_weeks"]
        )
        messages.success(
            request,
            _("%(mentor)s is proposed as the mentor of %(peer)s. The mentoring begins when both have agreed.")
            % {"mentor": assignment.mentor.user.display_name, "peer": assignment.peer.user.display_name},
        )
        return assignment

    return web.submit(
        request,
        form,
        propose_mentor,
        template="mentoring/assign.html",
        context={"back": back},
        next_url=lambda assignment: back or reverse("mentoring:peer_history", args=[assignment.peer_id]),
    )


@login_required
def peer_history(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    peer = access.get_peer_for_manager(request, pk)
    assignments = MentorAssignment.objects.visible_to(request.user).filter(peer=peer)
    return render(
        request,
        "mentoring/peer_history.html",
        {"peer": peer, "assignments": assignments, "mentor_request": selectors.open_request(peer)},
    )


@login_required
def assignment_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = access.get_assignment_for_manager(request, pk)
    back = reverse("mentoring:peer_history", args=[assignment.peer_id])
    if request.method != "POST":
        return web.confirm(
            request,
            title=_("End mentoring"),
            question=_(
                "End the mentoring of %(peer)s by %(mentor)s? Her open irritations stay with her until she agrees "
                "to hand them over to a new mentor."
            )
            % {"peer": assignment.peer.user.display_name, "mentor": assignment.mentor.user.display_name},
            cancel_url=back,
            button=_("End mentoring"),
            warnings=rules.warnings_before_ending(assignment) if assignment.is_active else (),
        )
    return web.act(
        request,
        lambda: services.end_assignment(assignment=assignment, by=request.user),
        success=_("The mentoring has ended."),
        next_url=back,
    )


# --- Peer and mentor: answering a proposal --------------------------------------------------------


@login_required
def proposal(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = access.get_proposal(request, pk)
    side = "peer" if assignment.peer.user_id == request.user.pk else "mentor"
    return render(
        request,
        "mentoring/proposal.html",
        {
            "assignment": assignment,
            "side": side,
            "accepted": assignment.accepted_by(side),
            "other_accepted": assignment.accepted_by("mentor" if side == "peer" else "peer"),
            "decline_form": DeclineMentoringForm(),
        },
    )


def _after_answer(request: AuthenticatedHttpRequest, assignment: MentorAssignment) -> str:
    if assignment.peer.user_id == request.user.pk:
        return reverse("mentoring:my_irritations")
    if assignment.mentor.user_id == request.user.pk:
        return reverse("mentoring:mentees")
    return reverse("mentoring:peer_history", args=[assignment.peer_id])


@require_POST
@login_required
def proposal_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = access.get_proposal(request, pk)

    def accept() -> None:
        services.accept_mentoring(assignment=assignment, by=request.user)
        if assignment.is_active:
            messages.success(request, _("Both have agreed: the mentoring has begun."))
        else:
            messages.success(request, _("Thank you. The mentoring begins as soon as the other side has agreed too."))

    try:
        accept()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("mentoring:proposal", pk=assignment.pk)
    return redirect(_after_answer(request, assignment))


@login_required
def proposal_decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = access.get_proposal(request, pk, managers=True)
    is_peer = assignment.peer.user_id == request.user.pk
    # Bound on every POST: saying no needs no field at all.
    form = DeclineMentoringForm(request.POST if request.method == "POST" else None)
    if not is_peer:
        del form.fields["reason"]  # a reason is asked of nobody; the peer may note one for herself
    party = is_peer or assignment.mentor.user_id == request.user.pk
    return web.submit(
        request,
        form,
        lambda data: services.decline_mentoring(assignment=assignment, by=request.user, reason=data.get("reason", "")),
        template="mentoring/proposal_decline.html",
        context={"assignment": assignment, "is_peer": is_peer, "party": party,
                 "cancel_url": reverse("mentoring:proposal", args=[assignment.pk]) if party else _after_answer(request, assignment)},
        success=_("The proposal will not go ahead.") if party else _("The proposal was withdrawn."),
        next_url=lambda _result: _after_answer(request, assignment),
    )


@login_required
def request_mentor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The peer asks for a (different) mentor at any time; her reason stays hers."""
    peer = access.peer_membership(request)
    form = RequestMentorForm(request.POST if request.method == "POST" else None, peer=peer)
    return web.submit(
        request,
        form,
        lambda data: services.request_mentor(peer=peer, by=request.user, **data),
        template="mentoring/request_mentor.html",
        context=selectors.own_mentoring(peer),
        success=_("Your team lead knows that you would like a different mentor. Your reason stays with you."),
        next_url=reverse("mentoring:my_irritations"),
    )


@require_POST
@login_required
def request_withdraw(request: AuthenticatedHttpRequest) -> HttpResponse:
    peer = access.peer_membership(request)
    return web.act(
        request,
        lambda: services.withdraw_request(peer=peer, by=request.user),
        success=_("You withdrew your request for a different mentor."),
        next_url=reverse("mentoring:my_irritations"),
    )


@login_required
def settings_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    admin = admin_membership(request)
    instance = MentoringSettings.for_organisation(admin.organisation)
    form = MentoringSettingsForm(request.POST or None, instance=instance, organisation=admin.organisation)
    return web.submit(
        request,
        form,
        lambda data: services.save_settings(form=form, by=request.user),
        template="mentoring/settings.html",
        success=_("The mentoring settings were saved."),
        next_url=reverse("mentoring:settings"),
    )


# --- Mentor ------------------------------------------------------------------------------------


@login_required
def mentees(request: AuthenticatedHttpRequest) -> HttpResponse:
    mentor = access.mentor_membership(request)
    return render(
        request,
        "mentoring/mentees.html",
        {"rows": selectors.mentee_rows(mentor, viewer=request.user), "proposals": selectors.proposals_for_mentor(mentor)},
    )


def _check_in_page(
    request: AuthenticatedHttpRequest, assignment: MentorAssignment, form: forms.Form, interval_form: forms.Form
) -> HttpResponse:
    context = {
        "assignment": assignment,
        "form": form,
        "interval_form": interval_form,
        "check_ins": assignment.check_ins.all()[:20],
    }
    return web.render_form(request, "mentoring/check_in.html", context, form, interval_form)


@login_required
def check_in(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = access.get_assignment_for_mentor(request, pk)
    form = CheckInForm(request.POST or None, initial={"held_on": timezone.localdate()})
    interval_form = CheckInIntervalForm(initial={"check_in_every_weeks": assignment.check_in_every_weeks})
    return web.submit(
        request,
        form,
        lambda data: services.record_check_in(assignment=assignment, by=request.user, **data),
        template="mentoring/check_in.html",
        context={"assignment": assignment, "interval_form": interval_form, "check_ins": assignment.check_ins.all()[:20]},
        success=_("The check-in was recorded."),
        next_url=reverse("mentoring:mentees"),
    )


@require_POST
@login_required
def check_in_interval(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    assignment = access.get_assignment_for_mentor(request, pk)
    form = CheckInIntervalForm(request.POST)
    if form.is_valid():
        try:
            services.set_check_in_interval(
                assignment=assignment, weeks=form.cleaned_data["check_in_every_weeks"], by=request.user
            )
        except ValidationError as error:
            web.apply_errors(form, error)
        else:
            messages.success(request, _("The check-in interval was changed."))
            return redirect("mentoring:check_in", pk=assignment.pk)
    return _check_in_page(request, assignment, CheckInForm(initial={"held_on": timezone.localdate()}), form)


# --- Peer: the irritation log ---------------------------------------------------------------------


@login_required
def my_irritations(request: AuthenticatedHttpRequest) -> HttpResponse:
    peer = access.peer_membership(request)
    irritations = Irritation.objects.visible_to(request.user).filter(peer=peer).order_by("-created_at", "-id")
    page = Paginator(irritations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "mentoring/my_irritations.html", {"page": page, **selectors.own_mentoring(peer)})


@login_required
def irritation_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    peer = access.peer_membership(request)
    settings = MentoringSettings.for_organisation(peer.organisation)
    form = IrritationForm(
        request.POST or None,
        peer=peer,
        settings=settings,
        initial={"happened_on": timezone.localdate(), "start_mode": Irritation.StartMode.MENTOR_NOW},
    )
    return web.submit(
        request,
        form,
        lambda data: services.raise_irritation(peer=peer, by=request.user, **data),
        template="mentoring/irritation_form.html",
        success=_("Your irritation was saved."),
        next_url=lambda irritation: irritation,
    )


@login_required
def irritation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    irritation = access.get_irritation(request, pk)
    return _detail(request, irritation)


def _detail(request: AuthenticatedHttpRequest, irritation: Irritation, status: int = 200, **forms: Any) -> HttpResponse:
    """The irritation page; a refused action shows its reason on top (``error``), status 422.

    Every rendering of it goes through here, so every one by someone other than the peer is audited.
    """
    access.shown(request, irritation)
    is_peer = irritation.peer.user_id == request.user.pk
    is_mentor = (
        irritation.mentor is not None and irritation.mentor.user_id == request.user.pk and not irritation.handover_pending
    )
    readers = selectors.audience(irritation)
    reopen_until = services.reopen_until(irritation)
    context: dict[str, Any] = {
        "irritation": irritation,
        "is_peer": is_peer,
        "is_mentor": is_mentor,
        # Shared with her: she reads, and that is all (no thread, no actions).
        "read_only": not (is_peer or is_mentor),
        "audience_sentence": selectors.audience_sentence(readers, request.user),
        "thread": (
            IrritationMessage.objects.readable_by(irritation, request.user).select_related("author")
            if (is_peer or is_mentor) else []
        ),
        "history": selectors.history(irritation) if (is_peer or is_mentor) else [],
        "requires_confirmation": MentoringSettings.for_organisation(irritation.organisation_id).resolve_requires_peer_confirmation,
        "can_reopen": is_peer and reopen_until is not None and timezone.now() <= reopen_until,
        "reopen_until": reopen_until,
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


def _act(request: AuthenticatedHttpRequest, pk: int, action: Any, success: str, **kwargs: Any) -> HttpResponse:
    irritation = access.get_irritation(request, pk)
    try:
        action(irritation=irritation, by=request.user, **kwargs)
    except ValidationError as error:
        irritation.refresh_from_db()
        return _detail(request, irritation, status=422, error=" ".join(error.messages))
    messages.success(request, success)
    if not Irritation.objects.visible_to(request.user).filter(pk=irritation.pk).exists():
        return redirect("mentoring:mentees")
    return redirect(irritation)


@login_required
def irritation_address(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The peer asks her mentor for help: first she sees her notes for herself and chooses which
    of them her mentor may read (none unless she ticks them)."""
    irritation = access.get_irritation(request, pk)
    try:
        services.check_can_address(irritation=irritation, by=request.user)
    except ValidationError as error:
        return _detail(request, irritation, status=422, error=" ".join(error.messages))
    notes = list(services.notes_for_herself(irritation).order_by("created_at", "id"))
    form = AddressForm(request.POST if request.method == "POST" else None, notes=notes)
    if request.method == "POST" and form.is_valid():
        try:
            services.address_to_mentor(irritation=irritation, by=request.user, share_notes=form.cleaned_data["share_notes"])
        except ValidationError as error:
            web.apply_errors(form, error)
        else:
            messages.success(request, _("Your mentor can now see this irritation."))
            return redirect(irritation)
    return web.render_form(
        request, "mentoring/irritation_address.html", {"irritation": irritation, "form": form, "notes": notes}, form
    )


@require_POST
@login_required
def irritation_reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.reopen, _("The irritation is open again."))


@require_POST
@login_required
def irritation_acknowledge(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.acknowledge, _("You acknowledged the irritation."))


@require_POST
@login_required
def irritation_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.withdraw, _("The irritation was withdrawn."))


@require_POST
@login_required
def irritation_resolve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.resolve, _("The irritation is resolved."))


@require_POST
@login_required
def irritation_revoke_share(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, services.revoke_lead_share, _("The team lead can no longer see this irritation."))


def _form_act(
    request: AuthenticatedHttpRequest,
    pk: int,
    form_class: Any,
    form_name: str,
    action: Any,
    success: str,
    form_kwargs: Callable[[Irritation], dict[str, Any]] | None = None,
) -> HttpResponse:
    irritation = access.get_irritation(request, pk)
    form = form_class(request.POST, **(form_kwargs(irritation) if form_kwargs else {}))
    if form.is_valid():
        try:
            action(irritation=irritation, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            web.apply_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(irritation)
    irritation.refresh_from_db()
    # A closed irritation shows no forms: its refusal is shown on top of the page instead.
    refusal = "" if irritation.is_open else " ".join(str(e) for e in form.non_field_errors())
    return _detail(request, irritation, status=422, error=refusal, **{form_name: form})


@require_POST
@login_required
def irritation_message(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _form_act(request, pk, MessageForm, "message_form", services.post_message, _("Your message was added."))


@require_POST
@login_required
def irritation_propose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _form_act(request, pk, ResolutionForm, "resolution_form", services.propose_resolution,
                     _("Your proposal was sent to the peer."))


@require_POST
@login_required
def irritation_move_date(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _form_act(request, pk, ClarifyByForm, "date_form", services.move_clarify_by, _("The date was moved."))


@require_POST
@login_required
def irritation_share(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _form_act(
        request, pk, ShareWithLeadForm, "share_form", services.share_with_lead,
        _("The team lead can now read this irritation until you revoke it."),
        form_kwargs=lambda irritation: {"organisation": irritation.organisation},
    )


@require_POST
@login_required
def hand_over(request: AuthenticatedHttpRequest) -> HttpResponse:
    peer = access.peer_membership(request)
    try:
        moved = services.hand_over(peer=peer, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Your new mentor now has your %(count)d open irritations.") % {"count": moved})
    return redirect("mentoring:my_irritations")


# --- The backup person: acts on an irritation that waits, never reads it --------------------------


@login_required
def backup(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    irritation = access.get_irritation_for_backup(request, pk)
    context = {
        "irritation": irritation,
        "peer_name": irritation.peer.user.display_name if irritation.backup_may_name_me else "",
        "can_remind": irritation.mentor is not None and not irritation.handover_pending,
    }
    return render(request, "mentoring/backup.html", context)


@require_POST
@login_required
def backup_remind(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    irritation = access.get_irritation_for_backup(request, pk)
    return web.act(
        request,
        lambda: services.backup_remind_mentor(irritation=irritation, by=request.user),
        success=_("The mentor was reminded. She learns only that an irritation waits for her."),
        next_url=reverse("mentoring:backup", args=[irritation.pk]),
    )


@require_POST
@login_required
def backup_offer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    irritation = access.get_irritation_for_backup(request, pk)
    return web.act(
        request,
        lambda: services.backup_offer_mentor(irritation=irritation, by=request.user),
        success=_("The peer was told that you offer her another mentor. She decides."),
        next_url=reverse("mentoring:backup", args=[irritation.pk]),
    )
