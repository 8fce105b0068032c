"""The date checks' zone judge: a server in any zone from UTC−12 to UTC+14 passes, at any time of day; a
server whose answers fit no single zone's calendar (a ``date_to`` taken as exclusive, a zone that changes
between answers) fails."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from contracts.model_dates import ZONES, Window, ZoneJudge, days_in_zone

START = datetime(2026, 2, 13, tzinfo=UTC)


def _rows(time_of_day: timedelta, *, days: int = 3) -> dict[int, Window]:
    """One row a day at the same UTC time of day, each created within two seconds."""
    return {
        n: (START + timedelta(days=n) + time_of_day, START + timedelta(days=n) + time_of_day + timedelta(seconds=2))
        for n in range(days)
    }


def _server(rows: dict[int, Window], zone: int, low: date, high: date, *, exclusive_to: bool = False) -> set[int]:
    """What a server whose calendar is ``zone`` minutes east of UTC returns for [low, high] (instants at the start)."""
    found = set()
    for row, (moment, _) in rows.items():
        day = (moment + timedelta(minutes=zone)).date()
        if low <= day and (day < high if exclusive_to else day <= high):
            found.add(row)
    return found


def _cases(day: date) -> list[tuple[date, date]]:
    return [
        (day, day),
        (day, date.max),
        (date.min, day),
        (date.min, day - timedelta(days=1)),
        (day + timedelta(1), date.max),
    ]


def _ask_all(judge: ZoneJudge, rows: dict[int, Window], answer: Callable[[date, date], set[int]]) -> bool:
    for day in judge.days(rows):
        for low, high in _cases(day):
            if not judge.judge(rows, low, high, answer(low, high)):
                return False
    return True


@pytest.mark.parametrize("zone", [-12 * 60, -11 * 60, -3 * 60 - 30, 0, 5 * 60, 5 * 60 + 45, 14 * 60])
@pytest.mark.parametrize("hour", [0, 4, 11, 19, 20, 23])
def test_a_server_in_any_zone_passes_at_any_time_of_day(zone: int, hour: int) -> None:
    rows = _rows(timedelta(hours=hour, minutes=30))
    judge = ZoneJudge()
    assert _ask_all(judge, rows, lambda low, high: _server(rows, zone, low, high))
    assert zone in judge.zones and judge.included > 0 and judge.excluded > 0


def test_almaty_and_utc_disagree_at_20_30_utc_and_the_answers_tell_them_apart() -> None:
    rows = _rows(timedelta(hours=20, minutes=30))
    assert days_in_zone(rows[0], 0) != days_in_zone(rows[0], 5 * 60)
    judge = ZoneJudge()
    assert _ask_all(judge, rows, lambda low, high: _server(rows, 5 * 60, low, high))
    assert 0 not in judge.zones and 5 * 60 in judge.zones


@pytest.mark.parametrize("hour", [0, 4, 20, 23])
def test_a_date_to_taken_as_exclusive_fits_no_zone(hour: int) -> None:
    rows = _rows(timedelta(hours=hour, minutes=30))
    judge = ZoneJudge()
    assert not _ask_all(judge, rows, lambda low, high: _server(rows, 0, low, high, exclusive_to=True))


def test_a_server_that_changes_zone_between_answers_fails() -> None:
    """UTC for ranges that end on a day, Almaty for the others: each answer fits a zone, but not the same one."""
    rows = _rows(timedelta(hours=20, minutes=30))
    judge = ZoneJudge()
    mixed = lambda low, high: _server(rows, 0 if high != date.max else 5 * 60, low, high)  # noqa: E731
    assert not _ask_all(judge, rows, mixed)


def test_a_row_created_across_a_zones_midnight_is_left_out_for_that_zone_only() -> None:
    window = (datetime(2026, 2, 13, 18, 59, 59, tzinfo=UTC), datetime(2026, 2, 13, 19, 0, 1, tzinfo=UTC))
    rows = {1: window}
    inside, outside = ZoneJudge().expected(rows, date(2026, 2, 14), date(2026, 2, 14), 5 * 60)
    assert (inside, outside) == (set(), set())  # in Almaty it is 23:59:59 or 00:00:01
    assert ZoneJudge().expected(rows, date(2026, 2, 13), date(2026, 2, 13), 0) == ({1}, set())


def test_the_zones_are_every_quarter_hour_from_utc_minus_12_to_plus_14() -> None:
    assert (ZONES[0], ZONES[-1], len(ZONES)) == (-720, 840, 105)
