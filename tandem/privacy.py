"""The personal-data registry: what Tandem keeps about people, why, for how long, and how it is
exported (GDPR Art. 15/20) and erased (Art. 17).

Every model that holds personal data has one entry, registered by the app that owns the model in
its ``AppConfig.ready()``. The same registry drives the JSON export a person downloads, the erasure
of a person who left, and the record of processing (Art. 30) page, so the three cannot drift apart.
tests/trust/test_privacy.py fails for a model with personal data that no app registered.

Apps also register what must hold before a person can be erased (``register_erasure_check``) and
what else must forget her (``register_erasure_step``): the kernel knows people only as
``get_user_model()`` rows.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

EMPLOYMENT = _("Employment relationship (Art. 6(1)(b) GDPR, § 26 BDSG)")
WHILE_MEMBER = _("While the person is a member; erased on request after they leave.")
WITH_ORGANISATION = _("As long as the organisation uses Tandem; pseudonymised when the person is erased.")
AUDIT = _("Kept as evidence of who read or changed personal data; the person appears as a pseudonym after erasure.")

# What happens to a model's rows about a person when they are erased.
DELETE = "delete"  # the rows go
KEEP = "keep"  # the rows stay and point to the pseudonymised person (tandems, audit trail, history)

# (the person, what identified her: email, name, pseudonym) -> None
Eraser = Callable[[Any, dict[str, Any]], None]


@dataclass(frozen=True)
class Entry:
    label: str  # "app_label.ModelName"
    purpose: Any
    retention: Any
    # Lookups from the model to the person (a user): rows matching any of them concern the person.
    subject: tuple[str, ...]
    erase: str | Eraser = DELETE
    # Exported fields (None: every concrete field). Secrets (password hashes, tokens) never are.
    fields: tuple[str, ...] | None = None
    special_category: bool = False  # GDPR Art. 9: lived experience of crisis, confidential conflicts
    legal_basis: Any = None  # None: the employment relationship (see EMPLOYMENT)
    # (field, lookup to a person): a field that is that person's data alone, so it is in her export
    # and in nobody else's the row concerns (a mentor's private note on a talk with a peer).
    owned_by: tuple[tuple[str, str], ...] = ()

    @property
    def basis(self) -> Any:
        return self.legal_basis or EMPLOYMENT

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    def rows(self, user: Any) -> models.QuerySet[Any]:
        if not self.subject:  # not linked by a column (sessions): an erasure step handles them
            return self.model._base_manager.none()
        condition = Q()
        for lookup in self.subject:
            condition |= Q(**{lookup: user.pk})
        return self.model._base_manager.filter(condition).distinct()


_REGISTRY: dict[str, Entry] = {}
_ERASURE_CHECKS: list[Callable[[Any], str | None]] = []
_ERASURE_STEPS: list[tuple[int, Eraser]] = []


def register(label: str, **options: Any) -> Entry:
    """Register the personal-data handling of one model (from the owning app's ``ready()``)."""
    entry = Entry(label=label, **options)
    _REGISTRY[label] = entry
    return entry


def registry() -> dict[str, Entry]:
    return dict(_REGISTRY)


def register_erasure_check(check: Callable[[Any], str | None]) -> None:
    """``check(user)`` says why the person cannot be erased yet, or None."""
    _ERASURE_CHECKS.append(check)


def register_erasure_step(step: Eraser, *, order: int = 50) -> None:
    """``step(user, identity)`` runs during an erasure; lower ``order`` first, the person's own row last."""
    _ERASURE_STEPS.append((order, step))
    _ERASURE_STEPS.sort(key=lambda item: item[0])

# --- Logs -----------------------------------------------------------------------------------------

# PostgreSQL echoes the values of a rejected row ("DETAIL: Failing row contains (..., <text>, ...)",
# "Key (title)=(<text>) already exists"): an error while saving an irritation would copy its
# confidential text into the log. The console handler (settings.LOGGING) redacts such details.
_DETAIL = re.compile(r"^(\s*DETAIL:).*$", re.MULTILINE)
_FAILING_ROW = re.compile(r"Failing row contains \(.*?\)(?=\.?\s*$)", re.MULTILINE | re.DOTALL)
_KEY_VALUE = re.compile(r"Key \(([^)]*)\)=\(.*?\)(?= already exists| is not present| conflicts)")


def redact(text: str) -> str:
    text = _DETAIL.sub(r"\1 [redacted]", text)
    text = _FAILING_ROW.sub("Failing row contains [redacted]", text)
    return _KEY_VALUE.sub(r"Key (\1)=([redacted])", text)


class RedactDatabaseDetail(logging.Filter):
    """Removes row values echoed by the database from log records (message and traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken log call must not break logging
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


# --- Export -------------------------------------------------------------------------------------

SECRET_FIELDS = {"password", "token_hash", "secret", "data", "session_key", "session_data", "dedupe_key"}


def _export_rows(entry: Entry, user: Any) -> list[dict[str, Any]]:
    model = entry.model
    names = entry.fields or tuple(
        f.attname for f in model._meta.concrete_fields if f.name not in SECRET_FIELDS and f.attname not in SECRET_FIELDS
    )
    owners = {f"_owner_{i}": F(lookup) for i, (_field, lookup) in enumerate(entry.owned_by)}
    rows = list(entry.rows(user).order_by("pk").values(*names, **owners))
    for row in rows:
        for i, (owned, _lookup) in enumerate(entry.owned_by):
            if row.pop(f"_owner_{i}") != user.pk:
                row.pop(owned, None)
    return rows


def export_for(user: Any) -> dict[str, Any]:
    """Everything Tandem keeps about ``user``, as JSON-able data, one section per registered model."""
    data: dict[str, Any] = {}
    for label, entry in sorted(registry().items()):
        rows = _export_rows(entry, user)
        if rows:
            data[label] = {"description": str(entry.model._meta.verbose_name_plural), "purpose": str(entry.purpose), "rows": rows}
    document = {
        "generated_at": timezone.now(),
        "person": {"id": user.pk, "email": user.email, "name": user.get_full_name()},
        "data": data,
    }
    # Dates, decimals and UUIDs become strings: the result survives json.dumps unchanged.
    return json.loads(json.dumps(document, cls=DjangoJSONEncoder))


# --- Erasure ------------------------------------------------------------------------------------


def pseudonym(user: Any) -> str:
    return str(_("Former member %(number)s") % {"number": user.pk})


def erasure_refusal(user: Any) -> str | None:
    """Why this person cannot be erased yet (None: they can)."""
    if user.erased_at is not None:
        return str(_("This person has already been erased."))
    for check in _ERASURE_CHECKS:
        refusal = check(user)
        if refusal:
            return refusal
    return None


@transaction.atomic
def erase_person(*, user: Any) -> Any:
    """Erase a person: registered rows are deleted or kept pointing to a pseudonym, then every
    registered erasure step runs (the person's own row last). The caller records who asked for it
    in the audit trail, in the same transaction."""
    user = get_user_model().objects.select_for_update().get(pk=user.pk)
    refusal = erasure_refusal(user)
    if refusal:
        raise ValidationError(str(refusal))
    # What identified them, so that copies elsewhere (notification texts, admin log) can be scrubbed.
    identity = {"email": user.email, "name": user.get_full_name(), "pseudonym": pseudonym(user)}
    # Their own rows go first; handlers that rewrite rows after, then the steps.
    for entry in sorted(_REGISTRY.values(), key=lambda e: (e.erase != DELETE, e.label)):
        if entry.erase == DELETE:
            entry.rows(user).delete()
        elif callable(entry.erase):
            entry.erase(user, identity)
    for _order, step in _ERASURE_STEPS:
        step(user, identity)
    user.refresh_from_db()
    return user


