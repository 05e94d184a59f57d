from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def trivial(request: HttpRequest) -> HttpResponse:
    """The floor for this stack: a view that touches nothing but the middleware."""
    return HttpResponse("ok", content_type="text/plain")
