"""The authorization matrix: every URL pattern × every role of the fixed cast × GET, POST and POST
without a CSRF token, each cell with a declared answer.

How to read the table below
---------------------------
One row per URL name (``namespace:name``). ``obj`` names the world object whose id fills the URL
(see conftest.py: the objects belong to the cast's peer, "her"). ``get``/``post`` map every role
of ``matrix.ROLES`` to the answer it must get:

* an HTTP status: 200, 302 (a redirect that is not "sign in first"), 404, 405, 410, 422;
* ``LOGIN``: a redirect to the sign-in page (anonymous visitors of pages that need an account);
* ``ADMIN_LOGIN``: a redirect to Django admin's sign-in page.

POST sends an empty form; POST without a CSRF token must be 403 in every cell (not declared per row).
Wherever a signed-in role must not see an object the answer is 404, and its body must be exactly
the body of the same URL with an id that does not exist (fetched by the same role), so that
existence cannot be probed.

Two namespaces are declared by rule rather than row by row, because their views only ever act on
the requesting user (allauth) or are for operators only (Django admin); see ``allauth_row`` and
``admin_row``. A URL without a row (or rule) fails ``test_every_url_is_declared``.

Adding a URL: give it a row here (and, for an object URL, an object in conftest.py's world).
``TRUST_MATRIX_DUMP=<part of the name> pytest tests/trust/test_matrix.py -k dump -s`` prints what
each role gets today, as a starting point to review (never to copy blindly: a leak would be copied).
"""

from __future__ import annotations

import datetime as dt
import os
import zlib
import zoneinfo
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.models import Team

from .matrix import ADMIN_LOGIN, LOGIN, MISSING_PK, ROLES, SIGNED_IN, Outcome, Route, Runner, check_resolves, routes

Cells = dict[str, Outcome | frozenset[Outcome]]

# --- Building blocks for the table ------------------------------------------------------------

ADMINS = frozenset({"org_admin"})


def cells(default: Outcome, **each: Outcome) -> Cells:
    """Every role gets ``default`` unless named."""
    unknown = set(each) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {role: each.get(role, default) for role in ROLES}


def only(roles: frozenset[str] | set[str], ok: Outcome, *, denied: Outcome = 404, anon: Outcome = LOGIN, **each: Outcome) -> Cells:
    """``ok`` for ``roles``; every other signed-in role gets ``denied``; anonymous gets ``anon``."""
    result = cells(denied, anon=anon, **dict.fromkeys(roles, ok))
    result.update(each)
    return result


def signed_in(ok: Outcome, *, anon: Outcome = LOGIN, **each: Outcome) -> Cells:
    return cells(ok, anon=anon, **each)


def everyone(answer: Outcome) -> Cells:
    return cells(answer)


@dataclass(frozen=True)
class Row:
    get: Cells | None
    post: Cells | None
    obj: str | None = None  # world object whose pk fills ``pk``
    args: dict[str, str] = field(default_factory=dict)  # other URL arguments: name -> world value key


# --- The table --------------------------------------------------------------------------------

# Who is who (see tests/conftest.py and conftest.py of this folder).
MANAGERS = frozenset({"team_lead", "org_admin"})  # of her organisation
ANY_ORG_MANAGERS = MANAGERS | {"outsider"}  # pages without an object: each manager sees their own organisation
ANY_ORG_ADMINS = frozenset({"org_admin", "outsider"})
PEERS = frozenset({"peer", "other_peer"})
MENTORS = frozenset({"mentor", "other_mentor"})
SUPERVISORS = frozenset({"supervisor", "other_supervisor"})
HER_IRRITATION = frozenset({"peer", "mentor"})  # the confidentiality rule: the peer and her current mentor
HER_PROPOSAL = frozenset({"peer", "other_mentor"})  # a proposed mentoring: the peer and the proposed mentor
PARTNERS = frozenset({"peer", "professional"})  # the two people of her tandem
TANDEM_READERS = PARTNERS | MANAGERS
HER_GROUP = frozenset({"peer", "supervisor"})
HER_HOURS = frozenset({"peer"}) | MANAGERS  # a volunteer's hours: she, her team lead, her org admin  # her peer-supervision group: members and its supervisor
POST_ONLY = everyone(405)
HEALTH = frozenset({200, 503})  # GET on a view that only accepts POST

TABLE: dict[str, Row] = {
    # --- Start page, health, benchmark floor
    "home": Row(signed_in(200), signed_in(200)),
    # Public: readiness reports the database, Redis and the sweeps (503 here: no sweep has run in tests).
    "health": Row(everyone(HEALTH), everyone(405)),
    "health_ready": Row(everyone(HEALTH), everyone(405)),
    "health_live": Row(everyone(200), everyone(405)),  # liveness: the process answers, nothing else
    # The same report in words, for operators only; for members it does not exist.
    "system_status": Row(only({"superuser"}, 200), everyone(405)),
    # Tandem in Leichte Sprache: public, like the sign-in page that links to it.
    "easy_read": Row(everyone(200), everyone(405)),
    # --- accounts: invitations (the token is the secret; a wrong token is a 404 page)
    "accounts:invitation_accept": Row(everyone(200), cells(302, anon=422), args={"token": "invitation_token"}),
    "accounts:invitation_list": Row(only(ANY_ORG_MANAGERS, 200), only(ANY_ORG_MANAGERS, 200)),
    "accounts:invitation_create": Row(only(ANY_ORG_MANAGERS, 200), only(ANY_ORG_MANAGERS, 422)),
    "accounts:invitation_revoke": Row(only(MANAGERS, 200), only(MANAGERS, 302), obj="invitation"),
    "accounts:invitation_resend": Row(POST_ONLY, only(MANAGERS, 302), obj="invitation"),
    # --- accounts: own profile
    "accounts:profile": Row(signed_in(200), signed_in(422)),
    "accounts:lived_experience": Row(POST_ONLY, only({"mentor", "other_mentor", "professional"}, 302)),  # professionals only
    "accounts:placement_conflict_add": Row(POST_ONLY, only(PEERS, 302)),
    "accounts:placement_conflict_delete": Row(only({"peer"}, 200), only({"peer"}, 302), obj="placement_conflict"),
    "accounts:switch_language": Row(POST_ONLY, everyone(302)),
    # The membership to switch to is a POST field; the matrix sends none, so nobody finds one.
    "accounts:switch_organisation": Row(POST_ONLY, signed_in(404)),
    "accounts:mfa_required": Row(signed_in(200), signed_in(200)),
    # --- accounts: organisation management
    "accounts:organisation": Row(only(ANY_ORG_ADMINS, 200), only(ANY_ORG_ADMINS, 422)),
    "accounts:service_create": Row(POST_ONLY, only(ANY_ORG_ADMINS, 302)),
    "accounts:service_detail": Row(only(MANAGERS, 200), only(MANAGERS, 200), obj="service"),
    "accounts:service_archive": Row(only(ADMINS, 200), only(ADMINS, 302), obj="service"),
    # Team leads create and run the teams of the services they run (all, while none is named for them).
    "accounts:team_list": Row(only(ANY_ORG_MANAGERS, 200), POST_ONLY),
    "accounts:team_create": Row(POST_ONLY, only(ANY_ORG_MANAGERS, 302)),
    "accounts:team_detail": Row(only(MANAGERS, 200), only(MANAGERS, 200), obj="team"),
    "accounts:team_add_member": Row(POST_ONLY, only(MANAGERS, 302), obj="team"),
    "accounts:team_archive": Row(only(MANAGERS, 200), only(MANAGERS, 302), obj="team"),
    "accounts:team_membership_end": Row(only(MANAGERS, 200), only(MANAGERS, 302), obj="team_membership"),
    "accounts:member_list": Row(only(ANY_ORG_MANAGERS, 200), only(ANY_ORG_MANAGERS, 200)),
    "accounts:member_detail": Row(only(MANAGERS, 200), only(MANAGERS, 422), obj="peer_membership"),
    "accounts:member_roles": Row(POST_ONLY, only(ADMINS, 302), obj="peer_membership"),
    "accounts:member_end": Row(only(ADMINS, 200), only(ADMINS, 302), obj="peer_membership"),
    # --- notifications: each person's own
    "notifications:centre": Row(signed_in(200), signed_in(200)),
    "notifications:mark_read": Row(POST_ONLY, signed_in(302)),
    "notifications:preferences": Row(signed_in(200), signed_in(422)),
    "notifications:mark_one_read": Row(POST_ONLY, only({"peer"}, 302), obj="notification"),
    "notifications:open": Row(POST_ONLY, only({"peer"}, 302), obj="notification"),
    # --- tandems
    "tandems:mine": Row(signed_in(200, superuser=404), signed_in(200, superuser=404)),
    "tandems:dashboard": Row(only(ANY_ORG_MANAGERS, 200), only(ANY_ORG_MANAGERS, 200)),
    "tandems:list": Row(only(ANY_ORG_MANAGERS, 200), only(ANY_ORG_MANAGERS, 200)),
    "tandems:without_mentor": Row(only(ANY_ORG_MANAGERS, 200), only(ANY_ORG_MANAGERS, 200)),
    "tandems:overdue_reflections": Row(only(ANY_ORG_MANAGERS, 200), only(ANY_ORG_MANAGERS, 200)),
    "tandems:support_list": Row(only(ANY_ORG_MANAGERS, 200), only(ANY_ORG_MANAGERS, 200)),
    "tandems:propose": Row(only(ANY_ORG_MANAGERS, 200), only(ANY_ORG_MANAGERS, 422)),
    "tandems:suggestions": Row(only(ANY_ORG_MANAGERS, 200), only(ANY_ORG_MANAGERS, 200)),
    "tandems:settings": Row(only(ANY_ORG_ADMINS, 200), only(ANY_ORG_ADMINS, 422)),
    "tandems:detail": Row(only(TANDEM_READERS, 200), only(TANDEM_READERS, 200), obj="tandem"),
    "tandems:getting_to_know": Row(POST_ONLY, only(MANAGERS, 422), obj="tandem"),
    "tandems:confirm": Row(POST_ONLY, only(PARTNERS, 422), obj="tandem"),
    "tandems:decline": Row(only(PARTNERS, 200), only(PARTNERS, 422), obj="tandem"),
    "tandems:pause": Row(only(MANAGERS, 200), only(MANAGERS, 422), obj="tandem"),
    "tandems:resume": Row(only(MANAGERS, 200), only(MANAGERS, 422), obj="tandem"),
    "tandems:end": Row(only(MANAGERS, 200), only(MANAGERS, 422), obj="tandem"),
    "tandems:reflection_new": Row(only(PARTNERS, 200), only(PARTNERS, 422), obj="tandem"),
    "tandems:reflection_share": Row(POST_ONLY, only({"peer"}, 302), obj="reflection"),  # its author only
    "tandems:support_new": Row(only(TANDEM_READERS, 200), only(TANDEM_READERS, 422), obj="tandem"),
    "tandems:support_detail": Row(only(TANDEM_READERS, 200), only(TANDEM_READERS, 200), obj="support_process"),
    "tandems:support_meeting": Row(POST_ONLY, only(TANDEM_READERS, 422), obj="support_process"),
    "tandems:support_end": Row(POST_ONLY, only(TANDEM_READERS, 422), obj="support_process"),
    # --- mentoring: assignments (team leads, org admins) and check-ins (her mentor)
    "mentoring:lead_overview": Row(only(ANY_ORG_MANAGERS, 200), only(ANY_ORG_MANAGERS, 200)),
    "mentoring:assign": Row(only(ANY_ORG_MANAGERS, 200), only(ANY_ORG_MANAGERS, 422)),
    "mentoring:peer_history": Row(only(MANAGERS, 200), only(MANAGERS, 200), obj="peer_membership"),
    "mentoring:assignment_end": Row(only(MANAGERS, 200), only(MANAGERS, 302), obj="mentor_assignment"),
    "mentoring:settings": Row(only(ANY_ORG_ADMINS, 200), only(ANY_ORG_ADMINS, 422)),
    # --- mentoring by consent: the peer and the proposed mentor answer; a lead may withdraw it
    "mentoring:proposal": Row(only(HER_PROPOSAL, 200), only(HER_PROPOSAL, 200), obj="mentor_proposal"),
    "mentoring:proposal_accept": Row(POST_ONLY, only(HER_PROPOSAL, 302), obj="mentor_proposal"),
    "mentoring:proposal_decline": Row(only(HER_PROPOSAL | MANAGERS, 200), only(HER_PROPOSAL | MANAGERS, 302), obj="mentor_proposal"),
    "mentoring:request_mentor": Row(only(PEERS, 200), only(PEERS, 302)),
    "mentoring:request_withdraw": Row(POST_ONLY, only(PEERS, 302)),
    "mentoring:mentees": Row(only(MENTORS, 200), only(MENTORS, 200)),
    "mentoring:check_in": Row(only({"mentor"}, 200), only({"mentor"}, 422), obj="mentor_assignment"),
    "mentoring:check_in_interval": Row(POST_ONLY, only({"mentor"}, 422), obj="mentor_assignment"),
    # --- mentoring: the confidential irritation log (the peer and her mentor, nobody else)
    "mentoring:my_irritations": Row(only(PEERS, 200), only(PEERS, 200)),
    "mentoring:irritation_create": Row(only(PEERS, 200), only(PEERS, 422)),
    "mentoring:hand_over": Row(POST_ONLY, only(PEERS, 302)),
    "mentoring:irritation_detail": Row(only(HER_IRRITATION, 200), only(HER_IRRITATION, 200), obj="irritation"),
    # GET shows her notes for herself to choose from; the world's irritation is with her mentor already.
    "mentoring:irritation_address": Row(only(HER_IRRITATION, 422), only(HER_IRRITATION, 422), obj="irritation"),
    "mentoring:irritation_acknowledge": Row(POST_ONLY, only(HER_IRRITATION, 422, mentor=302), obj="irritation"),
    "mentoring:irritation_message": Row(POST_ONLY, only(HER_IRRITATION, 422), obj="irritation"),
    "mentoring:irritation_propose": Row(POST_ONLY, only(HER_IRRITATION, 422), obj="irritation"),
    "mentoring:irritation_resolve": Row(POST_ONLY, only(HER_IRRITATION, 422, peer=302), obj="irritation"),
    "mentoring:irritation_withdraw": Row(POST_ONLY, only(HER_IRRITATION, 422, peer=302), obj="irritation"),
    "mentoring:irritation_move_date": Row(POST_ONLY, only(HER_IRRITATION, 422), obj="irritation"),
    "mentoring:irritation_share": Row(POST_ONLY, only(HER_IRRITATION, 422), obj="irritation"),
    "mentoring:irritation_revoke_share": Row(POST_ONLY, only(HER_IRRITATION, 422), obj="irritation"),
    "mentoring:irritation_reopen": Row(POST_ONLY, only(HER_IRRITATION, 422), obj="irritation"),  # it is not resolved
    # --- mentoring: the backup person who was told of an irritation that waits (acts, never reads)
    "mentoring:backup": Row(only({"team_lead"}, 200), only({"team_lead"}, 200), obj="waiting_irritation"),
    "mentoring:backup_remind": Row(POST_ONLY, only({"team_lead"}, 302), obj="waiting_irritation"),
    "mentoring:backup_offer": Row(POST_ONLY, only({"team_lead"}, 302), obj="waiting_irritation"),
    # --- supervision: peer-only groups; professionals and team leads never read them
    "supervision:overview": Row(signed_in(200), signed_in(200)),
    "supervision:group_list": Row(signed_in(200), signed_in(200)),
    "supervision:group_create": Row(only(SUPERVISORS, 200), only(SUPERVISORS, 422)),
    "supervision:group_detail": Row(only(HER_GROUP, 200), only(HER_GROUP, 200), obj="group"),
    "supervision:member_add": Row(POST_ONLY, only({"supervisor"}, 422), obj="group"),
    "supervision:member_remove": Row(
        only({"supervisor"}, 200), only({"supervisor"}, 302), obj="group", args={"member_pk": "group_member"}
    ),
    "supervision:supervisor_add": Row(POST_ONLY, only({"supervisor"}, 422), obj="group"),
    "supervision:share_request": Row(POST_ONLY, only({"supervisor"}, 422), obj="group"),
    "supervision:series_end": Row(
        only({"supervisor"}, 200), only({"supervisor"}, 302), obj="group", args={"series_pk": "series"}
    ),
    "supervision:session_create": Row(only({"supervisor"}, 200), only({"supervisor"}, 422), obj="group"),
    "supervision:series_create": Row(only({"supervisor"}, 200), only({"supervisor"}, 422), obj="group"),
    "supervision:poll_create": Row(only({"supervisor"}, 200), only({"supervisor"}, 422), obj="group"),
    "supervision:group_statistics": Row(only({"supervisor"}, 200), only({"supervisor"}, 200), obj="group"),
    "supervision:share_list": Row(only(ANY_ORG_ADMINS, 200), only(ANY_ORG_ADMINS, 200)),
    # The group was offered to the other organisation: only its admin may accept.
    "supervision:share_accept": Row(POST_ONLY, only({"outsider"}, 302), obj="share"),
    "supervision:organisation_rate": Row(only(ANY_ORG_MANAGERS, 200), only(ANY_ORG_MANAGERS, 200)),
    "supervision:session_detail": Row(only(HER_GROUP, 200), only(HER_GROUP, 200), obj="session"),
    "supervision:session_rsvp": Row(POST_ONLY, only({"peer"}, 422), obj="session"),
    "supervision:session_edit": Row(only({"supervisor"}, 200), only({"supervisor"}, 422), obj="session"),
    # The world's session is a single one: there is no series to change (tests/supervision/test_series_change.py).
    "supervision:series_change": Row(only(set(), 200), only(set(), 302), obj="session"),
    "supervision:session_cancel": Row(only({"supervisor"}, 200), only({"supervisor"}, 302), obj="session"),
    "supervision:session_attendance": Row(POST_ONLY, only({"supervisor"}, 422), obj="session"),
    "supervision:session_note": Row(POST_ONLY, only(HER_GROUP, 422), obj="session"),
    "supervision:session_ics": Row(only(HER_GROUP, 200), only(HER_GROUP, 200), obj="session"),
    "supervision:poll_detail": Row(only(HER_GROUP, 200), only(HER_GROUP, 200), obj="poll"),
    "supervision:poll_answer": Row(POST_ONLY, only({"peer"}, 422), obj="poll"),
    "supervision:poll_decide": Row(POST_ONLY, only({"supervisor"}, 302), obj="poll"),
    "supervision:calendar_renew": Row(POST_ONLY, signed_in(302)),
    "supervision:calendar_off": Row(POST_ONLY, signed_in(302)),
    # The secret address is the credential (calendar apps cannot sign in); a wrong one is a 404.
    # --- privacy: my own data for everyone signed in; erasure by the org admin of her organisation
    # (she is still active in the world, so the admin sees the refusal and a POST is refused with 422).
    "privacy:export": Row(signed_in(200), everyone(405)),
    "privacy:record": Row(signed_in(200), signed_in(200)),
    "accounts:member_erase": Row(only(ADMINS, 200), only(ADMINS, 422), obj="peer_membership"),
    "supervision:calendar_feed": Row(everyone(200), everyone(405), args={"token": "calendar_token"}),
    # --- reports: the year in numbers for org admins and team leads (each of their own organisation);
    # read-only pages, so a POST is refused by everyone, signed in or not.
    "reports:report": Row(only(ANY_ORG_MANAGERS, 200), everyone(405)),
    "reports:report_csv": Row(only(ANY_ORG_MANAGERS, 200), everyone(405)),
    "reports:report_pdf": Row(only(ANY_ORG_MANAGERS, 200), everyone(405)),
    # --- volunteering: the volunteer herself, the team leads and org admins of her organisation; never
    # other peers (the other peer is not a volunteer: her page says so), professionals, mentors or supervisors.
    "volunteering:mine": Row(only(PEERS, 200), only(PEERS, 200)),
    "volunteering:record": Row(only({"peer"}, 200), only({"peer"}, 422)),
    "volunteering:session_confirm": Row(POST_ONLY, only({"peer"}, 302)),  # no session offered: refused, back to her page
    "volunteering:entry_detail": Row(only(HER_HOURS, 200), only(HER_HOURS, 200), obj="hour_entry"),
    "volunteering:entry_change": Row(only({"peer"}, 200), only({"peer"}, 422), obj="hour_entry"),
    "volunteering:entry_withdraw": Row(only({"peer"}, 200), only({"peer"}, 302), obj="hour_entry_to_withdraw"),
    "volunteering:receipt": Row(only(HER_HOURS, 200), only(HER_HOURS, 200), obj="hour_entry"),
    "volunteering:statement_pdf": Row(only(HER_HOURS, 200), only(HER_HOURS, 200), obj="statement"),
    "volunteering:my_certificate": Row(only({"peer"}, 200), only({"peer"}, 200), args={"year": "last_year"}),
    "volunteering:lead": Row(only(ANY_ORG_MANAGERS, 200), only(ANY_ORG_MANAGERS, 200)),
    "volunteering:settings": Row(only(ANY_ORG_ADMINS, 200), only(ANY_ORG_ADMINS, 422)),
    "volunteering:person": Row(only(MANAGERS, 200), only(MANAGERS, 200), obj="peer_membership"),
    "volunteering:agreement_new": Row(only(MANAGERS, 200), only(MANAGERS, 422), obj="peer_membership"),
    "volunteering:lead_record": Row(only(MANAGERS, 200), only(MANAGERS, 422), obj="peer_membership"),
    "volunteering:entries_approve": Row(POST_ONLY, only(MANAGERS, 422), obj="peer_membership"),
    "volunteering:month_approve": Row(POST_ONLY, only(MANAGERS, 422), obj="peer_membership"),
    "volunteering:certificate": Row(only(MANAGERS, 200), only(MANAGERS, 200), obj="peer_membership"),
    "volunteering:entry_reject": Row(only(MANAGERS, 200), only(MANAGERS, 422), obj="hour_entry"),
    "volunteering:runs": Row(only(ANY_ORG_MANAGERS, 200), only(ANY_ORG_MANAGERS, 422)),
    "volunteering:run_detail": Row(only(MANAGERS, 200), only(MANAGERS, 200), obj="billing_run"),
    "volunteering:run_approve": Row(only(MANAGERS, 200), only(MANAGERS, 302), obj="billing_run"),  # already approved: refused
    "volunteering:run_lock": Row(only(MANAGERS, 200), only(MANAGERS, 302), obj="billing_run"),
    "volunteering:run_reopen": Row(only(MANAGERS, 200), only(MANAGERS, 302), obj="billing_run"),
    "volunteering:run_csv": Row(only(MANAGERS, 200), only(MANAGERS, 200), obj="billing_run"),
}


# --- allauth: its views act only on the signed-in person (or on a secret key), so every signed-in
# role gets the same answer. Sign-up is closed (accounts.adapter): the page says so.
ALLAUTH: dict[str, Row] = {
    "account_login": Row(signed_in(302, anon=200), signed_in(302, anon=200)),
    "account_logout": Row(signed_in(200, anon=302), everyone(302)),
    "account_inactive": Row(everyone(200), everyone(405)),
    "account_signup": Row(signed_in(302, anon=200), signed_in(302, anon=200)),
    "account_reauthenticate": Row(signed_in(200), signed_in(200)),
    "account_email": Row(signed_in(200), signed_in(302)),
    "account_email_verification_sent": Row(everyone(200), everyone(405)),
    "account_change_password": Row(signed_in(200), signed_in(200)),
    "account_set_password": Row(signed_in(302), signed_in(302)),
    "account_reset_password": Row(everyone(200), everyone(200)),
    "account_confirm_login_code": Row(everyone(302), everyone(302)),
    "account_confirm_email": Row(everyone(200), everyone(404)),
    "account_reset_password_from_key_done": Row(everyone(200), everyone(405)),
    "account_reset_password_from_key": Row(everyone(200), everyone(200)),
    "account_reset_password_done": Row(everyone(200), everyone(405)),
    "mfa_index": Row(signed_in(200), signed_in(405)),
    "mfa_authenticate": Row(everyone(302), everyone(302)),
    "mfa_reauthenticate": Row(signed_in(302), signed_in(302)),
    "mfa_activate_totp": Row(signed_in(302), signed_in(302)),  # asks to re-authenticate first
    "mfa_deactivate_totp": Row(signed_in(404), signed_in(404)),  # nobody in the cast has a TOTP
    "mfa_view_recovery_codes": Row(signed_in(404), signed_in(405)),
    "mfa_generate_recovery_codes": Row(signed_in(302), signed_in(302)),
    "mfa_download_recovery_codes": Row(signed_in(404), signed_in(404)),
}


def allauth_row(route: Route) -> Row | None:
    return ALLAUTH.get(route.key)


# --- Django admin: for operators (superusers) only. Every other role, signed in or not, is sent to
# admin's sign-in page and sees nothing; the superuser may get any answer but an error (5xx) or a
# sign-in page (the admin is the operators' tool; its pages differ by model and are Django's).
OPERATOR = frozenset({200, 302, 403, 404, 405})
NOT_FOR_MEMBERS = cells(ADMIN_LOGIN, superuser=OPERATOR)
ADMIN_SPECIAL: dict[str, Row] = {
    "admin:login": Row(cells(200, superuser=302), everyone(200)),
    "admin:logout": Row(cells(302, superuser=405), everyone(302)),  # non-staff: to admin's index, then sign-in
}


def admin_row(route: Route) -> Row:
    if route.key in ADMIN_SPECIAL:
        return ADMIN_SPECIAL[route.key]
    return Row(NOT_FOR_MEMBERS, NOT_FOR_MEMBERS)


# --- Filling URL arguments ----------------------------------------------------------------------

STRING_DEFAULTS = {"key": "no-such-key", "uidb36": "1", "url": "no-such-page/", "app_label": "accounts"}


def url_values(route: Route, row: Row, world: Any, *, missing: bool = False) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for param in route.params:
        if param == "pk":
            assert row.obj, f"{route.key}: declare obj= for <pk>"
            values[param] = MISSING_PK if missing else world.pk(row.obj)
        elif param in row.args:
            name = row.args[param]
            if name in world.objects:
                values[param] = MISSING_PK if missing else world.pk(name)
            else:
                values[param] = "no-such-value" if missing else world.values[name]
        elif route.namespace == "admin":
            values[param] = _admin_value(route, param, world)
        elif param in STRING_DEFAULTS:
            values[param] = STRING_DEFAULTS[param]
        else:
            raise AssertionError(f"{route.key}: no value for URL argument {param!r}")
    return values


def _admin_value(route: Route, param: str, world: Any) -> Any:
    if param == "object_id":
        model_admin = getattr(route.callback, "model_admin", None)
        if model_admin is not None:
            first = model_admin.model._default_manager.order_by("pk").first()
            return first.pk if first else MISSING_PK
        return world.cast.organisation.pk
    if param == "content_type_id":
        return ContentType.objects.get_for_model(Team).pk
    if param == "id":
        return world.cast.peer.user.pk
    return STRING_DEFAULTS[param]


def row_for(route: Route) -> Row | None:
    if route.key in TABLE:
        return TABLE[route.key]
    if route.namespace == "admin":
        return admin_row(route)
    if route.callback.__module__.startswith("allauth."):
        return allauth_row(route)
    return None


def members(cast: Any) -> dict[str, Any]:
    return {role: getattr(cast, role) for role in SIGNED_IN}


# --- Tests ------------------------------------------------------------------------------------


def test_every_url_is_declared() -> None:
    missing = [f"{r.key}  ({r.route})" for r in routes() if row_for(r) is None]
    assert not missing, "URLs without a declaration in tests/trust/test_matrix.py:\n" + "\n".join(missing)


@pytest.mark.skipif(not os.environ.get("TRUST_MATRIX_DUMP"), reason="prints observed answers for writing the table")
def test_dump_observed(world: Any) -> None:
    runner = Runner(members(world.cast))
    only_keys = os.environ["TRUST_MATRIX_DUMP"]
    for route in routes():
        if only_keys != "1" and only_keys not in route.key:
            continue
        row = row_for(route) or Row(get=None, post=None)
        try:
            path = route.path(url_values(route, row, world))
        except (AssertionError, KeyError) as error:
            print(f"# {route.key}: cannot fill: {error}")
            continue
        observed: dict[str, dict[str, Outcome]] = {"GET": {}, "POST": {}, "POST-without-CSRF": {}}
        errors = set()
        for method in observed:
            for role in ROLES:
                result = runner.request(role, method, path)
                observed[method][role] = result.outcome
                if result.error:
                    errors.add(result.error)
        print(f"{route.key!r}: {path}")
        for method, found in observed.items():
            common = Counter(found[r] for r in SIGNED_IN).most_common(1)[0][0]
            rest = {r: v for r, v in found.items() if v != common}
            print(f"    {method}: cells({common!r}, " + ", ".join(f"{r}={v!r}" for r, v in rest.items()) + ")")
        for error in errors:
            print(f"    ERROR {error}")
    runner.close()


# Django admin has most of the URL patterns (a set per registered model), so it is run as two halves
# that parallel test workers can share; a stable checksum of the URL name decides the half.
GROUPS = (
    "core", "allauth", "accounts", "notifications", "tandems", "mentoring", "supervision", "volunteering", "privacy", "reports",
    "admin-1", "admin-2",
)


def group_of(route: Route) -> str:
    if route.namespace == "admin":
        return f"admin-{zlib.crc32(route.key.encode()) % 2 + 1}"
    if route.namespace:
        return route.namespace
    if route.callback.__module__.startswith("allauth."):
        return "allauth"
    return "core"


def test_every_url_belongs_to_a_matrix_group() -> None:
    assert {group_of(r) for r in routes()} <= set(GROUPS)


def test_no_stale_declarations() -> None:
    keys = {r.key for r in routes()}
    stale = sorted((set(TABLE) | set(ALLAUTH) | set(ADMIN_SPECIAL)) - keys)
    assert not stale, f"Declarations for URLs that no longer exist: {stale}"


def _matches(expected: Any, observed: Outcome) -> bool:
    return observed in expected if isinstance(expected, frozenset) else observed == expected


@pytest.mark.parametrize("group", GROUPS)
def test_authorization_matrix(group: str, world: Any) -> None:
    """Every cell of the group answers as declared; forbidden objects look exactly like missing ones."""
    group_routes = [r for r in routes() if group_of(r) == group]
    runner = Runner(members(world.cast))
    failures: list[str] = []
    expected_cells = 0
    try:
        for route in group_routes:
            row = row_for(route)
            assert row is not None and row.get is not None and row.post is not None, f"{route.key} is not declared"
            path = route.path(url_values(route, row, world))
            check_resolves(route, path)
            has_object = bool(row.obj) or any(world.objects.get(v) is not None for v in row.args.values())
            missing_path = route.path(url_values(route, row, world, missing=True)) if has_object else None
            for method, declared in (("GET", row.get), ("POST", row.post), ("POST-without-CSRF", everyone(403))):
                for role in ROLES:
                    expected = declared[role]
                    expected_cells += 1
                    # A 404 is compared with its missing-id twin, both served at this one moment.
                    moment = timezone.now() if expected == 404 and missing_path is not None else None
                    result = runner.request(role, method, path, at=moment)
                    if not _matches(expected, result.outcome):
                        failures.append(
                            f"{route.key} {method} {path} as {role}: expected {expected}, got {result.outcome}"
                            + (f" ({result.error})" if result.error else "")
                        )
                        continue
                    if expected == 404 and missing_path is not None:
                        # Existence must not be probeable: same status and same body as a missing id.
                        expected_cells += 1
                        missing = runner.request(role, method, missing_path, at=moment)
                        if missing.outcome != 404 or missing.body != result.body:
                            failures.append(
                                f"{route.key} {method} as {role}: the 404 for an existing object differs from the "
                                f"404 for a missing one ({missing_path} gave {missing.outcome})"
                            )
    finally:
        runner.close()
    print(f"\nauthorization matrix [{group}]: {len(group_routes)} URL patterns, {runner.count} cells run")
    assert not failures, f"{len(failures)} cells differ from the declaration:\n" + "\n".join(failures)
    # Nothing was skipped: every URL × every role × GET, POST, POST without token (+ the missing-id twins).
    assert runner.count == expected_cells
    assert runner.count >= len(group_routes) * len(ROLES) * 3


def test_a_404_and_its_missing_twin_are_compared_at_one_moment(world: Any) -> None:
    """The pages render the clock (the print header: "Gedruckt am 2. Dezember 2026"). A change of the
    date between the two requests of a comparison made the matrix fail at random; served at one moment,
    they compare equal, and only the object asked for can make them differ."""
    route = next(r for r in routes() if r.key == "tandems:end")
    row = TABLE[route.key]
    path, missing_path = route.path(url_values(route, row, world)), route.path(url_values(route, row, world, missing=True))
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    before_midnight = timezone.now().astimezone(berlin).replace(hour=23, minute=58, second=0)
    with time_machine.travel(before_midnight, tick=False) as traveller:
        runner = Runner(members(world.cast))  # signed in just before midnight, so the session holds
        traveller.shift(dt.timedelta(seconds=119))
        try:
            moment = timezone.now()
            existing = runner.request("peer", "GET", path, at=moment)
            traveller.shift(dt.timedelta(seconds=2))  # the next day begins between the two requests
            drifted = runner.request("peer", "GET", missing_path)
            missing = runner.request("peer", "GET", missing_path, at=moment)
        finally:
            runner.close()
    assert existing.outcome == missing.outcome == drifted.outcome == 404
    assert drifted.body != existing.body, "the page no longer shows the date: this test proves nothing"
    assert missing.body == existing.body
