from accounts import demo as accounts_demo
from supervision import demo
from supervision.models import DatePoll, GroupMember, Series, Session
from tandem.notifications.models import Notification


def test_demo_seeds_a_group_with_series_poll_and_a_reminder_and_is_idempotent(db):
    people = accounts_demo.seed()
    group = demo.seed(people)
    counts = (GroupMember.objects.count(), Series.objects.count(), Session.objects.count(), DatePoll.objects.count(), Notification.objects.count())
    demo.seed(accounts_demo.seed())
    assert counts == (
        GroupMember.objects.count(), Series.objects.count(), Session.objects.count(), DatePoll.objects.count(), Notification.objects.count(),
    )
    assert Series.objects.get(group=group).rotation == [0, 1, 2, 3]
    assert DatePoll.objects.open().filter(group=group).exists()
    assert Notification.objects.filter(kind="supervision.reminder", recipient=people.members["peer"].user).exists()
    assert not GroupMember.objects.filter(membership__is_professional=True).exists()
