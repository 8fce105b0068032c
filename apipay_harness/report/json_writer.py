"""``conformance.json``: the machine-readable report other tools and later runs read."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from apipay_harness.core.results import RunEnd
from apipay_harness.report.summary import Collector, Summary, write_atomically

__all__ = ["SCHEMA_VERSION", "JsonWriter", "render_json"]

SCHEMA_VERSION = 1
"""Bumped whenever a field is removed or changes meaning; adding a field keeps the version."""


def render_json(summary: Summary) -> dict[str, Any]:
    """The report as plain JSON data."""
    info = summary.info
    suites = {
        suite: {verdict: counts.get(verdict, 0) for verdict in ("passed", "failed", "skipped", "error", "cases")}
        for suite, counts in summary.suite_counts().items()
    }
    return {
        "schema_version": SCHEMA_VERSION,
        "verdict": summary.verdict,
        "target": info.target,
        "spec_version": info.spec_version,
        "api_version": info.api_version,
        "not_applicable": list(info.not_applicable),
        "control_mode": info.control_mode,
        "mode": info.mode,
        "seed": info.seed,
        "replay": info.replay,
        "complete": summary.end.complete,
        "cut_short": summary.end.cut_short,
        "tests_planned": summary.end.planned,
        "tests_finished": summary.end.finished,
        "profile": info.profile,
        "control": info.control,
        "started_at": info.started_at,
        "finished_at": summary.finished_at,
        "duration_seconds": summary.duration_seconds,
        "totals": summary.totals,
        "suites": suites,
        "checks": [
            {
                "suite": r.suite,
                "operation": r.operation,
                "check": r.check,
                "verdict": r.verdict,
                "cases": r.cases,
                "failures": r.failures,
                "title": r.title,
                "message": r.message,
                "rule": r.rule,
                "reproducer": r.reproducer,
                "seconds": round(r.seconds, 3),
                "extra": r.extra,
            }
            for r in summary.results
        ],
    }


def _default(value: object) -> str:
    """Money and other non-JSON values are written as strings, never as floats."""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


class JsonWriter(Collector):
    """Writes ``conformance.json`` at the end of the run."""

    def finish(self, end: RunEnd | None = None) -> None:
        """Write the report out."""
        text = json.dumps(render_json(self.summary(end)), indent=2, ensure_ascii=False, default=_default)
        write_atomically(self.path, text + "\n")
