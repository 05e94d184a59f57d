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
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import access
from accounts.models import Membership, Team, TeamMembership
from tandem import web
from tandem.audit.services import timeline
from tandem.idempotency import once
from tandem.web import get_or_404

from . import forms, rules, services
from .models import PairingSettings, Reflection, SupportProcess, Tandem

PAGE_SIZE = 25


# --- access: one helper per object type; anything not yours is a 404 ---------------------------




def _scoped_tandems(request: HttpRequest) -> Any:
    membership = access.own_membership(request)
    return Tandem.objects.visible_to(request.user).filter(organisation=membership.organisation)


def get_tandem(request: HttpRequest, pk: int) -> Tandem:
    """A tandem the user may see: as team lead / org admin of its organisation, or as a partner."""
    return get_or_404(_scoped_tandems(request), pk)


def get_tandem_for_lead(request: HttpRequest, pk: int) -> Tandem:
    manager = access.manager_membership(request)
    return get_or_404(Tandem.objects.visible_to(request.user).filter(organisation=manager.organisation), pk)


def get_tandem_for_partner(request: HttpRequest, pk: int) -> tuple[Tandem, Membership]:
    membership = access.own_membership(request)
    tandem = get_or_404(_scoped_tandems(request).filter(Q(peer=membership) | Q(professional=membership)), pk)
    return tandem, membership


def get_support_process(request: HttpRequest, pk: int) -> SupportProcess:
    membership = access.own_membership(request)
    return get_or_404(SupportProcess.objects.visible_to(request.user).filter(organisation=membership.organisation), pk)


def get_own_reflection(request: HttpRequest, pk: int) -> Reflection:
    membership = access.own_membership(request)
    return get_or_404(Reflection.objects.filter(author=membership).select_related("tandem"), pk)


def _is_manager(request: HttpRequest) -> bool:
    membership = getattr(request, "membership", None)
    return bool(membership and (membership.is_org_admin or membership.is_team_lead))


def _team_filter(request: HttpRequest, organisation: Any) -> Team | None:
    team_id = request.GET.get("team")
    if not team_id:
        return None
    return get_or_404(Team.objects.filter(organisation=organisation), team_id)


def _invalid(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, context, status=422)


# --- the team lead dashboard and the lists behind its numbers ----------------------------------


def irritations_url(team: Team) -> str:
    """The mentoring overview behind the irritation numbers (numbers only there, too)."""
    try:
        return f"{reverse('mentoring:lead_overview')}?team={team.pk}"
    except NoReverseMatch:
        return ""


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    manager = access.manager_membership(request)
    organisation = manager.organisation
    form = forms.DashboardFilterForm(request.GET or None, organisation=organisation)
    teams = Team.objects.filter(organisation=organisation).active()
    if form.is_valid():
        if form.cleaned_data.get("service"):
            teams = teams.filter(service=form.cleaned_data["service"])
        if form.cleaned_data.get("team"):
            teams = teams.filter(pk=form.cleaned_data["team"].pk)
    rows = services.dashboard(teams=teams)
    lonely_only = request.GET.get("lonely") == "1"
    if lonely_only:
        rows = [row for row in rows if row.too_few_peers]
    for row in rows:
        row.irritations_url = irritations_url(row.team)  # type: ignore[attr-defined]
    totals = {
        "lonely_teams": sum(1 for row in rows if row.too_few_peers),
        "without_mentor": sum(row.without_mentor for row in rows),
        "overdue": sum(row.overdue_reflections for row in rows),
        "support_ending": sum(row.support_ending for row in rows),
    }
    return render(
        request,
        "tandem/dashboard.html",
        {"form": form, "rows": rows, "totals": totals, "states": Tandem.State.choices, "lonely_only": lonely_only},
    )


@login_required
def tandem_list(request: HttpRequest) -> HttpResponse:
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
def without_mentor(request: HttpRequest) -> HttpResponse:
    manager = access.manager_membership(request)
    teams = Team.objects.filter(organisation=manager.organisation).active()
    team = _team_filter(request, manager.organisation)
    if team is not None:
        teams = teams.filter(pk=team.pk)
    entries = services.peers_without_mentor(teams).select_related("membership__user", "team__service")
    page = Paginator(entries.order_by("team__name", "membership__user__full_name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for entry in page:
        entry.assign_url = rules.assign_mentor_url(entry.membership)
    return render(request, "tandem/without_mentor.html", {"page": page, "team": team})


@login_required
def overdue_reflections(request: HttpRequest) -> HttpResponse:
    manager = access.manager_membership(request)
    tandems = Tandem.objects.filter(organisation=manager.organisation).select_related(
        "team", "peer__user", "professional__user"
    )
    team = _team_filter(request, manager.organisation)
    if team is not None:
        tandems = tandems.filter(team=team)
    # Only *that* a reflection is overdue, never what anybody wrote.
    entries = [item for item in services.due_reflections(tandems) if item.overdue]
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "tandem/overdue_reflections.html", {"page": page, "team": team})


@login_required
def support_list(request: HttpRequest) -> HttpResponse:
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
def mine(request: HttpRequest) -> HttpResponse:
    membership = access.own_membership(request)
    tandems = Tandem.objects.visible_to(request.user).filter(Q(peer=membership) | Q(professional=membership))
    due = {(d.tandem.pk): d for d in services.due_reflections(tandems) if d.author_id == membership.pk}
    page = Paginator(tandems, PAGE_SIZE).get_page(request.GET.get("page"))
    tandem: Any
    for tandem in page:
        tandem.reflection_due = due.get(tandem.pk)
    return render(request, "tandem/mine.html", {"page": page})


# --- proposing ---------------------------------------------------------------------------------


@login_required
def propose(request: HttpRequest) -> HttpResponse:
    manager = access.manager_membership(request)
    organisation = manager.organisation
    if request.method == "POST":
        form = forms.ProposeForm(request.POST, organisation=organisation)
        if form.is_valid():
            try:
                tandem = once(
                    user=request.user, token=form.submission_token,
                    create=lambda: services.propose(by=request.user, **form.cleaned_data),  # type: ignore[arg-type]
                )
            except ValidationError as error:
                web.apply_errors(form, error)
            else:
                messages.success(request, _("Tandem proposed. Both partners have been asked to get to know each other."))
                return redirect(tandem)
    else:
        form = forms.ProposeForm(initial={k: v for k, v in request.GET.items() if k in ("team", "peer", "professional")}, organisation=organisation)
    explanations = _explanations(form)
    context = {"form": form, "explanations": explanations}
    if request.method == "POST":
        return _invalid(request, "tandem/propose.html", context)
    return render(request, "tandem/propose.html", context)


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
    return rules.check_proposal(team=team, peer=peer, professional=professional, justification=justification)


@login_required
def suggestions(request: HttpRequest) -> HttpResponse:
    manager = access.manager_membership(request)
    organisation = manager.organisation
    team = _team_filter(request, organisation)
    teams = Team.objects.filter(organisation=organisation).active().select_related("service")
    context: dict[str, Any] = {"teams": teams, "team": team, "results": None}
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
            context.update(chosen=chosen, direction="peer", results=services.suggest(team=team, peer=chosen))
        elif professional_id:
            chosen = get_or_404(people.filter(is_professional=True), professional_id)
            context.update(
                chosen=chosen, direction="professional", results=services.suggest(team=team, professional=chosen)
            )
    return render(request, "tandem/suggestions.html", context)


# --- one tandem ----------------------------------------------------------------------------------


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    tandem = get_tandem(request, pk)
    membership = request.membership  # type: ignore[attr-defined]
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


def _transition_page(
    request: HttpRequest, tandem: Tandem, form: Any, service: Any, success: str, **extra: Any
) -> HttpResponse:
    template = "tandem/transition.html"
    if request.method == "POST":
        if form.is_valid():
            try:
                service(tandem=tandem, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                web.apply_errors(form, error)
            else:
                messages.success(request, success)
                return redirect(tandem)
        return _invalid(request, template, {"form": form, "tandem": tandem, **extra})
    return render(request, template, {"form": form, "tandem": tandem, **extra})


@login_required
def pause(request: HttpRequest, pk: int) -> HttpResponse:
    tandem = get_tandem_for_lead(request, pk)
    form = forms.PauseForm(request.POST if request.method == "POST" else None)
    return _transition_page(
        request, tandem, form, services.pause, _("The tandem is paused."), heading=_("Pause the tandem")
    )


@login_required
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    tandem = get_tandem_for_lead(request, pk)
    form = forms.ResumeForm(request.POST if request.method == "POST" else None)
    return _transition_page(
        request, tandem, form, services.resume, _("The tandem is active again."), heading=_("Resume the tandem")
    )


@login_required
def end(request: HttpRequest, pk: int) -> HttpResponse:
    tandem = get_tandem_for_lead(request, pk)
    form = forms.EndForm(request.POST if request.method == "POST" else None)
    return _transition_page(
        request, tandem, form, services.end, _("The tandem has ended."),
        heading=_("End the tandem"), warnings=rules.warnings_before_ending(tandem) if tandem.is_open else [],
    )


@require_POST
@login_required
def getting_to_know(request: HttpRequest, pk: int) -> HttpResponse:
    tandem = get_tandem_for_lead(request, pk)
    try:
        services.record_getting_to_know(tandem=tandem, by=request.user)  # type: ignore[arg-type]
    except ValidationError as error:
        return _refused(request, tandem, error)
    messages.success(request, _("Noted: the two are getting to know each other."))
    return redirect(tandem)


def _refused(request: HttpRequest, tandem: Tandem, error: ValidationError) -> HttpResponse:
    return web.refused(request, error, back_url=tandem.get_absolute_url(), back_label=_("Back to the tandem"))


@require_POST
@login_required
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    tandem, membership = get_tandem_for_partner(request, pk)
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
def decline(request: HttpRequest, pk: int) -> HttpResponse:
    tandem, membership = get_tandem_for_partner(request, pk)
    if request.method != "POST":
        return render(
            request,
            "confirm.html",
            {
                "title": _("Not continue this tandem"),
                "question": _(
                    "Getting to know each other showed that this pairing does not fit? That is fine and needs no reason."
                ),
                "action": request.path,
                "cancel_url": tandem.get_absolute_url(),
                "button": _("Do not continue"),
            },
        )
    try:
        services.decline(tandem=tandem, by=membership)
    except ValidationError as error:
        return _refused(request, tandem, error)
    messages.success(request, _("Understood. The tandem will not continue."))
    return redirect(tandem)


# --- reflections ---------------------------------------------------------------------------------


@login_required
def reflection_new(request: HttpRequest, pk: int) -> HttpResponse:
    tandem, membership = get_tandem_for_partner(request, pk)
    form = forms.ReflectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.submit_reflection(tandem=tandem, author=membership, **form.cleaned_data)
            except ValidationError as error:
                web.apply_errors(form, error)
            else:
                messages.success(request, _("Thank you for your reflection."))
                return redirect(tandem)
        return _invalid(request, "tandem/reflection_form.html", {"form": form, "tandem": tandem})
    return render(request, "tandem/reflection_form.html", {"form": form, "tandem": tandem})


@require_POST
@login_required
def reflection_share(request: HttpRequest, pk: int) -> HttpResponse:
    reflection = get_own_reflection(request, pk)
    services.share_reflection(reflection=reflection, by=request.membership)  # type: ignore[attr-defined]
    messages.success(request, _("Your partner can now read this reflection."))
    return redirect(reflection.tandem)


# --- support processes ---------------------------------------------------------------------------


@login_required
def support_new(request: HttpRequest, pk: int) -> HttpResponse:
    tandem = get_tandem(request, pk)
    if not (_is_manager(request) or tandem.partner_side(request.membership)):  # type: ignore[attr-defined]
        raise Http404
    form = forms.SupportProcessForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            try:
                process = services.start_support(tandem=tandem, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
            except ValidationError as error:
                web.apply_errors(form, error)
            else:
                messages.success(request, _("Support process started; it is planned to end after twelve months."))
                return redirect(process)
        return _invalid(request, "tandem/support_form.html", {"form": form, "tandem": tandem})
    return render(request, "tandem/support_form.html", {"form": form, "tandem": tandem})


@login_required
def support_detail(request: HttpRequest, pk: int) -> HttpResponse:
    process = get_support_process(request, pk)
    context = {
        "process": process,
        "tandem": process.tandem,
        "meetings": process.meetings.all(),
        "meeting_form": forms.MeetingForm(),
        "end_form": forms.SupportEndForm(),
    }
    return render(request, "tandem/support_detail.html", context)


def _support_post(request: HttpRequest, pk: int, form_class: Any, service: Any, success: str, form_name: str) -> HttpResponse:
    process = get_support_process(request, pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            service(process=process, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            web.apply_errors(form, error)
        else:
            messages.success(request, success)
            return redirect(process)
    context = {
        "process": process,
        "tandem": process.tandem,
        "meetings": process.meetings.all(),
        "meeting_form": forms.MeetingForm(),
        "end_form": forms.SupportEndForm(),
        form_name: form,
    }
    return _invalid(request, "tandem/support_detail.html", context)


@require_POST
@login_required
def support_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    return _support_post(
        request, pk, forms.MeetingForm, services.record_three_way_meeting, _("Three-way meeting recorded."), "meeting_form"
    )


@require_POST
@login_required
def support_end(request: HttpRequest, pk: int) -> HttpResponse:
    return _support_post(request, pk, forms.SupportEndForm, services.end_support, _("Support process ended."), "end_form")


# --- settings ------------------------------------------------------------------------------------


@login_required
def pairing_settings(request: HttpRequest) -> HttpResponse:
    admin = access.admin_membership(request)
    current = PairingSettings.for_organisation(admin.organisation)
    form = forms.PairingSettingsForm(request.POST if request.method == "POST" else None, instance=current)
    if request.method == "POST":
        if form.is_valid():
            services.update_settings(
                organisation=admin.organisation, by=request.user, **{k: form.cleaned_data[k] for k in form.Meta.fields}  # type: ignore[arg-type]
            )
            messages.success(request, _("Pairing settings saved."))
            return redirect("tandems:settings")
        return _invalid(request, "tandem/settings.html", {"form": form})
    return render(request, "tandem/settings.html", {"form": form})


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
        lonely = services.count_teams_with_too_few_peers(teams)
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
        due = [d for d in services.due_reflections(mine) if d.author_id == membership.pk]
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
