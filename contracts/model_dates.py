"""Judging date filters whose time zone the documents do not name.

The provider's documents of 2026-02-13 say ``date_from``/``date_to`` are YYYY-MM-DD but not in
which zone's calendar (spec 2.1.0 later says Asia/Almaty, UTC+5, while timestamps are written in
UTC). A target is judged against every zone a server may use, UTC−12 to UTC+14 in quarter hours
(every real zone's offset is a whole number of quarter hours): each answer must fit one of them
exactly, the same one for every answer. No instant is on one calendar day in all those zones (they
span 26 hours), so no time of day is safe to create rows at; instead a row created across a zone's
midnight is left out of that zone's expectations only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

__all__ = ["ZONES", "Window", "ZoneJudge", "days_in_zone", "instants", "zone_name", "zones_shown"]

ZONES = tuple(range(-12 * 60, 14 * 60 + 1, 15))
"""UTC offsets in minutes a target's calendar days may be in: UTC−12 to UTC+14 in quarter hours."""

Window = tuple[datetime, datetime]
"""The target's clock (UTC) just before and just after a creation: the row's instant lies between."""


def days_in_zone(window: Window, zone: int) -> frozenset[date]:
    """The calendar days, in the zone ``zone`` minutes east of UTC, a row created within ``window`` may carry."""
    first, last = ((moment + timedelta(minutes=zone)).date() for moment in window)
    return frozenset(first + timedelta(days=n) for n in range((last - first).days + 1))


@dataclass
class ZoneJudge:
    """The time zones whose calendar explains every date-filtered answer so far, and what was judged."""

    zones: tuple[int, ...] = ZONES
    included: int = 0
    """Rows some answer had to include (under every zone still standing when it was judged)."""
    excluded: int = 0

    def expected(self, windows: dict[int, Window], low: date, high: date, zone: int) -> tuple[set[int], set[int]]:
        """(rows the range must return, rows it must not) under ``zone``; a row across its midnight is neither."""
        inside, outside = set(), set()
        for row, window in windows.items():
            days = days_in_zone(window, zone)
            if all(low <= d <= high for d in days):
                inside.add(row)
            elif not any(low <= d <= high for d in days):
                outside.add(row)
        return inside, outside

    def judge(self, windows: dict[int, Window], low: date, high: date, received: set[int]) -> bool:
        """Keep the zones this answer fits; False when none is left (the answer fits no zone's calendar)."""
        fitting = []
        for zone in self.zones:
            inside, outside = self.expected(windows, low, high, zone)
            if received & (inside | outside) == inside:
                fitting.append(zone)
        if fitting:
            counts = [self.expected(windows, low, high, zone) for zone in fitting]
            self.included += min(len(inside) for inside, _ in counts)
            self.excluded += min(len(outside) for _, outside in counts)
            self.zones = tuple(fitting)
        return bool(fitting)

    def days(self, windows: dict[int, Window]) -> list[date]:
        """Every day some row is sure to carry under some zone still standing: the days worth asking about."""
        found: set[date] = set()
        for zone in self.zones:
            found |= {next(iter(d)) for d in (days_in_zone(w, zone) for w in windows.values()) if len(d) == 1}
        return sorted(found)


def zone_name(zone: int) -> str:
    """``UTC+5``, ``UTC−3:30``: an offset in minutes as people write it."""
    sign = "+" if zone >= 0 else "−"
    hours, minutes = divmod(abs(zone), 60)
    return f"UTC{sign}{hours}" + (f":{minutes:02d}" if minutes else "")


def zones_shown(zones: tuple[int, ...]) -> str:
    """The zones still standing, in a few words."""
    if len(zones) == len(ZONES):
        return "any zone from UTC−12 to UTC+14"
    names = [zone_name(z) for z in zones]
    return ", ".join(names) if len(names) <= 4 else f"{names[0]} … {names[-1]} ({len(names)} zones)"


def instants(windows: dict[int, Window]) -> dict[int, str]:
    """When each row was created (the start of its window), for a message."""
    return {row: window[0].strftime("%Y-%m-%dT%H:%M:%SZ") for row, window in sorted(windows.items())}
