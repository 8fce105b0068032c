"""The load users' tasks: each chains the steps of ``flows`` into one flow the locustfile gives a weight.

Without a control API nothing can pay or expire an invoice, so those tasks give way to create →
cancel. Nothing here imports locust or gevent, so pytest can run the tasks over plain HTTP.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apipay_harness.loadrun import steps
from apipay_harness.loadrun.calls import Call
from apipay_harness.loadrun.flows import (
    Driver,
    Prices,
    cancel,
    create,
    expire,
    follow_cancel,
    pay,
    race_refunds,
    read,
    refund,
)

__all__ = [
    "create_then_cancel",
    "create_then_expire",
    "get_invoice",
    "list_invoices",
    "pay_cart_then_refund_all",
    "pay_then_refund_in_parts",
]


def pay_then_refund_in_parts(user: Driver) -> None:
    """Flat invoice: pay, refund a part, then race two refunds of the rest: exactly one may be accepted."""
    if not user.settings.control_url:
        return create_then_cancel(user)
    invoice = create(user)
    if invoice is None or not pay(user, invoice):
        return None
    part = steps.partial_refund(invoice.amount, user.rng)
    if refund(user, invoice, part) is None:
        return None
    rest = invoice.amount - part
    winners = race_refunds(user, invoice, rest)
    if len(winners) != 1:
        user.runtime.fail(
            "refund race", f"invoice {invoice.id}: {len(winners)} of 2 concurrent refunds of {rest} accepted"
        )
    read(user, invoice, status={"refunded"}, refunded=part + sum(winners, Decimal("0")))
    return None


def pay_cart_then_refund_all(user: Driver, prices: Prices) -> None:
    """Cart invoice: pay, then refund everything still refundable (no amount)."""
    if not user.settings.control_url:
        return create_then_cancel(user)
    invoice = create(user, prices=prices)
    if invoice is None or not pay(user, invoice):
        return None
    if refund(user, invoice, None) is not None:
        read(user, invoice, status={"refunded"}, refunded=invoice.amount)
    return None


def create_then_cancel(user: Driver) -> None:
    """Cancel a pending invoice and follow 202 → cancelling → cancelled within the deadline."""
    invoice = create(user)
    if invoice is not None and cancel(user, invoice) == 202:
        follow_cancel(user, invoice)


def create_then_expire(user: Driver) -> None:
    """Let a pending invoice expire through the control API, then read it expired."""
    if not user.settings.control_url:
        return create_then_cancel(user)
    invoice = create(user)
    if invoice is not None and expire(user, invoice):
        read(user, invoice, status={"expired"})
    return None


def list_invoices(user: Driver, seen: tuple[int, ...]) -> tuple[int, ...]:
    """One filtered, sorted page, then a later page when there is one; the invoice ids to read next."""
    rng = user.rng
    statuses = sorted(rng.sample(sorted(steps.facts().invoice_statuses), k=rng.randint(1, 3)))
    per_page = rng.choice((5, 10, 20, 50))
    query = "&".join(
        [f"status[]={s}" for s in statuses]
        + [f"per_page={per_page}", "sort_by=id", f"sort_order={rng.choice(('asc', 'desc'))}"]
    )

    def check(_: int, body: Any) -> str | None:
        return steps.check_page(body, statuses=statuses, per_page=per_page)

    answer = user.send(Call("GET", f"/invoices?{query}", name="/invoices?status[]", expect=(200,), check=check))
    page = answer.body
    if answer.status != 200 or not isinstance(page, dict):
        return seen
    seen = tuple(row["id"] for row in page.get("data", []) if isinstance(row, dict))[-20:] or seen
    last = page.get("meta", {}).get("last_page", 1)
    if isinstance(last, int) and last > 1:
        later = f"/invoices?{query}&page={rng.randint(2, min(last, 10))}"
        user.send(Call("GET", later, name="/invoices?status[]&page", expect=(200,), check=check))
    return seen


def get_invoice(user: Driver, seen: tuple[int, ...]) -> tuple[int, ...]:
    """Read an invoice seen in a list (list first when none was seen); the ids to read next."""
    if not seen:
        return list_invoices(user, seen)
    invoice_id = user.rng.choice(seen)
    user.send(
        Call(
            "GET",
            f"/invoices/{invoice_id}",
            name="/invoices/{id}",
            expect=(200,),
            check=lambda _, b: steps.check_invoice(b, invoice_id=invoice_id),
        )
    )
    return seen
