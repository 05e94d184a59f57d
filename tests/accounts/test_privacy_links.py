from django.urls import reverse

from accounts import services


def test_profile_offers_the_data_download_and_the_record_of_processing(cast):
    page = cast.client_for(cast.peer).get(reverse("accounts:profile")).content.decode()
    assert reverse("privacy:export") in page
    assert reverse("privacy:record") in page


def test_org_admin_is_offered_erasure_only_for_a_person_who_left(cast):
    admin = cast.client_for(cast.org_admin)
    erase_url = reverse("accounts:member_erase", args=[cast.other_peer.pk])
    assert erase_url not in admin.get(cast.other_peer.get_absolute_url()).content.decode()
    services.end_membership(membership=cast.other_peer, by=cast.org_admin.user)
    assert erase_url in admin.get(cast.other_peer.get_absolute_url()).content.decode()
