"""A stand-in for a feature's view that changes something and notifies, in one transaction."""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_POST

from tandem.notifications import services


@require_POST
@login_required
def change(request: HttpRequest) -> HttpResponse:
    with transaction.atomic():
        services.notify(
            recipients=[request.user], kind="notifications.welcome", event_key=f"change:{request.POST['n']}",
            url="/notifications/",
        )
    return HttpResponse("changed")


urlpatterns = [path("test-change/", change), path("", include("tandem.urls"))]
