"""Bulk loading for the benchmark: PostgreSQL COPY with ids allocated from the table's sequence.

The seeder names only the columns it cares about; every other concrete column gets the model
field's default (evaluated once per call), so a new field with a default needs no change here.
A required column without a default stops the seeder with its name (UnseededColumn).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone
from psycopg.types.json import Jsonb

_MISSING = object()


class UnseededColumn(Exception):
    """A required column the seeder does not fill and the model gives no default for."""


def _fallback(field: models.Field[Any, Any]) -> Any:
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return timezone.now()
    if field.has_default():
        return field.get_default()
    if field.db_default is not models.NOT_PROVIDED:
        return _MISSING  # the database fills it
    if field.null:
        return None
    if field.blank and isinstance(field, models.CharField | models.TextField):
        return ""
    raise UnseededColumn(
        f"The benchmark seeder does not fill {field.model.__name__}.{field.name} and it has no default; "
        f"add it to the rows bench/ writes for this model."
    )


def _adapt(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return Jsonb(value)
    return value


def reserve_ids(model: type[models.Model], count: int) -> int:
    """Take ``count`` consecutive ids from the table's sequence; returns the first."""
    if count <= 0:
        return 0
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk.column])
        sequence = cursor.fetchone()[0]
        # The benchmark is the database's only writer, so nextval + setval is a safe block claim.
        cursor.execute("SELECT setval(%s, nextval(%s) + %s - 1)", [sequence, sequence, count])
        last = int(cursor.fetchone()[0])
    return last - count + 1


def copy_rows(model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """COPY ``rows`` (tuples in the order of ``columns``, attnames such as ``peer_id``) into the table."""
    fields_by_attname = {f.attname: f for f in model._meta.concrete_fields}
    given = [fields_by_attname[name] for name in columns]
    extra: list[tuple[models.Field[Any, Any], Any]] = []
    for field in model._meta.concrete_fields:
        if field.attname in columns or field.primary_key:
            continue
        value = _fallback(field)
        if value is not _MISSING:
            extra.append((field, _adapt(field, value)))
    column_sql = ", ".join(connection.ops.quote_name(f.column) for f in [*given, *(f for f, _ in extra)])
    extra_values = tuple(v for _, v in extra)
    json_positions = [i for i, f in enumerate(given) if isinstance(f, models.JSONField)]
    table = connection.ops.quote_name(model._meta.db_table)
    count = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        with raw.copy(f"COPY {table} ({column_sql}) FROM STDIN") as copy:
            for row in rows:
                if json_positions:
                    row = list(row)
                    for i in json_positions:
                        row[i] = _adapt(given[i], row[i])
                copy.write_row((*row, *extra_values))
                count += 1
    return count

