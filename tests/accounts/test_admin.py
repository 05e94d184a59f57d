"""Django admin is the operator's (staff) tool only, and shows nothing confidential."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.urls import reverse

from accounts.models import PlacementConflict, ProfessionalProfile


def test_org_admin_without_staff_flag_cannot_open_django_admin(cast):
    response = cast.client_for(cast.org_admin).get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_placement_conflicts_are_not_in_django_admin(cast):
    PlacementConflict.objects.create(peer=cast.peer, service=cast.other_service)
    client = cast.client_for(cast.superuser)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/placementconflict/").status_code == 404
    membership_page = client.get(reverse("admin:accounts_membership_change", args=[cast.peer.pk])).content.decode()
    assert cast.other_service.name not in membership_page


def test_lived_experience_is_not_shown_in_django_admin(cast):
    ProfessionalProfile.objects.filter(membership=cast.professional).update(
        has_lived_experience=True, lived_experience_visible_to=ProfessionalProfile.Visibility.NOBODY
    )
    page = cast.client_for(cast.superuser).get(reverse("admin:accounts_membership_change", args=[cast.professional.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "has_lived_experience" not in body
    assert "lived_experience_visible_to" not in body


def test_totp_secrets_are_not_shown_in_django_admin(cast):
    authenticator = Authenticator.objects.create(
        user=cast.mentor.user, type=Authenticator.Type.TOTP, data={"secret": "JBSWY3DPEHPK3PXPSECRETX"}
    )
    page = cast.client_for(cast.superuser).get(reverse("admin:mfa_authenticator_change", args=[authenticator.pk]))
    assert page.status_code == 200
    assert "JBSWY3DPEHPK3PXPSECRETX" not in page.content.decode()


def test_invitation_token_hash_is_not_shown(cast):
    from accounts import services

    invitation, _token = services.invite(
        by=cast.org_admin.user, organisation=cast.organisation, email="neu@example.org", roles=["peer"]
    )
    page = cast.client_for(cast.superuser).get(reverse("admin:accounts_invitation_change", args=[invitation.pk]))
    assert page.status_code == 200
    assert invitation.token_hash not in page.content.decode()


def test_operator_adds_and_edits_users_in_django_admin(cast):
    from accounts.models import User

    client = cast.client_for(cast.superuser)
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200
    response = client.post(
        reverse("admin:accounts_user_add"),
        {"email": "operator-made@example.org", "password1": "a-long-passphrase-77", "password2": "a-long-passphrase-77"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="operator-made@example.org")
    assert client.get(reverse("admin:accounts_user_change", args=[user.pk])).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist") + "?q=example").status_code == 200
