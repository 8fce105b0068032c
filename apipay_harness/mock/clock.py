"""The mock's own clock and its queue of delayed work, injected so tests move time instead of sleeping.

Every time the mock reads is ``Clock.now()``: real UTC time plus an offset that the
control API moves forward. Delayed work (async cancel, refund completion, expiry) is
queued at a clock time and settled, in order, whenever the mock serves a request or
the clock is advanced.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

__all__ = ["DAY", "Clock", "WorkQueue", "day_number", "format_time", "format_time_long"]

DAY = 86400
_FULL_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})", re.ASCII)


class Clock:
    """Real UTC time shifted by an offset that only moves forward.

    **offset** – *(optional)* seconds added to real time at the start (default 0).
    """

    def __init__(self, *, offset: float = 0.0, source: Callable[[], float] = time.time) -> None:
        self._offset = offset
        self._source = source

    def timestamp(self) -> float:
        """Seconds since the epoch on the mock's clock."""
        return self._source() + self._offset

    def now(self) -> datetime:
        """The mock's current time, timezone-aware UTC."""
        return datetime.fromtimestamp(self.timestamp(), tz=UTC)

    def advance(self, seconds: float) -> None:
        """Move the clock on by ``seconds`` (never backwards)."""
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self._offset += seconds

    def reset(self) -> None:
        """Back to real time."""
        self._offset = 0.0


def format_time(ts: float) -> str:
    """RFC 3339 UTC with a ``Z`` and whole seconds, as the docs show times."""
    return _format_second(int(ts // 1))


@functools.lru_cache(maxsize=8)
def _format_second(second: int) -> str:
    return datetime.fromtimestamp(second, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def format_time_long(ts: float) -> str:
    """RFC 3339 UTC with microseconds and ``+00:00`` (``2025-01-31T12:00:00.000000+00:00``), as Laravel writes it."""
    return datetime.fromtimestamp(ts, tz=UTC).isoformat(timespec="microseconds")


def day_number(text: str) -> int | None:
    """Days from 1970-01-01 to an RFC 3339 ``full-date`` (proleptic Gregorian), or ``None`` if it is not one.

    Python's ``date`` stops at year 1 and overflows one day after 9999-12-31, but the format allows
    0000-01-01 to 9999-12-31 and a list filter must turn each into a clock range without failing.
    """
    found = _FULL_DATE.fullmatch(text)
    if found is None:
        return None
    year, month, day = (int(part) for part in found.groups())
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= month <= 12 or not 1 <= day <= _MONTH_DAYS[month - 1] + (leap and month == 2):
        return None
    # Days from civil (H. Hinnant): count from 0000-03-01 so that the leap day ends each 400-year era.
    shifted = year - (month <= 2)
    era, year_of_era = divmod(shifted, 400)
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


class WorkQueue:
    """Actions due at clock times, run in (due_at, seq) order; each may name the record it is about (``key``)."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Callable[[], None], int | None]] = []
        self._seq = itertools.count()

    def __len__(self) -> int:
        return len(self._heap)

    def next_due(self) -> float | None:
        """When the earliest queued action falls due, or ``None`` when nothing is queued."""
        return self._heap[0][0] if self._heap else None

    def schedule(self, due_at: float, action: Callable[[], None], *, key: int | None = None) -> None:
        """Queue ``action`` to run once the clock reaches ``due_at``; ``key`` lets ``purge`` drop it early."""
        heapq.heappush(self._heap, (due_at, next(self._seq), action, key))

    def purge(self, keys: set[int]) -> int:
        """Drop every queued action whose key is in ``keys`` (work about forgotten records); return how many."""
        before = len(self._heap)
        self._heap[:] = [entry for entry in self._heap if entry[3] not in keys]
        heapq.heapify(self._heap)
        return before - len(self._heap)

    def settle(self, now: float) -> int:
        """Run every action due at or before ``now``, in order; return how many ran."""
        ran = 0
        heap = self._heap
        while heap and heap[0][0] <= now:
            action = heapq.heappop(heap)[2]
            action()
            ran += 1
        return ran

    def clear(self) -> None:
        """Forget all queued work."""
        self._heap.clear()
