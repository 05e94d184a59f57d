from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "tandem.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from . import signals  # noqa: F401
        from .sweeps import register_sweep

        register_sweep("notifications.send", "notifications.send_due_notifications", every_seconds=60)
