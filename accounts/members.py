"""Who belongs to an organisation now, for the kernel parts that know people only as users."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from .models import Membership, User


def current_members() -> QuerySet[User]:
    """People with an active membership in at least one organisation."""
    return User.objects.filter(Exists(Membership.objects.active().filter(user=OuterRef("pk"))))


def roles_of_user(user: User) -> set[str]:
    """The roles a person holds now in any of her organisations (the notification kinds she can get)."""
    roles: set[str] = set()
    for membership in Membership.objects.active().filter(user_id=user.pk):
        roles.update(str(role) for role in membership.roles)
    return roles
