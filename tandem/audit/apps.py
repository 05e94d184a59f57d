from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "tandem.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from . import privacy
        from .models import register_actions

        register_actions(
            {
                "read": _("Read"),
                "created": _("Created"),
                "changed": _("Changed"),
                "privacy.person_erased": _("Personal data erased"),
            }
        )
        privacy.register()
