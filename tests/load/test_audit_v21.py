"""The audit under API 2.1: queued refunds count once completed, there is no ``refunded``, ``is_fully_refunded``."""

from __future__ import annotations

import pytest

from apipay_harness.loadrun.audit import Reread, audit
from apipay_harness.loadrun.records import build_ledgers
from tests.load.test_audit import T0, _events

V21 = "2.1"


def _invoice(invoice_id: int, *, status: str, amount: str, total_refunded: str = "0.00", full: bool = False) -> Reread:
    body = {
        "id": invoice_id,
        "status": status,
        "amount": amount,
        "total_refunded": total_refunded,
        "is_fully_refunded": full,
    }
    return Reread(status_code=200, body=body, read_at=T0 + 60)


def _paid(invoice_id: int, amount: str, *refunds: tuple[str, str, str]) -> list[tuple[int, str, str | None, str]]:
    """Events of a paid invoice and its refunds: (amount, refund id, outcome kind or "")."""
    rows: list[tuple[int, str, str | None, str]] = [(invoice_id, "created", amount, ""), (invoice_id, "paid", None, "")]
    for refunded, refund_id, outcome in refunds:
        rows.append((invoice_id, "refund", refunded, refund_id))
        if outcome:
            rows.append((invoice_id, outcome, None, refund_id))
    return rows


def test_audit21_a_completed_full_refund_leaves_paid_with_is_fully_refunded() -> None:
    ledgers = build_ledgers(_events(*_paid(1, "1000.00", ("1000.00", "11", "refund_completed"))))
    rereads = {1: _invoice(1, status="paid", amount="1000.00", total_refunded="1000.00", full=True)}
    assert audit(ledgers, rereads, api_version=V21).clean


def test_audit21_reports_refunded_a_status_2_1_does_not_have() -> None:
    ledgers = build_ledgers(_events(*_paid(1, "1000.00", ("1000.00", "11", "refund_completed"))))
    rereads = {1: _invoice(1, status="refunded", amount="1000.00", total_refunded="1000.00", full=True)}
    [violation] = audit(ledgers, rereads, api_version=V21).violations
    assert violation.kind == "status_mismatch"
    assert violation.message == "Expected: status paid\nReceived: status refunded"


def test_audit21_the_seed_rules_still_expect_refunded() -> None:
    ledgers = build_ledgers(_events(*_paid(1, "1000.00", ("1000.00", "11", ""))))
    rereads = {1: _invoice(1, status="refunded", amount="1000.00", total_refunded="1000.00", full=True)}
    assert audit(ledgers, rereads).clean  # 2026-02-13: an accepted full refund is refunded at once


def test_audit21_a_partial_then_the_rest_leaves_partially_refunded() -> None:
    ledgers = build_ledgers(
        _events(*_paid(1, "900.00", ("300.00", "1", "refund_completed"), ("600.00", "2", "refund_completed")))
    )
    good = {1: _invoice(1, status="partially_refunded", amount="900.00", total_refunded="900.00", full=True)}
    assert audit(ledgers, good, api_version=V21).clean
    paid = {1: _invoice(1, status="paid", amount="900.00", total_refunded="900.00", full=True)}
    assert [v.kind for v in audit(ledgers, paid, api_version=V21).violations] == ["status_mismatch"]


def test_audit21_a_failed_refund_does_not_count() -> None:
    ledgers = build_ledgers(
        _events(*_paid(1, "900.00", ("300.00", "1", "refund_failed"), ("900.00", "2", "refund_completed")))
    )
    good = {1: _invoice(1, status="paid", amount="900.00", total_refunded="900.00", full=True)}
    report = audit(ledgers, good, api_version=V21)
    assert report.clean  # 300 + 900 accepted, but the 300 failed: no over-refund
    counted = {1: _invoice(1, status="paid", amount="900.00", total_refunded="1200.00", full=True)}
    kinds = audit(ledgers, counted, api_version=V21).counts()
    assert kinds == {"server_over_refund": 1, "refund_total_mismatch": 1}


def test_audit21_reports_accepted_live_refunds_above_the_amount() -> None:
    ledgers = build_ledgers(
        _events(*_paid(1, "900.00", ("600.00", "1", "refund_completed"), ("600.00", "2", "refund_completed")))
    )
    rereads = {1: _invoice(1, status="partially_refunded", amount="900.00", total_refunded="1200.00", full=True)}
    assert audit(ledgers, rereads, api_version=V21).counts()["over_refund"] == 1


@pytest.mark.parametrize(
    ("status", "total", "full"),
    [("paid", "0.00", False), ("partially_refunded", "300.00", False), ("paid", "900.00", True)],
)
def test_audit21_a_refund_whose_outcome_never_came_may_or_may_not_count(status: str, total: str, full: bool) -> None:
    ledgers = build_ledgers(_events(*_paid(1, "900.00", ("300.00", "1", ""))) + _events((1, "refund", "600.00", "2")))
    # 600 accepted last, outcome unknown too: every subset of {300, 600} may have completed
    report = audit(
        ledgers, {1: _invoice(1, status=status, amount="900.00", total_refunded=total, full=full)}, api_version=V21
    )
    assert report.clean, report.violations


def test_audit21_an_open_refund_still_bounds_the_total() -> None:
    ledgers = build_ledgers(_events(*_paid(1, "900.00", ("300.00", "1", ""))))
    rereads = {1: _invoice(1, status="partially_refunded", amount="900.00", total_refunded="500.00")}
    assert [v.kind for v in audit(ledgers, rereads, api_version=V21).violations] == ["refund_total_mismatch"]


def test_audit21_reports_is_fully_refunded_against_the_invoices_own_totals() -> None:
    ledgers = build_ledgers(_events(*_paid(1, "900.00", ("900.00", "1", "refund_completed"))))
    rereads = {1: _invoice(1, status="paid", amount="900.00", total_refunded="900.00", full=False)}
    [violation] = audit(ledgers, rereads, api_version=V21).violations
    assert violation.kind == "fully_refunded_mismatch"
    assert violation.message.endswith("Received: is_fully_refunded False")


@pytest.mark.parametrize("status", ["processing", "pending", "error", "expired"])
def test_audit21_an_untouched_invoice_may_settle_fail_or_expire_by_itself(status: str) -> None:
    ledgers = build_ledgers(_events((1, "created", "500.00", "")))
    assert audit(ledgers, {1: _invoice(1, status=status, amount="500.00")}, api_version=V21).clean


@pytest.mark.parametrize("status", ["paid", "cancelled", "partially_refunded"])
def test_audit21_an_untouched_invoice_never_shows_what_only_a_client_brings(status: str) -> None:
    ledgers = build_ledgers(_events((1, "created", "500.00", "")))
    [violation] = audit(ledgers, {1: _invoice(1, status=status, amount="500.00")}, api_version=V21).violations
    assert violation.message == f"Expected: status error or expired or pending or processing\nReceived: status {status}"


def test_audit21_a_refused_queued_cancel_may_return_to_pending() -> None:
    ledgers = build_ledgers(_events((1, "created", "500.00", ""), (1, "cancel", None, "queued")))
    assert audit(ledgers, {1: _invoice(1, status="pending", amount="500.00")}, api_version=V21).clean
    assert not audit(ledgers, {1: _invoice(1, status="pending", amount="500.00")}).clean  # 2026-02-13: it cannot


def test_audit21_a_sync_cancel_is_final() -> None:
    ledgers = build_ledgers(_events((1, "created", "500.00", ""), (1, "cancel", None, "sync")))
    assert audit(ledgers, {1: _invoice(1, status="cancelled", amount="500.00")}, api_version=V21).clean
    for status in ("paid", "pending"):
        assert not audit(ledgers, {1: _invoice(1, status=status, amount="500.00")}, api_version=V21).clean


def test_every_api_version_has_its_refund_rules() -> None:
    from apipay_harness.core.versions import VERSIONS
    from apipay_harness.loadrun.dialects import DIALECT_MODULES, refund_rules

    assert set(DIALECT_MODULES) == set(VERSIONS)
    assert [refund_rules(v).queued for v in ("2026-02-13", "2.1")] == [False, True]
