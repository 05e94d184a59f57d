"""A Redis cache that keeps the site working while Redis is away.

The cache holds allauth's rate-limit counters. If Redis is unreachable, Django's RedisCache
raises and every sign-in would answer 500; this backend falls back to the process's own memory
instead, so sign-in keeps working and the lockout still counts failures (per process) until Redis
is back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self.fallback = LocMemCache(f"tandem-fallback-{id(self)}", {"TIMEOUT": params.get("TIMEOUT", 300)})


def _with_fallback(name: str) -> Callable[..., Any]:
    redis_method = getattr(RedisCache, name)

    def method(self: ResilientRedisCache, *args: Any, **kwargs: Any) -> Any:
        try:
            return redis_method(self, *args, **kwargs)
        except UNREACHABLE as error:
            logger.warning("Redis cache unreachable (%s); using this process's memory.", type(error).__name__)
            return getattr(self.fallback, name)(*args, **kwargs)

    method.__name__ = name
    return method


for _name in ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many", "clear"):
    setattr(ResilientRedisCache, _name, _with_fallback(_name))
