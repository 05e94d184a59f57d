# The audit trail becomes append-only in the database itself, and outlives the organisation.
#
# A trigger refuses every UPDATE and DELETE of an audit row, whoever sends it: raw SQL, a cascade,
# a script in a shell. TRUNCATE is deliberately left alone (no row triggers fire for it): the test
# runner empties tables with it between transactional tests on PostgreSQL, and an operator who
# truncates the trail has left the application's rules behind anyway.
#
# Written as a migration (not django-pgtrigger) so that SQLite, the embedded default of `make run`,
# gets the same guarantee, without a new dependency.

import django.db.models.deletion
from django.db import migrations, models

MESSAGE = "audit_auditevent is append-only: audit events cannot be changed or deleted"

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE} (% refused)', TG_OP;
    END;
    $$
    """,
    """
    CREATE TRIGGER audit_auditevent_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_auditevent_append_only()",
]

# SQLite drops a table's triggers when a migration rebuilds the table (most AlterField/AddField
# do): a later migration that changes audit_auditevent must run these statements again.
SQLITE = [
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} (UPDATE refused)'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE} (DELETE refused)'); END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
]

FORWARD = {"postgresql": POSTGRESQL, "sqlite": SQLITE}
REVERSE = {"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE}


def _run(statements):
    def run(apps, schema_editor):
        # Other databases are not supported by Tandem; they keep the ORM's refusal only.
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('audit', '0001_initial'),
    ]

    operations = [
        # First the table change (on SQLite it rebuilds the table), then the triggers on the result.
        # DO_NOTHING, not SET_NULL: SET_NULL would UPDATE audit rows, which the trigger refuses.
        migrations.AlterField(
            model_name='auditevent',
            name='organisation',
            field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='accounts.organisation'),
        ),
        migrations.RunPython(_run(FORWARD), _run(REVERSE), elidable=False),
    ]
