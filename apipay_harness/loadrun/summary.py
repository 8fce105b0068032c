"""The load run's own reports: ``load-summary.json`` and ``load-summary.md`` (with charts of rps and p95 over time).

The charts are Mermaid ``xychart-beta`` blocks inside the Markdown, which GitHub renders in
PR comments and files; they are drawn from Locust's ``*_stats_history.csv`` (Aggregated rows).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apipay_harness.core.versions import DEFAULT_VERSION
from apipay_harness.loadrun.audit import AuditReport
from apipay_harness.loadrun.steps import facts
from apipay_harness.loadrun.thresholds import Breach, Thresholds

__all__ = ["HistoryPoint", "LoadSummary", "read_history", "write_summary"]

_MAX_POINTS = 40
_NO_CONTROL = (
    "The target has no control API: payments, refunds and expiry could not be driven, so those steps gave way "
    "to create → cancel."
)
_NO_CONTROL_SIMULATED = (
    "The target has no control API: invoices were paid and expired through the sandbox's simulate-status, and "
    "queued work (processing invoices, queued refunds) was read until it finished, within its deadline."
)


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    """The whole run's throughput and p95 at one moment."""

    second: int
    rps: float
    p95_ms: float


@dataclass(slots=True)
class LoadSummary:
    """Everything the summary files say about one run (never a secret: the target is its base URL only)."""

    target: str
    scenario: str
    users: int
    workers: int
    run_time: str
    thresholds: Thresholds
    breaches: list[Breach]
    audit: AuditReport
    run: dict[str, Any]
    """What the Locust master wrote: totals, endpoints, control, cap, records completeness."""
    reports: list[str] = field(default_factory=list)
    api_version: str = DEFAULT_VERSION

    @property
    def passed(self) -> bool:
        """Whether the thresholds held and the audit is clean."""
        return not self.breaches and self.audit.clean

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form of ``load-summary.json``."""
        return {
            "verdict": "passed" if self.passed else "failed",
            "target": self.target,
            "scenario": self.scenario,
            "api_version": self.api_version,
            "users": self.users,
            "workers": self.workers,
            "run_time": self.run_time,
            "control": bool(self.run.get("control")),
            "notes": self.notes(),
            "thresholds": {
                "limits": self.thresholds.to_dict(),
                "held": not self.breaches,
                "breaches": [b.to_dict() for b in self.breaches],
            },
            "totals": self.run.get("total", {}),
            "endpoints": self.run.get("endpoints", []),
            "max_requests": self.run.get("max_requests", 0),
            "cap_reached": bool(self.run.get("cap_reached")),
            "audit": self.audit.to_dict(),
            "reports": self.reports,
        }

    def notes(self) -> list[str]:
        """What a reader must know to trust the numbers."""
        notes = []
        if not self.run.get("control"):
            notes.append(_NO_CONTROL_SIMULATED if facts(self.api_version).simulate_status else _NO_CONTROL)
        if not self.run.get("records_complete", True):
            notes.append(
                f"Only {self.run.get('workers_flushed')} of {self.run.get('workers_expected')} workers flushed their "
                "records at the end: the audit may miss some of their invoices."
            )
        if self.run.get("cap_reached"):
            notes.append(f"The run stopped at the request cap ({self.run.get('max_requests')}) before its run time.")
        if self.audit.uncertain:
            notes.append(
                f"{self.audit.uncertain} invoice(s) had a request cut off mid-flight; they were held only to the "
                "invariants (not lost, not over-refunded, not stuck cancelling)."
            )
        return notes


def read_history(path: Path) -> list[HistoryPoint]:
    """The Aggregated rows of a Locust stats history CSV, as seconds since the first row."""
    if not path.is_file():
        return []
    points: list[HistoryPoint] = []
    start: int | None = None
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row.get("Name") != "Aggregated" or (start is None and _number(row.get("User Count")) == 0):
                continue  # other endpoints, and the wait for workers before any user ran
            stamp = int(row.get("Timestamp") or 0)
            start = stamp if start is None else start
            points.append(
                HistoryPoint(second=stamp - start, rps=_number(row.get("Requests/s")), p95_ms=_number(row.get("95%")))
            )
    return points


def write_summary(report_dir: Path, summary: LoadSummary, history: Sequence[HistoryPoint]) -> tuple[Path, Path]:
    """Write ``load-summary.json`` and ``load-summary.md``; return their paths."""
    json_path = report_dir / "load-summary.json"
    md_path = report_dir / "load-summary.md"
    json_path.write_text(json.dumps(summary.to_dict(), indent=2) + "\n", encoding="utf-8")
    md_path.write_text(_markdown(summary, history), encoding="utf-8")
    return json_path, md_path


def _markdown(summary: LoadSummary, history: Sequence[HistoryPoint]) -> str:
    """The summary a person reads in a PR comment."""
    total = summary.run.get("total", {})
    verdict = "✅ passed" if summary.passed else "❌ failed"
    lines = [
        f"# Load run: {verdict}",
        "",
        f"Target `{summary.target}` · API {summary.api_version} · scenario `{summary.scenario}` · "
        f"{summary.users} users · "
        f"{summary.workers or 'no'} worker process(es) · run time {summary.run_time} · "
        f"{total.get('requests', 0)} requests, {total.get('failures', 0)} failed, {total.get('rps', 0):.1f} req/s",
        "",
    ]
    lines += [f"> {note}" for note in summary.notes()] + ([""] if summary.notes() else [])
    lines += ["## Thresholds", "", "| threshold | limit | verdict |", "|---|---|---|"]
    limits = summary.thresholds
    broken = {b.threshold for b in summary.breaches}
    for name, limit in (("max_p95_ms", limits.max_p95_ms), ("max_fail_ratio", limits.max_fail_ratio),
                        ("min_rps", limits.min_rps)):  # fmt: skip
        lines.append(f"| {name} | {limit:g} | {'broken' if name in broken else 'held'} |")
    lines += [""] + [f"- {b.message}" for b in summary.breaches] + ([""] if summary.breaches else [])
    lines += ["## Endpoints", "", "| endpoint | requests | failures | p95 ms | req/s |", "|---|---:|---:|---:|---:|"]
    for row in summary.run.get("endpoints", []):
        label = f"{row['method']} {row['name']}".replace("|", "\\|")
        lines.append(f"| `{label}` | {row['requests']} | {row['failures']} | {row['p95_ms']:g} | {row['rps']:.1f} |")
    lines += ["", *_charts(history), "## Audit", ""]
    audit = summary.audit
    if audit.clean:
        lines.append(f"Clean: {audit.checked} touched invoices re-read, each as its accepted answers imply.")
    else:
        counts = ", ".join(f"{kind}: {n}" for kind, n in sorted(audit.counts().items()))
        lines += [f"**{len(audit.violations)} violation(s)** over {audit.checked} invoices ({counts}).", ""]
        lines += ["| invoice | kind | what |", "|---:|---|---|"]
        for v in audit.violations[:50]:
            lines.append(f"| {v.invoice_id} | {v.kind} | {v.message.replace(chr(10), ' — ')} |")
    lines += ["", "## Files", ""] + [f"- `{name}`" for name in summary.reports]
    return "\n".join(lines) + "\n"


def _charts(history: Sequence[HistoryPoint]) -> list[str]:
    """Two Mermaid xycharts (requests/s and p95 over time), or a line saying there is no history."""
    if not history:
        return ["_No stats history was recorded, so there is no chart._", ""]
    step = max(1, -(-len(history) // _MAX_POINTS))
    points = list(history)[::step]
    seconds = ", ".join(f'"{p.second}s"' for p in points)
    out = ["## Over time", ""]
    for title, label, values in (
        ("Requests per second", "req/s", [p.rps for p in points]),
        ("p95 response time (ms)", "ms", [p.p95_ms for p in points]),
    ):
        top = max(values) * 1.1 if values and max(values) > 0 else 1.0
        out += [
            "```mermaid",
            "xychart-beta",
            f'    title "{title}"',
            f'    x-axis "time since start" [{seconds}]',
            f'    y-axis "{label}" 0 --> {top:.1f}',
            f"    line [{', '.join(f'{v:.1f}' for v in values)}]",
            "```",
            "",
        ]
    return out


def _number(text: str | None) -> float:
    """A CSV cell as a number; ``N/A`` and blanks are 0."""
    try:
        return float(text or 0)
    except ValueError:
        return 0.0
