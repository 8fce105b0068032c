"""What every report format says about a run: totals, the overall verdict, per-suite counts and the matrix."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from apipay_harness.core.checks import SUITE_ORDER, lookup
from apipay_harness.core.results import CheckResult, RunEnd, RunInfo, Verdict

__all__ = [
    "SUITE_ORDER",
    "VERDICTS",
    "Collector",
    "Summary",
    "cell_verdict",
    "count",
    "cut_short_line",
    "describe",
    "write_atomically",
]

# The suites in the order a reader meets them (declared with the checks); unknown suites follow alphabetically.

VERDICTS: tuple[Verdict, ...] = ("failed", "error", "passed", "skipped")


def describe(check_id: str) -> str:
    """What a check asks of the target, from the registry, so a failure says what should have held; empty if unknown."""
    declared = lookup(check_id)
    return declared.description if declared is not None else ""


def _suite_key(suite: str) -> tuple[int, str]:
    return (SUITE_ORDER.index(suite), "") if suite in SUITE_ORDER else (len(SUITE_ORDER), suite)


def count(n: int, noun: str) -> str:
    """``1 check``, ``2 checks``: reports read as sentences."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def cell_verdict(counts: Counter[str]) -> Verdict:
    """The verdict of a group of checks: the worst one present (failed, error, passed, then skipped)."""
    for verdict in VERDICTS:
        if counts.get(verdict):
            return verdict
    return "skipped"


@dataclass(frozen=True, slots=True)
class Summary:
    """A finished run as the writers render it."""

    info: RunInfo
    finished_at: str
    results: tuple[CheckResult, ...]
    totals: dict[str, int] = field(default_factory=dict)
    end: RunEnd = field(default_factory=RunEnd)

    @classmethod
    def build(
        cls,
        info: RunInfo,
        results: list[CheckResult],
        *,
        finished_at: str | None = None,
        end: RunEnd | None = None,
    ) -> Summary:
        """Sort the results (suite, operation, check) and count them."""
        ordered = tuple(sorted(results, key=lambda r: (_suite_key(r.suite), r.operation, r.check)))
        counts = Counter(r.verdict for r in ordered)
        totals = {verdict: counts.get(verdict, 0) for verdict in ("passed", "failed", "skipped", "error")}
        totals["checks"] = len(ordered)
        totals["cases"] = sum(r.cases for r in ordered)
        totals["failures"] = sum(r.failures for r in ordered)
        finished = finished_at or datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
        return cls(info=info, finished_at=finished, results=ordered, totals=totals, end=end or RunEnd())

    @property
    def verdict(self) -> str:
        """The run's verdict, worst first: ``failed``, ``interrupted``, ``error``, ``passed``, ``skipped``.

        A run cut short is never ``passed``: the checks that did not run could have failed.
        """
        if self.totals["failed"]:
            return "failed"
        if not self.end.complete:
            return "interrupted"
        if self.totals["error"]:
            return "error"
        return "passed" if self.totals["passed"] else "skipped"

    @property
    def cut_short(self) -> str:
        """One sentence saying the run was cut short (empty when it was complete)."""
        return cut_short_line(self.end)

    @property
    def duration_seconds(self) -> float | None:
        """Wall time from start to finish, or ``None`` when a timestamp cannot be read."""
        try:
            start = datetime.fromisoformat(self.info.started_at)
            end = datetime.fromisoformat(self.finished_at)
        except ValueError:
            return None
        if (start.tzinfo is None) != (end.tzinfo is None):
            return None
        return round(max((end - start).total_seconds(), 0.0), 3)

    @property
    def suites(self) -> list[str]:
        """Suites present, in reading order."""
        return sorted({r.suite for r in self.results}, key=_suite_key)

    @property
    def operations(self) -> list[str]:
        """Operations present, ``*`` (several operations) last."""
        return sorted({r.operation for r in self.results}, key=lambda op: (op == "*", op))

    def suite_counts(self) -> dict[str, Counter[str]]:
        """Per suite: count of each verdict, plus ``cases``."""
        out: dict[str, Counter[str]] = {suite: Counter() for suite in self.suites}
        for r in self.results:
            out[r.suite][r.verdict] += 1
            out[r.suite]["cases"] += r.cases
        return out

    def matrix(self) -> dict[tuple[str, str], list[CheckResult]]:
        """Results grouped by (operation, suite)."""
        cells: dict[tuple[str, str], list[CheckResult]] = defaultdict(list)
        for r in self.results:
            cells[(r.operation, r.suite)].append(r)
        return dict(cells)

    def with_verdict(self, *verdicts: str) -> list[CheckResult]:
        """The results whose verdict is one of ``verdicts``."""
        return [r for r in self.results if r.verdict in verdicts]

    def skip_reasons(self) -> list[tuple[str, str, int]]:
        """(suite, reason, number of checks) for every distinct skip reason."""
        groups: Counter[tuple[str, str]] = Counter(
            (r.suite, r.message.strip() or "no reason given") for r in self.with_verdict("skipped")
        )
        ordered = sorted(groups.items(), key=lambda item: (_suite_key(item[0][0]), item[0][1]))
        return [(suite, reason, n) for (suite, reason), n in ordered]


class Collector:
    """Shared ``start``/``handle`` of the writers: keep the run info and the results until ``finish``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._info: RunInfo | None = None
        self._results: list[CheckResult] = []

    def start(self, info: RunInfo) -> None:
        """Begin a report for this run, forgetting any earlier one."""
        self._info = info
        self._results = []

    def handle(self, result: CheckResult) -> None:
        """Take one (already redacted) result."""
        self._results.append(result)

    def summary(self, end: RunEnd | None = None) -> Summary:
        """The run so far, ready to render (``end`` says whether it was complete)."""
        if self._info is None:
            raise RuntimeError(f"{type(self).__name__}.finish() called before start()")
        return Summary.build(self._info, self._results, end=end)


def cut_short_line(end: RunEnd) -> str:
    """``Cut short after 12 of 40 checks: interrupted (Ctrl-C). Only the checks listed ran.``; empty when complete."""
    if end.complete:
        return ""
    return (
        f"Cut short after {end.finished} of {end.planned} selected contract tests: {end.cut_short}. "
        "Only the checks listed here ran; the verdict covers nothing else."
    )


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` so a reader never sees a half-written report."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
