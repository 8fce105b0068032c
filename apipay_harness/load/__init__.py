"""Load runs: request bodies and inline checks, records, thresholds, the post-run audit, the runner and its summary.

Nothing here imports locust or gevent (DESIGN §2): Locust runs in subprocesses started by
``runner``, and the locustfiles under ``load/`` call into these modules.
"""

from __future__ import annotations

from apipay_harness.load.audit import AuditReport, Reread, Violation, audit
from apipay_harness.load.records import Event, Ledger, build_ledgers
from apipay_harness.load.thresholds import Breach, EndpointStats, Thresholds, evaluate

__all__ = [
    "AuditReport",
    "Breach",
    "EndpointStats",
    "Event",
    "Ledger",
    "Reread",
    "Thresholds",
    "Violation",
    "audit",
    "build_ledgers",
    "evaluate",
]
