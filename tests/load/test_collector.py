from __future__ import annotations

from decimal import Decimal

import pytest

from apipay_harness.loadrun.collector import Collector, cap_share
from apipay_harness.loadrun.records import Event, build_ledgers


@pytest.mark.parametrize(("cap", "processes"), [(151, 2), (10, 3), (2, 4), (1000, 7)])
def test_collector_cap_shares_add_up_to_the_cap(cap: int, processes: int) -> None:
    shares = [cap_share(cap, processes=processes, index=i) for i in range(processes)]
    assert sum(s or 0 for s in shares) == cap and max(s or 0 for s in shares) - min(s or 0 for s in shares) <= 1


def test_collector_no_cap_has_no_share() -> None:
    assert cap_share(0, processes=3, index=1) is None


def test_collector_take_stops_at_the_share_and_counts_nothing_after() -> None:
    store = Collector()
    assert [store.take(2) for _ in range(4)] == [True, True, False, False]
    assert store.sent == 2


def test_collector_take_without_cap_counts_every_request() -> None:
    store = Collector()
    assert all(store.take(None) for _ in range(5)) and store.sent == 5


def test_collector_attempt_without_a_definitive_answer_leaves_the_invoice_uncertain() -> None:
    store = Collector()
    store.record(7, "created", amount=Decimal("10.00"))
    store.settle(7, store.attempt(7), 201)
    store.settle(7, store.attempt(7), 503)
    store.settle(7, store.attempt(7), 0)
    ledgers = build_ledgers(Event.from_wire(wire) for wire in store.drain())
    assert ledgers[7].unsettled == 2 and ledgers[7].amount == Decimal("10.00")


def test_collector_records_nothing_for_a_request_about_no_invoice() -> None:
    store = Collector()
    store.settle(None, store.attempt(None), 200)
    assert store.drain() == []


def test_collector_drain_ships_each_event_once() -> None:
    store = Collector()
    store.record(1, "paid")
    assert [e["kind"] for e in store.drain()] == ["paid"] and store.drain() == []
