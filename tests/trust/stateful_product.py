"""The product side of the stateful proof: the cast, real service calls, and what the product answers.

Everything the machine does to the product goes through the services a person would reach through a
page; everything it reads back is what a person would get: the page over HTTP, the export, the
notifications and the e-mails. The one exception is ``readers``, which asks ``visible_to`` (and the
audience function) directly, to compare them with the model person by person.
"""

from __future__ import annotations

import copy
import datetime as dt
import inspect
import re
from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import ORGANISATION_SESSION_KEY
from accounts.models import Membership, Organisation, Team, User
from mentoring import services as mentoring
from mentoring.models import Irritation, MentorAssignment
from tests.factories import OrganisationFactory, ServiceFactory, TeamFactory, UserFactory, member

ORGS = ("nord", "sued")
# The fixed cast: name -> (organisation, roles, in team A). The operator has no membership.
CAST: dict[str, tuple[str, set[str], bool]] = {
    "peer": ("nord", {"peer"}, True),
    "peer2": ("nord", {"peer"}, True),
    "mentor1": ("nord", {"mentor", "professional"}, True),
    "mentor2": ("nord", {"mentor", "professional"}, False),
    "professional": ("nord", {"professional", "mentor"}, True),  # the peer's tandem partner
    "lead1": ("nord", {"team_lead"}, False),
    "lead2": ("nord", {"team_lead"}, False),
    "org_admin": ("nord", {"org_admin"}, False),
    "supervisor": ("nord", {"supervisor"}, False),
    "outsider": ("sued", {"org_admin", "team_lead", "mentor"}, False),
}
PEOPLE = [*CAST, "operator"]
WITH_TOTP = {"mentor2", "outsider"}

MISSING_PK = 987654321

# Features other work lands on main; each check that needs one is enabled when it is there.
# (Detected from the code, so merging the feature switches its proof on without editing this file.)


def _has(module: Any, name: str) -> bool:
    return hasattr(module, name)


def consent_landed() -> bool:
    """Mentor assignments are proposed and become current when the peer accepts them."""
    return any(_has(mentoring, n) for n in ("accept_assignment", "accept_mentor", "accept_proposal"))


def audience_function() -> Any:
    """The one function answering "who can read this irritation now", if it has landed."""
    from mentoring import selectors

    for module in (mentoring, selectors):
        for name in ("audience", "irritation_audience", "readers_of"):
            if hasattr(module, name):
                return getattr(module, name)
    try:
        from mentoring import audience as audience_module  # type: ignore[attr-defined]
    except ImportError:
        return None
    return getattr(audience_module, "audience", None)


def reopen_function() -> Any:
    return getattr(mentoring, "reopen", None)


def notes_choice_landed() -> bool:
    """She chooses which of her notes for herself the mentor sees when she asks for help."""
    params = inspect.signature(mentoring.address_to_mentor).parameters
    return any(name for name in params if "note" in name or "share" in name)


@dataclass
class World:
    orgs: dict[str, Organisation]
    team: Team
    users: dict[str, User]

    def membership(self, person: str, org: str) -> Membership | None:
        if person == "operator":
            return None
        return (
            Membership.objects.active()
            .filter(user=self.users[person], organisation=self.orgs[org])
            .select_related("user", "organisation")
            .first()
        )


def build_world() -> World:
    orgs = {
        "nord": OrganisationFactory(name="Träger Nord", slug="nord", mfa_required=False),
        "sued": OrganisationFactory(name="Träger Süd", slug="sued", mfa_required=False),
    }
    service = ServiceFactory(organisation=orgs["nord"], name="Wohnen")
    team = TeamFactory(service=service, name="Team A")
    users: dict[str, User] = {}
    for person, (org, roles, in_team) in CAST.items():
        m = member(
            orgs[org], team=team if in_team else None, email=f"{person}@example.org", **{f"is_{r}": True for r in roles}
        )
        users[person] = m.user
    users["operator"] = UserFactory(email="operator@example.org", is_staff=True, is_superuser=True)
    for person in WITH_TOTP:
        set_totp(users[person], True)
    return World(orgs=orgs, team=team, users=users)


def set_totp(user: User, on: bool) -> None:
    if on:
        Authenticator.objects.get_or_create(
            user=user, type=Authenticator.Type.TOTP, defaults={"data": {"secret": "JBSWY3DPEHPK3PXP"}}
        )
    else:
        Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()


def sign_in(user: User, *, organisation: Organisation | None, with_totp: bool) -> Client:
    """A browser of ``user``: signed in (with the second factor when she has one), the organisation chosen."""
    client = Client(raise_request_exception=True)
    client.force_login(user)
    session = client.session
    if with_totp:
        # What allauth records when the second factor was given at sign-in.
        session["account_authentication_methods"] = [
            {"method": "password", "at": timezone.now().timestamp(), "email": user.email},
            {"method": "mfa", "type": "totp", "at": timezone.now().timestamp(), "id": 1},
        ]
        session["account_authentication_methods_user"] = str(user.pk)
    if organisation is not None:
        session[ORGANISATION_SESSION_KEY] = organisation.pk
    session.save()
    client.signed_in_cookies = copy.deepcopy(client.cookies)  # type: ignore[attr-defined]
    return client


# --- the irritation's URLs ---------------------------------------------------------------------

ACTIONS = (
    "irritation_address",
    "irritation_acknowledge",
    "irritation_message",
    "irritation_propose",
    "irritation_resolve",
    "irritation_withdraw",
    "irritation_move_date",
    "irritation_share",
    "irritation_revoke_share",
)
_EXTRA_ACTIONS = ("irritation_reopen", "irritation_notes", "irritation_read_log")


def action_names() -> tuple[str, ...]:
    """Every action URL of an irritation that exists now (new ones join when their feature lands)."""
    from django.urls import NoReverseMatch

    names = list(ACTIONS)
    for name in _EXTRA_ACTIONS:
        try:
            reverse(f"mentoring:{name}", args=[1])
        except NoReverseMatch:
            continue
        names.append(name)
    return tuple(names)


def post_data(action: str, world: World, today: dt.date) -> dict[str, Any]:
    lead = world.membership("lead1", "nord")
    return {
        "irritation_message": {"body": "Eine Nachricht"},
        "irritation_propose": {"proposal": "Ein Vorschlag"},
        "irritation_move_date": {"clarify_by": (today + dt.timedelta(days=3)).isoformat()},
        "irritation_share": {"lead": lead.pk if lead else ""},
    }.get(action, {})


_CSRF_VALUE = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')
_UNREAD_BADGE = re.compile(r' <span class="badge">\d+<span class="visually-hidden">[^<]*</span></span>')


def normalised(response: Any, path: str) -> str:
    body = response.content.decode(errors="replace")
    body = _CSRF_VALUE.sub('name="csrfmiddlewaretoken" value=""', body)
    # The unread-notification badge is the viewer's, not the object's: it cannot tell whether an id exists.
    body = _UNREAD_BADGE.sub("", body)
    return body.replace(path, "{path}")


class _Rollback(Exception):
    pass


def request(client: Client, method: str, path: str, data: dict[str, Any] | None = None) -> tuple[int, str, str]:
    """One request whose effects are rolled back: (status, normalised body, redirect target)."""
    result: tuple[int, str, str] = (0, "", "")
    fresh(client)
    try:
        with transaction.atomic():
            response = client.get(path) if method == "GET" else client.post(path, data or {})
            result = (response.status_code, normalised(response, path), response.get("Location", ""))
            raise _Rollback
    except _Rollback:
        pass
    return result


def fresh(client: Client) -> None:
    """Only the session cookie: a flash message of a rolled-back action must not show on the next page."""
    client.cookies = copy.deepcopy(client.signed_in_cookies)  # type: ignore[attr-defined]


def mfa_url() -> str:
    return reverse("accounts:mfa_required")


# --- reading back --------------------------------------------------------------------------------


def readers(world: World, people: list[str]) -> dict[int, set[str]]:
    """For every irritation, who ``visible_to`` lets read it."""
    out: dict[int, set[str]] = {pk: set() for pk in Irritation.objects.values_list("pk", flat=True)}
    for person in people:
        for pk in Irritation.objects.visible_to(world.users[person]).values_list("pk", flat=True):
            out[pk].add(person)
    return out


def refused(call: Any) -> bool:
    """Run one service call; True when the product refused it with a message (nothing saved)."""
    try:
        with transaction.atomic():
            call()
    except ValidationError:
        return True
    return False


def assign(world: World, *, peer: Membership, mentor: Membership, by: User) -> MentorAssignment:
    """Mentoring by consent: proposed by ``by``, accepted by the peer, agreed to by the mentor."""
    waiting = MentorAssignment.objects.proposed().filter(peer=peer, mentor=mentor).first()
    assignment = waiting or mentoring.propose_mentor(peer=peer, mentor=mentor, by=by)
    for who in (peer.user, mentor.user):
        assignment.refresh_from_db()
        if assignment.state == MentorAssignment.State.PROPOSED:
            mentoring.accept_mentoring(assignment=assignment, by=who)
    assignment.refresh_from_db()
    assert assignment.state == MentorAssignment.State.ACCEPTED
    return assignment


def propose_only(*, peer: Membership, mentor: Membership, by: User) -> MentorAssignment:
    return mentoring.propose_mentor(peer=peer, mentor=mentor, by=by)


def strict_mfa_landed() -> bool:
    """The second factor follows the strictest of a person's memberships, not the selected one."""
    from accounts import middleware

    source = inspect.getsource(middleware.RequireMfaMiddleware)
    return "membership.needs_mfa" not in source


def check_in_note_is_the_mentors() -> bool:
    """The mentor's private note of a check-in is exported to the mentor only."""
    from tandem import privacy

    entry = privacy.registry()["mentoring.CheckIn"]
    exported = entry.fields or ("note",)
    return "assignment__peer__user" not in entry.subject or "note" not in exported
