"""URLs of the tandem-pairing domain."""

from django.urls import path

from . import views

app_name = "tandems"
urlpatterns = [
    path("<int:pk>/", views.home, name="detail"),
]
