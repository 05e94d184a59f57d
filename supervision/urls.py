from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("groups/", views.group_list, name="group_list"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<int:pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:pk>/members/", views.member_add, name="member_add"),
    path("groups/<int:pk>/members/<int:member_pk>/remove/", views.member_remove, name="member_remove"),
    path("groups/<int:pk>/supervisors/", views.supervisor_add, name="supervisor_add"),
    path("groups/<int:pk>/share/", views.share_request, name="share_request"),
    path("groups/<int:pk>/series/new/", views.series_create, name="series_create"),
    path("groups/<int:pk>/series/<int:series_pk>/end/", views.series_end, name="series_end"),
    path("groups/<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("groups/<int:pk>/polls/new/", views.poll_create, name="poll_create"),
    path("groups/<int:pk>/statistics/", views.group_statistics, name="group_statistics"),
    path("shares/", views.share_list, name="share_list"),
    path("shares/<int:pk>/accept/", views.share_accept, name="share_accept"),
    path("organisation/", views.organisation_rate, name="organisation_rate"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/answer/", views.session_rsvp, name="session_rsvp"),
    path("sessions/<int:pk>/change/", views.session_edit, name="session_edit"),
    path("sessions/<int:pk>/change-series/", views.series_change, name="series_change"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session_cancel"),
    path("sessions/<int:pk>/attendance/", views.session_attendance, name="session_attendance"),
    path("sessions/<int:pk>/notes/", views.session_note, name="session_note"),
    path("sessions/<int:pk>/calendar.ics", views.session_ics, name="session_ics"),
    path("polls/<int:pk>/", views.poll_detail, name="poll_detail"),
    path("polls/<int:pk>/answer/", views.poll_answer, name="poll_answer"),
    path("polls/<int:pk>/decide/", views.poll_decide, name="poll_decide"),
    path("calendar/renew/", views.calendar_renew, name="calendar_renew"),
    path("calendar/off/", views.calendar_off, name="calendar_off"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
