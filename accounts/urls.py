from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/new/", views.invitation_create, name="invitation_create"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("invitations/<int:pk>/resend/", views.invitation_resend, name="invitation_resend"),
    path("profile/", views.profile, name="profile"),
    path("profile/lived-experience/", views.lived_experience, name="lived_experience"),
    path("profile/placements/", views.placement_conflict_add, name="placement_conflict_add"),
    path("profile/placements/<int:pk>/remove/", views.placement_conflict_delete, name="placement_conflict_delete"),
    path("language/", views.switch_language, name="switch_language"),
    path("organisation/switch/", views.switch_organisation, name="switch_organisation"),
    path("security/mfa-required/", views.mfa_required, name="mfa_required"),
    path("organisation/", views.organisation, name="organisation"),
    path("organisation/services/new/", views.service_create, name="service_create"),
    path("organisation/services/<int:pk>/", views.service_detail, name="service_detail"),
    path("organisation/services/<int:pk>/archive/", views.service_archive, name="service_archive"),
    path("organisation/teams/", views.team_list, name="team_list"),
    path("organisation/teams/new/", views.team_create, name="team_create"),
    path("organisation/teams/<int:pk>/", views.team_detail, name="team_detail"),
    path("organisation/teams/<int:pk>/members/", views.team_add_member, name="team_add_member"),
    path("organisation/teams/<int:pk>/archive/", views.team_archive, name="team_archive"),
    path("organisation/team-memberships/<int:pk>/end/", views.team_membership_end, name="team_membership_end"),
    path("people/", views.member_list, name="member_list"),
    path("people/<int:pk>/", views.member_detail, name="member_detail"),
    path("people/<int:pk>/roles/", views.member_roles, name="member_roles"),
    path("people/<int:pk>/leave/", views.member_end, name="member_end"),
    path("people/<int:pk>/erase/", views.member_erase, name="member_erase"),
]
