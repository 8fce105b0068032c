"""``apipay-harness contract``: check the arguments and the target, then run the suites in-process with pytest.

Exit codes: pytest's 0 → 0 (conforms), 1 → 1 (violations), an interrupt (Ctrl-C) → 130, anything else → 2
(could not run). Before any suite starts, the preflight (``apipay_harness.core.preflight``) turns an operator's
mistake into exit 2 with one line; the target it checked is the one the suites use.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from apipay_harness.contract.options import RunOptions
from apipay_harness.contract.outcomes import identity_of
from apipay_harness.contract.plugin import RUN_KEY
from apipay_harness.contract.replay import replay_command
from apipay_harness.contract.run import ContractRun, fresh_seed
from apipay_harness.core.errors import UsageError
from apipay_harness.core.exit_codes import EXIT_CANNOT_RUN, EXIT_INTERRUPTED, EXIT_OK, EXIT_VIOLATIONS
from apipay_harness.core.preflight import check_report_dir, check_target
from apipay_harness.core.resources import contracts_dir
from apipay_harness.core.results import CheckResult

__all__ = ["DEFAULT_REPORT_DIR", "ContractOutcome", "Progress", "pytest_args", "run_contract"]

DEFAULT_REPORT_DIR = Path("reports")


class Progress(Protocol):
    """What the command shows while the suites run (``apipay_harness.contract.progress.TerminalProgress``)."""

    def planned(self, suites: dict[str, int]) -> None:
        """The contract tests selected, per suite, in run order."""

    def started(self, suite: str, name: str) -> None:
        """A contract test starts."""

    def finished(self, suite: str) -> None:
        """A contract test ended (its results were recorded)."""

    def __call__(self, result: CheckResult) -> None:
        """One result was recorded."""


@dataclass(slots=True)
class ContractOutcome:
    """What the command reports after the suites ran."""

    exit_code: int
    counts: dict[str, int] = field(default_factory=dict)
    report_dir: Path = DEFAULT_REPORT_DIR
    target: str = ""
    cleanup_problems: list[str] = field(default_factory=list)
    abort_reason: str = ""
    """Why the run stopped early with exit 2 (a target that stopped answering properly), if it did."""
    seed: int = 0
    replay: str = ""
    """The command that replays this run (no key in it)."""
    cut_short: str = ""
    """Why the run ended before every selected check ran (empty: it was complete)."""
    planned: int = 0
    finished: int = 0
    started: bool = False
    """Whether the suites started (the report was begun); False when the preflight refused the run."""


class _Bridge:
    """A pytest plugin object that connects the command's progress display to the run pytest builds."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.run: ContractRun | None = None
        self._suites: dict[str, str] = {}

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        self.run = config.stash[RUN_KEY]
        if self.progress is not None:
            self.run.listeners.append(self.progress)

    @pytest.hookimpl(trylast=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        if self.progress is not None and self.run is not None and self.run.active:
            self.progress.planned(dict(self.run.planned))

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        ident = identity_of(item)
        if ident is not None and self.progress is not None:
            self._suites[item.nodeid] = ident.suite
            self.progress.started(ident.suite, item.name)

    def pytest_runtest_logfinish(self, nodeid: str) -> None:
        suite = self._suites.pop(nodeid, None)
        if suite is not None and self.progress is not None:
            self.progress.finished(suite)


@contextmanager
def _hypothesis_home() -> Iterator[None]:
    """Keep hypothesis' and schemathesis' storage (``.hypothesis/``) in a temporary directory, not the user's."""
    with tempfile.TemporaryDirectory(prefix="apipay-hypothesis-") as home:
        set_hypothesis_home_dir(home)
        try:
            yield
        finally:
            set_hypothesis_home_dir(None)


def pytest_args(options: RunOptions) -> list[str]:
    """The pytest command line for a run of ``options``: where the suites are, and ``-k``.

    The contract options themselves are not written here: the run carrying them (and its target) is handed
    to pytest as a plugin object, so no value is turned into text and parsed back.
    """
    root = contracts_dir()
    args = [str(root), "-c", str(root / "pytest.ini"), "--rootdir", str(root), "-p", "no:terminal", "--capture=sys"]
    if options.keyword:
        args += ["-k", options.keyword]
    return args


def run_contract(options: RunOptions, *, progress: Progress | None = None) -> ContractOutcome:
    """Validate, prepare the report directory, check the target, run the suites and map pytest's exit code.

    The target is built and checked (``GET /status``, the keys, the control API) once, here, before any suite
    starts, and handed to the suites. A run given no seed gets a fresh one, recorded in the report with its
    replay command.
    """
    target = options.build_target()  # raises UsageError on clashing flags or a missing key
    report_dir = Path(options.report_dir or DEFAULT_REPORT_DIR)
    options = replace(options, report_dir=str(report_dir), seed=fresh_seed() if options.seed is None else options.seed)
    check_report_dir(report_dir)
    if target is not None:
        check_target(target)
    handed = ContractRun(options, target=target)
    bridge = _Bridge(progress)
    with _hypothesis_home():
        code = pytest.main(pytest_args(options), plugins=[handed, bridge])
    run = bridge.run
    keyword = options.keyword
    if run is not None and not run.active and code in (0, 5):
        raise UsageError(f"no contract check matched -k {keyword!r}" if keyword else "no contract suites were found")
    if run is not None and run.interrupted:
        exit_code = EXIT_INTERRUPTED
    else:
        exit_code = {0: EXIT_OK, 1: EXIT_VIOLATIONS}.get(int(code), EXIT_CANNOT_RUN)
    embedded = bool(run and run.embedded) or target is None
    replay = replay_command(options, embedded=embedded)
    return ContractOutcome(
        exit_code=exit_code,
        counts=dict(run.counts) if run else {},
        report_dir=report_dir,
        target=_target_label(run),
        cleanup_problems=list(run.cleanup_problems) if run else [],
        abort_reason=(run.abort_reason or "") if run else "",
        seed=int(options.seed or 0),
        replay=run.redact(replay) if run else replay,
        cut_short=(run.cut_short or "") if run else "",
        planned=sum(run.planned.values()) if run else 0,
        finished=run.finished if run else 0,
        started=bool(run and run.target_if_started is not None),
    )


def _target_label(run: ContractRun | None) -> str:
    if run is None or run.target_if_started is None:
        return ""
    label: str = run.target_if_started.base_url
    return f"{label} (embedded mock)" if run.embedded else label
