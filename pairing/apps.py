from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PairingConfig(AppConfig):
    name = "pairing"
    # The database label of the pairing domain: tables, content types and migrations keep it.
    label = "tandem"
    verbose_name = _("Tandems")

    def ready(self) -> None:
        from accounts.disclosure import register_tandem_partners
        from accounts.models import Membership, Organisation, Role, Service, Team, TeamMembership
        from accounts.rules import register_team_change_warnings
        from tandem import freshness
        from tandem.audit.models import register_actions
        from tandem.demo import register_demo
        from tandem.navigation import NavItem, register_attention, register_nav
        from tandem.notifications import kinds
        from tandem.notifications.sweeps import register_sweep

        from . import demo, privacy
        from .models import PairingSettings, Reflection, SupportProcess, Tandem
        from .rules import warnings_before_leaving_team
        from .selectors import tandem_partner_ids_of_professional
        from .views import attention

        register_nav(
            NavItem(_("Dashboard"), "tandems:dashboard", frozenset({Role.TEAM_LEAD, Role.ORG_ADMIN}), order=10),
            NavItem(_("My tandems"), "tandems:mine", frozenset({Role.PEER, Role.PROFESSIONAL}), order=11),
            NavItem(_("Pairing settings"), "tandems:settings", frozenset({Role.ORG_ADMIN}), order=83),
        )
        register_attention(attention)
        # The dashboard's cached body is derived from these (mentoring adds its own models).
        freshness.watch(
            "dashboard", Organisation, Service, Team, Membership, TeamMembership,
            Tandem, Reflection, SupportProcess, PairingSettings,
        )
        privacy.register()
        # After mentoring's demo: the demo tandems need the peers' mentors (rule of practice 1).
        register_demo(demo.seed, order=20)
        register_team_change_warnings(warnings_before_leaving_team)
        register_tandem_partners(tandem_partner_ids_of_professional)
        # Who each kind can reach (the notification settings offer a person only those).
        partners = frozenset({Role.PEER, Role.PROFESSIONAL})
        partners_and_leads = partners | {Role.TEAM_LEAD, Role.ORG_ADMIN}
        kinds.register(
            kinds.NotificationKind("tandem.proposed", _("A tandem was proposed to you"), digest_allowed=False, roles=partners),
            kinds.NotificationKind("tandem.activated", _("A tandem is active"), roles=partners_and_leads),
            kinds.NotificationKind("tandem.declined", _("A proposed tandem will not continue"), roles=partners_and_leads),
            kinds.NotificationKind("tandem.reflection_due", _("Time for a reflection on your tandem"), digest_allowed=False, roles=partners),
            kinds.NotificationKind(
                "tandem.support_transition", _("A support process ends in eight weeks"), digest_allowed=False,
                roles=partners,
            ),
        )
        register_sweep("tandem.reflection_reminders", "tandem.send_reflection_reminders", every_seconds=3600)
        register_sweep("tandem.transition_reminders", "tandem.send_transition_reminders", every_seconds=3600)
        register_actions(
            {
                "tandem.proposed": _("Tandem proposed"),
                "tandem.placement_conflict_justified": _("Placement conflict declared; justification recorded"),
                "tandem.getting_to_know": _("Getting to know each other"),
                "tandem.confirmed": _("Confirmed by a partner"),
                "tandem.activated": _("Tandem active"),
                "tandem.declined": _("Not continued after getting to know each other"),
                "tandem.paused": _("Tandem paused"),
                "tandem.resumed": _("Tandem resumed"),
                "tandem.ended": _("Tandem ended"),
                "reflection.written": _("Reflection written"),
                "reflection.shared": _("Reflection shared with the partner"),
                "support_process.started": _("Support process started"),
                "support_process.meeting": _("Three-way meeting recorded"),
                "support_process.ended": _("Support process ended"),
                "pairing_settings.changed": _("Pairing settings changed"),
            }
        )
