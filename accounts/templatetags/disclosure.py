"""``{% lived_experience member %}``: the disclosure line wherever a professional is shown.

Pages never decide themselves: the tag asks accounts.disclosure.sees_lived_experience for the
person viewing the page, so the tandem page and the people page follow the one rule.
"""

from __future__ import annotations

from typing import Any

from django import template

from accounts.disclosure import sees_lived_experience
from accounts.models import Membership

register = template.Library()


@register.inclusion_tag("accounts/_lived_experience.html", takes_context=True)
def lived_experience(context: dict[str, Any], member: Membership) -> dict[str, Any]:
    request = context.get("request")
    viewer = getattr(request, "user", None)
    shown = (
        viewer is not None
        and isinstance(member, Membership)
        and member.user_id != viewer.pk
        and sees_lived_experience(viewer, member)
    )
    return {"shown": shown, "member": member}
