"""Database expressions shared by the apps, portable between PostgreSQL (production, tests) and
SQLite (the embedded default of `make run`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Func


class DatePlusDays(Func):
    """The date ``days`` after a date column: ``DatePlusDays(F("started_on"), F("weeks") * 7)``."""

    arg_joiner = " + "
    template = "(%(expressions)s)"  # PostgreSQL: date + integer is a date

    def as_sqlite(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:
        date_sql, date_params = compiler.compile(self.source_expressions[0])
        days_sql, days_params = compiler.compile(self.source_expressions[1])
        return f"date({date_sql}, '+' || ({days_sql}) || ' days')", [*date_params, *days_params]
