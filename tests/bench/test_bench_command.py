"""The benchmark command runs end to end at a tiny scale and writes its JSON (figures are not checked)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Organisation

pytestmark = pytest.mark.django_db(transaction=True)


def test_bench_refuses_a_database_it_would_wipe_by_accident(monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db import connection

    connection.ensure_connection()
    monkeypatch.setitem(connection.settings_dict, "NAME", "tandem")
    with pytest.raises(CommandError, match="empties the database"):
        call_command("bench", "--scale", "0.001", "--quick", "--no-load", stdout=StringIO(), stderr=StringIO())
    assert Organisation.objects.count() == 0


def test_bench_smoke_run_writes_table_and_json(tmp_path: Path) -> None:
    out = tmp_path / "bench.json"
    stdout = StringIO()
    call_command(
        "bench", "--scale", "0.001", "--quick", "--no-load", "--allow-wipe", "--repeat", "2", "--sweep-scale", "0.002",
        "--json", str(out), stdout=stdout, stderr=StringIO(),
    )
    result = json.loads(out.read_text())

    assert set(result) >= {"meta", "seed", "pages", "sweeps", "load", "targets"}
    assert result["meta"]["scale"] == 0.001
    assert result["seed"]["rows"]["organisations"] == 1
    assert Organisation.objects.filter(slug="bench-000").exists()
    assert set(result["pages"]) == {
        "dashboard", "dashboard_fresh", "mentees", "irritations", "group", "feed", "report", "home", "trivial",
        "volunteer_hours",
    }
    # Every page and sweep is measured at both sizes (an HTTP error or a page left out would be a broken run).
    for name, page in result["pages"].items():
        for size in ("small", "large"):
            measured = page[size]
            assert measured["status"] == "ok", (name, size, measured)
            assert measured["queries"] > 0
            assert measured["median_ms"] > 0 and measured["p95_ms"] >= measured["median_ms"]
    assert set(result["sweeps"]) == {"escalation", "reminders", "outbox"}
    for name, sweep in result["sweeps"].items():
        assert sweep["status"] == "ok", (name, sweep)
        assert sweep["small"]["rows"] < sweep["large"]["rows"]
        assert sweep["small"]["due"] == sweep["large"]["due"]
        assert sweep["small"]["queries"] > 0 and "plan" in sweep["large"]
    assert result["load"] == {"status": "not measured", "reason": "--no-load"}
    assert {t["verdict"] for t in result["targets"]} <= {"met", "MISSED", "not measured"}
    table = stdout.getvalue()
    assert "| target" in table and "team lead dashboard" in table
