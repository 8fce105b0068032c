"""Live progress of a contract run on the terminal: which suite, how many cases, failures so far.

On a terminal it is one live line redrawn by rich; elsewhere (CI logs) it is one line per
suite when that suite is done. It is a display, like a report writer: it only writes to
the console it is given.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from rich.console import Console
from rich.live import Live
from rich.text import Text

from apipay_harness.results import CheckResult

__all__ = ["SuiteTally", "TerminalProgress"]


@dataclass(slots=True)
class SuiteTally:
    """What one suite has done so far."""

    suite: str
    results: int = 0
    cases: int = 0
    failed: int = 0
    skipped: int = 0
    started: float = 0.0

    def line(self, *, now: float) -> str:
        """``schema: 412 cases, 0 failed, 1 skipped (12.3 s)``."""
        skipped = f", {self.skipped} skipped" if self.skipped else ""
        return f"{self.suite}: {self.cases} cases, {self.failed} failed{skipped} ({now - self.started:.1f} s)"


class TerminalProgress:
    """Receives every recorded result and shows the run's progress on ``console``."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.live = console.is_terminal
        self._current: SuiteTally | None = None
        self._done: list[SuiteTally] = []
        self._live: Live | None = None

    @property
    def tallies(self) -> list[SuiteTally]:
        """Every suite seen so far, in order."""
        return [*self._done, *([self._current] if self._current else [])]

    def __call__(self, result: CheckResult) -> None:
        """Count one result, switching suites when it belongs to another one."""
        now = time.perf_counter()
        if self._current is None or self._current.suite != result.suite:
            self._finish_suite(now)
            self._current = SuiteTally(result.suite, started=now)
        tally = self._current
        tally.results += 1
        tally.cases += result.cases
        tally.failed += result.verdict in ("failed", "error")
        tally.skipped += result.verdict == "skipped"
        if self.live:
            self._redraw(now)

    def started(self, suite: str, name: str) -> None:
        """A check of ``suite`` starts: on a terminal, say which one is running."""
        if not self.live:
            return
        now = time.perf_counter()
        if self._current is None or self._current.suite != suite:
            self._finish_suite(now)
            self._current = SuiteTally(suite, started=now)
        self._redraw(now, running=name)

    def close(self) -> None:
        """The run is over: settle the last suite's line."""
        self._finish_suite(time.perf_counter())
        if self._live is not None:
            self._live.stop()
            self._live = None

    def _finish_suite(self, now: float) -> None:
        if self._current is None:
            return
        if self._live is not None:
            self._live.stop()
            self._live = None
        self.console.print(self._current.line(now=now), markup=False, highlight=False)
        self._done.append(self._current)
        self._current = None

    def _redraw(self, now: float, *, running: str = "") -> None:
        assert self._current is not None
        text = Text(f"running {self._current.line(now=now)}", style="bold")
        failures = sum(t.failed for t in self.tallies)
        if failures:
            text.append(f"  — {failures} failure(s) so far", style="red")
        if running:
            text.append(f"  {running}", style="dim")
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
