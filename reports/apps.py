from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from django.core import checks

        from accounts.models import Role
        from tandem.navigation import NavItem, register_nav

        from . import rules

        register_nav(NavItem(_("Year in numbers"), "reports:report", frozenset({Role.TEAM_LEAD, Role.ORG_ADMIN}), order=40))

        @checks.register(checks.Tags.compatibility)
        def threshold_check(**kwargs: object) -> list[checks.CheckMessage]:
            # A threshold below three would publish counts that point at one or two people.
            try:
                rules.threshold()
            except Exception as error:  # noqa: BLE001 - reported as a system check error
                return [checks.Error(str(error), id="reports.E001")]
            return []
