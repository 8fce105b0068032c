"""How far a load run is, read while it runs from the tail of Locust's stats history CSV (a bounded read)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LoadProgress", "read_progress"]

_TAIL_BYTES = 16 * 1024
"""Only the end of the history file is read: it grows by a few rows every second."""


@dataclass(frozen=True, slots=True)
class LoadProgress:
    """The run so far: how long it has run (by Locust's own clock), users, requests, failures and their rate."""

    elapsed: float
    """Seconds since the command started the master (start-up included): when to show a line."""
    run_time: int
    running: int = 0
    """Seconds the load has been running, from the stats history's timestamps."""
    users: int = 0
    requests: int = 0
    failures: int = 0

    @property
    def rps(self) -> float:
        """Requests per second since the load began."""
        return self.requests / self.running if self.running > 0 else 0.0

    def line(self) -> str:
        """``load: 12s of 60s, 20 users, 2431 requests, 0 failed, 202.6 req/s``."""
        if not self.users and not self.requests:
            return f"load: starting ({self.elapsed:.0f}s: spawning users, waiting for workers)"
        return (
            f"load: {self.running}s of {self.run_time}s, {self.users} users, {self.requests} requests, "
            f"{self.failures} failed, {self.rps:.1f} req/s"
        )


def read_progress(history: Path, *, elapsed: float, run_time: int) -> LoadProgress:
    """The latest ``Aggregated`` row of ``history`` (Locust's ``*_stats_history.csv``), or a start-up progress."""
    progress = LoadProgress(elapsed=elapsed, run_time=run_time)
    try:
        with history.open("rb") as handle:
            header = next(csv.reader([handle.readline(_TAIL_BYTES).decode("utf-8", "replace")]), [])
            first = next(csv.reader([handle.readline(_TAIL_BYTES).decode("utf-8", "replace")]), [])
            size = handle.seek(0, io.SEEK_END)
            handle.seek(max(0, size - _TAIL_BYTES))
            tail = handle.read(_TAIL_BYTES).decode("utf-8", "replace")
    except OSError:
        return progress
    columns = {name: index for index, name in enumerate(header)}
    wanted = ("Timestamp", "Name", "User Count", "Total Request Count", "Total Failure Count")
    if not all(name in columns for name in wanted) or len(first) != len(header):
        return progress
    stamp, name, users, requests, failures = (columns[name] for name in wanted)
    for row in reversed(list(csv.reader(tail.splitlines()[1:]))):  # the first line may be cut, or the header
        if len(row) == len(header) and row[name] == "Aggregated":
            return LoadProgress(
                elapsed=elapsed,
                run_time=run_time,
                running=max(0, _int(row[stamp]) - _int(first[stamp])),
                users=_int(row[users]),
                requests=_int(row[requests]),
                failures=_int(row[failures]),
            )
    return progress


def _int(text: str) -> int:
    try:
        return int(float(text))
    except ValueError:
        return 0
