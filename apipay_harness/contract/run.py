"""One contract run inside pytest: its target, its traffic guard and its result stream.

``ContractRun`` is registered as a pytest plugin object by ``contract.plugin`` (or handed
in, with its target already built and checked, by ``apipay-harness contract``). It does
nothing until a test carrying the ``contract`` marker is collected; then it builds the
target if it was not given one (starting the embedded mock when no base URL is given, else
checking it with the preflight), records one or more ``CheckResult`` per contract test, redacts them at this
one place, and hands them to the report writers and to any listener (the live progress
display). A run that stops early (Ctrl-C, a target out of bounds, ``-x``) is reported as
cut short, never as passed.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import AbstractContextManager, ExitStack
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from apipay_harness.contract.guard import Guard
from apipay_harness.contract.options import RunOptions
from apipay_harness.contract.outcomes import Outcome, TestIdentity, identity_of, outcome_of
from apipay_harness.contract.replay import replay_command
from apipay_harness.core.checks import CHECKS
from apipay_harness.core.errors import HarnessError, UsageError
from apipay_harness.core.http import OutOfBounds, Tripwire
from apipay_harness.core.preflight import check_report_dir, check_target
from apipay_harness.core.redact import Redactor
from apipay_harness.core.reproducer import curl
from apipay_harness.core.results import CheckResult, ResultWriter, RunEnd, RunInfo
from apipay_harness.core.target import PUBLISHED_KEYS, Target
from apipay_harness.core.versions import get_version
from apipay_harness.report import writers_for

if TYPE_CHECKING:
    from apipay_harness.mock import MockProcess

__all__ = ["INTERRUPTED", "ContractRun", "ResultSink", "fresh_seed", "run_seed"]

INTERRUPTED = "interrupted (Ctrl-C)"
"""Why a run stopped when the user interrupted it."""


def fresh_seed() -> int:
    """A new random seed for a run given none: recorded in every report so the run can be replayed."""
    return secrets.randbelow(2**31)


def run_seed(config: pytest.Config) -> int:
    """The seed of this pytest session: ``--seed`` when given, else a fresh one chosen once and kept."""
    seed = config.getoption("apipay_seed", None)
    if seed is None:
        seed = fresh_seed()
        config.option.apipay_seed = seed
    return int(seed)


class ResultSink:
    """Lets a test record several results (one per operation × check) instead of the one its marker implies."""

    def __init__(self, ident: TestIdentity) -> None:
        self.ident = ident
        self.results: list[CheckResult] = []

    def add(self, **fields: Any) -> None:
        """Record one result; ``suite`` and ``operation`` default to the test's marker."""
        fields.setdefault("suite", self.ident.suite)
        fields.setdefault("operation", self.ident.operation)
        self.results.append(CheckResult(**fields))


class ContractRun:
    """The state of one contract run and the pytest hooks that feed its report."""

    def __init__(self, options: RunOptions, *, target: Target | None = None) -> None:
        """``target``: one the caller already built and checked (the command's preflight); None: build it here."""
        self.options = options
        self._given = target
        self.active = False
        self.guard = Guard(production=options.profile == "production")
        self.tripwire = Tripwire()
        self.listeners: list[Callable[[CheckResult], None]] = []
        self.counts = {"passed": 0, "failed": 0, "skipped": 0, "error": 0}
        self.planned: dict[str, int] = {}
        """Contract tests selected per suite, in the order they run."""
        self.finished = 0
        self._target: Target | None = None
        self._embedded = False
        self._stack = ExitStack()
        self._writers: list[ResultWriter] = []
        self._redactor = Redactor(whole_only=PUBLISHED_KEYS)
        self._sinks: dict[str, ResultSink] = {}
        self._outcomes: dict[str, Outcome] = {}
        self._started: dict[str, float] = {}
        self.cleanup_problems: list[str] = []
        self.abort_reason: str | None = None
        """Why the run stopped early with exit 2 (the target out of bounds or unreachable), if it did."""
        self.cut_short: str | None = None
        """Why the run stopped before every selected check ran (also set for Ctrl-C and -x)."""
        self.interrupted = False
        """Whether the user interrupted the run (Ctrl-C / SIGINT)."""

    # ----- the target -------------------------------------------------------------------------

    @property
    def embedded(self) -> bool:
        """Whether the run judges the embedded mock it started itself."""
        return self._embedded

    @property
    def target_if_started(self) -> Target | None:
        """The target, if the run got as far as building it."""
        return self._target

    def target(self) -> Target:
        """The target of this run; the embedded mock is started on first use, any other target checked first.

        A target handed in by the command was built and checked there, once: it is used as it is.
        """
        if self._target is None:
            target = self._given
            if target is None:
                target = self.options.build_target()
                if target is None:
                    target = self._start_mock()
                else:
                    check_target(target)
            self._target = target
            self._redactor.add(*target.secrets)
        return self._target

    def _start_mock(self) -> Target:
        """The embedded mock of the run's API version; under ``--control sandbox`` it serves no control API."""
        sandbox = self.options.control == "sandbox"
        mock = self._stack.enter_context(_running_mock(self.options.api_version, control_api=not sandbox))
        target = Target.for_mock(mock.root_url, api_version=self.options.api_version, control_api=not sandbox)
        target = replace(target, profile=self.options.profile)
        self._embedded = True
        return replace(target, control_url=None) if self.options.no_control else target

    def add_secret(self, secret: str) -> None:
        """Redact ``secret`` too (a webhook secret a suite made up) from everything recorded after now."""
        if secret:
            self._redactor.add(secret)

    def redact(self, text: str) -> str:
        """``text`` with every secret of the run (and any piece of 8 or more characters of one) redacted."""
        return self._redactor.text(text)

    # ----- pytest hooks -----------------------------------------------------------------------

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        """Wake up only when contract tests were collected; count them per suite for the progress display."""
        self.planned = {}
        for item in items:
            ident = identity_of(item)
            if ident is not None:
                self.planned[ident.suite] = self.planned.get(ident.suite, 0) + 1
        self.active = bool(self.planned)

    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Start the target and the report once we know this is a contract run."""
        if not self.active or session.config.option.collectonly:
            return
        try:
            if self.options.report_dir is not None:
                check_report_dir(Path(self.options.report_dir))
            target = self.target()
            self._start_writers(target, keyword=session.config.getoption("keyword", "") or None)
        except HarnessError as exc:
            self.abort_reason = str(exc)
            pytest.exit(str(exc), returncode=2)

    def pytest_runtest_setup(self, item: pytest.Item) -> None:
        """A contract test starts: no request sent yet, the clock running."""
        if self.active and identity_of(item) is not None:
            self.guard.forget()
            self._started[item.nodeid] = time.perf_counter()

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
        """Classify each phase of a contract test, and emit its results after teardown."""
        yield
        ident = identity_of(item) if self.active else None
        if ident is None:
            return
        if call.excinfo is not None and isinstance(call.excinfo.value, OutOfBounds):
            # The target's answers can no longer be judged: stop after this test, exit 2 with the reason.
            self.tripwire.trip(str(call.excinfo.value))
            self.abort_reason = self.tripwire.reason
            item.session.shouldstop = self.abort_reason or True
        phase = outcome_of(call.excinfo, when=call.when)
        current = self._outcomes.get(item.nodeid)
        if current is None or (current.verdict == "passed" and phase.verdict != "passed"):
            self._outcomes[item.nodeid] = phase
        if call.when == "teardown":
            self._emit(item, ident)

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo[BaseException]) -> None:
        """Remember why the run was cut short: ``pytest.exit`` (its reason), a stop it asked for, or Ctrl-C."""
        value = excinfo.value
        if isinstance(value, pytest.exit.Exception):
            self.abort_reason = self.abort_reason or str(value.msg)
            self.cut_short = self.abort_reason
        elif isinstance(value, pytest.Session.Interrupted) and self.abort_reason:
            self.cut_short = self.abort_reason
        else:
            self.interrupted = True
            self.cut_short = INTERRUPTED

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        """Tidy up after the production profile and write the report, saying whether it is complete."""
        if not self.active or self._target is None:
            return
        if self.cut_short is None and (session.shouldfail or session.shouldstop):
            self.cut_short = str(session.shouldfail or session.shouldstop)
        if self.options.profile == "production":
            self.cleanup_problems = self.guard.cleanup(base_url=self._target.base_url)
        planned = sum(self.planned.values())
        end = RunEnd(cut_short=self.cut_short or "", planned=planned, finished=self.finished)
        for writer in self._writers:
            writer.finish(end)

    def pytest_unconfigure(self) -> None:
        """Stop the embedded mock."""
        self._stack.close()

    # ----- results ----------------------------------------------------------------------------

    def sink_for(self, item: pytest.Item) -> ResultSink:
        """The result sink of a running contract test (created on first use)."""
        ident = identity_of(item) or TestIdentity(suite="contract", check=item.name, operation="*")
        return self._sinks.setdefault(item.nodeid, ResultSink(ident))

    def record(self, result: CheckResult) -> None:
        """Redact one result and hand it to the writers and listeners."""
        result = self._redactor.result(result)
        self.counts[result.verdict] = self.counts.get(result.verdict, 0) + 1
        for writer in self._writers:
            writer.handle(result)
        for listener in self.listeners:
            listener(result)

    def reproducer(self, request: httpx.Request | None, notes: list[str]) -> str:
        """A curl command for ``request`` (preceded by hypothesis' step program, when there is one)."""
        parts = [n for n in notes if n.strip()]
        if request is not None:
            parts.append(str(curl(request, redactor=self._redactor)))
        return "\n".join(parts)

    def _emit(self, item: pytest.Item, ident: TestIdentity) -> None:
        outcome = self._outcomes.pop(item.nodeid, Outcome())
        seconds = time.perf_counter() - self._started.pop(item.nodeid, time.perf_counter())
        sink = self._sinks.pop(item.nodeid, None)
        results = list(sink.results) if sink else []
        covered = outcome.verdict == "failed" and any(r.verdict == "failed" for r in results)
        reproducer = self.reproducer(self.guard.last_request, outcome.notes)
        if not results or (outcome.verdict != "passed" and not covered):
            results.append(outcome.to_result(ident, reproducer=reproducer, seconds=seconds))
        # A test recording several results (one per operation x check) shares its wall time among those that
        # did not time themselves, so every result carries a real duration and the suite's times add up.
        untimed = [r for r in results if not r.seconds]
        share = round(max(seconds - sum(r.seconds for r in results), 0.0) / len(untimed), 3) if untimed else 0.0
        results = [
            replace(
                r,
                reproducer=reproducer if r.verdict == "failed" and not r.reproducer else r.reproducer,
                seconds=r.seconds or share,
            )
            for r in results
        ]
        self.finished += 1
        for result in results:
            self.record(result)

    def _start_writers(self, target: Target, *, keyword: str | None) -> None:
        from apipay_harness.core.spec import load_spec

        report_dir = self.options.report_dir
        if report_dir is None:
            return
        api_version = get_version(self.options.api_version).name
        version = str((load_spec(version=api_version).get("info") or {}).get("version", ""))
        label = f"{target.base_url} (embedded mock)" if self._embedded else target.base_url
        seed = self.options.seed if self.options.seed is not None else fresh_seed()
        info = RunInfo(
            target=label,
            spec_version=version,
            mode=self.options.mode,
            seed=seed,
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
            profile=target.profile,
            control=target.has_control,
            replay=self.redact(replay_command(replace(self.options, keyword=keyword), embedded=self._embedded)),
            api_version=api_version,
            not_applicable=tuple(check.id for check in CHECKS.values() if not check.applies_to(api_version)),
            control_mode=self.options.control,
        )
        try:
            self._writers = writers_for(Path(report_dir))
        except OSError as exc:
            raise UsageError(f"cannot write the report directory {report_dir}: {exc.strerror or exc}") from None
        for writer in self._writers:
            writer.start(info)

    def iter_outcome_counts(self) -> Iterator[tuple[str, int]]:
        """(verdict, count) pairs so far."""
        yield from self.counts.items()


def _running_mock(api_version: str | None, *, control_api: bool) -> AbstractContextManager[MockProcess]:
    """The embedded mock, imported on first use so a run against a real target never loads it."""
    from apipay_harness.mock import running_mock

    return running_mock(api_version=api_version, extra_args=() if control_api else ("--no-control-api",))
