"""Views: fetch through supervision.access (404 for anyone else), validate, call one service, redirect."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.http import AuthenticatedHttpRequest
from tandem import web

from . import access, ical, selectors, services, stats
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
    SeriesChangeForm,
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
    PollAnswer,
    Rsvp,
    Series,
    Session,
    SessionNote,
    SupervisionGroup,
)

PAGE_SIZE = 25


# --- Overview (peers) and group list (supervisors) ----------------------------------------------


@login_required
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A person's peer supervision: next sessions, open polls, groups and the calendar address."""
    sessions = (
        Session.objects.visible_to(request.user)
        .upcoming()
        .prefetch_related(Prefetch("rsvps", Rsvp.objects.filter(membership__user_id=request.user.pk), to_attr="my_rsvps"))
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
def group_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    groups = (
        SupervisionGroup.objects.visible_to(request.user)
        .supervised_by(request.user)
        .annotate(n_members=Count("members", filter=Q(members__left_at__isnull=True), distinct=True))
    )
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    membership = request.membership
    can_create = bool(membership and membership.is_supervisor and not membership.is_external)
    shares = list(GroupShare.objects.visible_to(request.user).filter(accepted_at__isnull=True, withdrawn_at__isnull=True))
    return render(request, "supervision/group_list.html", {"page": page, "can_create": can_create, "shares": shares})


@login_required
def group_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    founder = access.group_founder(request)
    form = GroupForm(request.POST or None)
    return web.submit(
        request,
        form,
        lambda data: services.create_group(supervisor=founder, by=request.user, **data),
        template="supervision/form.html",
        context={"title": _("New supervision group")},
        success=_("The group was set up. Now add its members."),
        next_url=lambda group: group,
    )


# --- Group page ---------------------------------------------------------------------------------


def _group_context(request: AuthenticatedHttpRequest, group: SupervisionGroup, **extra: Any) -> dict[str, Any]:
    context = selectors.group_page(group, request.user)
    if context["supervises"]:
        context.setdefault("member_form", AddMemberForm(group=group))
        context.setdefault("supervisor_form", AddSupervisorForm(group=group))
        context.setdefault("share_form", ShareForm())
    context.update(extra)
    return context


@login_required
def group_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = access.get_group(request, pk)
    return render(request, "supervision/group_detail.html", _group_context(request, group))


@require_POST
@login_required
def member_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = access.get_group_for_supervisor(request, pk)
    form = AddMemberForm(request.POST, group=group)
    return web.submit(
        request,
        form,
        lambda data: services.add_member(group=group, membership=data["membership"], by=request.user),
        template="supervision/group_detail.html",
        context=_group_context(request, group, member_form=form),
        success=_("Member added."),
        next_url=group,
    )


@login_required
def member_remove(request: AuthenticatedHttpRequest, pk: int, member_pk: int) -> HttpResponse:
    group = access.get_group_for_supervisor(request, pk)
    member = web.get_or_404(GroupMember.objects.visible_to(request.user).current().filter(group=group), member_pk)
    if request.method != "POST":
        return web.confirm(
            request,
            title=_("Remove member"),
            question=_("Remove %(name)s from the group?") % {"name": member.membership.user.display_name},
            cancel_url=group.get_absolute_url(),
            button=_("Remove"),
        )
    services.remove_member(member=member, by=request.user)
    messages.success(request, _("Member removed."))
    return redirect(group)


@require_POST
@login_required
def supervisor_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = access.get_group_for_supervisor(request, pk)
    form = AddSupervisorForm(request.POST, group=group)
    return web.submit(
        request,
        form,
        lambda data: services.add_supervisor(group=group, membership=data["membership"], by=request.user),
        template="supervision/group_detail.html",
        context=_group_context(request, group, supervisor_form=form),
        success=_("Supervisor added."),
        next_url=group,
    )


@require_POST
@login_required
def share_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = access.get_group_for_supervisor(request, pk)
    form = ShareForm(request.POST)
    return web.submit(
        request,
        form,
        lambda data: services.request_share(group=group, organisation_slug=data["organisation"], by=request.user),
        template="supervision/group_detail.html",
        context=_group_context(request, group, share_form=form),
        success=_("The other organisation was asked to share this group."),
        next_url=group,
    )


@login_required
def share_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    admin = access.org_admin_membership(request)
    shares = GroupShare.objects.visible_to(request.user).filter(organisation=admin.organisation, withdrawn_at__isnull=True)
    return render(request, "supervision/share_list.html", {"shares": shares})


@require_POST
@login_required
def share_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    share, admin = access.get_share_for_admin(request, pk)
    return web.act(
        request,
        lambda: services.accept_share(share=share, admin=admin, by=request.user),
        success=_("Your organisation now shares this supervision group."),
        next_url="supervision:share_list",
    )


@login_required
def group_statistics(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = access.get_group_for_supervisor(request, pk)
    return render(
        request,
        "supervision/statistics.html",
        {"group": group, "by_member": stats.by_member(group), "by_weekday": stats.by_weekday(group)},
    )


@login_required
def organisation_rate(request: AuthenticatedHttpRequest) -> HttpResponse:
    viewer = access.rate_viewer(request)
    return render(request, "supervision/organisation_rate.html", {"rate": stats.organisation_rate(viewer.organisation)})


# --- Series and sessions ------------------------------------------------------------------------


@login_required
def series_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = access.get_group_for_supervisor(request, pk)
    initial = {"time_zone": request.user.time_zone, "duration_minutes": 120, "title": group.name}
    form = SeriesForm(request.POST or None, initial=initial)
    return web.submit(
        request,
        form,
        lambda data: services.create_series(group=group, by=request.user, **data),
        template="supervision/form.html",
        context={"title": _("New series"), "group": group},
        success=_("The series was created and its sessions were scheduled."),
        next_url=group,
    )


@login_required
def series_end(request: AuthenticatedHttpRequest, pk: int, series_pk: int) -> HttpResponse:
    group = access.get_group_for_supervisor(request, pk)
    series = web.get_or_404(Series.objects.visible_to(request.user).filter(group=group, ended_at__isnull=True), series_pk)
    if request.method != "POST":
        return web.confirm(
            request,
            title=_("End series"),
            question=_("End the series \"%(title)s\"? Its future sessions are cancelled and the members are told.")
            % {"title": series.title},
            cancel_url=group.get_absolute_url(),
            button=_("End series"),
        )
    services.end_series(series=series, by=request.user)
    messages.success(request, _("The series has ended."))
    return redirect(group)


@login_required
def session_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = access.get_group_for_supervisor(request, pk)
    form = NewSessionForm(request.POST or None, initial={"title": group.name})
    return web.submit(
        request,
        form,
        lambda data: services.create_session(group=group, by=request.user, time_zone=request.user.time_zone, **data),
        template="supervision/form.html",
        context={"title": _("New single session"), "group": group},
        success=_("The session is scheduled; everyone in the group has been told."),
        next_url=lambda session: session,
    )


@login_required
def session_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = access.get_session(request, pk)
    return render(request, "supervision/session_detail.html", _session_context(request, session))


def _session_context(request: AuthenticatedHttpRequest, session: Session, **extra: Any) -> dict[str, Any]:
    supervises = selectors.is_supervisor(session.group, request.user)
    me = selectors.current_member(session.group, request.user)
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
def session_rsvp(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = access.get_session(request, pk)
    me = selectors.current_member(session.group, request.user)
    if me is None:
        raise Http404
    form = RsvpForm(request.POST)

    def answer(data: dict[str, Any]) -> Rsvp:
        rsvp = services.answer(session=session, membership=me, answer=data["answer"])
        if rsvp.is_waiting:
            messages.warning(request, _("The session is full. You are on the waiting list and will be told when a place frees up."))
        else:
            messages.success(request, _("Thank you for your answer."))
        return rsvp

    return web.submit(
        request,
        form,
        answer,
        template="supervision/session_detail.html",
        context=_session_context(request, session, rsvp_form=form),
        next_url=session,
    )


@login_required
def session_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = access.get_session_for_supervisor(request, pk)
    if session.is_cancelled:
        raise Http404
    initial = {
        "starts_at": timezone.localtime(session.starts_at),
        "ends_at": timezone.localtime(session.ends_at),
        "place": session.place,
        "video_url": session.video_url,
        "capacity": session.capacity,
        "agenda": session.agenda,
    }
    form = SessionForm(request.POST or None, initial=initial)
    return web.submit(
        request,
        form,
        lambda data: services.update_session(session=session, by=request.user, **data),
        template="supervision/form.html",
        context={"title": _("Move or change the session"), "group": session.group},
        success=_("The session was changed; the members have been told."),
        next_url=session,
    )


@login_required
def series_change(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Change the series of a session from this session on; earlier and held sessions stay."""
    session = access.get_session_for_supervisor(request, pk)
    series = session.series
    if series is None or series.ended_at is not None or session.has_started:
        raise Http404
    local_start = session.starts_at.astimezone(zoneinfo.ZoneInfo(session.time_zone))
    initial = {
        "frequency": series.frequency, "interval": series.interval, "nth": series.nth, "weekday": series.weekday,
        "rotation": series.rotation, "starts_on": local_start.date(), "local_time": local_start.time(),
        "place": series.place, "video_url": series.video_url,
    }
    form = SeriesChangeForm(request.POST or None, initial=initial)
    return web.submit(
        request,
        form,
        lambda data: services.change_series_from(session=session, by=request.user, **data),
        template="supervision/form.html",
        context={
            "title": _("Change the series from this session on"),
            "group": session.group,
            "intro": _(
                "The change applies to this session and every later one. Sessions that have taken place, "
                "and everyone's answers, stay as they are. The members are told."
            ),
        },
        success=_("The series was changed from this session on; the members have been told."),
        next_url=lambda new: new.sessions.order_by("series_index").first() or session.group,
    )


@login_required
def session_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = access.get_session_for_supervisor(request, pk)
    form = CancelForm(request.POST or None)
    return web.submit(
        request,
        form,
        lambda data: services.cancel_session(session=session, by=request.user, reason=data["reason"]),
        template="supervision/form.html",
        context={"title": _("Cancel the session"), "group": session.group, "danger": True},
        success=_("The session was cancelled; the members have been told."),
        next_url=session,
    )


@require_POST
@login_required
def session_attendance(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = access.get_session_for_supervisor(request, pk)
    members = [m.membership for m in GroupMember.objects.current().filter(group=session.group).select_related("membership__user")]
    form = AttendanceForm(request.POST, members=members)
    return web.submit(
        request,
        form,
        lambda data: services.record_attendance(session=session, by=request.user, attended=data["attended"]),
        template="supervision/session_detail.html",
        context=_session_context(request, session, attendance_form=form),
        success=_("Attendance recorded."),
        next_url=session,
    )


@require_POST
@login_required
def session_note(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = access.get_session(request, pk)
    form = NoteForm(request.POST)
    return web.submit(
        request,
        form,
        lambda data: services.add_note(session=session, by=request.user, text=data["text"]),
        template="supervision/session_detail.html",
        context=_session_context(request, session, note_form=form),
        success=_("Note saved."),
        next_url=session,
    )


@login_required
def session_ics(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    session = access.get_session(request, pk)
    response = HttpResponse(ical.calendar([session], name=session.group.name), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="supervision-{session.pk}.ics"'
    return response


# --- Date polls ---------------------------------------------------------------------------------


@login_required
def poll_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = access.get_group_for_supervisor(request, pk)
    form = PollForm(request.POST or None, initial={"title": group.name})
    return web.submit(
        request,
        form,
        lambda data: services.create_poll(
            group=group, by=request.user,
            title=data["title"], slots=data["slots"], duration_minutes=data["duration_minutes"],
            place=data["place"], video_url=data["video_url"], answer_by=data.get("answer_by"),
        ),
        template="supervision/form.html",
        context={"title": _("Find a date"), "group": group},
        success=_("The poll is open; the members have been asked."),
        next_url=lambda poll: poll,
    )


def _poll_context(request: AuthenticatedHttpRequest, poll: DatePoll, **extra: Any) -> dict[str, Any]:
    me = selectors.current_member(poll.group, request.user)
    slots = list(poll.slots.all())
    mine = {}
    if me is not None:
        mine = dict(PollAnswer.objects.filter(slot__poll=poll, membership=me).values_list("slot_id", "choice"))
    context: dict[str, Any] = {
        "poll": poll,
        "group": poll.group,
        "results": selectors.poll_results(poll),
        "supervises": selectors.is_supervisor(poll.group, request.user),
        "me": me,
    }
    context["takes_answers"] = poll.takes_answers(timezone.now())
    if me is not None and context["takes_answers"]:
        context["answer_form"] = PollAnswerForm(slots=slots, initial_choices=mine)
    context.update(extra)
    return context


@login_required
def poll_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    poll = access.get_poll(request, pk)
    return render(request, "supervision/poll_detail.html", _poll_context(request, poll))


@require_POST
@login_required
def poll_answer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    poll = access.get_poll(request, pk)
    me = selectors.current_member(poll.group, request.user)
    if me is None:
        raise Http404
    form = PollAnswerForm(request.POST, slots=list(poll.slots.all()), initial_choices={})
    return web.submit(
        request,
        form,
        lambda data: services.answer_poll(poll=poll, membership=me, choices=form.choices()),
        template="supervision/poll_detail.html",
        context=_poll_context(request, poll, answer_form=form),
        success=_("Thank you for your answer."),
        next_url=poll,
    )


@require_POST
@login_required
def poll_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    poll = access.get_poll_for_supervisor(request, pk)
    slot = None
    if request.POST.get("slot"):
        slot = poll.slots.filter(pk=request.POST["slot"]).first() if request.POST["slot"].isdigit() else None
        if slot is None:
            raise Http404
    try:
        session = services.decide_poll(poll=poll, by=request.user, slot=slot)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        context = _poll_context(request, poll, decide_errors=error.messages)
        return render(request, "supervision/poll_detail.html", context, status=web.INVALID)
    messages.success(request, _("The session is scheduled; everyone in the group has been told."))
    return redirect(session)


# --- Calendar -----------------------------------------------------------------------------------


@require_POST
@login_required
def calendar_renew(request: AuthenticatedHttpRequest) -> HttpResponse:
    token = services.renew_feed(user=request.user)
    # Shown once, on the next page; only its hash is stored.
    request.session["supervision_feed_token"] = token
    messages.success(request, _("Your new calendar address is ready. The previous address no longer works."))
    return redirect(reverse("supervision:overview") + "#calendar")


@require_POST
@login_required
def calendar_off(request: AuthenticatedHttpRequest) -> HttpResponse:
    if services.switch_off_feed(user=request.user):
        messages.success(request, _("Your calendar address is switched off. Calendars that used it no longer receive your sessions."))
    else:
        messages.info(request, _("You have no calendar address switched on."))
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
    # A calendar app fetches without a session: the feed speaks its owner's language.
    with translation.override(feed.user.preferred_language or settings.LANGUAGE_CODE):
        body = ical.calendar(sessions, name=_("Peer supervision"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store, private"
    return response
