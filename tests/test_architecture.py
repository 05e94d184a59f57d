"""The layout keeps the data where it was: the pairing app answers to the database label "tandem",
so tables, content types, generic links and Celery task names resolve as before; and the import
contracts in .importlinter hold."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from pairing.models import Reflection, SupportProcess, Tandem, TandemPause
from tandem.audit.models import AuditEvent
from tandem.audit.services import record
from tandem.celery import app as celery_app
from tandem.notifications.models import Notification
from tandem.notifications.services import notify
from tandem.notifications.sweeps import SWEEPS

ROOT = Path(__file__).resolve().parent.parent


def test_pairing_keeps_the_database_label_and_table_names() -> None:
    assert apps.get_app_config("tandem").name == "pairing"
    assert apps.get_app_config("kernel").name == "tandem"
    assert [m._meta.db_table for m in (Tandem, TandemPause, Reflection, SupportProcess)] == [
        "tandem_tandem", "tandem_tandempause", "tandem_reflection", "tandem_supportprocess",
    ]
    assert apps.get_model("tandem.Tandem") is Tandem


def test_content_types_and_generic_links_resolve_to_pairing_models(cast) -> None:
    tandem = Tandem.objects.create(
        organisation=cast.organisation, team=cast.team, peer=cast.peer, professional=cast.professional,
        proposed_by=cast.team_lead.user,
    )
    content_type = ContentType.objects.get_for_model(Tandem)
    assert (content_type.app_label, content_type.model) == ("tandem", "tandem")
    event = record(actor=cast.team_lead.user, action="tandem.proposed", obj=tandem)
    assert AuditEvent.objects.get(pk=event.pk).content_type.get_object_for_this_type(pk=event.object_id) == tandem
    notify(recipients=[cast.peer.user], kind="tandem.proposed", event_key="architecture:1", obj=tandem)
    assert Notification.objects.filter(recipient=cast.peer.user).first().target == tandem


def test_every_sweep_names_a_registered_celery_task() -> None:
    celery_app.loader.import_default_modules()
    registered = set(celery_app.tasks)
    assert {"tandem.send_reflection_reminders", "tandem.send_transition_reminders"} <= registered
    assert {sweep.task for sweep in SWEEPS.values()} <= registered


def test_the_import_contracts_hold() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).parent / "lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
