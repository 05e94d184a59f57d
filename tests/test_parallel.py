"""The suite runs on pytest-xdist workers: each worker gets its own Redis database (and test database)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.settings import _redis_for_worker


def test_worker_n_uses_the_base_redis_database_plus_n() -> None:
    assert _redis_for_worker("redis://127.0.0.1:6379/10", 0) == "redis://127.0.0.1:6379/10"
    assert _redis_for_worker("redis://:secret@redis.internal:6380/10", 3) == "redis://:secret@redis.internal:6380/13"
    assert _redis_for_worker("redis://127.0.0.1:6379", 1) == "redis://127.0.0.1:6379/1"


def test_a_worker_beyond_the_last_redis_database_is_refused() -> None:
    with pytest.raises(ImproperlyConfigured, match="Redis database 16"):
        _redis_for_worker("redis://127.0.0.1:6379/14", 2)

