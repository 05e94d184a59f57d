"""URLs of the privacy pages (mounted at /privacy/)."""

from django.urls import path

from . import privacy_views as views

app_name = "privacy"
urlpatterns = [
    path("my-data.json", views.export, name="export"),
    path("record/", views.record_of_processing, name="record"),
]
