"""Who may read the report: org admins and team leads of the organisation they work in now.

Team leads read the whole organisation: Tandem does not record which teams a team lead leads
(Membership.is_team_lead is a role of the organisation, Team has no lead), so there are no
"her services" to narrow the report to.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from accounts.models import Membership


def report_reader(request: HttpRequest) -> Membership:
    """The request's membership if it may read the report, else 404 (like a page that is not there)."""
    membership = getattr(request, "membership", None)
    if membership is None or not (membership.is_org_admin or membership.is_team_lead):
        raise Http404
    return membership


def audience_text() -> str:
    from django.utils.translation import gettext as _

    return _("Organisation admins and team leads of this organisation can read this report.")
