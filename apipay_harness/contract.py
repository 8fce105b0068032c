"""``apipay-harness contract``: check the arguments and the target, then run the suites in-process with pytest.

Exit codes: pytest's 0 → 0 (conforms), 1 → 1 (violations), anything else → 2 (could not run).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from apipay_harness.contract_outcomes import identity_of
from apipay_harness.contract_run import ContractRun, RunOptions, check_reachable
from apipay_harness.errors import UsageError
from apipay_harness.pytest_plugin import RUN_KEY
from apipay_harness.resources import contracts_dir
from apipay_harness.results import CheckResult

__all__ = ["DEFAULT_REPORT_DIR", "ContractOutcome", "pytest_args", "run_contract"]

DEFAULT_REPORT_DIR = Path("reports")


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


class _Bridge:
    """A pytest plugin object that connects the command to the run pytest builds."""

    def __init__(
        self, listener: Callable[[CheckResult], None] | None, on_start: Callable[[str, str], None] | None
    ) -> None:
        self.listener = listener
        self.on_start = on_start
        self.run: ContractRun | None = None

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        ident = identity_of(item)
        if ident is not None and self.on_start is not None:
            self.on_start(ident.suite, item.name)

    @pytest.hookimpl(trylast=True)
    def pytest_configure(self, config: pytest.Config) -> None:
        self.run = config.stash[RUN_KEY]
        if self.listener is not None:
            self.run.listeners.append(self.listener)


def pytest_args(options: RunOptions, *, keyword: str | None, report_dir: Path) -> list[str]:
    """The pytest command line for ``options`` (secrets included: it never leaves this process)."""
    root = contracts_dir()
    args = [str(root), "-c", str(root / "pytest.ini"), "--rootdir", str(root), "-p", "no:terminal", "--capture=sys"]
    args += ["--apipay-report-dir", str(report_dir), "--apipay-profile", options.profile]
    pairs = (
        ("--apipay-base-url", options.base_url),
        ("--apipay-api-key", options.api_key),
        ("--apipay-api-key-2", options.api_key_2),
        ("--apipay-unverified-key", options.unverified_key),
        ("--apipay-rate-limited-key", options.rate_limited_key),
        ("--apipay-control-url", options.control_url),
        ("--apipay-seed", None if options.seed is None else str(options.seed)),
        ("-k", keyword),
    )
    for flag, value in pairs:
        if value:
            args += [flag, value]
    if options.no_control:
        args.append("--apipay-no-control")
    if options.quick:
        args.append("--apipay-quick")
    return args


def run_contract(
    options: RunOptions,
    *,
    keyword: str | None = None,
    report_dir: Path = DEFAULT_REPORT_DIR,
    listener: Callable[[CheckResult], None] | None = None,
    on_start: Callable[[str, str], None] | None = None,
) -> ContractOutcome:
    """Validate, check reachability (exit 2 within seconds), then run the suites and map pytest's exit code."""
    target = options.build_target()  # raises UsageError on clashing flags or a missing key
    if target is not None:
        check_reachable(target)
    bridge = _Bridge(listener, on_start)
    code = pytest.main(pytest_args(options, keyword=keyword, report_dir=report_dir), plugins=[bridge])
    run = bridge.run
    if run is not None and not run.active and code in (0, 5):
        raise UsageError(f"no contract check matched -k {keyword!r}" if keyword else "no contract suites were found")
    exit_code = {0: 0, 1: 1}.get(int(code), 2)
    return ContractOutcome(
        exit_code=exit_code,
        counts=dict(run.counts) if run else {},
        report_dir=report_dir,
        target=_target_label(run),
        cleanup_problems=list(run.cleanup_problems) if run else [],
        abort_reason=(run.abort_reason or "") if run else "",
    )


def _target_label(run: ContractRun | None) -> str:
    if run is None or run.target_if_started is None:
        return ""
    label: str = run.target_if_started.base_url
    return f"{label} (embedded mock)" if run.embedded else label
