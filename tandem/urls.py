from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("notifications/", include("tandem.notifications.urls")),
    path("tandems/", include("pairing.urls")),
    path("mentoring/", include("mentoring.urls")),
    path("supervision/", include("supervision.urls")),
    path("reports/", include("reports.urls")),
    path("privacy/", include("tandem.privacy_urls")),
    path("admin/", admin.site.urls),
]

