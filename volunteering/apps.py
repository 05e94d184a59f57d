from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteeringConfig(AppConfig):
    name = "volunteering"
    verbose_name = _("Volunteering")

    def ready(self) -> None:
        from accounts.models import Role
        from tandem.audit.models import register_actions
        from tandem.demo import register_demo
        from tandem.navigation import NavItem, register_attention, register_nav
        from tandem.notifications import kinds, sweeps

        from . import attention, demo, privacy

        register_nav(
            NavItem(_("My volunteer hours"), "volunteering:mine", frozenset({Role.PEER}), order=25),
            NavItem(_("Volunteer hours"), "volunteering:lead", frozenset({Role.TEAM_LEAD, Role.ORG_ADMIN}), order=26),
        )
        register_attention(attention.items)
        privacy.register()
        register_demo(demo.seed, order=40)
        K = kinds.NotificationKind
        # Who each kind can reach (the notification settings offer a person only those): volunteers
        # are peers; the limit notices for leads go to the team leads.
        PEER, LEAD = frozenset({Role.PEER}), frozenset({Role.TEAM_LEAD})
        kinds.register(
            K("volunteering.limit_80", _("Your allowance reached 80 % of the tax-free limit"), roles=PEER),
            K("volunteering.limit_100", _("Your allowance reached the tax-free limit"), roles=PEER),
            K("volunteering.limit_80_lead", _("A volunteer's allowance reached 80 % of the tax-free limit"), roles=LEAD),
            K("volunteering.limit_100_lead", _("A volunteer's allowance reached the tax-free limit"), roles=LEAD),
            K("volunteering.overwork", _("A friendly note about your hours"), roles=PEER),
            K("volunteering.entry_rejected", _("An entry of your hours was not approved"), roles=PEER),
            K("volunteering.statement_ready", _("Your monthly statement is ready"), roles=PEER),
        )
        sweeps.register_sweep("volunteering.retention", "volunteering.purge_expired", 86400)
        register_actions(
            {
                "volunteering.agreement_created": _("Volunteer agreement created"),
                "volunteering.hours_recorded": _("Hours recorded"),
                "volunteering.hours_changed": _("Hours changed"),
                "volunteering.hours_withdrawn": _("Hours withdrawn"),
                "volunteering.hours_approved": _("Hours approved"),
                "volunteering.hours_rejected": _("Hours rejected"),
                "volunteering.settings_changed": _("Volunteering settings changed"),
                "volunteering.run_opened": _("Billing month opened"),
                "volunteering.run_approved": _("Billing month approved"),
                "volunteering.run_locked": _("Billing month locked"),
                "volunteering.run_reopened": _("Billing month reopened"),
                "volunteering.receipt_downloaded": _("Receipt downloaded"),
                "volunteering.statement_downloaded": _("Statement downloaded"),
                "volunteering.records_purged": _("Old volunteering records deleted"),
            }
        )
