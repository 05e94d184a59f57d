"""Demo data for `make run` and the browser tests, contributed by each app in its ``ready()``.

The first seeder (accounts) builds the demo organisation and returns the object every later
seeder receives; each seeder is idempotent, so `seed_demo` can run again on the same database.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# Every demo login uses it; shown by `seed_demo` and `make run`, never used outside the demo.
DEMO_PASSWORD = "tandem-demo-2026"

_SEEDERS: list[tuple[int, Callable[[Any], Any]]] = []
_LOGINS: list[Callable[[], list[tuple[str, str]]]] = []


def register_demo(seed: Callable[[Any], Any], *, order: int) -> None:
    """``seed(demo)`` adds an app's demo content; the seeder of ``order`` 0 creates ``demo``."""
    _SEEDERS.append((order, seed))
    _SEEDERS.sort(key=lambda item: item[0])


def register_demo_logins(logins: Callable[[], list[tuple[str, str]]]) -> None:
    """``logins()`` lists (e-mail, what the person does) for the demo's sign-in table."""
    _LOGINS.append(logins)


def seed_all() -> Any:
    demo: Any = None
    for _order, seed in _SEEDERS:
        result = seed(demo)
        if demo is None:
            demo = result
    return demo


def logins() -> list[tuple[str, str]]:
    return [login for provider in _LOGINS for login in provider()]
