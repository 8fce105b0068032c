"""Live progress on the terminal, of a contract run and of a load run.

A contract run shows which suite runs, how many cases, failures so far; a load run (``LoadProgressLine``)
its elapsed time, users, requests, failures and rate.

The run says up front how many contract tests each suite has; a suite's line is printed once its last test
has finished, with the time its tests took (not the time since its first result), so a suite whose tests
are spread over the run still gets one line. On a terminal a live line redrawn by rich shows the running
test; elsewhere (CI logs) only the finished suites' lines appear. It is a display, like a report writer: it
only writes to the console it is given.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.console import Console
from rich.live import Live
from rich.text import Text

from apipay_harness.core.results import CheckResult
from apipay_harness.loadrun.progress import LoadProgress

__all__ = ["LoadProgressLine", "SuiteTally", "TerminalProgress"]


@dataclass(slots=True)
class SuiteTally:
    """What one suite has done so far."""

    suite: str
    planned: int = 0
    finished: int = 0
    results: int = 0
    cases: int = 0
    failed: int = 0
    skipped: int = 0
    seconds: float = 0.0
    """Wall time of the suite's finished tests."""
    running_since: float | None = None

    def line(self, *, now: float) -> str:
        """``schema: 412 cases, 0 failed, 1 skipped (12.3 s)``."""
        skipped = f", {self.skipped} skipped" if self.skipped else ""
        running = now - self.running_since if self.running_since is not None else 0.0
        return f"{self.suite}: {self.cases} cases, {self.failed} failed{skipped} ({self.seconds + running:.1f} s)"


class TerminalProgress:
    """Receives the plan, each test's start and end and every recorded result, and shows them on ``console``."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.live = console.is_terminal
        self._suites: dict[str, SuiteTally] = {}
        self._printed: set[str] = set()
        self._current: str | None = None
        self._running = ""
        self._live: Live | None = None

    @property
    def tallies(self) -> list[SuiteTally]:
        """Every suite seen so far, in run order."""
        return list(self._suites.values())

    def planned(self, suites: dict[str, int]) -> None:
        """The run's contract tests per suite (a suite's line is printed when all of its tests finished)."""
        for suite, count in suites.items():
            self._tally(suite).planned = count

    def started(self, suite: str, name: str) -> None:
        """A test of ``suite`` starts: its time runs, and on a terminal the live line names it."""
        now = time.perf_counter()
        tally = self._tally(suite)
        tally.running_since = now
        self._current = suite
        self._running = name
        if self.live:
            self._redraw(now)

    def __call__(self, result: CheckResult) -> None:
        """Count one result."""
        tally = self._tally(result.suite)
        tally.results += 1
        tally.cases += result.cases
        tally.failed += result.verdict in ("failed", "error")
        tally.skipped += result.verdict == "skipped"
        if self.live and self._current is not None:
            self._redraw(time.perf_counter())

    def finished(self, suite: str) -> None:
        """A test of ``suite`` ended; once the suite's last test did, its line is printed."""
        now = time.perf_counter()
        tally = self._tally(suite)
        if tally.running_since is not None:
            tally.seconds += now - tally.running_since
            tally.running_since = None
        tally.finished += 1
        if tally.planned and tally.finished >= tally.planned:
            self._print(tally, now)

    def close(self) -> None:
        """The run is over: print the suites not printed yet (a run cut short leaves some unfinished)."""
        now = time.perf_counter()
        self._stop_live()
        for tally in self._suites.values():
            if tally.suite not in self._printed and (tally.finished or tally.results or tally.running_since):
                cut = f" — cut short after {tally.finished} of {tally.planned} tests" if tally.planned else ""
                self.console.print(tally.line(now=now) + cut, markup=False, highlight=False)
                self._printed.add(tally.suite)

    def _tally(self, suite: str) -> SuiteTally:
        if suite not in self._suites:
            self._suites[suite] = SuiteTally(suite)
        return self._suites[suite]

    def _print(self, tally: SuiteTally, now: float) -> None:
        if tally.suite in self._printed:
            return
        self._stop_live()
        self.console.print(tally.line(now=now), markup=False, highlight=False)
        self._printed.add(tally.suite)

    def _stop_live(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None

    def _redraw(self, now: float) -> None:
        assert self._current is not None
        text = Text(f"running {self._suites[self._current].line(now=now)}", style="bold")
        failures = sum(t.failed for t in self._suites.values())
        if failures:
            text.append(f"  — {failures} failure(s) so far", style="red")
        if self._running:
            text.append(f"  {self._running}", style="dim")
        text.truncate(max(self.console.width - 1, 20), overflow="ellipsis")
        if self._live is None:
            # Redrawn only on events (no refresh thread), and never swapping sys.stdout/stderr under pytest.
            self._live = Live(
                text,
                console=self.console,
                auto_refresh=False,
                transient=True,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self._live.start(refresh=True)
        else:
            self._live.update(text, refresh=True)


class LoadProgressLine:
    """Shows a load run's progress: one live line on a terminal, else a line every ``every`` seconds (CI logs)."""

    def __init__(self, console: Console, *, every: float) -> None:
        self.console = console
        self.every = every
        self._live: Live | None = None
        self._last: float | None = None

    def __call__(self, progress: LoadProgress) -> None:
        """Show ``progress`` (on a terminal at once; elsewhere when ``every`` seconds passed since the last line)."""
        if self.console.is_terminal:
            text = Text(progress.line(), style="bold")
            if self._live is None:
                self._live = Live(text, console=self.console, auto_refresh=False, transient=True)
                self._live.start(refresh=True)
            else:
                self._live.update(text, refresh=True)
            return
        if self._last is None or progress.elapsed - self._last >= self.every:
            self._last = progress.elapsed
            self.console.print(progress.line(), markup=False, highlight=False, soft_wrap=True)

    def close(self) -> None:
        """The run is over: clear the live line."""
        if self._live is not None:
            self._live.stop()
            self._live = None
