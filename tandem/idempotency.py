"""Form posts that create something happen once per form, however often the form is sent.

The form is issued with a hidden token (``OnceFormMixin``); the view creates through ``once()``,
which stores the token with the created object in the same transaction. A resubmit (after an
error page for a write that had in fact committed, a double click, the back button) finds the
token and gets the first object back, so the view redirects to what the first post created.
Two posts racing with the same token meet at the unique constraint: the second waits for the
first, then returns its object.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction

from .models import Submission

T = TypeVar("T", bound=models.Model)
FIELD = "submission_token"


class OnceFormMixin:
    """Adds the hidden token; after validation it is ``form.submission_token``, not in cleaned_data
    (so services called with ``**form.cleaned_data`` never see it)."""

    submission_token: uuid.UUID | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[FIELD] = forms.UUIDField(widget=forms.HiddenInput, required=False, initial=uuid.uuid4)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        self.submission_token = cleaned.pop(FIELD, None)
        return cleaned


def _earlier(user: Any, token: uuid.UUID, model: type[models.Model] | None = None) -> models.Model | None:
    submission = Submission.objects.filter(user=user, token=token).select_related("content_type").first()
    if submission is None or submission.content_type is None:
        return None
    return submission.content_type.get_object_for_this_type(pk=submission.object_id)


def once(*, user: Any, token: uuid.UUID | None, create: Callable[[], T]) -> T:
    """``create()`` once per (user, token); a repeat returns what the first call created."""
    if token is None:  # a form from before tokens existed, or a client without the field
        return create()
    earlier = _earlier(user, token)
    if earlier is not None:
        return earlier  # type: ignore[return-value]
    try:
        with transaction.atomic():
            # The token first: a racing second post blocks here until the first commits.
            submission = Submission.objects.create(user=user, token=token)
            created = create()
            submission.content_type = ContentType.objects.get_for_model(created, for_concrete_model=False)
            submission.object_id = str(created.pk)
            submission.save(update_fields=["content_type", "object_id"])
    except IntegrityError:
        earlier = _earlier(user, token)
        if earlier is None:
            raise
        return earlier  # type: ignore[return-value]
    return created
