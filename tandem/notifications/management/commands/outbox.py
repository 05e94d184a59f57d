from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Count, Q
from django.utils import timezone

from tandem.notifications.models import Channel, Notification, SweepRun
from tandem.notifications.selectors import outbox_backlog
from tandem.notifications.services import retry_given_up
from tandem.notifications.sweeps import SWEEPS, stale_sweeps

LISTED = 50


def _masked(address: str) -> str:
    # Enough for an operator to recognise the row, not a list of addresses in a terminal log.
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


class Command(BaseCommand):
    help = "Print the e-mail outbox backlog and when each periodic sweep last completed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="Exit with an error if a sweep is stale or an e-mail was given up."
        )
        parser.add_argument("--list", action="store_true", help=f"List the pending e-mails (the first {LISTED}).")
        parser.add_argument("--retry-given-up", action="store_true", help="Queue every given-up e-mail again.")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["retry_given_up"]:
            self.stdout.write(f"Queued again: {retry_given_up()}")
        backlog = outbox_backlog(now)
        self.stdout.write("Outbox (e-mails not sent yet)")
        self.stdout.write(f"  due now:            {backlog['due']}")
        oldest = backlog["oldest_due_seconds"]
        self.stdout.write(f"  oldest due since:   {'-' if oldest is None else f'{oldest} s'}")
        self.stdout.write(f"  waiting (quiet hours, digest): {backlog['waiting']}")
        self.stdout.write(f"  held by a sender:   {backlog['leased']}")
        self.stdout.write(f"  retrying after errors: {backlog['retrying']}")
        self.stdout.write(f"  given up:           {backlog['given_up']}")
        given_up = Notification.objects.filter(gave_up_at__isnull=False, sent_at__isnull=True).order_by("-gave_up_at")
        for lost in given_up[:20]:
            to = f"person #{lost.recipient_id}" if lost.recipient_id else f"address {_masked(lost.address)}"
            self.stdout.write(f"    #{lost.pk} {lost.kind} to {to}, {lost.gave_up_at:%Y-%m-%d %H:%M}: {lost.last_error}")
        pending = Notification.objects.filter(channel=Channel.EMAIL, sent_at__isnull=True, cancelled_at__isnull=True)
        by_kind = pending.values("kind").annotate(n=Count("pk"), failing=Count("pk", filter=~Q(last_error=""))).order_by("kind")
        self.stdout.write("Pending by kind")
        for row in by_kind:
            self.stdout.write(f"  {row['kind']:32} {row['n']:>5} ({row['failing']} retrying after errors)")
        if options["list"]:
            self.stdout.write("Pending e-mails")
            for email in pending.order_by("send_after", "pk")[:LISTED]:
                to = f"person #{email.recipient_id}" if email.recipient_id else f"address {_masked(email.address)}"
                error = f", last error: {email.last_error}" if email.last_error else ""
                self.stdout.write(
                    f"  #{email.pk} {email.kind} to {to}, due {timezone.localtime(email.send_after):%Y-%m-%d %H:%M}, "
                    f"attempts {email.attempts}{error}"
                )
        stale = set(stale_sweeps(now))
        runs = {run.name: run for run in SweepRun.objects.all()}
        self.stdout.write("Sweeps")
        for name, sweep in sorted(SWEEPS.items()):
            run = runs.get(name)
            if run is None or run.last_completed_at is None:
                last = "never completed"
            else:
                last = f"completed {int((now - run.last_completed_at).total_seconds())} s ago"
            state = "STALE" if name in stale else "ok"
            self.stdout.write(f"  {name:32} every {sweep.every_seconds:>5} s, {last}: {state}")
        if options["check"] and stale:
            raise CommandError(f"Stale sweeps: {', '.join(sorted(stale))}")
        if options["check"] and backlog["given_up"]:
            raise CommandError(f"{backlog['given_up']} e-mail(s) given up (retry with --retry-given-up)")
