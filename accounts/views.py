from __future__ import annotations

import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tandem import web
from tandem.audit.models import AuditEvent
from tandem.audit.services import timeline

from . import access, disclosure, privacy, rules, selectors, services
from .forms import (
    AcceptInvitationForm,
    AddToTeamForm,
    InvitationForm,
    LivedExperienceForm,
    NameForm,
    OrganisationSettingsForm,
    PeerProfileForm,
    PlacementConflictForm,
    ProfessionalProfileForm,
    ProfileForm,
    RolesForm,
    TeamForm,
)
from .http import AuthenticatedHttpRequest
from .middleware import (
    LANGUAGE_SESSION_KEY,
    MFA_NEXT_SESSION_KEY,
    ORGANISATION_SESSION_KEY,
    has_second_factor,
    second_factor_missing,
)
from .models import (
    Invitation,
    Membership,
    PeerProfile,
    PlacementConflict,
    ProfessionalProfile,
    Service,
    Team,
    User,
)

PAGE_SIZE = 25


# --- Invitations -----------------------------------------------------------------------------


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = selectors.usable_invitation(token)
    if invitation is None or invitation.state != Invitation.State.PENDING:
        state = invitation.state if invitation else None
        return render(request, "accounts/invitation_invalid.html", {"state": state}, status=410 if invitation else 404)
    if isinstance(request.user, User):
        if request.method == "POST":
            signed_in = request.user
            return web.act(
                request,
                lambda: services.accept_invitation(token=token, user=signed_in),
                success=_("Welcome to %(organisation)s.") % {"organisation": invitation.organisation},
                next_url="home",
            )
        return render(request, "accounts/invitation_join.html", {"invitation": invitation})
    if User.objects.filter(email__iexact=invitation.email).exists():
        login_url = reverse("account_login") + "?next=" + request.path
        return render(request, "accounts/invitation_sign_in.html", {"invitation": invitation, "login_url": login_url})
    form = AcceptInvitationForm(request.POST or None, email=invitation.email, initial={"full_name": invitation.full_name})

    def accept(data: dict[str, Any]) -> User:
        user = services.accept_invitation(
            token=token,
            full_name=data["full_name"],
            password=data["password1"],
            preferred_language=translation.get_language() or "de",
        )
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return user

    return web.submit(
        request,
        form,
        accept,
        template="accounts/invitation_accept.html",
        context={"invitation": invitation},
        success=_("Welcome to Tandem. Your account is ready."),
        next_url="home",
    )


@login_required
def invitation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    manager = access.manager_membership(request)
    invitations = Invitation.objects.visible_to(request.user).filter(organisation=manager.organisation)
    page = Paginator(invitations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/invitation_list.html", {"page": page})


@login_required
def invitation_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    manager = access.manager_membership(request)
    form = InvitationForm(
        request.POST or None, roles=services.grantable_roles(manager), organisation=manager.organisation
    )

    def invite(data: dict[str, Any]) -> Invitation:
        updating = services.open_invitations(organisation=manager.organisation, email=data["email"]).exists()
        invitation, _token = services.invite(
            by=request.user,
            organisation=manager.organisation,
            email=data["email"],
            full_name=data["full_name"],
            roles=data["roles"],
            team=data["team"],
        )
        if updating:
            messages.success(
                request,
                _(
                    "%(email)s already had an open invitation. It now offers the roles and team you chose, "
                    "with a new link sent by e-mail; the earlier link no longer works."
                )
                % {"email": invitation.email},
            )
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
        return invitation

    return web.submit(
        request, form, invite, template="accounts/invitation_form.html", next_url=reverse("accounts:invitation_list")
    )


@login_required
def invitation_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invitation = access.get_invitation_for_manager(request, pk)
    if request.method != "POST":
        return web.confirm(
            request,
            title=_("Revoke invitation"),
            question=_("Revoke the invitation to %(email)s? The link stops working.") % {"email": invitation.email},
            cancel_url=reverse("accounts:invitation_list"),
            button=_("Revoke"),
        )
    return web.act(
        request,
        lambda: services.revoke_invitation(invitation=invitation, by=request.user),
        success=_("Invitation revoked."),
        next_url="accounts:invitation_list",
    )


@require_POST
@login_required
def invitation_resend(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    invitation = access.get_invitation_for_manager(request, pk)
    return web.act(
        request,
        lambda: services.resend_invitation(invitation=invitation, by=request.user),
        success=_("A new link was sent to %(email)s.") % {"email": invitation.email},
        next_url="accounts:invitation_list",
    )


# --- Own profile -----------------------------------------------------------------------------


@login_required
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    # The form validates a copy: a ModelForm writes into its instance while validating, and the
    # service must see the old values to record what changed (and the layout must not show an
    # invalid name before it is saved).
    form = ProfileForm(request.POST or None, instance=copy.copy(user))
    if request.method == "POST" and form.is_valid():
        services.update_profile(user=user, **{f: form.cleaned_data[f] for f in form.Meta.fields})
        request.session[LANGUAGE_SESSION_KEY] = form.cleaned_data["preferred_language"]
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    membership = request.membership
    context: dict[str, Any] = {
        "form": form,
        "membership": membership,
        "memberships": Membership.objects.active().filter(user=user).select_related("organisation").order_by("id"),
        "notification_settings_url": reverse("notifications:preferences"),
    }
    if membership is not None and membership.is_peer:
        context["conflicts"] = PlacementConflict.objects.visible_to(user).select_related("service")
        context["conflict_form"] = PlacementConflictForm(organisation=membership.organisation)
    if membership is not None and membership.is_professional:
        prof, _created = ProfessionalProfile.objects.get_or_create(membership=membership)
        context["lived_experience_form"] = LivedExperienceForm(
            initial={"has_lived_experience": prof.has_lived_experience, "visible_to": prof.lived_experience_visible_to}
        )
        # What he is told comes from the rule that decides: who sees it now, and his own changes
        # (which appear in nobody else's view).
        context["disclosed"] = prof.has_lived_experience and prof.lived_experience_visible_to != ProfessionalProfile.Visibility.NOBODY
        context["disclosure_audience"] = disclosure.audience(membership) if context["disclosed"] else []
        context["disclosure_changes"] = (
            AuditEvent.objects.for_object(membership).filter(action="lived_experience.changed", actor=user)[:5]
        )
    return web.render_form(request, "accounts/profile.html", context, form)


@require_POST
@login_required
def lived_experience(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = access.own_membership(request)
    if not membership.is_professional:
        raise Http404
    prof, _created = ProfessionalProfile.objects.get_or_create(membership=membership)
    form = LivedExperienceForm(request.POST)
    if form.is_valid():
        services.set_lived_experience(
            profile=prof,
            by=request.user,
            has_lived_experience=form.cleaned_data["has_lived_experience"],
            visible_to=form.cleaned_data["visible_to"],
        )
        messages.success(request, _("Your choice was saved. Only you can change it."))
    else:
        messages.error(request, _("Please choose who may see this."))
    return redirect("accounts:profile")


@require_POST
@login_required
def placement_conflict_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    membership = access.own_membership(request)
    if not membership.is_peer:
        raise Http404
    form = PlacementConflictForm(request.POST, organisation=membership.organisation)
    if form.is_valid():
        services.declare_placement_conflict(peer=membership, service=form.cleaned_data["service"])
        messages.success(request, _("Saved. Team leads only learn that a placement conflict is declared."))
    else:
        messages.error(request, _("Please choose a service."))
    return redirect("accounts:profile")


@login_required
def placement_conflict_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    conflict = web.get_or_404(PlacementConflict.objects.visible_to(request.user).select_related("service"), pk)
    if request.method != "POST":
        return web.confirm(
            request,
            title=_("Remove declaration"),
            question=_("Remove your declaration for %(service)s?") % {"service": conflict.service},
            cancel_url=reverse("accounts:profile"),
            button=_("Remove"),
        )
    services.withdraw_placement_conflict(conflict=conflict)
    messages.success(request, _("Declaration removed."))
    return redirect("accounts:profile")


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    language = request.POST.get("language", "")
    if language not in {"de", "en"}:
        language = "de"
    request.session[LANGUAGE_SESSION_KEY] = language
    if isinstance(request.user, User):
        services.update_profile(user=request.user, preferred_language=language)
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    response.set_cookie("django_language", language, max_age=365 * 24 * 3600, samesite="Lax", secure=request.is_secure())
    return response


@require_POST
@login_required
def switch_organisation(request: AuthenticatedHttpRequest) -> HttpResponse:
    """People in several organisations work in one at a time; this picks which."""
    membership = access.get_own_membership(request, request.POST.get("membership"))
    request.session[ORGANISATION_SESSION_KEY] = membership.organisation_id
    messages.success(request, _("You now work in %(organisation)s.") % {"organisation": membership.organisation})
    return redirect("home")


@login_required
def mfa_required(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Why a second factor is asked for, and the one step that is missing: set it up, or confirm it."""
    next_url = str(request.session.get(MFA_NEXT_SESSION_KEY, ""))
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = ""
    context = {
        "organisations": rules.organisations_requiring_second_factor(request.user),
        "has_factor": has_second_factor(request.user),
        "missing": second_factor_missing(request),
        "next": next_url or reverse("home"),
    }
    return render(request, "accounts/mfa_required.html", context)


# --- Organisation management -----------------------------------------------------------------


@login_required
def organisation(request: AuthenticatedHttpRequest) -> HttpResponse:
    admin = access.admin_membership(request)
    org = admin.organisation
    form = OrganisationSettingsForm(request.POST or None, instance=org)
    if request.method == "POST" and form.is_valid():
        services.update_organisation_settings(organisation=org, by=request.user, **form.cleaned_data)
        messages.success(request, _("Settings saved."))
        return redirect("accounts:organisation")
    if request.method == "POST":
        org.refresh_from_db()
    services_qs = Service.objects.visible_to(request.user).filter(organisation=org).prefetch_related("teams")
    context = {
        "organisation": org,
        "form": form,
        "services": services_qs,
        "service_form": NameForm(),
        "team_form": TeamForm(organisation=org),
    }
    return web.render_form(request, "accounts/organisation.html", context, form)


@require_POST
@login_required
def service_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    admin = access.admin_membership(request)
    form = NameForm(request.POST)
    if form.is_valid():
        try:
            services.create_service(organisation=admin.organisation, name=form.cleaned_data["name"], by=request.user)
            messages.success(request, _("Service created."))
            return redirect("accounts:organisation")
        except ValidationError:
            messages.error(request, _("A service with this name exists already."))
    else:
        messages.error(request, _("Please give the service a name (at most 200 characters)."))
    return redirect("accounts:organisation")


@login_required
def service_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    service = access.get_service_for_manager(request, pk)
    manager = access.manager_membership(request)
    teams = Team.objects.visible_to(request.user).filter(service=service)
    context = {
        "service": service,
        "teams": teams,
        "runs_service": rules.services_run_by(manager).filter(pk=service.pk).exists(),
        "events": timeline(service)[:20],
    }
    return render(request, "accounts/service_detail.html", context)


@login_required
def service_archive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    service = access.get_service_for_manager(request, pk)
    access.admin_membership(request)
    if request.method != "POST":
        return web.confirm(
            request,
            title=_("Archive service"),
            question=_("Archive %(service)s and its teams? History is kept.") % {"service": service},
            cancel_url=service.get_absolute_url(),
            button=_("Archive"),
        )
    services.archive_service(service=service, by=request.user)
    messages.success(request, _("Service archived."))
    return redirect("accounts:organisation")


@require_GET
@login_required
def team_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The teams of the services this person runs, and where she creates a new one."""
    manager = access.manager_membership(request)
    run = rules.services_run_by(manager)
    services_qs = run.prefetch_related(Prefetch("teams", queryset=Team.objects.active().order_by("name")))
    context = {
        "services": services_qs,
        "team_form": TeamForm(organisation=manager.organisation, services=run),
        "is_admin": manager.is_org_admin,
    }
    return render(request, "accounts/team_list.html", context)


@require_POST
@login_required
def team_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    manager = access.manager_membership(request)
    back = "accounts:organisation" if request.POST.get("from") == "organisation" and manager.is_org_admin else "accounts:team_list"
    form = TeamForm(request.POST, organisation=manager.organisation, services=rules.services_run_by(manager))
    if form.is_valid():
        try:
            team = services.create_team(service=form.cleaned_data["service"], name=form.cleaned_data["name"], by=request.user)
            messages.success(request, _("Team created. Now add its peers and professionals."))
            return redirect(team)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    elif "service" in form.errors and request.POST.get("service"):
        messages.error(request, _("You can create teams only in the services you run."))
    else:
        messages.error(request, _("Please give the team a name and choose its service."))
    return redirect(back)


@login_required
def team_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    team = access.get_team_for_manager(request, pk)
    manager = access.manager_membership(request)
    current = team.team_memberships.current().select_related("membership__user")
    former = team.team_memberships.exclude(pk__in=current.values("pk")).select_related("membership__user")
    return render(
        request,
        "accounts/team_detail.html",
        {
            "team": team,
            "current": current,
            "former": former,
            "add_form": AddToTeamForm(organisation=manager.organisation),
            "may_run": rules.may_run_team(manager, team),
            "events": timeline(team)[:20],
        },
    )


@require_POST
@login_required
def team_add_member(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    team = access.get_team_to_run(request, pk)
    manager = access.manager_membership(request)
    form = AddToTeamForm(request.POST, organisation=manager.organisation)
    if not form.is_valid():
        messages.error(request, _("Please choose a peer or professional of your organisation."))
        return redirect(team)
    return web.act(
        request,
        lambda: services.add_to_team(membership=form.cleaned_data["member"], team=team, by=request.user),
        success=_("Added to the team."),
        next_url=team,
    )


@login_required
def team_archive(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    team = access.get_team_to_run(request, pk)
    if request.method != "POST":
        return web.confirm(
            request,
            title=_("Archive team"),
            question=_("Archive the team %(team)s? History is kept.") % {"team": team},
            cancel_url=team.get_absolute_url(),
            button=_("Archive"),
        )
    services.archive_team(team=team, by=request.user)
    messages.success(request, _("Team archived."))
    return redirect("accounts:team_list")


@login_required
def team_membership_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    team_membership = access.get_team_membership_to_run(request, pk)
    team = team_membership.team
    if request.method != "POST":
        return web.confirm(
            request,
            title=_("Leave team"),
            question=_("End %(person)s's membership in %(team)s?")
            % {"person": team_membership.membership.user.display_name, "team": team},
            warnings=rules.team_change_warnings(team_membership),
            cancel_url=team.get_absolute_url(),
            button=_("End membership"),
        )
    services.end_team_membership(team_membership=team_membership, by=request.user)
    messages.success(request, _("Membership ended."))
    return redirect(team)


# --- People ----------------------------------------------------------------------------------


@login_required
def member_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    manager = access.manager_membership(request)
    members = Membership.objects.visible_to(request.user).filter(organisation=manager.organisation)
    query = request.GET.get("q", "").strip()[:100]
    if query:
        members = members.filter(Q(user__full_name__icontains=query) | Q(user__email__icontains=query))
    show = request.GET.get("show", "active")
    if show != "all":
        members = members.active()
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/member_list.html", {"page": page, "query": query, "show": show})


@login_required
def member_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = access.get_member_for_manager(request, pk)
    manager = access.manager_membership(request)
    peer_form = None
    if member.is_peer:
        peer_profile, _created = PeerProfile.objects.get_or_create(membership=member)
        peer_form = PeerProfileForm(request.POST or None, instance=copy.copy(peer_profile))
        if request.method == "POST" and peer_form.is_valid():
            services.update_member_details(profile=peer_profile, by=request.user, fields=peer_form.cleaned_data)
            messages.success(request, _("Details saved."))
            return redirect(member)
    prof_form = None
    if member.is_professional:
        prof_profile, _created = ProfessionalProfile.objects.get_or_create(membership=member)
        prof_form = ProfessionalProfileForm(request.POST or None, instance=copy.copy(prof_profile))
        if request.method == "POST" and prof_form.is_valid():
            services.update_member_details(profile=prof_profile, by=request.user, fields=prof_form.cleaned_data)
            messages.success(request, _("Details saved."))
            return redirect(member)
    context = {
        "member": member,
        "roles_form": RolesForm(
            initial={"roles": [r.value for r in member.roles], "led_services": list(member.led_services.all())},
            # Only a team lead runs services; the choice is offered for her alone.
            organisation=manager.organisation if member.is_team_lead else None,
        ),
        "can_edit_roles": manager.is_org_admin,
        "peer_form": peer_form,
        "prof_form": prof_form,
        "teams": member.team_memberships.select_related("team__service"),
        "placement_conflict_declared": rules.has_any_placement_conflict(member),
        "events": timeline(member)[:20],
    }
    return web.render_form(request, "accounts/member_detail.html", context, peer_form, prof_form)


@require_POST
@login_required
def member_roles(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = access.get_member_for_manager(request, pk)
    admin = access.admin_membership(request)
    form = RolesForm(request.POST, organisation=admin.organisation)
    if not form.is_valid():
        messages.error(request, _("Choose at least one role."))
        return redirect(member)
    return web.act(
        request,
        lambda: services.set_roles(
            membership=member,
            roles=form.cleaned_data["roles"],
            by=request.user,
            led_services=form.cleaned_data["led_services"],
        ),
        success=_("Roles saved."),
        next_url=member,
    )


@login_required
def member_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    member = access.get_member_for_manager(request, pk)
    access.admin_membership(request)
    if request.method != "POST":
        return web.confirm(
            request,
            title=_("Person leaves"),
            question=_("%(person)s leaves the organisation today. Their history is kept.")
            % {"person": member.user.display_name},
            cancel_url=member.get_absolute_url(),
            button=_("Confirm"),
        )
    return web.act(
        request,
        lambda: services.end_membership(membership=member, by=request.user),
        success=_("Membership ended."),
        next_url="accounts:member_list",
    )


@login_required
def member_erase(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """An org admin erases a person who has left their organisation (GDPR Art. 17)."""
    member = access.get_member_for_manager(request, pk)
    access.admin_membership(request)
    context: dict[str, Any] = {"member": member, "refusal": privacy.erasure_refusal(member)}
    if request.method == "POST":
        try:
            privacy.erase_member(membership=member, by=request.user)
        except ValidationError as error:
            context["refusal"] = " ".join(error.messages)
            return render(request, "accounts/member_erase.html", context, status=422)
        messages.success(request, _("The person's personal data was erased; a pseudonym remains in the history."))
        return redirect("accounts:member_list")
    return render(request, "accounts/member_erase.html", context)
