"""Navigation and start-page items, contributed by each app in its AppConfig.ready().

The base layout shows a user only the entries of the roles they hold; the start page asks each
app what needs the user's attention.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    # Roles (accounts.models.Role values) that see the entry; empty means every signed-in user.
    roles: frozenset[str] = field(default_factory=frozenset)
    order: int = 100

    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class AttentionItem:
    text: Any
    url: str
    count: int | None = None


NAV_ITEMS: list[NavItem] = []
ATTENTION_PROVIDERS: list[Callable[[HttpRequest], list[AttentionItem]]] = []


def register_nav(*items: NavItem) -> None:
    NAV_ITEMS.extend(items)
    NAV_ITEMS.sort(key=lambda item: item.order)


def register_attention(provider: Callable[[HttpRequest], list[AttentionItem]]) -> None:
    ATTENTION_PROVIDERS.append(provider)


def roles_of(request: HttpRequest) -> set[str]:
    membership = getattr(request, "membership", None)
    return {str(role) for role in membership.roles} if membership else set()


def nav_for(request: HttpRequest) -> list[NavItem]:
    if not request.user.is_authenticated:
        return []
    roles = roles_of(request)
    return [item for item in NAV_ITEMS if not item.roles or item.roles & roles]


def attention_for(request: HttpRequest) -> list[AttentionItem]:
    items: list[AttentionItem] = []
    for provider in ATTENTION_PROVIDERS:
        items.extend(provider(request))
    return items
