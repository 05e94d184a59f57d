"""Confidential text never reaches the logs or error reports, even when handling it fails."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import CONFIDENTIAL_TEXT

SECRET_REPLY = "VERTRAULICH-91c2: Ich habe Angst, dass das Team es erfährt."


class LogOutput:
    """What the configured log handlers (settings.LOGGING) actually write, read back as text."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.handlers = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
        assert self.handlers, "settings.LOGGING configures a console handler on the root logger"
        self.previous = [h.setStream(self.stream) for h in self.handlers]

    def close(self) -> str:
        for handler, stream in zip(self.handlers, self.previous, strict=True):
            handler.setStream(stream)
        return self.stream.getvalue()


@pytest.fixture
def log_output() -> Iterator[LogOutput]:
    output = LogOutput()
    try:
        yield output
    finally:
        output.close()


def _logged_text(output: LogOutput) -> str:
    return output.stream.getvalue()


def _client(who: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(who.user)
    return client


def test_a_bug_while_posting_a_message_logs_no_confidential_text(world: Any, log_output: LogOutput, monkeypatch: Any) -> None:
    from mentoring import services

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the mail server said no")

    monkeypatch.setattr(services, "post_message", broken)
    irritation = world.objects["irritation"]
    response = _client(world.cast.peer).post(
        reverse("mentoring:irritation_message", args=[irritation.pk]), {"body": SECRET_REPLY}
    )
    assert response.status_code == 500
    assert "Internal Server Error" in _logged_text(log_output), "the error itself is logged"
    assert SECRET_REPLY not in _logged_text(log_output)
    assert CONFIDENTIAL_TEXT not in _logged_text(log_output)


def test_a_database_error_does_not_echo_the_confidential_row_into_the_log(
    world: Any, log_output: LogOutput, monkeypatch: Any
) -> None:
    """PostgreSQL reports 'Failing row contains (...)' with the row's values: that must not reach a log."""
    from mentoring.models import IrritationMessage

    original = IrritationMessage.objects.create

    def create_without_author(**kwargs: Any) -> Any:
        kwargs.pop("author", None)
        return original(author_id=None, **kwargs)  # NOT NULL violation, the row echoed by the server

    monkeypatch.setattr(IrritationMessage.objects, "create", create_without_author)
    irritation = world.objects["irritation"]
    response = _client(world.cast.peer).post(
        reverse("mentoring:irritation_message", args=[irritation.pk]), {"body": SECRET_REPLY}
    )
    assert response.status_code == 500
    assert SECRET_REPLY not in response.content.decode()
    text = _logged_text(log_output)
    assert 'django.db.utils.IntegrityError: null value in column "author_id"' in text, "the fault is logged"
    assert SECRET_REPLY not in text
    assert not IrritationMessage.objects.filter(body=SECRET_REPLY).exists(), "no partial write"


@pytest.mark.parametrize("who", ["peer", "mentor"])
def test_reading_an_irritation_logs_no_confidential_text(world: Any, log_output: LogOutput, who: str) -> None:
    irritation = world.objects["irritation"]
    response = _client(getattr(world.cast, who)).get(irritation.get_absolute_url())
    assert response.status_code == 200
    assert CONFIDENTIAL_TEXT in response.content.decode()
    assert CONFIDENTIAL_TEXT not in _logged_text(log_output)
