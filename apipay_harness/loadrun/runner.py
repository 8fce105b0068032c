"""``apipay-harness load``: a headless Locust master and N worker processes, then thresholds and the audit.

Locust (and with it gevent) only ever runs in child processes started here: gevent patches the standard
library of the process it is imported in, which would change how the harness's own threads and sockets behave.
The API key reaches them through the environment, never on a command line.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx

from apipay_harness.core.errors import HarnessError, UsageError
from apipay_harness.core.http import BoundedClient
from apipay_harness.core.options import ENV_VARS
from apipay_harness.core.preflight import check_report_dir, check_target
from apipay_harness.core.resources import load_dir
from apipay_harness.core.target import Target
from apipay_harness.core.versions import DEFAULT_VERSION, get_version
from apipay_harness.loadrun.audit import DEFAULT_CANCEL_DEADLINE, audit
from apipay_harness.loadrun.locust_options import DEFAULT_THINK_TIME, master_args
from apipay_harness.loadrun.progress import LoadProgress, read_progress
from apipay_harness.loadrun.records import Event, build_ledgers
from apipay_harness.loadrun.reread import reread_invoices
from apipay_harness.loadrun.summary import LoadSummary, read_history, write_summary
from apipay_harness.loadrun.thresholds import Breach, Thresholds

__all__ = ["DEFAULT_MASTER_PORT", "SCENARIOS", "LoadOptions", "LoadOutcome", "parse_duration", "run_load"]

SCENARIOS: dict[str, tuple[str, tuple[str, ...]]] = {
    "mixed": ("locustfile.py", ("LifecycleUser", "ReaderUser")),
    "lifecycle": ("locustfile.py", ("LifecycleUser",)),
    "reader": ("locustfile.py", ("ReaderUser",)),
    "baseline": ("baseline.py", ("StatusUser",)),
}
"""Scenario name → (locustfile under ``load/``, user classes)."""

_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?$")
_STARTUP_SLACK = 60.0
_REMOTE_WAIT = 300
DEFAULT_MASTER_PORT = 5557
_WORKER_EXIT = 20.0
_PROGRESS_POLL = 1.0
"""How often a running load run reports its progress (the display decides how often to show it)."""


@dataclass(frozen=True, slots=True)
class LoadOptions:
    """How to run the load: users, processes, scenario, limits and where the reports go."""

    report_dir: Path
    users: int = 20
    spawn_rate: float = 10.0
    run_time: str = "60s"
    workers: int | None = None
    """Local worker processes; ``None`` = one per core; ``0`` = a single Locust process."""
    scenario: str = "mixed"
    thresholds: Thresholds = field(default_factory=Thresholds)
    max_requests: int = 0
    no_control: bool = False
    cancel_deadline: float = DEFAULT_CANCEL_DEADLINE
    think_time: float = DEFAULT_THINK_TIME
    """Most seconds a user waits between tasks (0: back to back, for benchmarks)."""
    remote_workers: int = 0
    """Workers on other machines the master waits for (they join with ``locust --worker``)."""
    master_bind_host: str = "127.0.0.1"
    master_port: int | None = None
    """The master's port; ``None``: 5557 with remote workers, else any free port."""
    api_version: str = DEFAULT_VERSION
    """The API version the target speaks (the embedded mock is started speaking it)."""

    def __post_init__(self) -> None:
        get_version(self.api_version)  # an unknown version is a UsageError naming the valid ones
        if self.scenario not in SCENARIOS:
            raise UsageError(f"--scenario must be one of {', '.join(SCENARIOS)}, got {self.scenario!r}")
        if self.users < 1:
            raise UsageError(f"--users must be at least 1, got {self.users}")
        if self.spawn_rate <= 0:
            raise UsageError(f"--spawn-rate must be above 0, got {self.spawn_rate}")
        if self.workers is not None and self.workers < 0:
            raise UsageError(f"--workers must be 0 or more, got {self.workers}")
        if self.remote_workers < 0:
            raise UsageError(f"--remote-workers must be 0 or more, got {self.remote_workers}")
        if self.max_requests < 0:
            raise UsageError(f"--max-requests must be 0 (no cap) or more, got {self.max_requests}")
        parse_duration(self.run_time)

    @property
    def worker_count(self) -> int:
        """The number of local worker processes to start."""
        return self.workers if self.workers is not None else max(1, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class LoadOutcome:
    """What a load run found: its summary, and the files it wrote."""

    summary: LoadSummary
    json_path: Path
    md_path: Path

    @property
    def exit_code(self) -> int:
        """0 when thresholds held and the audit is clean, else 1."""
        return 0 if self.summary.passed else 1


def parse_duration(text: str) -> int:
    """Seconds in ``90``, ``30s``, ``2m``, ``1h30m``; ``UsageError`` for anything else or zero."""
    match = _DURATION.match(text.strip())
    if not text.strip() or match is None:
        raise UsageError(f"--run-time must look like 30s, 2m or 1h30m, got {text!r}")
    hours, minutes, seconds = (int(g) if g else 0 for g in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if total <= 0:
        raise UsageError(f"--run-time must be above zero, got {text!r}")
    return total


def run_load(
    target: Target | None,
    options: LoadOptions,
    *,
    mock_faults: tuple[str, ...] = (),
    progress: Callable[[LoadProgress], None] | None = None,
) -> LoadOutcome:
    """Run the scenario against ``target`` (``None``: a freshly started mock) and judge it.

    The report directory and the target are checked first (``apipay_harness.core.preflight``: exit 2, one line);
    ``progress`` is called about every second while Locust runs.
    """
    if target is not None and target.profile == "production":
        raise UsageError("load runs are refused with --profile production: they would flood a real account")
    check_report_dir(options.report_dir)
    with _target_or_mock(target, mock_faults, options.api_version) as (live, label):
        check_target(live)
        run = _run_locust(live, options, progress)
        ledgers = build_ledgers(Event.from_wire(e) for e in run.get("events", []))
        rereads = reread_invoices(live, ledgers, cancel_deadline=options.cancel_deadline)
        _refuse_a_store_that_forgot(live)
    report = audit(ledgers, rereads, cancel_deadline=options.cancel_deadline, api_version=options.api_version)
    summary = LoadSummary(
        target=label,
        scenario=options.scenario,
        api_version=options.api_version,
        users=options.users,
        workers=options.worker_count + options.remote_workers,
        run_time=options.run_time,
        thresholds=options.thresholds,
        breaches=[Breach(**b) for b in run.get("breaches", [])],
        audit=report,
        run=run,
        reports=sorted(p.name for p in options.report_dir.iterdir() if p.name.startswith("locust"))
        + ["load-summary.json", "load-summary.md"],
    )
    history = read_history(options.report_dir / "locust_stats_history.csv")
    json_path, md_path = write_summary(options.report_dir, summary, history)
    return LoadOutcome(summary=summary, json_path=json_path, md_path=md_path)


@contextlib.contextmanager
def _target_or_mock(target: Target | None, faults: tuple[str, ...], api_version: str) -> Iterator[tuple[Target, str]]:
    """The given target, or the embedded mock started for this run, speaking ``api_version``."""
    if target is not None:
        yield target, target.base_url
        return
    from apipay_harness.mock import running_mock

    with running_mock(faults=faults, api_version=api_version) as mock:
        yield mock.target, f"{mock.base_url} (embedded mock)"


def _refuse_a_store_that_forgot(target: Target) -> None:
    """Refuse to judge a run whose target evicted invoices past its store's cap (exit 2, one line).

    Such a store (the mock past ``--max-invoices``) answers 404 for some invoices this run created, and the audit
    could not tell them from lost ones. Only a control API that reports its store (``GET /_control/stats``, the
    mock's) is asked; anything else (no control API, no such endpoint, no count) leaves the audit as it is.
    """
    if target.control_url is None:
        return
    try:
        with BoundedClient(base_url=target.control_url) as client:
            answer = client.get("/stats")
        evicted = answer.json().get("evicted_invoices") if answer.status_code == 200 else None
    except (httpx.HTTPError, ValueError, AttributeError):
        return
    if isinstance(evicted, int) and not isinstance(evicted, bool) and evicted > 0:
        raise HarnessError(
            f"the target forgot {evicted} invoice(s) past its store's cap during the run (GET /_control/stats): "
            "the audit cannot tell them from lost ones; run shorter or start the mock with a larger --max-invoices"
        )


def _run_locust(
    target: Target, options: LoadOptions, progress: Callable[[LoadProgress], None] | None
) -> dict[str, Any]:
    """Start the master and its workers, wait for the run to end, and return what the master wrote."""
    locustfile, classes = SCENARIOS[options.scenario]
    path = str(load_dir() / locustfile)
    out = options.report_dir
    run_file = out / "locust-run.json"
    run_file.unlink(missing_ok=True)
    (out / "locust_stats_history.csv").unlink(missing_ok=True)  # a previous run's rows are not this run's progress
    env = {**os.environ, ENV_VARS["api_key"]: target.api_key, "PYTHONUNBUFFERED": "1"}
    workers = options.worker_count
    expected = workers + options.remote_workers
    port = options.master_port or (DEFAULT_MASTER_PORT if options.remote_workers else _free_port())
    common = [sys.executable, "-m", "locust", "-f", path, "--host", target.base_url, "--loglevel", "INFO"]
    master = [
        *common,
        "--headless",
        "--only-summary",
        "--users", str(options.users),
        "--spawn-rate", str(options.spawn_rate),
        "--run-time", options.run_time,
        "--stop-timeout", "0",
        "--html", str(out / "locust-report.html"),
        "--csv", str(out / "locust"),
        "--csv-full-history",
        *master_args(
            run_file=run_file, max_requests=options.max_requests, thresholds=options.thresholds,
            cancel_deadline=options.cancel_deadline, think_time=options.think_time,
            control=target.control_url, no_control=options.no_control, api_version=options.api_version,
        ),
    ]  # fmt: skip
    wait_for_workers = 30 if not options.remote_workers else _REMOTE_WAIT
    if expected:
        master += ["--master", "--master-bind-host", options.master_bind_host, "--master-bind-port", str(port)]
        master += ["--expect-workers", str(expected), "--expect-workers-max-wait", str(wait_for_workers)]
    master += list(classes)
    worker = [*common, "--worker", "--master-host", "127.0.0.1", "--master-port", str(port), *classes]
    run_time = parse_duration(options.run_time)
    deadline = time.monotonic() + run_time + _STARTUP_SLACK + wait_for_workers
    with contextlib.ExitStack() as stack:
        logs = [stack.enter_context((out / "locust-master.log").open("wb"))]
        procs = [subprocess.Popen(master, stdout=logs[0], stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)]
        stack.callback(_stop_all, procs)
        for index in range(workers):
            log: IO[bytes] = stack.enter_context((out / f"locust-worker-{index + 1}.log").open("wb"))
            procs.append(
                subprocess.Popen(worker, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
            )
        code = _wait_for_master(procs[0], deadline=deadline, out=out, run_time=run_time, progress=progress)
        for proc in procs[1:]:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=_WORKER_EXIT)
    if code not in (0, 1) or not run_file.is_file():
        raise HarnessError(f"the Locust master failed (exit {code}); see {out / 'locust-master.log'}")
    run: dict[str, Any] = json.loads(run_file.read_text(encoding="utf-8"))
    return run


def _wait_for_master(
    master: subprocess.Popen[bytes],
    *,
    deadline: float,
    out: Path,
    run_time: int,
    progress: Callable[[LoadProgress], None] | None,
) -> int:
    """Wait for the master's exit code, reporting progress from its stats history about every second."""
    started = time.monotonic()
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise HarnessError(f"the Locust master did not finish in time; see {out / 'locust-master.log'}")
        try:
            return master.wait(timeout=min(left, _PROGRESS_POLL) if progress is not None else left)
        except subprocess.TimeoutExpired:
            if progress is not None:
                elapsed = time.monotonic() - started
                progress(read_progress(out / "locust_stats_history.csv", elapsed=elapsed, run_time=run_time))


def _stop_all(procs: list[subprocess.Popen[bytes]]) -> None:
    """Terminate whatever is still running, killing what ignores it."""
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _free_port() -> int:
    """A loopback port free right now, for the master to bind."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
