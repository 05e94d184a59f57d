"""Cached fragments of derived pages that are never stale: keyed by the version of what they show.

A page that aggregates many rows (the team lead's dashboard) may cache what it rendered under the
*version* of its inputs. Apps declare which models a name depends on (``watch``); every save or
delete of such a model, and every bulk write that bypasses the model's signals (``changed``),
bumps the version, so the next request renders afresh. Nothing expires by time: a fragment is
either current or unreachable.

The version is bumped twice: at once (so that the writing transaction itself, and tests that never
commit, see fresh numbers) and again after the commit (a request that read the version between the
first bump and the commit may have cached the old rows under the new version; the second bump
makes that entry unreachable). A request reads the version before it reads the rows, so whatever
it caches is at least as new as its version.

Caching is on only where every process shares the cache (Redis) or there is one process
(process memory outside production). While Redis is unreachable, nothing is cached or read from
the cache: a process's own memory could hold what another process has already changed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models.signals import post_delete, post_save

from .cache import UNREACHABLE

_watched: dict[type[models.Model], set[str]] = {}
# A fragment is kept at most this long unused (a bound on memory, not on freshness).
KEEP_SECONDS = 24 * 3600


def _backend() -> Any:
    return caches["default"]


def enabled() -> bool:
    backend = _backend()
    if isinstance(backend, RedisCache):
        return True
    return isinstance(backend, LocMemCache) and not getattr(settings, "PRODUCTION", False)


def _call(name: str, *args: Any) -> Any:
    """A cache call straight to Redis (no fallback to this process's memory); raises if unreachable."""
    backend = _backend()
    if isinstance(backend, RedisCache):
        return getattr(RedisCache, name)(backend, *args)
    return getattr(backend, name)(*args)


def _scope() -> str:
    """Which database the cached rows come from: two sites (or a test run) sharing one Redis must
    never see each other's versions or fragments."""
    db = connections[DEFAULT_DB_ALIAS].settings_dict
    return f"{db.get('HOST') or ''}:{db.get('PORT') or ''}/{db.get('NAME')}"


def _key(name: str) -> str:
    return f"tandem:freshness:{_scope()}:{name}"


def version(name: str) -> int | None:
    """The current version of ``name``, or None when caching is off or the cache is unreachable."""
    if not enabled():
        return None
    try:
        value = _call("get", _key(name))
        if value is None:
            # A fresh start value never repeats an earlier one, should the key have been evicted.
            value = time.time_ns()
            _call("set", _key(name), value, None)
        return int(value)
    except UNREACHABLE:
        return None


def bump(name: str) -> None:
    def now() -> None:
        if not enabled():
            return
        try:
            try:
                _call("incr", _key(name), 1)
            except ValueError:  # missing key: any new value invalidates
                _call("set", _key(name), time.time_ns(), None)
        except UNREACHABLE:
            pass  # nothing is read from the cache while it is unreachable either

    now()
    transaction.on_commit(now)


def changed(model: type[models.Model]) -> None:
    """Rows of ``model`` were written without its signals (a queryset update, a bulk insert)."""
    for name in _watched.get(model, set()):
        bump(name)


def _on_write(sender: type[models.Model], **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    changed(sender)


def watch(name: str, *watched: type[models.Model]) -> None:
    """``name`` is derived from these models: any save or delete of them makes it stale."""
    for model in watched:
        _watched.setdefault(model, set()).add(name)
        post_save.connect(_on_write, sender=model, dispatch_uid=f"freshness:{model._meta.label}")
        post_delete.connect(_on_write, sender=model, dispatch_uid=f"freshness:{model._meta.label}")


def cached(name: str, key: str, render: Callable[[], str]) -> str:
    """``render()``, or what it returned before under the current version of ``name``."""
    current = version(name)
    if current is None:
        return render()
    full = f"tandem:fragment:{_scope()}:{name}:{current}:{key}"
    try:
        hit = _call("get", full)
    except UNREACHABLE:
        return render()
    if hit is not None:
        return str(hit)
    text = render()
    try:
        _call("set", full, text, KEEP_SECONDS)
    except UNREACHABLE:
        pass
    return text
