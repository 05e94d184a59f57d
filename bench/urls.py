"""The project's URLs plus the floor the benchmark compares pages with."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("bench/trivial/", views.trivial, name="trivial"),
    path("", include("tandem.urls")),
]
