"""Demo organisation for `make run` and the browser tests. Idempotent: running it twice changes nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.db import transaction

from tandem.demo import DEMO_PASSWORD

from .models import (
    ROLE_FIELDS,
    Membership,
    Organisation,
    PeerProfile,
    ProfessionalProfile,
    Role,
    Service,
    Team,
    TeamMembership,
    User,
)

DEMO_SLUG = "demo"


@dataclass(frozen=True)
class DemoPerson:
    key: str
    email: str
    name: str
    roles: tuple[Role, ...]
    team: str | None = None
    peer_kind: str = ""
    profession: str = ""


PEOPLE = (
    DemoPerson("admin", "admin@example.org", "Frieda Berger", (Role.ORG_ADMIN,)),
    DemoPerson("lead", "teamleitung@example.org", "Tom Albers", (Role.TEAM_LEAD,)),
    DemoPerson("peer", "peer@example.org", "Paula Schmidt", (Role.PEER,), "wohnen", PeerProfile.Kind.EMPLOYED),
    DemoPerson("peer2", "peer2@example.org", "Jonas Weber", (Role.PEER,), "wohnen", PeerProfile.Kind.EMPLOYED),
    DemoPerson("volunteer", "ehrenamt@example.org", "Valentina Roth", (Role.PEER,), "krise", PeerProfile.Kind.VOLUNTEER),
    DemoPerson("professional", "fachkraft@example.org", "Fabian Keller", (Role.PROFESSIONAL,), "wohnen", profession="Sozialarbeiter"),
    DemoPerson("nurse", "pflege@example.org", "Nora Yilmaz", (Role.PROFESSIONAL,), "krise", profession="Pflegefachkraft"),
    DemoPerson("mentor", "mentorin@example.org", "Mia Hoffmann", (Role.MENTOR, Role.PROFESSIONAL), "krise", profession="Psychologin"),
    DemoPerson("mentor2", "mentor@example.org", "Lars Brandt", (Role.MENTOR, Role.PEER), "krise", PeerProfile.Kind.EMPLOYED),
    DemoPerson("supervisor", "supervision@example.org", "Sabine Krüger", (Role.SUPERVISOR,)),
)

TEAMS = {
    "wohnen": ("Eingliederungshilfe Nord", "Ambulant betreutes Wohnen"),
    "krise": ("Sozialpsychiatrischer Dienst", "Krisendienst"),
}


@dataclass
class Demo:
    organisation: Organisation
    teams: dict[str, Team]
    members: dict[str, Membership]


@transaction.atomic
def seed() -> Demo:
    organisation, _ = Organisation.objects.get_or_create(
        slug=DEMO_SLUG, defaults={"name": "Gemeindepsychiatrie Musterstadt e. V.", "mfa_required": False}
    )
    teams: dict[str, Team] = {}
    for key, (service_name, team_name) in TEAMS.items():
        service, _ = Service.objects.get_or_create(organisation=organisation, name=service_name)
        teams[key], _ = Team.objects.get_or_create(organisation=organisation, service=service, name=team_name)
    members: dict[str, Membership] = {}
    for person in PEOPLE:
        user = User.objects.filter(email=person.email).first()
        if user is None:
            user = User.objects.create_user(email=person.email, password=DEMO_PASSWORD, full_name=person.name)
        EmailAddress.objects.get_or_create(user=user, email=user.email, defaults={"verified": True, "primary": True})
        membership = Membership.objects.filter(user=user, organisation=organisation, ended_on__isnull=True).first()
        if membership is None:
            membership = Membership(user=user, organisation=organisation, started_on=dt.date(2026, 1, 5))
            for role in person.roles:
                setattr(membership, ROLE_FIELDS[role], True)
            membership.save()
        if membership.is_peer:
            PeerProfile.objects.get_or_create(
                membership=membership,
                defaults={
                    "kind": person.peer_kind,
                    "exin_status": PeerProfile.ExinStatus.CERTIFIED,
                    "exin_certified_on": dt.date(2024, 6, 30),
                    "weekly_hours": 20 if person.peer_kind == PeerProfile.Kind.EMPLOYED else 4,
                },
            )
        if membership.is_professional:
            ProfessionalProfile.objects.get_or_create(membership=membership, defaults={"profession": person.profession})
        if person.team and (membership.is_peer or membership.is_professional):
            TeamMembership.objects.get_or_create(
                team=teams[person.team],
                membership=membership,
                ended_on=None,
                defaults={
                    "function": TeamMembership.Function.PEER if membership.is_peer else TeamMembership.Function.PROFESSIONAL,
                    "started_on": dt.date(2026, 1, 5),
                },
            )
        members[person.key] = membership
    return Demo(organisation=organisation, teams=teams, members=members)


def seed_demo(_demo: object) -> Demo:
    """The first demo seeder: the organisation, its services and teams, and the demo logins."""
    return seed()


def logins() -> list[tuple[str, str]]:
    return [(person.email, ", ".join(str(role.label) for role in person.roles)) for person in PEOPLE]
