"""``apipay-harness selftest``: prove the suites catch every fault of the mock and raise nothing on a correct one.

Each run is one mock process (clean, with exactly one fault, or with variants: other behaviours
the documents allow) judged by one ``apipay-harness contract`` subprocess, so runs share nothing
and ``jobs`` of them can go at once. Which runs there are is ``selftest_plan``'s business. A
faulty run stops at its first failure (pytest ``-x`` through ``PYTEST_ADDOPTS``); what caught the
fault, or what raised a false alarm, is read from that run's ``conformance.json``.

Run outcomes:
    clean run     passed (exit 0) | false alarm (exit 1) | could not run (exit 2, timeout, mock down)
    variant run   passed (exit 0) | false alarm (exit 1) | error (exit 2, timeout, mock down)
    fault run     caught (exit 1, a violation) | escaped (exit 0)
                  | error (exit 2, timeout, mock down, or stopped by an error inside a check)
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from apipay_harness.contract.options import RunOptions
from apipay_harness.core.errors import HarnessError
from apipay_harness.core.preflight import check_report_dir
from apipay_harness.core.target import Target
from apipay_harness.mock import running_mock
from apipay_harness.selftest.catalogs import catalogs
from apipay_harness.selftest.plan import PlannedRun, check_fault_names, check_variant_names, plan

__all__ = [
    "DEFAULT_RUN_TIMEOUT",
    "DEFAULT_SEED",
    "ORDER_PLUGIN",
    "RunOutcome",
    "SelftestResult",
    "Status",
    "check_fault_names",
    "check_variant_names",
    "replay_selftest",
    "run_selftest",
]

DEFAULT_RUN_TIMEOUT = 600.0
"""Seconds one contract run may take before it is killed and reported as 'could not run'."""

ORDER_PLUGIN = "apipay_harness.selftest.order"
"""The pytest plugin each run loads to put the cheapest suites first."""

DEFAULT_SEED = 20260213
"""The hypothesis seed of every run unless told otherwise: a release's selftest is reproducible."""

Status = Literal["passed", "false_alarm", "caught", "escaped", "error"]


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """One run of the contract suites: against the clean mock, a mock with one fault, or one with variants."""

    fault: str | None
    status: Status
    seconds: float
    exit_code: int | None
    description: str = ""
    suite: str = ""
    check: str = ""
    operation: str = ""
    title: str = ""
    detail: str = ""
    """Why a run could not run, or how the catch showed (a violation or an error in a check)."""
    report_dir: str = ""
    variants: tuple[str, ...] = ()
    """The variants the run's mock had on (none for the clean and fault runs)."""
    label: str = ""
    """How the matrix names the run (the fault, the variant, ``together #1 (20 variants)``)."""

    @property
    def ok(self) -> bool:
        """Whether this run is what the selftest wants: clean and variant runs passed, fault caught."""
        return self.status in ("passed", "caught")

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form for JSON."""
        return asdict(self)


@dataclass(slots=True)
class SelftestResult:
    """The clean run, every fault run and every variant run, with the wall time of the whole selftest."""

    clean: RunOutcome
    faults: list[RunOutcome] = field(default_factory=list)
    variants: list[RunOutcome] = field(default_factory=list)
    """Variant runs: each variant alone, then the together runs."""
    seconds: float = 0.0
    jobs: int = 1
    seed: int = DEFAULT_SEED
    replay: str = ""
    """The command that runs this selftest again with the same seed and selection."""
    api_version: str = ""
    """The API version every run's mock spoke and its suites judged (its registry name)."""

    @property
    def exit_code(self) -> int:
        """0: faults caught, correct mocks passed; 1: a false alarm or a fault not caught; 2: clean run not run."""
        if self.clean.status == "error":
            return 2
        return 0 if all(run.ok for run in (self.clean, *self.faults, *self.variants)) else 1

    @property
    def false_alarms(self) -> int:
        """How many runs against a correct mock (clean or variants) failed."""
        return sum(1 for run in (self.clean, *self.variants) if run.status == "false_alarm")

    @property
    def caught(self) -> int:
        """How many faults were caught."""
        return sum(1 for run in self.faults if run.status == "caught")

    def median_seconds_to_detect(self) -> float | None:
        """The median wall time of the caught faults' runs (None when none was caught)."""
        times = sorted(run.seconds for run in self.faults if run.status == "caught")
        if not times:
            return None
        middle = len(times) // 2
        return times[middle] if len(times) % 2 else round((times[middle - 1] + times[middle]) / 2, 2)


def run_selftest(
    *,
    faults: Sequence[str] = (),
    variants: Sequence[str] = (),
    together: bool = False,
    jobs: int | None = None,
    report_dir: Path,
    seed: int | None = DEFAULT_SEED,
    keyword: str | None = None,
    run_timeout: float = DEFAULT_RUN_TIMEOUT,
    listener: Callable[[RunOutcome], None] | None = None,
    api_version: str | None = None,
) -> SelftestResult:
    """Run the clean mock, each fault's, each variant's and (``together``) the variant groups', ``jobs`` at a time.

    ``faults`` and ``variants`` are the names to run (none: none of that kind; ``check_fault_names`` and
    ``check_variant_names`` give the whole catalogs). ``keyword`` limits every run to the contract checks
    matching it (pytest ``-k``), as ``contract -k`` does. ``api_version`` is the version every mock speaks and
    every run's suites judge (None: the default); the names are that version's catalogs'.
    """
    runs = plan(faults=faults, variants=variants, together=together, api_version=api_version)
    jobs = max(1, jobs or os.cpu_count() or 1)
    seed = DEFAULT_SEED if seed is None else seed
    check_report_dir(report_dir)
    runs_dir = report_dir.resolve() / "selftest-runs"
    started = time.perf_counter()

    def one(planned: PlannedRun) -> RunOutcome:
        outcome = _run_one(planned, runs_dir=runs_dir, seed=seed, keyword=keyword, timeout=run_timeout)
        if listener is not None:
            listener(outcome)
        return outcome

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        outcomes = [future.result() for future in [pool.submit(one, planned) for planned in runs]]
    clean = outcomes[0]
    return SelftestResult(
        clean=clean,
        faults=[run for run in outcomes[1:] if run.fault is not None],
        variants=[run for run in outcomes[1:] if run.variants],
        seconds=round(time.perf_counter() - started, 2),
        jobs=jobs,
        seed=seed,
        replay=replay_selftest(
            faults=faults, variants=variants, together=together, seed=seed, keyword=keyword, api_version=api_version
        ),
        api_version=catalogs(api_version).version,
    )


def replay_selftest(
    *,
    faults: Sequence[str],
    variants: Sequence[str] = (),
    together: bool = False,
    seed: int,
    keyword: str | None,
    api_version: str | None = None,
) -> str:
    """``apipay-harness selftest [--api-version V] --seed N [--fault NAME]... [--variant NAME]... [-k EXPR]``.

    The same runs again; ``--api-version`` is written when the selftest was given one.
    """
    parts = ["apipay-harness", "selftest"]
    if api_version is not None:
        parts += ["--api-version", api_version]
    parts += ["--seed", str(seed)]
    everything = (
        set(faults) == set(check_fault_names((), api_version=api_version))
        and set(variants) == set(check_variant_names((), api_version=api_version))
        and together
    )
    if not everything:
        for name in dict.fromkeys(faults):
            parts += ["--fault", name]
        for name in dict.fromkeys(variants):
            parts += ["--variant", name]
        if together:
            parts.append("--variants-together")
    if keyword:
        parts += ["-k", keyword]
    return shlex.join(parts)


def _contract_command(
    target: Target, *, report_dir: Path, seed: int | None, keyword: str | None, api_version: str | None
) -> list[str]:
    """``apipay-harness contract`` for one quick run against ``target``, its flags written by the options model."""
    options = RunOptions(
        base_url=target.base_url,
        api_key=target.api_key,
        api_key_2=target.api_key_2,
        unverified_key=target.unverified_key,
        rate_limited_key=target.rate_limited_key,
        control_url=target.control_url,
        report_dir=str(report_dir),
        quick=True,
        keyword=keyword or None,
        seed=seed,
        api_version=api_version,
    )
    return [sys.executable, "-m", "apipay_harness", *options.command_line()]


def _run_one(
    planned: PlannedRun, *, runs_dir: Path, seed: int | None, keyword: str | None, timeout: float
) -> RunOutcome:
    fault = planned.fault
    report_dir = runs_dir / planned.directory
    report_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    base: dict[str, Any] = {
        "fault": fault,
        "variants": planned.variants,
        "label": planned.label,
        "description": planned.description,
        "report_dir": str(report_dir),
    }
    env = dict(os.environ)
    # pytest reads extra arguments from PYTEST_ADDOPTS: the cheapest suites first, and a faulty run
    # stops at its first failure.
    extra = f"-p {ORDER_PLUGIN}" + (" -x" if fault is not None else "")
    env["PYTEST_ADDOPTS"] = f"{env.get('PYTEST_ADDOPTS', '')} {extra}".strip()
    try:
        with running_mock(
            faults=[fault] if fault else [], variants=planned.variants, api_version=planned.api_version
        ) as mock:
            cmd = _contract_command(
                mock.target, report_dir=report_dir, seed=seed, keyword=keyword, api_version=planned.api_version
            )
            with open(report_dir / "contract.log", "wb") as log:
                process = subprocess.run(
                    cmd,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env=env,
                    timeout=timeout,
                    cwd=report_dir,
                    check=False,
                )
    except subprocess.TimeoutExpired:
        seconds = round(time.perf_counter() - started, 2)
        return RunOutcome(
            status="error", seconds=seconds, exit_code=None, detail=f"timed out after {timeout:g}s", **base
        )
    except HarnessError as exc:
        seconds = round(time.perf_counter() - started, 2)
        return RunOutcome(status="error", seconds=seconds, exit_code=None, detail=f"mock: {exc}", **base)
    seconds = round(time.perf_counter() - started, 2)
    code = process.returncode
    if code not in (0, 1):
        return RunOutcome(
            status="error", seconds=seconds, exit_code=code, detail=_last_line(report_dir / "contract.log"), **base
        )
    first = _first_failure(report_dir / "conformance.json") if code == 1 else {}
    if fault is None:
        status: Status = "passed" if code == 0 else "false_alarm"
    elif code == 0:
        status = "escaped"
    else:
        # A run stopped by an error inside a check proves nothing about the fault: only a violation counts.
        status = "caught" if first.get("verdict") == "failed" else "error"
    return RunOutcome(
        status=status,
        seconds=seconds,
        exit_code=code,
        suite=str(first.get("suite", "")),
        check=str(first.get("check", "")),
        operation=str(first.get("operation", "")),
        title=str(first.get("title", "")),
        detail="" if code == 0 else _how(first),
        **base,
    )


def _first_failure(path: Path) -> dict[str, Any]:
    """The first failed (else errored) check of a run's ``conformance.json``; empty when there is none."""
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    checks = [c for c in report.get("checks", []) if isinstance(c, dict)]
    for verdict in ("failed", "error"):
        for check in checks:
            if check.get("verdict") == verdict:
                return check
    return {}


def _how(first: dict[str, Any]) -> str:
    if not first:
        return "exit 1 but conformance.json names no failed check"
    if first.get("verdict") == "failed":
        return "violation"
    return f"stopped by an error in {first.get('suite')}/{first.get('check')}: {first.get('title')}"[:300]


def _last_line(path: Path) -> str:
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    except OSError:
        return "no output"
    lines = [line for line in lines if line]
    return lines[-1][:300] if lines else "no output"
