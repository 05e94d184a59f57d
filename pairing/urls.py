"""URLs of the tandem-pairing domain."""

from django.urls import path

from . import views

app_name = "tandems"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("all/", views.tandem_list, name="list"),
    path("without-mentor/", views.without_mentor, name="without_mentor"),
    path("overdue-reflections/", views.overdue_reflections, name="overdue_reflections"),
    path("support/", views.support_list, name="support_list"),
    path("propose/", views.propose, name="propose"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("settings/", views.pairing_settings, name="settings"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/getting-to-know/", views.getting_to_know, name="getting_to_know"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/decline/", views.decline, name="decline"),
    path("<int:pk>/pause/", views.pause, name="pause"),
    path("<int:pk>/resume/", views.resume, name="resume"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/reflections/new/", views.reflection_new, name="reflection_new"),
    path("reflections/<int:pk>/share/", views.reflection_share, name="reflection_share"),
    path("<int:pk>/support/new/", views.support_new, name="support_new"),
    path("support/<int:pk>/", views.support_detail, name="support_detail"),
    path("support/<int:pk>/meeting/", views.support_meeting, name="support_meeting"),
    path("support/<int:pk>/end/", views.support_end, name="support_end"),
]
