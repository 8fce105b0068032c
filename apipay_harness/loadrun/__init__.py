"""Load runs: the users' steps and checks, records, thresholds, the post-run audit, the runner and its summary.

Every module here but ``locust_plugin`` is plain Python that never imports locust or gevent, so
pytest tests it in-process. Locust (and gevent with it) runs only in the subprocesses ``runner``
starts, where the locustfiles under ``load/`` import ``locust_plugin``.
"""

from __future__ import annotations

from apipay_harness.loadrun.audit import AuditReport, Reread, Violation, audit
from apipay_harness.loadrun.records import Event, Ledger, build_ledgers
from apipay_harness.loadrun.thresholds import Breach, EndpointStats, Thresholds, evaluate

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
