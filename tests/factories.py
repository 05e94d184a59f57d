"""factory-boy factories for the fixed cast and for feature tests."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import (
    Membership,
    Organisation,
    PeerProfile,
    ProfessionalProfile,
    Service,
    Team,
    TeamMembership,
    User,
)
from mentoring.models import MentorAssignment

PASSWORD = "correct-horse-battery-9"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name", locale="de_DE")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()
            EmailAddress.objects.get_or_create(user=self, email=self.email, defaults={"verified": True, "primary": True})


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Träger {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Einrichtung {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    service = factory.SubFactory(ServiceFactory)
    organisation = factory.SelfAttribute("service.organisation")
    name = factory.Sequence(lambda n: f"Team {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)


def member(organisation: Organisation, *, team: Team | None = None, email: str | None = None, **roles: bool) -> Membership:
    """A person with the given roles (is_peer=True, ...) in ``organisation``, optionally in ``team``."""
    user = UserFactory(**({"email": email} if email else {}))
    membership = MembershipFactory(user=user, organisation=organisation, **roles)
    if membership.is_peer:
        PeerProfile.objects.create(membership=membership)
    if membership.is_professional:
        ProfessionalProfile.objects.create(membership=membership, profession="Sozialarbeit")
    if team is not None and (membership.is_peer or membership.is_professional):
        TeamMembership.objects.create(
            team=team,
            membership=membership,
            function=TeamMembership.Function.PEER if membership.is_peer else TeamMembership.Function.PROFESSIONAL,
        )
    return membership


class MentorAssignmentFactory(factory.django.DjangoModelFactory):
    """A current mentoring, agreed by the peer and the mentor (give ``peer`` and ``mentor``).

    ``MentorAssignmentFactory(proposed=True, ...)`` makes a proposal that waits for both answers;
    pass ``peer_accepted_at`` or ``mentor_accepted_at`` as well for one answer given.
    """

    class Meta:
        model = MentorAssignment

    organisation = factory.SelfAttribute("peer.organisation")
    state = MentorAssignment.State.ACCEPTED
    peer_accepted_at = factory.LazyFunction(timezone.now)
    mentor_accepted_at = factory.LazyFunction(timezone.now)

    class Params:
        proposed = factory.Trait(
            state=MentorAssignment.State.PROPOSED, peer_accepted_at=None, mentor_accepted_at=None
        )


def mentoring(peer: Membership, mentor: Membership, **fields: object) -> MentorAssignment:
    """A current, agreed mentoring of ``peer`` by ``mentor``."""
    return MentorAssignmentFactory(peer=peer, mentor=mentor, **fields)


def proposed_mentoring(peer: Membership, mentor: Membership, **fields: object) -> MentorAssignment:
    """A proposal of ``mentor`` for ``peer`` that waits for the answers."""
    return MentorAssignmentFactory(peer=peer, mentor=mentor, proposed=True, **fields)


def agreed_through_services(peer: Membership, mentor: Membership, *, by: User) -> MentorAssignment:
    """Propose a mentor and let the peer and the mentor agree, through the real services."""
    from mentoring import services

    assignment = services.propose_mentor(peer=peer, mentor=mentor, by=by)
    services.accept_mentoring(assignment=assignment, by=peer.user)
    return services.accept_mentoring(assignment=assignment, by=mentor.user)
