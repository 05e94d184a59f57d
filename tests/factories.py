"""factory-boy factories for the fixed cast and for feature tests."""

from __future__ import annotations

import factory
from allauth.account.models import EmailAddress

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
