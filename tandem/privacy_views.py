"""Privacy pages: download my data, erase a person who left, the record of processing."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts import access

from . import privacy


@require_GET
@never_cache
@login_required
def export(request: HttpRequest) -> HttpResponse:
    """Everything Tandem keeps about me, as a JSON file (GDPR Art. 15 and 20)."""
    document = privacy.export_for(request.user)  # type: ignore[arg-type]
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    filename = f"tandem-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    """An org admin erases a person who has left their organisation (GDPR Art. 17)."""
    member = access.get_member_for_manager(request, pk)
    access.admin_membership(request)
    refusal = privacy.erasure_refusal(member)
    context = {"member": member, "refusal": refusal, "entries": sorted(privacy.registry().values(), key=lambda e: e.label)}
    if request.method == "POST":
        try:
            privacy.erase_person(membership=member, by=request.user)  # type: ignore[arg-type]
        except ValidationError as error:
            context["refusal"] = " ".join(error.messages)
            return render(request, "privacy/erase.html", context, status=422)
        messages.success(request, _("The person's personal data was erased; a pseudonym remains in the history."))
        return redirect("accounts:member_list")
    return render(request, "privacy/erase.html", context)


@login_required
def record_of_processing(request: HttpRequest) -> HttpResponse:
    """What the organisation keeps about people, why and for how long (GDPR Art. 30), from the registry."""
    entries = sorted(privacy.registry().values(), key=lambda e: str(e.model._meta.verbose_name_plural).lower())
    rows = [
        {
            "name": entry.model._meta.verbose_name_plural,
            "fields": [
                f.verbose_name
                for f in entry.model._meta.concrete_fields
                if (entry.fields is None or f.attname in entry.fields or f.name in entry.fields)
                and f.name not in privacy.SECRET_FIELDS
                and not f.primary_key
            ],
            "entry": entry,
        }
        for entry in entries
    ]
    return render(request, "privacy/record.html", {"rows": rows})
