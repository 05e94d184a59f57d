"""The one table the benchmark prints, and the target checks behind it."""

from __future__ import annotations

from typing import Any

from .pages import EXTRA_PAGES

PAGE_TIME_FACTOR = 1.5
THROUGHPUT_FLOOR = 0.40
SWEEP_TIME_FACTOR = 3.0
SWEEP_MEMORY_FACTOR = 1.20


def _verdict(ok: bool | None) -> str:
    return {True: "met", False: "MISSED", None: "not measured"}[ok]


def targets(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Every target of the issue, checked against this run's figures."""
    rows: list[dict[str, Any]] = []
    for key, page in result["pages"].items():
        small, large = page.get("small", {}), page.get("large", {})
        measured = small.get("status") == "ok" and large.get("status") == "ok"
        if key == "trivial":
            page["time_ratio"] = round(large["median_ms"] / small["median_ms"], 2) if measured else None
            continue
        rows.append({
            "target": f"{page['title']}: same query count at both scales",
            "figure": f"{small.get('queries')} / {large.get('queries')}" if measured else "-",
            "met": (small["queries"] == large["queries"]) if measured else None,
        })
        ratio = large["median_ms"] / small["median_ms"] if measured and small["median_ms"] else None
        page["time_ratio"] = round(ratio, 2) if ratio else None
        if key not in EXTRA_PAGES:
            rows.append({
                "target": f"{page['title']}: median at large scale within {PAGE_TIME_FACTOR}x of small",
                "figure": f"{ratio:.2f}x" if ratio else "-",
                "met": (ratio <= PAGE_TIME_FACTOR) if ratio else None,
            })
    load = result.get("load", {})
    ratio = load.get("ratio")
    rows.append({
        "target": f"dashboard throughput >= {THROUGHPUT_FLOOR:.0%} of the trivial view",
        "figure": f"{ratio:.0%}" if ratio is not None else "-",
        "met": (ratio >= THROUGHPUT_FLOOR) if ratio is not None else None,
    })
    for sweep in result["sweeps"].values():
        ok = sweep.get("status") == "ok"
        title = sweep.get("title", "sweep")
        rows.append({
            "target": f"{title}: time at large table within {SWEEP_TIME_FACTOR:.0f}x of small",
            "figure": f"{sweep['time_ratio']:.2f}x" if ok and sweep.get("time_ratio") else "-",
            "met": (sweep["time_ratio"] <= SWEEP_TIME_FACTOR) if ok and sweep.get("time_ratio") else None,
        })
        rows.append({
            "target": f"{title}: peak memory at large table within {SWEEP_MEMORY_FACTOR - 1:.0%} of small",
            "figure": f"{sweep['memory_ratio']:.2f}x" if ok and sweep.get("memory_ratio") else "-",
            "met": (sweep["memory_ratio"] <= SWEEP_MEMORY_FACTOR) if ok and sweep.get("memory_ratio") else None,
        })
        rows.append({
            "target": f"{title}: EXPLAIN at the large table shows index use",
            "figure": ("index" if sweep["large"]["index_used"] else "no index") if ok else "-",
            "met": sweep["large"]["index_used"] if ok else None,
        })
    rows += _per_item_targets(result["sweeps"])
    for row in rows:
        row["verdict"] = _verdict(row["met"])
    return rows


# The escalation sweep per due irritation, against the outbox sender per e-mail in the same run.
ESCALATION_QUERIES_PER_ITEM = 4
ESCALATION_COST_FACTOR = 3


def _per_item(sweep: dict[str, Any], size: str = "large") -> tuple[float, float] | None:
    """(queries, milliseconds) per due row at one table size, or None if not measured."""
    if sweep.get("status") != "ok" or not sweep[size].get("due"):
        return None
    due = sweep[size]["due"]
    return sweep[size]["queries"] / due, sweep[size]["median_ms"] / due


def _per_item_targets(sweeps: dict[str, Any]) -> list[dict[str, Any]]:
    escalation = _per_item(sweeps.get("escalation", {}))
    outbox = _per_item(sweeps.get("outbox", {}))
    rows = [{
        "target": f"escalation sweep: at most {ESCALATION_QUERIES_PER_ITEM} queries per due irritation",
        "figure": f"{escalation[0]:.2f}" if escalation else "-",
        "met": (escalation[0] <= ESCALATION_QUERIES_PER_ITEM) if escalation else None,
    }]
    ratio = escalation[1] / outbox[1] if escalation and outbox and outbox[1] else None
    rows.append({
        "target": f"escalation sweep: time per due irritation within {ESCALATION_COST_FACTOR}x of the outbox sender per e-mail",
        "figure": f"{escalation[1]:.2f} / {outbox[1]:.2f} ms = {ratio:.2f}x" if escalation and outbox and ratio else "-",
        "met": (ratio <= ESCALATION_COST_FACTOR) if ratio is not None else None,
    })
    return rows


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}{unit}"
    if isinstance(value, int):
        return f"{value:,}{unit}"
    return f"{value}{unit}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return [line, rule, *("| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows)]


def render(result: dict[str, Any]) -> str:
    """One Markdown table (pages, sweeps, load, targets), pasteable into BENCHMARKS.md."""
    meta = result["meta"]
    small_label, large_label = f"scale {meta['small_scale']:g}", f"scale {meta['scale']:g}"
    rows: list[list[str]] = []
    for page in result["pages"].values():
        small, large = page.get("small", {}), page.get("large", {})
        if small.get("status") != "ok" or large.get("status") != "ok":
            reason = large.get("reason") or small.get("reason") or large.get("status") or "not measured"
            rows.append([f"page: {page['title']}", "not measured", reason, "", ""])
            continue
        rows.append([
            f"page: {page['title']}",
            f"queries {small['queries']} / {large['queries']}"
            + (f" (SQL {small['sql_ms']:.0f} / {large['sql_ms']:.0f} ms)" if "sql_ms" in small else ""),
            f"median {small['median_ms']:.1f} / {large['median_ms']:.1f} ms",
            f"p95 {small['p95_ms']:.1f} / {large['p95_ms']:.1f} ms",
            f"x{page['time_ratio']:.2f}" if page.get("time_ratio") else "-",
        ])
    for sweep in result["sweeps"].values():
        if sweep.get("status") != "ok":
            rows.append([f"sweep: {sweep.get('title', '?')}", "not measured", sweep.get("reason", ""), "", ""])
            continue
        s, g = sweep["small"], sweep["large"]
        rows.append([
            f"sweep: {sweep['title']}",
            f"rows {s['rows']:,} / {g['rows']:,}",
            f"median {s['median_ms']:,.0f} / {g['median_ms']:,.0f} ms",
            f"peak {s['peak_memory_kib']:,} / {g['peak_memory_kib']:,} KiB",
            f"x{sweep['time_ratio']:.2f} time, x{sweep['memory_ratio']:.2f} mem",
        ])
        rows.append([
            "", f"queries {s['queries']:,} / {g['queries']:,}",
            f"index {'yes' if s['index_used'] else 'NO'} / {'yes' if g['index_used'] else 'NO'}", "", "",
        ])
    load = result.get("load", {})
    if load.get("status") == "ok" and load.get("ratio") is not None:
        t, d = load["trivial"], load["dashboard"]
        rows.append([
            "load: dashboard vs trivial view",
            f"{_fmt(d['requests_per_second'])} / {_fmt(t['requests_per_second'])} req/s",
            f"latency {_fmt(d['mean_latency_ms'])} / {_fmt(t['mean_latency_ms'])} ms",
            f"non-2xx {d['non_2xx']} / {t['non_2xx']}",
            f"{load['ratio']:.0%}",
        ])
    else:
        reason = load.get("reason") or "not measured"
        rows.append(["load: dashboard vs trivial view", "not measured", reason, "", ""])
    lines = [
        f"Tandem benchmark, {meta['finished_at']} on {meta['machine']}, commit {meta.get('commit') or '?'}; "
        f"load average {meta.get('load_average_at_start')} at start, {meta.get('load_average_at_end')} at end",
        f"network at {small_label}: {meta['small_counts']}; at {large_label}: {meta['large_counts']}",
        "",
        *_table(["what", f"{small_label} / {large_label}", "", "", "ratio"], rows),
        "",
        *_table(["target", "figure", "verdict"], [[t["target"], t["figure"], t["verdict"]] for t in result["targets"]]),
    ]
    return "\n".join(lines)
