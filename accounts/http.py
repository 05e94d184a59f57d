"""The request a signed-in view receives: typed, so views pass ``request.user`` to services as it is."""

from __future__ import annotations

from django.http import HttpRequest

from .models import Membership, User


class AuthenticatedHttpRequest(HttpRequest):
    """A request behind ``login_required``: the user is a real person, with the membership the
    MembershipMiddleware chose (the organisation she works in now), or None if she has none."""

    user: User
    membership: Membership | None
    # Every active membership of hers (the chosen one among them), read on this request.
    active_memberships: list[Membership]
