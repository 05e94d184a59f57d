from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.centre, name="centre"),
    path("read/", views.mark_read, name="mark_read"),
    path("settings/", views.preferences, name="preferences"),
    path("<int:pk>/read/", views.mark_one_read, name="mark_one_read"),
    path("<int:pk>/open/", views.open_notification, name="open"),
]
