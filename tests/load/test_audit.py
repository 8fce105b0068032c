from __future__ import annotations

from decimal import Decimal

from apipay_harness.loadrun.audit import Reread, audit
from apipay_harness.loadrun.records import Event, build_ledgers

T0 = 1_700_000_000.0


def _invoice(invoice_id: int, *, status: str, amount: str, total_refunded: str = "0.00") -> dict[str, object]:
    return {"id": invoice_id, "status": status, "amount": amount, "total_refunded": total_refunded}


def _ok(body: dict[str, object], *, at: float = T0 + 60) -> Reread:
    return Reread(status_code=200, body=body, read_at=at)


def _events(*rows: tuple[int, str, str | None, str]) -> list[Event]:
    return [
        Event(invoice_id=i, kind=kind, at=T0 + n, amount=Decimal(amount) if amount else None, key=key)  # type: ignore[arg-type]
        for n, (i, kind, amount, key) in enumerate(rows)
    ]


def test_audit_is_clean_when_every_invoice_matches_its_accepted_answers() -> None:
    ledgers = build_ledgers(
        _events(
            (1, "created", "100.50", ""),
            (1, "paid", None, ""),
            (1, "refund", "40.25", ""),
            (1, "refund", "60.25", ""),
            (2, "created", "10.00", ""),
            (2, "cancel", None, "queued"),
            (3, "created", "7.00", ""),
        )
    )
    rereads = {
        1: _ok(_invoice(1, status="refunded", amount="100.50", total_refunded="100.50")),
        2: _ok(_invoice(2, status="cancelled", amount="10.00")),
        3: _ok(_invoice(3, status="pending", amount="7.00")),
    }
    report = audit(ledgers, rereads)
    assert report.clean and report.checked == 3


def test_audit_reports_a_lost_invoice() -> None:
    ledgers = build_ledgers(_events((7, "created", "500.00", ""), (7, "paid", None, "")))
    report = audit(ledgers, {7: Reread(status_code=404, body={"message": "Invoice not found"}, read_at=T0 + 5)})
    [violation] = report.violations
    assert (violation.invoice_id, violation.kind) == (7, "lost")
    assert "404" in violation.message


def test_audit_reports_a_server_error_on_reread_as_unreadable() -> None:
    ledgers = build_ledgers(_events((7, "created", "500.00", "")))
    report = audit(ledgers, {7: Reread(status_code=500, body={"message": "Server Error"}, read_at=T0 + 5)})
    assert [v.kind for v in report.violations] == ["unreadable"]


def test_audit_reports_an_invoice_never_reread_as_lost() -> None:
    report = audit(build_ledgers(_events((8, "created", "1.00", ""))), {})
    assert [v.kind for v in report.violations] == ["lost"]


def test_audit_reports_accepted_refunds_above_the_amount() -> None:
    ledgers = build_ledgers(
        _events(
            (9, "created", "1000.00", ""),
            (9, "paid", None, ""),
            (9, "refund", "400.00", ""),
            (9, "refund", "600.00", ""),
            (9, "refund", "600.00", ""),
        )
    )
    rereads = {9: _ok(_invoice(9, status="refunded", amount="1000.00", total_refunded="1600.00"))}
    report = audit(ledgers, rereads)
    kinds = report.counts()
    assert kinds["over_refund"] == 1 and kinds["server_over_refund"] == 1
    over = next(v for v in report.violations if v.kind == "over_refund")
    assert "1600.00" in over.message and "1000.00" in over.message


def test_audit_reports_an_invoice_left_cancelling_past_its_deadline() -> None:
    ledgers = build_ledgers(_events((4, "created", "20.00", ""), (4, "cancel", None, "queued")))
    rereads = {4: _ok(_invoice(4, status="cancelling", amount="20.00"), at=T0 + 45)}
    report = audit(ledgers, rereads, cancel_deadline=30)
    assert [v.kind for v in report.violations] == ["stuck_cancelling"]


def test_audit_accepts_cancelling_within_its_deadline() -> None:
    ledgers = build_ledgers(_events((4, "created", "20.00", ""), (4, "cancel", None, "queued")))
    rereads = {4: _ok(_invoice(4, status="cancelling", amount="20.00"), at=T0 + 3)}
    assert audit(ledgers, rereads, cancel_deadline=30).clean


def test_audit_reports_a_refund_total_other_than_the_accepted_refunds() -> None:
    ledgers = build_ledgers(_events((5, "created", "300.00", ""), (5, "paid", None, ""), (5, "refund", "100.00", "")))
    rereads = {5: _ok(_invoice(5, status="partially_refunded", amount="300.00", total_refunded="200.00"))}
    assert [v.kind for v in audit(ledgers, rereads).violations] == ["refund_total_mismatch"]


def test_audit_reports_a_status_other_than_implied() -> None:
    ledgers = build_ledgers(_events((6, "created", "300.00", ""), (6, "paid", None, "")))
    rereads = {6: _ok(_invoice(6, status="pending", amount="300.00"))}
    [violation] = audit(ledgers, rereads).violations
    assert violation.kind == "status_mismatch"
    assert violation.message == "Expected: status paid\nReceived: status pending"


def test_audit_holds_an_uncertain_invoice_only_to_invariants() -> None:
    ledgers = build_ledgers(
        _events((3, "created", "50.00", ""), (3, "paid", None, ""), (3, "attempt", None, "k1"))  # refund cut off
    )
    rereads = {3: _ok(_invoice(3, status="partially_refunded", amount="50.00", total_refunded="20.00"))}
    report = audit(ledgers, rereads)
    assert report.clean and report.uncertain == 1


def test_audit_still_catches_a_lost_uncertain_invoice() -> None:
    ledgers = build_ledgers(_events((3, "created", "50.00", ""), (3, "attempt", None, "k1")))
    assert [v.kind for v in audit(ledgers, {3: Reread(404, {}, T0)}).violations] == ["lost"]


def test_audit_reports_money_that_is_not_a_string() -> None:
    ledgers = build_ledgers(_events((2, "created", "10.00", "")))
    rereads = {2: _ok({"id": 2, "status": "pending", "amount": 10.0})}
    assert [v.kind for v in audit(ledgers, rereads).violations] == ["malformed"]


def test_records_survive_the_wire_with_money_exact() -> None:
    event = Event(invoice_id=11, kind="refund", at=T0, amount=Decimal("0.10"))
    assert Event.from_wire(event.to_wire()) == event
    assert event.to_wire()["amount"] == "0.10"


def test_records_settled_attempts_leave_the_invoice_certain() -> None:
    ledgers = build_ledgers(_events((1, "created", "5.00", ""), (1, "attempt", None, "a"), (1, "settled", None, "a")))
    assert not ledgers[1].uncertain
