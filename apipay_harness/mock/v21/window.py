"""The 2.1 date window of the lists: Asia/Almaty dates or moments, offsets honoured, both ends inclusive.

``Y-m-d`` is the whole calendar day in Almaty; ``Y-m-d H[:i[:s[.u]]]`` (``T`` or a space) is that moment in
Almaty; an explicit ``Z`` or ``±hh[:]mm`` replaces the zone. The query parser already held each value to
the spec's pattern; an impossible date (``2026-02-30``) or an end before the start is a 422 here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from apipay_harness.mock.clock import DAY, day_number
from apipay_harness.mock.errors import ValidationFailed

__all__ = ["ALMATY_OFFSET", "Window", "window"]

ALMATY_OFFSET = 5 * 3600
"""Seconds Asia/Almaty is ahead of UTC (no daylight saving)."""
_FORM = re.compile(
    r"(\d{4}-\d{2}-\d{2})(?:[ T](\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?(Z|[+-]\d{2}:?\d{2})?)?"
)


@dataclass(frozen=True, slots=True)
class Window:
    """``low <= t`` and ``t < high`` (a bare end date) or ``t <= high`` (an end moment); None: unbounded."""

    low: float | None = None
    high: float | None = None
    high_inclusive: bool = False

    def holds(self, moment: float | None) -> bool:
        """Whether ``moment`` lies in the window (no moment lies in a bounded one)."""
        if moment is None:
            return self.low is None and self.high is None
        if self.low is not None and moment < self.low:
            return False
        if self.high is None:
            return True
        return moment <= self.high if self.high_inclusive else moment < self.high


def _moment(name: str, text: str) -> tuple[float, bool]:
    """The value's first second (and whether it is a bare date), or 422."""
    found = _FORM.fullmatch(text)
    day = day_number(found.group(1)) if found else None
    hour, minute, second = (int(found.group(i) or 0) for i in (2, 3, 4)) if found else (0, 0, 0)
    if found is None or day is None or hour > 23 or minute > 59 or second > 59:
        raise ValidationFailed.one(name, f"The {name.replace('_', ' ')} field must be a valid date.")
    fraction = int((found.group(5) or "0").ljust(6, "0")) / 1_000_000
    zone = found.group(6)
    if zone is None:
        offset = ALMATY_OFFSET
    elif zone == "Z":
        offset = 0
    else:
        digits = zone[1:].replace(":", "")
        offset = (1 if zone[0] == "+" else -1) * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    bare = found.group(2) is None
    return day * DAY + hour * 3600 + minute * 60 + second + fraction - offset, bare


def window(date_from: str | None, date_to: str | None) -> Window:
    """The window of ``date_from``/``date_to``; 422 when the end is before the start."""
    low = _moment("date_from", date_from)[0] if date_from else None
    if not date_to:
        return Window(low=low)
    high, bare = _moment("date_to", date_to)
    if bare:
        high += DAY
    if low is not None and (high <= low if bare else high < low):
        raise ValidationFailed.one("date_to", "The date to field must be a date after or equal to date from.")
    return Window(low=low, high=high, high_inclusive=not bare)
