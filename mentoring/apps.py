from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringConfig(AppConfig):
    name = "mentoring"
    verbose_name = _("Mentoring")

    def ready(self) -> None:
        from accounts.models import Role
        from pairing.ports import MentorFacts, register_mentor_facts
        from tandem import freshness
        from tandem.audit.models import register_actions
        from tandem.demo import register_demo
        from tandem.navigation import NavItem, register_attention, register_nav
        from tandem.notifications import kinds, sweeps

        from . import attention, demo, privacy, selectors, stats
        from .models import Irritation, MentorAssignment

        register_nav(
            NavItem(_("My irritations"), "mentoring:my_irritations", frozenset({Role.PEER}), order=20),
            NavItem(_("My mentees"), "mentoring:mentees", frozenset({Role.MENTOR}), order=21),
            NavItem(_("Mentors"), "mentoring:lead_overview", frozenset({Role.TEAM_LEAD, Role.ORG_ADMIN}), order=22),
        )
        register_attention(attention.items)
        # The team lead dashboard counts mentor assignments and irritations (see tandem.freshness).
        freshness.watch("dashboard", MentorAssignment, Irritation)
        privacy.register()
        register_demo(demo.seed, order=10)
        register_mentor_facts(
            MentorFacts(
                current_assignments=selectors.current_assignments,
                irritation_counts=stats.irritation_counts_per_team,
                mentor_ids=selectors.mentor_ids,
                assign_url=selectors.assign_url,
                irritations_url=selectors.irritations_url,
            )
        )
        K = kinds.NotificationKind
        # Who each kind can reach (the notification settings offer a person only those).
        PEER, MENTOR, LEAD = frozenset({Role.PEER}), frozenset({Role.MENTOR}), frozenset({Role.TEAM_LEAD})
        PEER_OR_MENTOR = PEER | MENTOR
        kinds.register(
            K("mentoring.mentor_proposed", _("A mentor is proposed for you"), roles=PEER),
            K("mentoring.mentee_proposed", _("You are asked to become a mentor"), roles=MENTOR),
            K(
                "mentoring.mentor_proposal_closed",
                _("A proposed mentoring will not go ahead"),
                roles=PEER_OR_MENTOR | LEAD | frozenset({Role.ORG_ADMIN}),
            ),
            K("mentoring.mentor_requested", _("A peer asks for a different mentor"), roles=LEAD),
            K("mentoring.mentor_assigned", _("You have a new mentor"), roles=PEER),
            K("mentoring.mentee_assigned", _("You are the mentor of a new mentee"), roles=MENTOR),
            K("mentoring.irritation_addressed", _("A mentee asks for your help"), digest_allowed=False, roles=MENTOR),
            K(
                "mentoring.irritation_ack_reminder",
                _("An irritation waits for your acknowledgement"),
                digest_allowed=False,
                roles=MENTOR,
            ),
            K("mentoring.irritation_escalated", _("An irritation was escalated to you"), digest_allowed=False, roles=MENTOR),
            K("mentoring.irritation_notice", _("Your irritation goes to your mentor soon"), digest_allowed=False, roles=PEER),
            K("mentoring.irritation_update", _("News about your irritation"), roles=PEER),
            K("mentoring.irritation_message", _("A new message about an irritation"), roles=PEER_OR_MENTOR),
            K("mentoring.irritation_closed", _("An irritation was resolved, withdrawn or reopened"), roles=MENTOR),
            K("mentoring.irritation_shared", _("A peer shared an irritation with you"), roles=LEAD),
            K("mentoring.peer_needs_mentor", _("A peer needs a mentor"), digest_allowed=False, roles=LEAD),
            K("mentoring.irritation_backup", _("A peer's irritation waits for its mentor"), digest_allowed=False, roles=MENTOR | LEAD),
            K("mentoring.check_in_soon", _("A mentor check-in is due soon"), roles=PEER_OR_MENTOR),
            K("mentoring.check_in_overdue", _("A mentor check-in is overdue"), roles=PEER_OR_MENTOR),
        )
        sweeps.register_sweep("mentoring.escalation", "mentoring.escalate_irritations", 300)
        sweeps.register_sweep("mentoring.check_ins", "mentoring.remind_check_ins", 900)
        sweeps.register_sweep("mentoring.retention", "mentoring.purge_irritations", 86400)
        register_actions(
            {
                "mentor.proposed": _("Mentor proposed"),
                "mentor.accepted": _("Agreed to the mentoring"),
                "mentor.declined": _("Proposed mentoring declined"),
                "mentor.proposal_withdrawn": _("Proposed mentoring withdrawn"),
                "mentor.proposal_replaced": _("Proposed mentoring replaced by another proposal"),
                "mentor.requested": _("A different mentor asked for"),
                "mentor.request_withdrawn": _("Request for a different mentor withdrawn"),
                "mentor.assigned": _("Mentoring begun"),
                "mentor.assign_refused": _("Mentor assignment refused"),
                "mentor.ended": _("Mentoring ended"),
                "mentor.check_in": _("Check-in recorded"),
                "mentor.check_in_interval": _("Check-in interval changed"),
                "mentoring.settings_changed": _("Mentoring settings changed"),
                "irritation.raised": _("Irritation raised"),
                "irritation.addressed": _("Addressed to the mentor"),
                "irritation.handed_over": _("Handed over to the new mentor"),
                "irritation.mentor_found": _("Passed to the new mentor"),
                "irritation.acknowledged": _("Acknowledged by the mentor"),
                "irritation.message": _("Message written"),
                "irritation.resolution_proposed": _("Resolution proposed"),
                "irritation.resolution_confirmed": _("Resolution confirmed"),
                "irritation.resolved": _("Resolved"),
                "irritation.withdrawn": _("Withdrawn"),
                "irritation.date_moved": _("Clarify-by date moved"),
                "irritation.shared_with_lead": _("Shared with a team lead"),
                "irritation.share_revoked": _("Sharing revoked"),
                "irritation.ack_reminder": _("Mentor reminded"),
                "irritation.escalated": _("Escalated to the mentor"),
                "irritation.waiting_for_mentor": _("Waiting for a mentor"),
                "irritation.backup_told": _("Backup person told"),
                "irritation.backup_reminded": _("The backup person reminded the mentor"),
                "irritation.backup_offered": _("The backup person offered another mentor"),
                "irritation.reopened": _("Reopened"),
                "irritations.purged": _("Old irritations deleted"),
            }
        )
