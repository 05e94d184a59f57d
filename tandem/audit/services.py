"""Writing to the audit trail. Call inside the transaction of the change being recorded."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent

# Longer strings are free text, and free text is where confidential content leaks in.
MAX_DETAIL_TEXT = 64


def _check_detail(value: Any, path: str = "detail") -> None:
    """``detail`` holds facts (ids, field names, states), never prose: refuse anything else."""
    if value is None or isinstance(value, bool | int | float):
        return
    if isinstance(value, str):
        if len(value) > MAX_DETAIL_TEXT:
            raise ValueError(f"{path} looks like free text; audit events never store confidential text.")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_detail(item, f"{path}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _check_detail(item, f"{path}[{key!r}]")
        return
    raise ValueError(f"{path} must hold plain ids, names and states, not {type(value).__name__}.")


def event(
    *,
    actor: Any | None,
    action: str,
    obj: models.Model | None = None,
    organisation: Any | None = None,
    outcome: str = AuditEvent.Outcome.OK,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """One audit event, checked and not yet saved (``record_all`` writes many in one insert)."""
    _check_detail(detail or {})
    if organisation is None and obj is not None:
        organisation = getattr(obj, "organisation", None)
    return AuditEvent(
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        action=action,
        organisation=organisation,
        outcome=outcome,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        detail=detail or {},
    )


def record(
    *,
    actor: Any | None,
    action: str,
    obj: models.Model | None = None,
    organisation: Any | None = None,
    outcome: str = AuditEvent.Outcome.OK,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event. ``detail`` must never carry confidential text (long strings are refused)."""
    pending = event(actor=actor, action=action, obj=obj, organisation=organisation, outcome=outcome, detail=detail)
    pending.save(force_insert=True)
    return pending


def record_all(events: list[AuditEvent]) -> list[AuditEvent]:
    """Append many events built with ``event()`` in one insert (a sweep's steps)."""
    return AuditEvent.objects.bulk_create(events, batch_size=500)


def record_read(*, reader: Any, obj: models.Model, author: Any | None = None) -> AuditEvent | None:
    """Record a read of confidential content by anyone other than its author."""
    if author is not None and reader == author:
        return None
    return record(actor=reader, action="read", obj=obj)


def timeline(obj: models.Model) -> models.QuerySet[AuditEvent]:
    """The history of one object, newest first, for pages that show a timeline to others.

    Private actions (a professional's disclosure choices) are never in it."""
    return AuditEvent.objects.for_object(obj).shown_to_others().select_related("actor")
