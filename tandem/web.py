"""The one way a view is written in Tandem: access → form → service → redirect.

Every app's views use these helpers, so a refused action, an invalid form and a destructive action
look and behave the same everywhere: errors next to the fields they concern (or on top), status 422
for a form sent back with errors, one confirmation page before anything that cannot be undone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, TypeVar, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from .idempotency import OnceFormMixin, once

M = TypeVar("M", bound=models.Model)
T = TypeVar("T")

# A form sent back with errors: the request was understood but cannot be carried out as it is.
INVALID = 422


def get_or_404(queryset: QuerySet[M], pk: object) -> M:
    """One object of an already scoped queryset; a missing, foreign or malformed id is the same 404."""
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (or on top of the form)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def status_for(*bound: forms.BaseForm | None) -> int:
    """200, or 422 when any of the forms was sent back with errors."""
    return INVALID if any(form is not None and form.is_bound and form.errors for form in bound) else 200


def render_form(
    request: HttpRequest, template: str, context: dict[str, Any], *bound: forms.BaseForm | None
) -> HttpResponse:
    """Render a page with forms; 422 when one of them carries errors.

    ``invalid_forms`` tells the base layout that the page was sent back with errors (its title then
    starts with "Error:"), whatever name the page gives the form.
    """
    invalid = [form for form in bound if form is not None and form.is_bound and form.errors]
    return render(request, template, {**context, "invalid_forms": invalid}, status=INVALID if invalid else 200)


def submit(
    request: HttpRequest,
    form: forms.BaseForm,
    service: Callable[[dict[str, Any]], T],
    *,
    template: str,
    context: dict[str, Any] | None = None,
    success: str = "",
    next_url: Callable[[T], Any] | Any,
) -> HttpResponse:
    """Form → service → redirect; or the page again with the form's (and the service's) errors, 422.

    A form with ``OnceFormMixin`` creates its object once, however often it is sent.

    ``service`` receives the cleaned data; ``next_url`` is a URL, a model instance or a callable
    that turns the service's result into one of them.
    """
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if isinstance(form, OnceFormMixin):
                # A form that creates something: a resubmit gets what the first post created.
                result = once(user=request.user, token=form.submission_token, create=cast(Callable[[], Any], partial(service, data)))
            else:
                result = service(data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if success:
                messages.success(request, success)
            return redirect(next_url(result) if callable(next_url) else next_url)
    return render_form(request, template, {"form": form, **(context or {})}, form)


def act(
    request: HttpRequest, service: Callable[[], Any], *, success: str, next_url: Any, refused_url: Any = None
) -> HttpResponse:
    """An action without a form (a button): do it, or say why not; either way back to a page."""
    try:
        service()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(refused_url if refused_url is not None else next_url)
    messages.success(request, success)
    return redirect(next_url)


def confirm(
    request: HttpRequest,
    *,
    title: str,
    question: str,
    cancel_url: str,
    button: str,
    action: str = "",
    warnings: Iterable[str] = (),
    extra_fields: Iterable[tuple[str, Any]] = (),
    status: int = 200,
) -> HttpResponse:
    """The confirmation page before a destructive or weighty action (GET shows it, POST does it)."""
    return render(
        request,
        "confirm.html",
        {
            "title": title,
            "question": question,
            "action": action or request.path,
            "cancel_url": cancel_url,
            "button": button,
            "warnings": list(warnings),
            "extra_fields": list(extra_fields),
        },
        status=status,
    )


def refused(request: HttpRequest, error: ValidationError, *, back_url: str, back_label: str) -> HttpResponse:
    """A page saying why an action cannot be done, with the way back (422)."""
    return render(
        request,
        "refused.html",
        {"errors": error.messages, "refused_errors": True, "back_url": back_url, "back_label": back_label},
        status=INVALID,
    )
