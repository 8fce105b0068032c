"""The load audit's re-reads go through the bounded read: a hostile answer is an unreadable invoice, not a hang
or a gigabyte in memory."""

from __future__ import annotations

from decimal import Decimal

import pytest

from apipay_harness.core.target import Target
from apipay_harness.loadrun.records import Ledger
from apipay_harness.loadrun.reread import reread_invoices
from tests.selftest.hostile import hostile_server


@pytest.mark.parametrize("mode", ["chunked", "close_delimited", "huge"])
def test_reread_of_an_answer_past_the_size_bound_is_unreadable(mode: str) -> None:
    with hostile_server(mode) as url:
        target = Target(base_url=url, api_key="k")
        rereads = reread_invoices(target, {7: Ledger(7, amount=Decimal("10.00"))}, cancel_deadline=1.0)
    assert rereads[7].status_code == 0 and "more than 10485760 bytes" in str(rereads[7].body)
