"""Privacy pages for everyone signed in: download my data, the record of processing."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import field_names, privacy


@require_GET
@never_cache
@login_required
def export(request: HttpRequest) -> HttpResponse:
    """Everything Tandem keeps about me, as a JSON file (GDPR Art. 15 and 20)."""
    document = privacy.export_for(request.user)
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    filename = f"tandem-my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
def record_of_processing(request: HttpRequest) -> HttpResponse:
    """What the organisation keeps about people, why and for how long (GDPR Art. 30), from the registry."""
    entries = sorted(privacy.registry().values(), key=lambda e: str(e.model._meta.verbose_name_plural).lower())
    rows = [
        {
            "name": entry.model._meta.verbose_name_plural,
            "fields": [
                field_names.label(f)
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
