from typing import Any

from django.db.models.signals import post_migrate
from django.dispatch import receiver


@receiver(post_migrate)
def create_beat_schedules(sender: Any, **kwargs: Any) -> None:
    if getattr(sender, "label", None) != "notifications":
        return
    from .sweeps import ensure_schedules

    ensure_schedules()
