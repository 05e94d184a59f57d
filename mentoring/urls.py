from django.urls import path

from . import views

app_name = "mentoring"
urlpatterns = [
    # Team lead / org admin
    path("mentors/", views.lead_overview, name="lead_overview"),
    path("mentors/assign/", views.assign, name="assign"),
    path("mentors/peers/<int:pk>/", views.peer_history, name="peer_history"),
    path("mentors/assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
    path("settings/", views.settings_view, name="settings"),
    # The peer and the proposed mentor answer a proposal (a lead may withdraw it)
    path("proposals/<int:pk>/", views.proposal, name="proposal"),
    path("proposals/<int:pk>/accept/", views.proposal_accept, name="proposal_accept"),
    path("proposals/<int:pk>/decline/", views.proposal_decline, name="proposal_decline"),
    # Mentor
    path("mentees/", views.mentees, name="mentees"),
    path("mentees/<int:pk>/check-in/", views.check_in, name="check_in"),
    path("mentees/<int:pk>/interval/", views.check_in_interval, name="check_in_interval"),
    # Peer
    path("my-mentor/request/", views.request_mentor, name="request_mentor"),
    path("my-mentor/request/withdraw/", views.request_withdraw, name="request_withdraw"),
    path("irritations/", views.my_irritations, name="my_irritations"),
    path("irritations/new/", views.irritation_create, name="irritation_create"),
    path("irritations/hand-over/", views.hand_over, name="hand_over"),
    path("irritations/<int:pk>/", views.irritation_detail, name="irritation_detail"),
    path("irritations/<int:pk>/address/", views.irritation_address, name="irritation_address"),
    path("irritations/<int:pk>/acknowledge/", views.irritation_acknowledge, name="irritation_acknowledge"),
    path("irritations/<int:pk>/message/", views.irritation_message, name="irritation_message"),
    path("irritations/<int:pk>/propose/", views.irritation_propose, name="irritation_propose"),
    path("irritations/<int:pk>/resolve/", views.irritation_resolve, name="irritation_resolve"),
    path("irritations/<int:pk>/withdraw/", views.irritation_withdraw, name="irritation_withdraw"),
    path("irritations/<int:pk>/date/", views.irritation_move_date, name="irritation_move_date"),
    path("irritations/<int:pk>/share/", views.irritation_share, name="irritation_share"),
    path("irritations/<int:pk>/share/revoke/", views.irritation_revoke_share, name="irritation_revoke_share"),
    path("irritations/<int:pk>/reopen/", views.irritation_reopen, name="irritation_reopen"),
    # The backup person of an irritation that waits for its mentor (never its content)
    path("backup/<int:pk>/", views.backup, name="backup"),
    path("backup/<int:pk>/remind/", views.backup_remind, name="backup_remind"),
    path("backup/<int:pk>/offer/", views.backup_offer, name="backup_offer"),
]
