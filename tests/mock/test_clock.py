from __future__ import annotations

import pytest

from apipay_harness.mock.clock import Clock, WorkQueue, format_time


def test_clock_is_source_time_plus_offset() -> None:
    clock = Clock(source=lambda: 1000.0)
    clock.advance(60)
    assert clock.timestamp() == 1060.0
    clock.reset()
    assert clock.timestamp() == 1000.0


def test_clock_never_moves_backwards() -> None:
    with pytest.raises(ValueError):
        Clock().advance(-1)


def test_work_queue_runs_due_work_in_due_then_insertion_order() -> None:
    ran: list[str] = []
    queue = WorkQueue()
    queue.schedule(20, lambda: ran.append("late"))
    queue.schedule(10, lambda: ran.append("first"))
    queue.schedule(10, lambda: ran.append("second"))
    assert queue.settle(15) == 2
    assert ran == ["first", "second"]
    queue.settle(20)
    assert ran == ["first", "second", "late"]
    assert len(queue) == 0


def test_format_time_is_utc_with_z() -> None:
    assert format_time(0) == "1970-01-01T00:00:00Z"
