"""The run file: what the Locust master gathered (every record, totals, thresholds), written for the runner to read.

``apipay-harness load`` reads it back to audit the touched invoices and write the summary; it
never holds the API key. Nothing here imports locust or gevent.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from apipay_harness.loadrun.locust_options import RunSettings
from apipay_harness.loadrun.thresholds import Breach, EndpointStats

__all__ = ["Workers", "run_record", "write_run"]

Workers = tuple[int, int]
"""Workers that flushed their records, and workers expected (``(0, 0)`` for a single local process)."""


def run_record(
    *,
    events: Sequence[dict[str, Any]],
    settings: RunSettings,
    endpoints: Sequence[EndpointStats],
    total: EndpointStats,
    breaches: Sequence[Breach],
    exceptions: int,
    control: bool,
    cap_reached: bool,
    workers: Workers,
    span: tuple[float, float],
) -> dict[str, Any]:
    """The run file's content; ``span`` is the run's start and end (``time.time()``)."""
    flushed, expected = workers
    return {
        "events": list(events),
        "records_complete": flushed >= expected,
        "workers_flushed": flushed,
        "workers_expected": expected,
        "control": control,
        "thresholds": settings.thresholds.to_dict(),
        "breaches": [b.to_dict() for b in breaches],
        "endpoints": [e.to_dict() for e in endpoints],
        "total": total.to_dict(),
        "exceptions": exceptions,
        "max_requests": settings.max_requests,
        "cap_reached": cap_reached,
        "cancel_deadline": settings.cancel_deadline,
        "started_at": span[0],
        "ended_at": span[1],
    }


def write_run(path: str | Path, run: dict[str, Any]) -> None:
    """Write the run file (UTF-8 JSON)."""
    Path(path).write_text(json.dumps(run), encoding="utf-8")
