from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "tandem.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from tandem.audit.models import register_actions
        from tandem.demo import register_demo
        from tandem.navigation import register_attention

        from . import demo, kinds, privacy, signals  # noqa: F401
        from .sweeps import register_sweep
        from .views import unread_attention

        kinds.register(
            kinds.NotificationKind("notifications.welcome", _("Welcome to Tandem: how it keeps you informed")),
        )
        register_sweep("notifications.send", "notifications.send_due_notifications", every_seconds=60)
        register_sweep("notifications.welcome", "notifications.welcome_new_members", every_seconds=300)
        register_actions(
            {
                "notifications.preferences_changed": _("Notification settings changed"),
                "notifications.retry_given_up": _("Given-up e-mails put back into the outbox"),
            }
        )
        register_attention(unread_attention)
        privacy.register()
        register_demo(demo.seed, order=40)
