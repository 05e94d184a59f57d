from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    # /health/ stays what monitors already poll: readiness, served directly (not a redirect, which
    # a probe that does not follow redirects would misread).
    path("health/", views.health_ready, name="health"),
    path("health/live/", views.health_live, name="health_live"),
    path("health/ready/", views.health_ready, name="health_ready"),
    path("status/", views.system_status, name="system_status"),
    path("leichte-sprache/", views.easy_read, name="easy_read"),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("notifications/", include("tandem.notifications.urls")),
    path("tandems/", include("pairing.urls")),
    path("mentoring/", include("mentoring.urls")),
    path("supervision/", include("supervision.urls")),
    path("volunteering/", include("volunteering.urls")),
    path("reports/", include("reports.urls")),
    path("privacy/", include("tandem.privacy_urls")),
    path("admin/", admin.site.urls),
]

