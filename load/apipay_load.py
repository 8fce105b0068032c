"""Locust plumbing shared by the ApiPay locustfiles: options, records, the request cap, thresholds, the run file.

Imported by ``locustfile.py`` and ``baseline.py``; it registers its listeners on import. The
logic it calls (thresholds, record format) lives in ``apipay_harness.load``, which pytest tests.

How records survive several worker processes (and machines): each worker keeps the events its
users record in an outbox and ships them with every stats report (``report_to_master``). When the
master stops, it asks every worker to stop its users and flush what is left (``apipay_flush``) and
waits for each answer before it quits, so no accepted refund is lost between the last report and
the end. The master (or the single local process) writes everything to ``--apipay-run-file``.
"""

from __future__ import annotations

import json
import logging
import time
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import gevent
from locust import events
from locust.env import Environment
from locust.runners import MasterRunner, WorkerRunner

from apipay_harness.load.records import Event
from apipay_harness.load.thresholds import (
    DEFAULT_MAX_FAIL_RATIO,
    DEFAULT_MAX_P95_MS,
    DEFAULT_MIN_RPS,
    EndpointStats,
    Thresholds,
    evaluate,
)

__all__ = ["Collector", "collector", "control_url"]

_log = logging.getLogger("apipay")
_FLUSH_DEADLINE = 15.0
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Collector:
    """Per-process store of what the users recorded, how many requests they sent, and what the master gathered."""

    def __init__(self) -> None:
        self.outbox: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.sent = 0
        self.cap_reached = False
        self.flushed: set[str] = set()
        self.capped_workers: set[str] = set()

    def record(self, invoice_id: int, kind: str, *, amount: Decimal | None = None, key: str = "") -> None:
        """Keep one event for the audit (validated through the shared record format)."""
        wire = Event(invoice_id=invoice_id, kind=kind, at=time.time(), amount=amount, key=key).to_wire()  # type: ignore[arg-type]
        self.outbox.append(wire)

    def drain(self) -> list[dict[str, Any]]:
        """Take every event not yet shipped."""
        batch, self.outbox = self.outbox, []
        return batch


def collector(environment: Environment) -> Collector:
    """The collector of this process."""
    found: Collector | None = getattr(environment, "apipay_collector", None)
    if found is None:
        found = Collector()
        environment.apipay_collector = found  # type: ignore[attr-defined]
    return found


def control_url(environment: Environment) -> str | None:
    """The control API to drive payments and expiry, or ``None`` when the target has none."""
    options = environment.parsed_options
    if options is None or options.apipay_no_control:
        return None
    if options.apipay_control_url:
        return str(options.apipay_control_url).rstrip("/")
    host = environment.host or ""
    parts = urlsplit(host)
    if parts.hostname in _LOOPBACK and parts.path.rstrip("/").endswith("/api/v1"):
        return f"{parts.scheme}://{parts.netloc}/_control"
    return None


def request_allowed(environment: Environment) -> bool:
    """Count one request against this process's share of ``--apipay-max-requests``; ``False`` once spent."""
    store = collector(environment)
    options = environment.parsed_options
    cap = int(getattr(options, "apipay_max_requests", 0) or 0)
    if cap <= 0:
        store.sent += 1
        return True
    runner = environment.runner
    processes = max(1, int(options.expect_workers or 1)) if isinstance(runner, WorkerRunner) else 1
    index = int(getattr(runner, "worker_index", 0)) % processes
    share = cap // processes + (1 if index < cap % processes else 0)  # shares add up to the cap exactly
    if store.sent >= share:
        if not store.cap_reached:
            store.cap_reached = True
            _announce_cap(environment)
        return False
    store.sent += 1
    return True


def _announce_cap(environment: Environment) -> None:
    """Tell whoever decides that this process spent its share of the request cap."""
    runner = environment.runner
    if isinstance(runner, WorkerRunner):
        runner.send_message("apipay_cap", {})
    elif runner is not None:
        _log.info("request cap reached, stopping")
        gevent.spawn(runner.quit)


@events.init_command_line_parser.add_listener
def _options(parser: Any) -> None:
    parser.add_argument(
        "--apipay-api-key",
        env_var="APIPAY_API_KEY",
        default="test-key",
        is_secret=True,
        help="API key sent as X-API-Key",
    )
    parser.add_argument(
        "--apipay-control-url",
        env_var="APIPAY_CONTROL_URL",
        default="",
        help="control API (/_control) for payments and expiry; derived from a loopback host if unset",
    )
    parser.add_argument(
        "--apipay-no-control",
        action="store_true",
        default=False,
        help="the target has no control API: payment steps give way to create -> cancel",
    )
    parser.add_argument(
        "--apipay-run-file",
        default="",
        include_in_web_ui=False,
        help="where the master writes records, thresholds and totals at the end",
    )
    parser.add_argument("--apipay-max-requests", type=int, default=0, help="hard cap on requests (0: none)")
    parser.add_argument("--apipay-max-p95-ms", type=float, default=DEFAULT_MAX_P95_MS, help="p95 limit per endpoint")
    parser.add_argument(
        "--apipay-max-fail-ratio", type=float, default=DEFAULT_MAX_FAIL_RATIO, help="failure ratio limit"
    )
    parser.add_argument("--apipay-min-rps", type=float, default=DEFAULT_MIN_RPS, help="minimum requests/s")
    parser.add_argument(
        "--apipay-think-time", type=float, default=0.2, help="most seconds a user waits between tasks (0: none)"
    )
    parser.add_argument(
        "--apipay-cancel-deadline", type=float, default=30.0, help="seconds an accepted cancel may stay cancelling"
    )


@events.init.add_listener
def _on_init(environment: Environment, **_kwargs: Any) -> None:
    store = collector(environment)
    runner = environment.runner
    if isinstance(runner, MasterRunner):

        def on_worker_report(client_id: str, data: dict[str, Any]) -> None:
            store.events.extend(data.get("apipay_events", ()))

        def on_flushed(environment: Environment, msg: Any, **_kw: Any) -> None:
            store.events.extend(msg.data.get("events", ()))
            store.flushed.add(msg.node_id)

        def on_cap(environment: Environment, msg: Any, **_kw: Any) -> None:
            store.capped_workers.add(msg.node_id)
            if len(store.capped_workers) >= max(1, len(runner.clients)):
                _log.info("request cap reached on every worker, stopping")
                store.cap_reached = True
                gevent.spawn(runner.quit)

        environment.events.worker_report.add_listener(on_worker_report)
        runner.register_message("apipay_flushed", on_flushed)
        runner.register_message("apipay_cap", on_cap)
    elif isinstance(runner, WorkerRunner):

        def on_report(client_id: str, data: dict[str, Any]) -> None:
            data["apipay_events"] = store.drain()

        def on_flush(environment: Environment, msg: Any, **_kw: Any) -> None:
            runner.stop()  # no user may record anything after its events are shipped
            runner.send_message("apipay_flushed", {"events": store.drain()})

        environment.events.report_to_master.add_listener(on_report)
        runner.register_message("apipay_flush", on_flush)


@events.test_stopping.add_listener
def _on_stopping(environment: Environment, **_kwargs: Any) -> None:
    runner = environment.runner
    if not isinstance(runner, MasterRunner):
        return
    store = collector(environment)
    expected = {client.id for client in runner.clients.all}
    for client_id in expected:
        runner.send_message("apipay_flush", {}, client_id)
    deadline = time.monotonic() + _FLUSH_DEADLINE
    while not expected <= store.flushed and time.monotonic() < deadline:
        gevent.sleep(0.05)  # cooperative wait for the workers' answers, bounded by the deadline


@events.quitting.add_listener
def _on_quitting(environment: Environment, **_kwargs: Any) -> None:
    runner = environment.runner
    if isinstance(runner, WorkerRunner) or runner is None:
        return
    options = environment.parsed_options
    store = collector(environment)
    store.events.extend(store.drain())  # a local run's own events
    stats = environment.stats
    endpoints = [
        EndpointStats(
            method=entry.method or "",
            name=entry.name,
            requests=entry.num_requests,
            failures=entry.num_failures,
            p95_ms=float(entry.get_response_time_percentile(0.95) or 0),
            rps=float(entry.total_rps),
        )
        for entry in stats.entries.values()
    ]
    total = EndpointStats(
        method="",
        name="Aggregated",
        requests=stats.total.num_requests,
        failures=stats.total.num_failures,
        p95_ms=float(stats.total.get_response_time_percentile(0.95) or 0),
        rps=float(stats.total.total_rps),
    )
    exceptions = sum(int(row["count"]) for row in runner.exceptions.values())
    thresholds = Thresholds(
        max_p95_ms=options.apipay_max_p95_ms,
        max_fail_ratio=options.apipay_max_fail_ratio,
        min_rps=options.apipay_min_rps,
    )
    breaches = evaluate(thresholds, endpoints, total, exceptions=exceptions)
    for breach in breaches:
        _log.error("threshold broken: %s", breach.message)
    environment.process_exit_code = 1 if breaches else 0
    if not options.apipay_run_file:
        return
    workers = len(store.flushed) if isinstance(runner, MasterRunner) else 0
    expected_workers = int(options.expect_workers or 0) if isinstance(runner, MasterRunner) else 0
    run = {
        "events": store.events,
        "records_complete": workers >= expected_workers,
        "workers_flushed": workers,
        "workers_expected": expected_workers,
        "control": control_url(environment) is not None,
        "thresholds": thresholds.to_dict(),
        "breaches": [b.to_dict() for b in breaches],
        "endpoints": [vars_of(e) for e in endpoints],
        "total": vars_of(total),
        "exceptions": exceptions,
        "max_requests": options.apipay_max_requests,
        "cap_reached": store.cap_reached,
        "cancel_deadline": options.apipay_cancel_deadline,
        "started_at": stats.start_time,
        "ended_at": time.time(),
    }
    with open(options.apipay_run_file, "w", encoding="utf-8") as handle:
        json.dump(run, handle)


def vars_of(row: EndpointStats) -> dict[str, Any]:
    """Plain-data form of a stats row."""
    return {
        "method": row.method,
        "name": row.name,
        "requests": row.requests,
        "failures": row.failures,
        "p95_ms": row.p95_ms,
        "rps": row.rps,
    }
