from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People and organisations")

    def ready(self) -> None:
        from tandem.audit.models import register_actions
        from tandem.demo import register_demo, register_demo_logins
        from tandem.navigation import NavItem, register_attention, register_nav
        from tandem.notifications import kinds
        from tandem.notifications.services import register_members

        from . import attention, demo, members, privacy
        from .models import Role
        from .services import INVITATION_KIND, OPERATOR_CHANGE_KIND, invitation_email_context

        register_nav(
            NavItem(_("Start"), "home", order=0),
            NavItem(_("Organisation"), "accounts:organisation", frozenset({Role.ORG_ADMIN}), order=80),
            NavItem(_("Teams"), "accounts:team_list", frozenset({Role.TEAM_LEAD}), order=80),
            NavItem(_("People"), "accounts:member_list", frozenset({Role.ORG_ADMIN, Role.TEAM_LEAD}), order=81),
            NavItem(_("Invitations"), "accounts:invitation_list", frozenset({Role.ORG_ADMIN, Role.TEAM_LEAD}), order=82),
        )
        register_attention(attention.items)
        privacy.register()
        register_demo(demo.seed_demo, order=0)
        register_demo_logins(demo.logins)
        register_members(members.current_members)
        kinds.register_roles_of_user(members.roles_of_user)
        # The invitee has no account yet: the e-mail goes to the invitation's address, and its
        # link is put in when it is sent (only the token's hash is stored).
        kinds.register(
            kinds.NotificationKind(
                INVITATION_KIND,
                _("Invitation to Tandem"),
                digest_allowed=False,
                for_addresses=True,
                context=invitation_email_context,
            )
        )
        # An operator's change to a person: she is always told, at once.
        kinds.register(
            kinds.NotificationKind(OPERATOR_CHANGE_KIND, _("An operator changed something about you"), digest_allowed=False)
        )
        register_actions(
            {
                "operator.added": _("Created by an operator"),
                "operator.changed": _("Changed by an operator"),
                "operator.deleted": _("Deleted by an operator"),
                "operator.password_reset_sent": _("Password link sent by an operator"),
                "operator.second_factor_removed": _("Second factor removed by an operator"),
                "invitation.sent": _("Invitation sent"),
                "invitation.updated": _("Invitation updated and sent again"),
                "invitation.accepted": _("Invitation accepted"),
                "invitation.revoked": _("Invitation revoked"),
                "membership.roles_changed": _("Roles changed"),
                "membership.ended": _("Left the organisation"),
                "membership.details_changed": _("Details changed"),
                "team_membership.added": _("Joined a team"),
                "team_membership.ended": _("Left a team"),
                "service.created": _("Service created"),
                "service.archived": _("Service archived"),
                "team.created": _("Team created"),
                "team.archived": _("Team archived"),
                "profile.changed": _("Profile changed"),
                "placement_conflict.declared": _("Placement conflict declared"),
                "placement_conflict.withdrawn": _("Placement conflict withdrawn"),
                "organisation.settings_changed": _("Organisation settings changed"),
            }
        )
        # A professional's disclosure choices: recorded, and shown to nobody but himself.
        register_actions({"lived_experience.changed": _("Disclosure setting changed")}, private=True)
