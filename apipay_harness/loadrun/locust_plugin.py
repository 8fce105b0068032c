"""Locust's side of the ApiPay load runs: options, the request cap, racing greenlets, records to the master, the end.

Importing this module registers its listeners on Locust's events, as a locustfile's own would;
the locustfiles under ``load/`` import it. It is the one module of the package that imports locust
and gevent, and it only ever runs inside Locust processes (the runner starts them). The listeners
only wire Locust to the plain functions beside them: options in ``locust_options``, records and
the flush protocol in ``collector``, thresholds in ``thresholds``, the run file in ``run_file``.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import gevent
from locust import events
from locust.env import Environment
from locust.exception import StopUser
from locust.runners import MasterRunner, Runner, WorkerRunner
from locust.stats import RequestStats, StatsEntry

from apipay_harness.core.versions import version_names
from apipay_harness.loadrun import steps
from apipay_harness.loadrun.collector import CAP, FLUSH, FLUSHED, REPORT_KEY, Collector, cap_share
from apipay_harness.loadrun.dialects import refund_rules
from apipay_harness.loadrun.locust_options import (
    MAX_REQUESTS,
    UserSettings,
    add_options,
    control_url,
    run_settings,
    user_settings,
)
from apipay_harness.loadrun.run_file import run_record, write_run
from apipay_harness.loadrun.thresholds import EndpointStats, evaluate

__all__ = ["Greenlets", "collector", "spend_request", "user_parts"]

_T = TypeVar("_T")
_log = logging.getLogger("apipay")
_FLUSH_DEADLINE = 15.0
_FLUSH_POLL = 0.05


def collector(environment: Environment) -> Collector:
    """The collector of this process."""
    found: Collector | None = getattr(environment, "apipay_collector", None)
    if found is None:
        found = Collector()
        environment.apipay_collector = found  # type: ignore[attr-defined]
    return found


def spend_request(environment: Environment) -> None:
    """Count one request against this process's share of ``--apipay-max-requests``; ``StopUser`` once it is spent."""
    store = collector(environment)
    options = environment.parsed_options
    runner = environment.runner
    processes = int(getattr(options, "expect_workers", 1) or 1) if isinstance(runner, WorkerRunner) else 1
    index = int(getattr(runner, "worker_index", 0))
    if store.take(cap_share(int(MAX_REQUESTS.read(options) or 0), processes=processes, index=index)):
        return
    if not store.cap_reached:
        store.cap_reached = True
        _announce_cap(runner)
    raise StopUser()


def _announce_cap(runner: Runner | None) -> None:
    """Tell whoever decides that this process spent its share of the request cap."""
    if isinstance(runner, WorkerRunner):
        runner.send_message(CAP, {})
    elif runner is not None:
        _log.info("request cap reached, stopping")
        gevent.spawn(runner.quit)


class Greenlets:
    """A Locust user's runtime for the scenario steps: waits and races in greenlets, broken flows in the statistics."""

    def __init__(self, environment: Environment) -> None:
        self._environment = environment

    def fail(self, name: str, reason: str) -> None:
        """Count a broken flow (no single request shows it) as a failure in the statistics."""
        failure = AssertionError(reason)
        self._environment.events.request.fire(
            request_type="FLOW", name=name, response_time=0, response_length=0, exception=failure, context={}
        )

    def now(self) -> float:
        """Monotonic seconds, as the target's deadlines run in real time."""
        return time.monotonic()

    def pause(self, seconds: float) -> None:
        """Yield to the other users for ``seconds``."""
        gevent.sleep(seconds)

    def race(self, attempts: Sequence[Callable[[], _T]]) -> list[_T | None]:
        """Run ``attempts`` in greenlets at once; each one's result (``None`` if it broke)."""
        racers = [gevent.spawn(attempt) for attempt in attempts]
        try:
            gevent.joinall(racers)
        finally:
            gevent.killall(racers)  # a stopped user takes its racers along, so nothing records after a flush
        if any(isinstance(r.exception, StopUser) for r in racers):
            raise StopUser()  # the request cap stopped a racer: the race was not run, so there is nothing to judge
        return [r.value for r in racers]


def user_parts(environment: Environment) -> tuple[random.Random, UserSettings, Collector, Greenlets]:
    """What a user takes when it starts: its own random source, its settings, the records and a greenlet runtime.

    Read at start, not at import: a worker has the master's options only once it is told to spawn users.
    """
    settings = user_settings(environment.parsed_options, host=environment.host)
    return random.Random(), settings, collector(environment), Greenlets(environment)


def _on_parser(parser: Any, **_kwargs: Any) -> None:
    add_options(parser)


def _on_init(environment: Environment, **_kwargs: Any) -> None:
    for version in version_names():  # read the specs now: parsing one later would stall every greenlet mid-request
        steps.facts(version)
        refund_rules(version)
    runner = environment.runner
    if isinstance(runner, MasterRunner):
        _gather_on_master(environment, runner, collector(environment))
    elif isinstance(runner, WorkerRunner):
        _ship_from_worker(environment, runner, collector(environment))


def _gather_on_master(environment: Environment, runner: MasterRunner, store: Collector) -> None:
    """Take the workers' records from their reports and flushes; quit once every worker spent its cap."""

    def on_report(client_id: str, data: dict[str, Any]) -> None:
        store.events.extend(data.get(REPORT_KEY, ()))

    def on_flushed(environment: Environment, msg: Any, **_kw: Any) -> None:
        store.events.extend(msg.data.get("events", ()))
        store.flushed.add(msg.node_id)

    def on_cap(environment: Environment, msg: Any, **_kw: Any) -> None:
        store.capped_workers.add(msg.node_id)
        if len(store.capped_workers) >= max(1, len(runner.clients)):
            _log.info("request cap reached on every worker, stopping")
            store.cap_reached = True
            gevent.spawn(runner.quit)

    environment.events.worker_report.add_listener(on_report)
    runner.register_message(FLUSHED, on_flushed)
    runner.register_message(CAP, on_cap)


def _ship_from_worker(environment: Environment, runner: WorkerRunner, store: Collector) -> None:
    """Ship records with every stats report, and the rest when the master asks for a flush."""

    def on_report(client_id: str, data: dict[str, Any]) -> None:
        data[REPORT_KEY] = store.drain()

    def on_flush(environment: Environment, msg: Any, **_kw: Any) -> None:
        runner.stop()  # no user may record anything after its events are shipped
        runner.send_message(FLUSHED, {"events": store.drain()})

    environment.events.report_to_master.add_listener(on_report)
    runner.register_message(FLUSH, on_flush)


def _on_stopping(environment: Environment, **_kwargs: Any) -> None:
    runner = environment.runner
    if not isinstance(runner, MasterRunner):
        return
    store = collector(environment)
    expected = {client.id for client in runner.clients.all}
    for client_id in expected:
        runner.send_message(FLUSH, {}, client_id)
    deadline = time.monotonic() + _FLUSH_DEADLINE
    while not expected <= store.flushed and time.monotonic() < deadline:
        gevent.sleep(_FLUSH_POLL)  # cooperative wait for the workers' answers, bounded by the deadline


def _on_quitting(environment: Environment, **_kwargs: Any) -> None:
    runner = environment.runner
    if isinstance(runner, WorkerRunner) or runner is None:
        return
    store = collector(environment)
    store.events.extend(store.drain())  # a local run's own events
    settings = run_settings(environment.parsed_options)
    endpoints, total = _stats_rows(environment.stats)
    exceptions = sum(int(row["count"]) for row in runner.exceptions.values())
    breaches = evaluate(settings.thresholds, endpoints, total, exceptions=exceptions)
    for breach in breaches:
        _log.error("threshold broken: %s", breach.message)
    environment.process_exit_code = 1 if breaches else 0
    if settings.run_file:
        found = run_record(
            events=store.events,
            settings=settings,
            endpoints=endpoints,
            total=total,
            breaches=breaches,
            exceptions=exceptions,
            control=control_url(environment.parsed_options, host=environment.host) is not None,
            cap_reached=store.cap_reached,
            workers=_workers_flushed(environment, runner, store),
            span=(environment.stats.start_time, time.time()),
        )
        write_run(settings.run_file, found)


def _stats_rows(stats: RequestStats) -> tuple[list[EndpointStats], EndpointStats]:
    """Locust's statistics as threshold rows: one per endpoint, and the aggregate."""

    def row(entry: StatsEntry, *, method: str, name: str) -> EndpointStats:
        return EndpointStats(
            method=method,
            name=name,
            requests=entry.num_requests,
            failures=entry.num_failures,
            p95_ms=float(entry.get_response_time_percentile(0.95) or 0),
            rps=float(entry.total_rps),
        )

    endpoints = [row(e, method=e.method or "", name=e.name) for e in stats.entries.values()]
    return endpoints, row(stats.total, method="", name="Aggregated")


def _workers_flushed(environment: Environment, runner: Runner, store: Collector) -> tuple[int, int]:
    """Workers that flushed their records, and workers the master expected (none for a local run)."""
    if not isinstance(runner, MasterRunner):
        return 0, 0
    return len(store.flushed), int(getattr(environment.parsed_options, "expect_workers", 0) or 0)


events.init_command_line_parser.add_listener(_on_parser)
events.init.add_listener(_on_init)
events.test_stopping.add_listener(_on_stopping)
events.quitting.add_listener(_on_quitting)
