from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("Peer supervision")

    def ready(self) -> None:
        from accounts.models import Role
        from tandem.audit.models import register_actions
        from tandem.demo import register_demo
        from tandem.navigation import NavItem, register_attention, register_nav
        from tandem.notifications import kinds
        from tandem.notifications.sweeps import register_sweep

        from . import attention, demo, privacy, services

        register_nav(
            NavItem(_("Supervision groups"), "supervision:group_list", frozenset({Role.SUPERVISOR}), order=40),
            NavItem(_("Peer supervision"), "supervision:overview", frozenset({Role.PEER}), order=41),
            NavItem(_("Peer supervision"), "supervision:organisation_rate", frozenset({Role.TEAM_LEAD, Role.ORG_ADMIN}), order=42),
        )
        register_attention(attention.items)
        privacy.register()
        register_demo(demo.seed, order=30)
        # Who each kind can reach (the notification settings offer a person only those).
        group = frozenset({Role.PEER, Role.SUPERVISOR})
        kinds.register(
            kinds.NotificationKind(
                "supervision.reminder",
                _("Reminder of a supervision session"),
                digest_allowed=False,
                still_due=services.reminder_still_due,
                roles=group,
            ),
            kinds.NotificationKind("supervision.session_moved", _("A supervision session was moved"), digest_allowed=False, roles=group),
            kinds.NotificationKind("supervision.session_cancelled", _("A supervision session was cancelled"), digest_allowed=False, roles=group),
            kinds.NotificationKind("supervision.session_scheduled", _("A supervision session was scheduled"), roles=group),
            kinds.NotificationKind("supervision.series_changed", _("A supervision series was changed"), digest_allowed=False, roles=group),
            kinds.NotificationKind("supervision.poll_opened", _("A date poll for supervision is open"), roles=frozenset({Role.PEER})),
            kinds.NotificationKind(
                "supervision.poll_reminder", _("A date poll waits for your answer"), digest_allowed=False,
                still_due=services.poll_reminder_still_due,
                roles=frozenset({Role.PEER}),
            ),
            kinds.NotificationKind("supervision.waitlist_promoted", _("You moved up from the waiting list"), digest_allowed=False, roles=frozenset({Role.PEER})),
            kinds.NotificationKind("supervision.share_requested", _("A supervision group is to be shared with your organisation"), roles=frozenset({Role.ORG_ADMIN})),
        )
        # Reminders every 5 minutes (a 1-day reminder may be a few minutes late, never early or twice);
        # sessions of series are created ahead once an hour.
        register_sweep("supervision.reminders", "supervision.send_reminders", every_seconds=300)
        register_sweep("supervision.generate", "supervision.generate_sessions", every_seconds=3600)
        register_actions(
            {
                "supervision.group_created": _("Supervision group set up"),
                "supervision.member_added": _("Member added to the supervision group"),
                "supervision.member_removed": _("Member removed from the supervision group"),
                "supervision.supervisor_added": _("Supervisor added to the group"),
                "supervision.share_requested": _("Another organisation asked to share the group"),
                "supervision.share_accepted": _("Organisation agreed to share the group"),
                "supervision.series_created": _("Series of sessions created"),
                "supervision.series_ended": _("Series of sessions ended"),
                "supervision.series_changed": _("Series of sessions changed from a session on"),
                "supervision.session_created": _("Session scheduled"),
                "supervision.session_moved": _("Session moved"),
                "supervision.session_changed": _("Session changed"),
                "supervision.session_cancelled": _("Session cancelled"),
                "supervision.attendance_recorded": _("Attendance recorded"),
                "supervision.note_added": _("Session note written"),
                "supervision.poll_created": _("Date poll opened"),
                "supervision.poll_decided": _("Date poll decided"),
                "supervision.calendar_renewed": _("Calendar address renewed"),
                "supervision.calendar_revoked": _("Calendar address switched off"),
            }
        )
