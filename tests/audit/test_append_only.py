"""The audit trail is append-only in the database itself, on PostgreSQL and on SQLite (the embedded
default of `make run`), and it outlives the organisation it belongs to."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from accounts import services as account_services
from accounts.models import Organisation
from tandem.audit.models import AuditEvent
from tandem.audit.services import record
from tandem.notifications.models import Notification

from ..factories import OrganisationFactory, member

ROOT = Path(__file__).resolve().parent.parent.parent
REFUSED = "append-only"


def _raw(sql: str, params: list[Any]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- PostgreSQL (the test database) ----------------------------------------------------------------


@pytest.mark.django_db
def test_raw_sql_update_of_an_audit_row_is_refused_by_the_database(cast):
    event = record(actor=cast.team_lead.user, action="changed", obj=cast.team)
    with pytest.raises(DatabaseError, match=REFUSED):
        _raw("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["created", event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "changed"


@pytest.mark.django_db
def test_raw_sql_delete_of_an_audit_row_is_refused_by_the_database(cast):
    event = record(actor=cast.team_lead.user, action="changed", obj=cast.team)
    with pytest.raises(DatabaseError, match=REFUSED):
        _raw("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_truncate_still_works_for_the_test_runner(cast):
    # pytest-django empties tables with TRUNCATE between transactional tests on PostgreSQL
    # (this very test ends with one); no row trigger fires for it.
    record(actor=cast.team_lead.user, action="changed", obj=cast.team)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")
    assert not AuditEvent.objects.exists()


@pytest.fixture
def organisation_with_history(db):
    """An organisation whose admin created a service and invited someone: audit events, no tandems."""
    organisation = OrganisationFactory(name="Träger West", slug="west")
    admin = member(organisation, is_org_admin=True, email="west-admin@example.org")
    account_services.create_service(organisation=organisation, name="Beratung", by=admin.user)
    account_services.invite(by=admin.user, organisation=organisation, email="neu@example.org", roles=["peer"])
    assert {"service.created", "invitation.sent"} <= set(
        AuditEvent.objects.filter(organisation=organisation).values_list("action", flat=True)
    )
    assert Notification.objects.filter(organisation=organisation).exists()  # the invitation e-mail
    return organisation


def _trail(organisation_id: int) -> set[tuple[int, str]]:
    return set(AuditEvent.objects.filter(organisation_id=organisation_id).values_list("pk", "action"))


def test_deleting_an_organisation_keeps_its_audit_events(organisation_with_history):
    organisation_id = organisation_with_history.pk
    trail = _trail(organisation_id)

    organisation_with_history.delete()

    assert not Organisation.objects.filter(pk=organisation_id).exists()
    assert _trail(organisation_id) == trail


def test_operator_deletes_an_organisation_with_history_in_admin(organisation_with_history, cast):
    organisation_id = organisation_with_history.pk
    trail = _trail(organisation_id)
    admin = cast.client_for(cast.superuser)
    url = reverse("admin:accounts_organisation_delete", args=[organisation_id])
    assert admin.get(url).status_code == 200
    response = admin.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=organisation_id).exists()
    assert not Notification.objects.filter(organisation_id=organisation_id).exists()  # its outbox went with it
    assert _trail(organisation_id) == trail
    # The trail of the organisation that is gone still shows in admin, naming it by its id.
    listing = admin.get(reverse("admin:audit_auditevent_changelist"), HTTP_ACCEPT_LANGUAGE="de")
    assert listing.status_code == 200
    assert f"Organisation {organisation_id} (gelöscht)" in listing.content.decode()
    event_pk = min(pk for pk, _action in trail)
    page = admin.get(reverse("admin:audit_auditevent_change", args=[event_pk]))
    assert page.status_code == 200


def test_admin_refuses_clearly_when_other_records_protect_the_organisation(cast):
    # Teams protect their service (accounts): not the audit trail's rule, but it must stay a page, not a 500.
    admin = cast.client_for(cast.superuser)
    url = reverse("admin:accounts_organisation_delete", args=[cast.organisation.pk])
    response = admin.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert Organisation.objects.filter(pk=cast.organisation.pk).exists()


# --- SQLite, migrated from scratch as `make run` does ----------------------------------------------

ON_SQLITE = """
import json
import django
django.setup()
from django.db import DatabaseError, connection, transaction
from accounts.models import Organisation
from tandem.audit.models import AuditEvent
from tandem.audit.services import record

assert connection.vendor == "sqlite", connection.vendor
organisation = Organisation.objects.create(name="Träger SQLite", slug="sqlite")
event = record(actor=None, action="changed", organisation=organisation)
outcome = {}
for name, sql in {
    "update": "UPDATE audit_auditevent SET action = 'created' WHERE id = %s",
    "delete": "DELETE FROM audit_auditevent WHERE id = %s",
}.items():
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
        outcome[name] = "allowed"
    except DatabaseError as error:
        outcome[name] = str(error)
outcome["organisation_id"] = organisation.pk
organisation.delete()
outcome["after_organisation_deleted"] = list(AuditEvent.objects.filter(pk=event.pk).values_list("action", "organisation_id"))
print(json.dumps(outcome))
"""


@pytest.fixture(scope="module")
def sqlite_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    var = tmp_path_factory.mktemp("sqlite-audit")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}}
    env |= {"TANDEM_VAR_DIR": str(var), "DJANGO_SETTINGS_MODULE": "tandem.settings", "TANDEM_ENV": "development"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)
    return env


def test_sqlite_database_refuses_update_and_delete_of_audit_rows(sqlite_env):
    result = subprocess.run([sys.executable, "-c", ON_SQLITE], cwd=ROOT, env=sqlite_env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    # A migration that rebuilt the table after 0002 would have dropped the triggers silently.
    assert REFUSED in outcome["update"] and "UPDATE refused" in outcome["update"], outcome
    assert REFUSED in outcome["delete"] and "DELETE refused" in outcome["delete"], outcome
    assert outcome["after_organisation_deleted"] == [["changed", outcome["organisation_id"]]]
