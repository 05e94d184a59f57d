"""Views: fetch through supervision.access (404 for anyone else), validate, call one service, redirect."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from tandem.audit.services import timeline
from tandem.idempotency import once
from tandem.web import apply_errors, confirm

from . import access, ical, services, stats
from .forms import (
    AddMemberForm,
    AddSupervisorForm,
    AttendanceForm,
    CancelForm,
    GroupForm,
    NewSessionForm,
    NoteForm,
    PollAnswerForm,
    PollForm,
    RsvpForm,
    SeriesForm,
    SessionForm,
    ShareForm,
)
from .models import (
    Answer,
    Attendance,
    CalendarFeed,
    DatePoll,
    GroupMember,
    GroupShare,
    GroupSupervisor,
    PollAnswer,
    Rsvp,
    Series,
    Session,
    SessionNote,
    SupervisionGroup,
)

PAGE_SIZE = 25
UPCOMING_ON_GROUP_PAGE = 12
RECENT_ON_GROUP_PAGE = 6


def _render(request: HttpRequest, template: str, context: dict[str, Any], form: Any = None) -> HttpResponse:
    status = 422 if form is not None and form.errors else 200
    return render(request, template, context, status=status)


def _user_id(request: HttpRequest) -> Any:
    return request.user.pk


# --- Overview (peers) and group list (supervisors) ----------------------------------------------


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """A person's peer supervision: next sessions, open polls, groups and the calendar address."""
    sessions = (
        Session.objects.visible_to(request.user)
        .upcoming()
        .prefetch_related(Prefetch("rsvps", Rsvp.objects.filter(membership__user_id=_user_id(request)), to_attr="my_rsvps"))
    )
    page = Paginator(sessions, PAGE_SIZE).get_page(request.GET.get("page"))
    polls = list(DatePoll.objects.visible_to(request.user).open()[:10])
    groups = list(SupervisionGroup.objects.visible_to(request.user).filter(archived_at__isnull=True))
    has_feed = CalendarFeed.objects.visible_to(request.user).exists()
    return render(
        request,
        "supervision/overview.html",
        {"page": page, "polls": polls, "groups": groups, "has_feed": has_feed, "feed_token": request.session.pop("supervision_feed_token", None)},
    )


@login_required
def group_list(request: HttpRequest) -> HttpResponse:
    groups = (
        SupervisionGroup.objects.visible_to(request.user)
        .supervised_by(request.user)
        .annotate(n_members=Count("members", filter=Q(members__left_at__isnull=True), distinct=True))
    )
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    membership = getattr(request, "membership", None)
    can_create = bool(membership and membership.is_supervisor and not membership.is_external)
    shares = list(GroupShare.objects.visible_to(request.user).filter(accepted_at__isnull=True, withdrawn_at__isnull=True))
    return render(request, "supervision/group_list.html", {"page": page, "can_create": can_create, "shares": shares})


@login_required
def group_create(request: HttpRequest) -> HttpResponse:
    founder = access.group_founder(request)
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            group = services.create_group(supervisor=founder, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The group was set up. Now add its members."))
            return redirect(group)
    return _render(request, "supervision/form.html", {"form": form, "title": _("New supervision group")}, form)


# --- Group page ---------------------------------------------------------------------------------


def _group_context(request: HttpRequest, group: SupervisionGroup, **extra: Any) -> dict[str, Any]:
    supervises = services.is_supervisor(group, request.user)
    members = list(GroupMember.objects.current().filter(group=group).select_related("membership__user", "membership__organisation"))
    supervisors = list(GroupSupervisor.objects.current().filter(group=group).select_related("membership__user", "membership__organisation"))
    sessions = list(
        Session.objects.filter(group=group).upcoming().annotate(
            n_yes=Count("rsvps", filter=Q(rsvps__answer=Answer.YES, rsvps__waiting_since__isnull=True))
        ).order_by("starts_at", "id")[:UPCOMING_ON_GROUP_PAGE]  # GROUP BY drops Meta.ordering
    )
    context: dict[str, Any] = {
        "group": group,
        "supervises": supervises,
        "members": members,
        "supervisors": supervisors,
        "sessions": sessions,
        "recent": list(
            Session.objects.filter(group=group).past().annotate(n_recorded=Count("attendance")).order_by("-starts_at")[:RECENT_ON_GROUP_PAGE]
        ),
        "series_list": list(Series.objects.filter(group=group, ended_at__isnull=True)),
        "polls": list(DatePoll.objects.filter(group=group).open()),
        "shares": list(GroupShare.objects.filter(group=group, withdrawn_at__isnull=True).select_related("organisation")),
    }
    if supervises:
        context.setdefault("member_form", AddMemberForm(group=group))
        context.setdefault("supervisor_form", AddSupervisorForm(group=group))
        context.setdefault("share_form", ShareForm())
        context["events"] = timeline(group)[:20]
    context.update(extra)
    return context


@login_required
def group_detail(request: HttpRequest, pk: int) -> HttpResponse:
    group = access.get_group(request, pk)
    return render(request, "supervision/group_detail.html", _group_context(request, group))


@require_POST
@login_required
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    group = access.get_group_for_supervisor(request, pk)
    form = AddMemberForm(request.POST, group=group)
    if form.is_valid():
        try:
            services.add_member(group=group, membership=form.cleaned_data["membership"], by=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Member added."))
            return redirect(group)
    return render(request, "supervision/group_detail.html", _group_context(request, group, member_form=form), status=422)


@login_required
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    group = access.get_group_for_supervisor(request, pk)
    member = GroupMember.objects.visible_to(request.user).current().filter(group=group, pk=member_pk).first()
    if member is None:
        raise Http404
    if request.method != "POST":
        return confirm(
            request,
            title=_("Remove member"),
            question=_("Remove %(name)s from the group?") % {"name": member.membership.user.display_name},
            action=request.path,
            cancel_url=group.get_absolute_url(),
            button=_("Remove"),
        )
    services.remove_member(member=member, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Member removed."))
    return redirect(group)


@require_POST
@login_required
def supervisor_add(request: HttpRequest, pk: int) -> HttpResponse:
    group = access.get_group_for_supervisor(request, pk)
    form = AddSupervisorForm(request.POST, group=group)
    if form.is_valid():
        try:
            services.add_supervisor(group=group, membership=form.cleaned_data["membership"], by=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Supervisor added."))
            return redirect(group)
    return render(request, "supervision/group_detail.html", _group_context(request, group, supervisor_form=form), status=422)


@require_POST
@login_required
def share_request(request: HttpRequest, pk: int) -> HttpResponse:
    group = access.get_group_for_supervisor(request, pk)
    form = ShareForm(request.POST)
    if form.is_valid():
        try:
            services.request_share(group=group, organisation_slug=form.cleaned_data["organisation"], by=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The other organisation was asked to share this group."))
            return redirect(group)
    return render(request, "supervision/group_detail.html", _group_context(request, group, share_form=form), status=422)


@login_required
def share_list(request: HttpRequest) -> HttpResponse:
    admin = access.org_admin_membership(request)
    shares = GroupShare.objects.visible_to(request.user).filter(organisation=admin.organisation, withdrawn_at__isnull=True)
    return render(request, "supervision/share_list.html", {"shares": shares})


@require_POST
@login_required
def share_accept(request: HttpRequest, pk: int) -> HttpResponse:
    share, admin = access.get_share_for_admin(request, pk)
    try:
        services.accept_share(share=share, admin=admin, by=request.user)  # type: ignore[arg-type]
        messages.success(request, _("Your organisation now shares this supervision group."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("supervision:share_list")


@login_required
def group_statistics(request: HttpRequest, pk: int) -> HttpResponse:
    group = access.get_group_for_supervisor(request, pk)
    return render(
        request,
        "supervision/statistics.html",
        {"group": group, "by_member": stats.by_member(group), "by_weekday": stats.by_weekday(group)},
    )


@login_required
def organisation_rate(request: HttpRequest) -> HttpResponse:
    viewer = access.rate_viewer(request)
    return render(request, "supervision/organisation_rate.html", {"rate": stats.organisation_rate(viewer.organisation)})


# --- Series and sessions ------------------------------------------------------------------------


@login_required
def series_create(request: HttpRequest, pk: int) -> HttpResponse:
    group = access.get_group_for_supervisor(request, pk)
    initial = {"time_zone": getattr(request.user, "time_zone", "Europe/Berlin"), "duration_minutes": 120, "title": group.name}
    form = SeriesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            once(
                user=request.user, token=form.submission_token,
                create=lambda: services.create_series(group=group, by=request.user, **form.cleaned_data),  # type: ignore[arg-type]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The series was created and its sessions were scheduled."))
            return redirect(group)
    return _render(request, "supervision/form.html", {"form": form, "title": _("New series"), "group": group}, form)


@login_required
def series_end(request: HttpRequest, pk: int, series_pk: int) -> HttpResponse:
    group = access.get_group_for_supervisor(request, pk)
    series = Series.objects.visible_to(request.user).filter(group=group, pk=series_pk, ended_at__isnull=True).first()
    if series is None:
        raise Http404
    if request.method != "POST":
        return confirm(
            request,
            title=_("End series"),
            question=_("End the series \"%(title)s\"? Its future sessions are cancelled and the members are told.")
            % {"title": series.title},
            action=request.path,
            cancel_url=group.get_absolute_url(),
            button=_("End series"),
        )
    services.end_series(series=series, by=request.user)  # type: ignore[arg-type]
    messages.success(request, _("The series has ended."))
    return redirect(group)


@login_required
def session_create(request: HttpRequest, pk: int) -> HttpResponse:
    group = access.get_group_for_supervisor(request, pk)
    form = NewSessionForm(request.POST or None, initial={"title": group.name})
    if request.method == "POST" and form.is_valid():
        try:
            session = once(user=request.user, token=form.submission_token, create=lambda: services.create_session(
                group=group, by=request.user, time_zone=getattr(request.user, "time_zone", "Europe/Berlin"),  # type: ignore[arg-type]
                **form.cleaned_data,
            ))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The session is scheduled; everyone in the group has been told."))
            return redirect(session)
    return _render(request, "supervision/form.html", {"form": form, "title": _("New single session"), "group": group}, form)


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_session(request, pk)
    return render(request, "supervision/session_detail.html", _session_context(request, session))


def _session_context(request: HttpRequest, session: Session, **extra: Any) -> dict[str, Any]:
    supervises = services.is_supervisor(session.group, request.user)
    me = services.current_member(session.group, request.user)
    rsvps = list(Rsvp.objects.filter(session=session).select_related("membership__user").order_by("answered_at", "id"))
    mine = next((r for r in rsvps if me is not None and r.membership_id == me.pk), None)
    context: dict[str, Any] = {
        "session": session,
        "group": session.group,
        "supervises": supervises,
        "me": me,
        "mine": mine,
        "confirmed": [r for r in rsvps if r.answer == Answer.YES and not r.is_waiting],
        "waiting": [r for r in rsvps if r.is_waiting],
        "maybe": [r for r in rsvps if r.answer == Answer.MAYBE],
        "declined": [r for r in rsvps if r.answer == Answer.NO],
        "notes": list(SessionNote.objects.visible_to(request.user).filter(session=session)),
        "can_answer": me is not None and not session.is_cancelled and not session.has_started,
    }
    if context["can_answer"]:
        context.setdefault("rsvp_form", RsvpForm(initial={"answer": mine.answer if mine else None}))
    context.setdefault("note_form", NoteForm())
    if supervises and session.has_started and not session.is_cancelled:
        members = [m.membership for m in GroupMember.objects.current().filter(group=session.group).select_related("membership__user")]
        present = list(Attendance.objects.filter(session=session, attended=True).values_list("membership_id", flat=True))
        context.setdefault("attendance_form", AttendanceForm(members=members, initial={"attended": present}))
    context.update(extra)
    return context


@require_POST
@login_required
def session_rsvp(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_session(request, pk)
    me = services.current_member(session.group, request.user)
    if me is None:
        raise Http404
    form = RsvpForm(request.POST)
    if form.is_valid():
        try:
            rsvp = services.answer(session=session, membership=me, answer=form.cleaned_data["answer"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if rsvp.is_waiting:
                messages.warning(request, _("The session is full. You are on the waiting list and will be told when a place frees up."))
            else:
                messages.success(request, _("Thank you for your answer."))
            return redirect(session)
    return render(request, "supervision/session_detail.html", _session_context(request, session, rsvp_form=form), status=422)


@login_required
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_session_for_supervisor(request, pk)
    if session.is_cancelled:
        raise Http404
    initial = {
        "starts_at": timezone.localtime(session.starts_at),
        "ends_at": timezone.localtime(session.ends_at),
        "place": session.place,
        "video_url": session.video_url,
        "capacity": session.capacity,
    }
    form = SessionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_session(session=session, by=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The session was changed; the members have been told."))
            return redirect(session)
    return _render(request, "supervision/form.html", {"form": form, "title": _("Move or change the session"), "group": session.group}, form)


@login_required
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_session_for_supervisor(request, pk)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_session(session=session, by=request.user, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The session was cancelled; the members have been told."))
            return redirect(session)
    return _render(
        request, "supervision/form.html",
        {"form": form, "title": _("Cancel the session"), "group": session.group, "danger": True}, form,
    )


@require_POST
@login_required
def session_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_session_for_supervisor(request, pk)
    members = [m.membership for m in GroupMember.objects.current().filter(group=session.group).select_related("membership__user")]
    form = AttendanceForm(request.POST, members=members)
    if form.is_valid():
        try:
            services.record_attendance(session=session, by=request.user, attended=form.cleaned_data["attended"])  # type: ignore[arg-type]
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Attendance recorded."))
            return redirect(session)
    return render(request, "supervision/session_detail.html", _session_context(request, session, attendance_form=form), status=422)


@require_POST
@login_required
def session_note(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_session(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.add_note(session=session, by=request.user, text=form.cleaned_data["text"])  # type: ignore[arg-type]
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Note saved."))
            return redirect(session)
    return render(request, "supervision/session_detail.html", _session_context(request, session, note_form=form), status=422)


@login_required
def session_ics(request: HttpRequest, pk: int) -> HttpResponse:
    session = access.get_session(request, pk)
    response = HttpResponse(ical.calendar([session], name=session.group.name), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="supervision-{session.pk}.ics"'
    return response


# --- Date polls ---------------------------------------------------------------------------------


@login_required
def poll_create(request: HttpRequest, pk: int) -> HttpResponse:
    group = access.get_group_for_supervisor(request, pk)
    form = PollForm(request.POST or None, initial={"title": group.name})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            poll = once(user=request.user, token=form.submission_token, create=lambda: services.create_poll(
                group=group, by=request.user,  # type: ignore[arg-type]
                title=data["title"], slots=data["slots"], duration_minutes=data["duration_minutes"],
                place=data["place"], video_url=data["video_url"],
            ))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("The poll is open; the members have been asked."))
            return redirect(poll)
    return _render(request, "supervision/form.html", {"form": form, "title": _("Find a date"), "group": group}, form)


def _poll_context(request: HttpRequest, poll: DatePoll, **extra: Any) -> dict[str, Any]:
    me = services.current_member(poll.group, request.user)
    slots = list(poll.slots.all())
    mine = {}
    if me is not None:
        mine = dict(PollAnswer.objects.filter(slot__poll=poll, membership=me).values_list("slot_id", "choice"))
    context: dict[str, Any] = {
        "poll": poll,
        "group": poll.group,
        "results": services.poll_results(poll),
        "supervises": services.is_supervisor(poll.group, request.user),
        "me": me,
    }
    if me is not None and poll.is_open:
        context["answer_form"] = PollAnswerForm(slots=slots, initial_choices=mine)
    context.update(extra)
    return context


@login_required
def poll_detail(request: HttpRequest, pk: int) -> HttpResponse:
    poll = access.get_poll(request, pk)
    return render(request, "supervision/poll_detail.html", _poll_context(request, poll))


@require_POST
@login_required
def poll_answer(request: HttpRequest, pk: int) -> HttpResponse:
    poll = access.get_poll(request, pk)
    me = services.current_member(poll.group, request.user)
    if me is None:
        raise Http404
    form = PollAnswerForm(request.POST, slots=list(poll.slots.all()), initial_choices={})
    if form.is_valid():
        try:
            services.answer_poll(poll=poll, membership=me, choices=form.choices())
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Thank you for your answer."))
            return redirect(poll)
    return render(request, "supervision/poll_detail.html", _poll_context(request, poll, answer_form=form), status=422)


@require_POST
@login_required
def poll_decide(request: HttpRequest, pk: int) -> HttpResponse:
    poll = access.get_poll_for_supervisor(request, pk)
    slot = None
    if request.POST.get("slot"):
        slot = poll.slots.filter(pk=request.POST["slot"]).first() if request.POST["slot"].isdigit() else None
        if slot is None:
            raise Http404
    try:
        session = services.decide_poll(poll=poll, by=request.user, slot=slot)  # type: ignore[arg-type]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return render(request, "supervision/poll_detail.html", _poll_context(request, poll, decide_errors=error.messages), status=422)
    messages.success(request, _("The session is scheduled; everyone in the group has been told."))
    return redirect(session)


# --- Calendar -----------------------------------------------------------------------------------


@require_POST
@login_required
def calendar_renew(request: HttpRequest) -> HttpResponse:
    token = services.renew_feed(user=request.user)  # type: ignore[arg-type]
    # Shown once, on the next page; only its hash is stored.
    request.session["supervision_feed_token"] = token
    messages.success(request, _("Your new calendar address is ready. The previous address no longer works."))
    return redirect(reverse("supervision:overview") + "#calendar")


@require_GET
@never_cache
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = CalendarFeed.objects.by_token(token).select_related("user").first()
    if feed is None:
        # Unknown, renewed or revoked: the same bare 404, nothing that tells them apart.
        return HttpResponseNotFound(b"404", content_type="text/plain")
    sessions = (
        Session.objects.visible_to(feed.user)
        .filter(ends_at__gte=timezone.now() - dt.timedelta(days=90))
        .order_by("starts_at", "id")
    )
    response = HttpResponse(ical.calendar(sessions, name=_("Peer supervision")), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store, private"
    return response
