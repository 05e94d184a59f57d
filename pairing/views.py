"""Pages of the pairing domain: access → form → service → redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Membership, Team, TeamMembership
from tandem import freshness, suppression, web
from tandem.audit.services import timeline
from tandem.web import get_or_404

from . import access as pairing_access
from . import forms, rules, selectors, services
from .models import PairingSettings, Reflection, SupportProcess, Tandem
from .ports import mentor_facts

PAGE_SIZE = 25


def _is_manager(request: AuthenticatedHttpRequest) -> bool:
    membership = request.membership
    return bool(membership and (membership.is_org_admin or membership.is_team_lead))


def _team_filter(request: HttpRequest, organisation: Any) -> Team | None:
    team_id = request.GET.get("team")
    if not team_id:
        return None
    return pairing_access.get_team(request, organisation, team_id)


# --- the team lead dashboard and the lists behind its numbers ----------------------------------


@login_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    manager = access.manager_membership(request)
    organisation = manager.organisation
    # The numbers are the same for every manager of the organisation: the rendered body is cached
    # under the version of everything it counts (tandem.freshness), so it is never stale; the
    # date is part of the key because "overdue" and "current" move with it.
    params = "&".join(f"{name}={request.GET.get(name, '')}" for name in ("service", "team", "lonely"))
    key = f"{organisation.pk}:{get_language()}:{timezone.localdate().isoformat()}:{params}"
    body = freshness.cached("dashboard", key, lambda: _dashboard_body(request, organisation))
    return render(request, "tandem/dashboard.html", {"body": mark_safe(body)})  # noqa: S308 - our own template


def _dashboard_body(request: AuthenticatedHttpRequest, organisation: Any) -> str:
    form = forms.DashboardFilterForm(request.GET or None, organisation=organisation)
    teams = Team.objects.filter(organisation=organisation).active()
    if form.is_valid():
        if form.cleaned_data.get("service"):
            teams = teams.filter(service=form.cleaned_data["service"])
        if form.cleaned_data.get("team"):
            teams = teams.filter(pk=form.cleaned_data["team"].pk)
    rows = selectors.dashboard(teams=teams, organisation=organisation)
    lonely_only = request.GET.get("lonely") == "1"
    if lonely_only:
        rows = [row for row in rows if row.too_few_peers]
    totals = {
        "lonely_teams": sum(1 for row in rows if row.too_few_peers),
        "without_mentor": sum(row.without_mentor for row in rows),
        "overdue": sum(row.overdue_reflections for row in rows),
        "support_ending": sum(row.support_ending for row in rows),
    }
    links = {
        "list": reverse("tandems:list"),
        "without_mentor": reverse("tandems:without_mentor"),
        "overdue": reverse("tandems:overdue_reflections"),
        "support": reverse("tandems:support_list"),
    }
    return render_to_string(
        "tandem/_dashboard_body.html",
        {"form": form, "rows": rows, "totals": totals, "states": Tandem.State.choices, "lonely_only": lonely_only,
         "links": links, "min_count": suppression.threshold()},
    )


@login_required
def tandem_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    manager = access.manager_membership(request)
    tandems = Tandem.objects.visible_to(request.user).filter(organisation=manager.organisation)
    team = _team_filter(request, manager.organisation)
    if team is not None:
        tandems = tandems.filter(team=team)
    state = request.GET.get("state", "")
    if state in Tandem.State.values:
        tandems = tandems.filter(state=state)
    else:
        state = ""
    page = Paginator(tandems, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "tandem/tandem_list.html",
        {"page": page, "team": team, "state": state, "state_label": Tandem.State(state).label if state else ""},
    )


@login_required
def without_mentor(request: AuthenticatedHttpRequest) -> HttpResponse:
    manager = access.manager_membership(request)
    teams = Team.objects.filter(organisation=manager.organisation).active()
    team = _team_filter(request, manager.organisation)
    if team is not None:
        teams = teams.filter(pk=team.pk)
    entries = selectors.peers_without_mentor(teams).select_related("membership__user", "team__service")
    page = Paginator(entries.order_by("team__name", "membership__user__full_name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    assign_url = mentor_facts().assign_url
    for entry in page:
        entry.assign_url = assign_url(entry.membership, request.get_full_path())
    return render(request, "tandem/without_mentor.html", {"page": page, "team": team})


@login_required
def overdue_reflections(request: AuthenticatedHttpRequest) -> HttpResponse:
    manager = access.manager_membership(request)
    tandems = Tandem.objects.filter(organisation=manager.organisation).select_related(
        "team", "peer__user", "professional__user"
    )
    team = _team_filter(request, manager.organisation)
    if team is not None:
        tandems = tandems.filter(team=team)
    # Only *that* a reflection is overdue, never what anybody wrote.
    entries = [item for item in selectors.due_reflections(tandems) if item.overdue]
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tandem/overdue_reflections.html", {"page": page, "team": team})


@login_required
def support_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    manager = access.manager_membership(request)
    processes = SupportProcess.objects.visible_to(request.user).filter(organisation=manager.organisation)
    team = _team_filter(request, manager.organisation)
    if team is not None:
        processes = processes.filter(tandem__team=team)
    ending = request.GET.get("ending") == "1"
    processes = processes.nearing_end() if ending else processes.running()
    page = Paginator(processes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tandem/support_list.html", {"page": page, "team": team, "ending": ending})


# --- my tandems (peers and professionals) ------------------------------------------------------


@login_required
def mine(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = access.own_membership(request)
    tandems = Tandem.objects.visible_to(request.user).filter(Q(peer=membership) | Q(professional=membership))
    due = {(d.tandem.pk): d for d in selectors.due_reflections(tandems) if d.author_id == membership.pk}
    page = Paginator(tandems, PAGE_SIZE).get_page(request.GET.get("page"))
    tandem: Any
    for tandem in page:
        tandem.reflection_due = due.get(tandem.pk)
    return render(request, "tandem/mine.html", {"page": page})


# --- proposing ---------------------------------------------------------------------------------


@login_required
def propose(request: AuthenticatedHttpRequest) -> HttpResponse:
    manager = access.manager_membership(request)
    organisation = manager.organisation
    if request.method == "POST":
        form = forms.ProposeForm(request.POST, organisation=organisation)
    else:
        initial = {k: v for k, v in request.GET.items() if k in ("team", "peer", "professional")}
        form = forms.ProposeForm(initial=initial, organisation=organisation)
    return web.submit(
        request,
        form,
        lambda data: services.propose(by=request.user, **data),
        template="tandem/propose.html",
        context={
            "explanations": _explanations(form),
            "team": form.selected_team,
            "can_manage_teams": access.may_create_teams(manager),
        },
        success=_("Tandem proposed. Both partners have been asked to get to know each other."),
        next_url=lambda tandem: tandem,
    )


def _explanations(form: forms.ProposeForm) -> list[rules.Explanation]:
    """The rules of practice for the chosen pair, shown above the form before and after sending."""
    source = form.data if form.is_bound else form.initial
    try:
        team, peer, professional = (
            form.fields[name].clean(source.get(name)) for name in ("team", "peer", "professional")
        )
    except ValidationError:
        return []
    if not (team and peer and professional) or services.validate_pairing(team=team, peer=peer, professional=professional):
        return []
    justification = str(source.get("placement_justification", "") or "")
    # After proposing a mentor from here, the team lead comes back to this very proposal.
    return_to = f"{reverse('tandems:propose')}?{urlencode({'team': team.pk, 'peer': peer.pk, 'professional': professional.pk})}"
    return rules.check_proposal(
        team=team, peer=peer, professional=professional, justification=justification, return_to=return_to
    )


@login_required
def suggestions(request: AuthenticatedHttpRequest) -> HttpResponse:
    manager = access.manager_membership(request)
    organisation = manager.organisation
    team = _team_filter(request, organisation)
    teams = Team.objects.filter(organisation=organisation).active().select_related("service")
    context: dict[str, Any] = {
        "teams": teams,
        "team": team,
        "results": None,
        "can_manage_teams": access.may_create_teams(manager),
    }
    if team is not None:
        people = (
            Membership.objects.active()
            .filter(organisation=organisation, team_memberships__in=TeamMembership.objects.current().filter(team=team))
            .select_related("user")
            .distinct()
        )
        context["peers"] = [m for m in people if m.is_peer]
        context["professionals"] = [m for m in people if m.is_professional]
        peer_id, professional_id = request.GET.get("peer"), request.GET.get("professional")
        if peer_id:
            chosen = get_or_404(people.filter(is_peer=True), peer_id)
            context.update(chosen=chosen, direction="peer", results=selectors.suggest(team=team, peer=chosen))
        elif professional_id:
            chosen = get_or_404(people.filter(is_professional=True), professional_id)
            context.update(
                chosen=chosen, direction="professional", results=selectors.suggest(team=team, professional=chosen)
            )
    return render(request, "tandem/suggestions.html", context)


# --- one tandem ----------------------------------------------------------------------------------


@login_required
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tandem = pairing_access.get_tandem(request, pk)
    membership = request.membership
    side = tandem.partner_side(membership)
    is_manager = _is_manager(request)
    reflections = Reflection.objects.visible_to(request.user).filter(tandem=tandem) if side else Reflection.objects.none()
    context: dict[str, Any] = {
        "tandem": tandem,
        "side": side,
        "is_manager": is_manager,
        "i_confirmed": bool(side and tandem.confirmed_by(side)),
        "reflections": reflections,
        "support_processes": tandem.support_processes.all(),
        "pauses": tandem.pauses.all(),
        "can": {state: tandem.can_become(state) for state in Tandem.State.values},
    }
    if is_manager:
        context["events"] = timeline(tandem)
    return render(request, "tandem/detail.html", context)


def _transition(
    request: AuthenticatedHttpRequest, tandem: Tandem, form: forms.forms.Form, service: Any, success: str, **extra: Any
) -> HttpResponse:
    """A lead's change of a tandem's state, on the one transition page."""
    return web.submit(
        request,
        form,
        lambda data: service(tandem=tandem, by=request.user, **data),
        template="tandem/transition.html",
        context={"tandem": tandem, **extra},
        success=success,
        next_url=tandem,
    )


@login_required
def pause(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tandem = pairing_access.get_tandem_for_lead(request, pk)
    form = forms.PauseForm(request.POST if request.method == "POST" else None)
    return _transition(request, tandem, form, services.pause, _("The tandem is paused."), heading=_("Pause the tandem"))


@login_required
def resume(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tandem = pairing_access.get_tandem_for_lead(request, pk)
    form = forms.ResumeForm(request.POST if request.method == "POST" else None)
    return _transition(
        request, tandem, form, services.resume, _("The tandem is active again."), heading=_("Resume the tandem")
    )


@login_required
def end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tandem = pairing_access.get_tandem_for_lead(request, pk)
    form = forms.EndForm(request.POST if request.method == "POST" else None)
    return _transition(
        request, tandem, form, services.end, _("The tandem has ended."),
        heading=_("End the tandem"), warnings=rules.warnings_before_ending(tandem) if tandem.is_open else [],
    )


def _refused(request: HttpRequest, tandem: Tandem, error: ValidationError) -> HttpResponse:
    return web.refused(request, error, back_url=tandem.get_absolute_url(), back_label=_("Back to the tandem"))


@require_POST
@login_required
def getting_to_know(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tandem = pairing_access.get_tandem_for_lead(request, pk)
    try:
        services.record_getting_to_know(tandem=tandem, by=request.user)
    except ValidationError as error:
        return _refused(request, tandem, error)
    messages.success(request, _("Noted: the two are getting to know each other."))
    return redirect(tandem)


@require_POST
@login_required
def confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tandem, membership = pairing_access.get_tandem_for_partner(request, pk)
    try:
        tandem = services.confirm(tandem=tandem, by=membership)
    except ValidationError as error:
        return _refused(request, tandem, error)
    if tandem.state == Tandem.State.ACTIVE:
        messages.success(request, _("You both confirmed: the tandem is active."))
    else:
        messages.success(request, _("Thank you. The tandem becomes active when your partner confirms too."))
    return redirect(tandem)


@login_required
def decline(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tandem, membership = pairing_access.get_tandem_for_partner(request, pk)
    if request.method != "POST":
        return web.confirm(
            request,
            title=_("Not continue this tandem"),
            question=_(
                "Getting to know each other showed that this pairing does not fit? That is fine and needs no reason."
            ),
            cancel_url=tandem.get_absolute_url(),
            button=_("Do not continue"),
        )
    try:
        services.decline(tandem=tandem, by=membership)
    except ValidationError as error:
        return _refused(request, tandem, error)
    messages.success(request, _("Understood. The tandem will not continue."))
    return redirect(tandem)


# --- reflections ---------------------------------------------------------------------------------


@login_required
def reflection_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tandem, membership = pairing_access.get_tandem_for_partner(request, pk)
    form = forms.ReflectionForm(request.POST if request.method == "POST" else None)
    return web.submit(
        request,
        form,
        lambda data: services.submit_reflection(tandem=tandem, author=membership, **data),
        template="tandem/reflection_form.html",
        context={"tandem": tandem},
        success=_("Thank you for your reflection."),
        next_url=tandem,
    )


@require_POST
@login_required
def reflection_share(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    reflection = pairing_access.get_own_reflection(request, pk)
    services.share_reflection(reflection=reflection, by=access.own_membership(request))
    messages.success(request, _("Your partner can now read this reflection."))
    return redirect(reflection.tandem)


# --- support processes ---------------------------------------------------------------------------


@login_required
def support_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    tandem = pairing_access.get_tandem(request, pk)
    if not (_is_manager(request) or tandem.partner_side(request.membership)):
        raise Http404
    form = forms.SupportProcessForm(request.POST if request.method == "POST" else None)
    return web.submit(
        request,
        form,
        lambda data: services.start_support(tandem=tandem, by=request.user, **data),
        template="tandem/support_form.html",
        context={"tandem": tandem},
        success=_("Support process started; it is planned to end after twelve months."),
        next_url=lambda process: process,
    )


def _support_context(process: SupportProcess, **forms_: Any) -> dict[str, Any]:
    return {
        "process": process,
        "tandem": process.tandem,
        "meetings": process.meetings.all(),
        "meeting_form": forms.MeetingForm(),
        "end_form": forms.SupportEndForm(),
        **forms_,
    }


@login_required
def support_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    process = pairing_access.get_support_process(request, pk)
    return render(request, "tandem/support_detail.html", _support_context(process))


def _support_post(
    request: AuthenticatedHttpRequest, pk: int, form_class: Any, service: Any, success: str, form_name: str
) -> HttpResponse:
    """A form on the support process page (meeting, end): the page again with its errors, 422."""
    process = pairing_access.get_support_process(request, pk)
    form = form_class(request.POST)
    return web.submit(
        request,
        form,
        lambda data: service(process=process, by=request.user, **data),
        template="tandem/support_detail.html",
        context=_support_context(process, **{form_name: form}),
        success=success,
        next_url=process,
    )


@require_POST
@login_required
def support_meeting(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _support_post(
        request, pk, forms.MeetingForm, services.record_three_way_meeting, _("Three-way meeting recorded."), "meeting_form"
    )


@require_POST
@login_required
def support_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _support_post(request, pk, forms.SupportEndForm, services.end_support, _("Support process ended."), "end_form")


# --- settings ------------------------------------------------------------------------------------


@login_required
def pairing_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    admin = access.admin_membership(request)
    current = PairingSettings.for_organisation(admin.organisation)
    form = forms.PairingSettingsForm(request.POST if request.method == "POST" else None, instance=current)
    return web.submit(
        request,
        form,
        lambda data: services.update_settings(
            organisation=admin.organisation, by=request.user, **{k: data[k] for k in form.Meta.fields}
        ),
        template="tandem/settings.html",
        success=_("Pairing settings saved."),
        next_url=reverse("tandems:settings"),
    )


# --- start page ----------------------------------------------------------------------------------


def attention(request: HttpRequest) -> list[Any]:
    """What the start page shows: for team leads the rules of practice at risk, for partners their part."""
    from django.utils.translation import ngettext

    from tandem.navigation import AttentionItem

    membership: Membership | None = getattr(request, "membership", None)
    if membership is None:
        return []
    items: list[AttentionItem] = []
    if membership.is_org_admin or membership.is_team_lead:
        teams = Team.objects.filter(organisation=membership.organisation).active()
        # Peers without a mentor are announced by the mentoring app; the dashboard lists them per team.
        lonely = selectors.count_teams_with_too_few_peers(teams)
        if lonely:
            items.append(
                AttentionItem(
                    ngettext("%(count)d team with fewer than two peers", "%(count)d teams with fewer than two peers", lonely)
                    % {"count": lonely},
                    reverse("tandems:dashboard"),
                    lonely,
                )
            )
    if membership.is_peer or membership.is_professional:
        mine = Tandem.objects.filter(Q(peer=membership) | Q(professional=membership))
        side_field = "peer_confirmed_at" if membership.is_peer else "professional_confirmed_at"
        waiting = mine.filter(state__in=[Tandem.State.PROPOSED, Tandem.State.GETTING_TO_KNOW], **{f"{side_field}__isnull": True}).count()
        if waiting:
            items.append(
                AttentionItem(
                    ngettext(
                        "%(count)d tandem waits for your confirmation",
                        "%(count)d tandems wait for your confirmation",
                        waiting,
                    )
                    % {"count": waiting},
                    reverse("tandems:mine"),
                    waiting,
                )
            )
        due = [d for d in selectors.due_reflections(mine) if d.author_id == membership.pk]
        if due:
            items.append(
                AttentionItem(
                    ngettext("%(count)d reflection is due", "%(count)d reflections are due", len(due))
                    % {"count": len(due)},
                    reverse("tandems:mine"),
                    len(due),
                )
            )
    return items
