"""The load users' tasks: each chains the steps of ``flows`` into one flow the locustfile gives a weight.

Without a control API nothing can pay or expire an invoice unless the API has the sandbox's
simulate-status (2.1), so those tasks give way to create → cancel. Nothing here imports locust or
gevent, so pytest can run the tasks over plain HTTP.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apipay_harness.loadrun import steps
from apipay_harness.loadrun.calls import Call
from apipay_harness.loadrun.flows import (
    Driver,
    Invoice,
    Prices,
    can_pay,
    cancel,
    create,
    expire,
    follow_cancel,
    known,
    partial_outcome,
    pay,
    race_refunds,
    read,
    refund,
    rules,
    settle,
)

__all__ = [
    "create_then_cancel",
    "create_then_expire",
    "get_invoice",
    "list_invoices",
    "pay_cart_then_refund_all",
    "pay_then_refund_in_parts",
]


def _paid(user: Driver, prices: Prices = ()) -> Invoice | None:
    """A created invoice, waited out of its first status and paid; ``None`` if any step did not go through."""
    invoice = create(user, prices=prices)
    if invoice is None or not settle(user, invoice) or not pay(user, invoice):
        return None
    return invoice


def pay_then_refund_in_parts(user: Driver) -> None:
    """Flat invoice: pay, refund a part, then race two refunds of the rest: exactly one may be accepted."""
    if not can_pay(user):
        return create_then_cancel(user)
    invoice = _paid(user)
    if invoice is None:
        return None
    part = steps.partial_refund(invoice.amount, user.rng)
    first = refund(user, invoice, part, outcome=partial_outcome(user))
    if first is None:
        return None
    counted = [first.amount] if first.counts else []
    rest = invoice.amount - sum(counted, Decimal("0"))
    winners = race_refunds(user, invoice, rest)
    if len(winners) != 1:
        user.runtime.fail(
            "refund race", f"invoice {invoice.id}: {len(winners)} of 2 concurrent refunds of {rest} accepted"
        )
    counted += [won.amount for won in winners if won.counts]
    status = rules(user).status_after(invoice.amount, counted)
    read(user, invoice, status={status}, refunded=sum(counted, Decimal("0")))
    return None


def pay_cart_then_refund_all(user: Driver, prices: Prices) -> None:
    """Cart invoice: pay, then refund everything still refundable (no amount)."""
    if not can_pay(user):
        return create_then_cancel(user)
    invoice = _paid(user, prices)
    if invoice is None:
        return None
    done = refund(user, invoice, None)
    if done is not None and done.counts:
        status = rules(user).status_after(invoice.amount, [done.amount])
        read(user, invoice, status={status}, refunded=invoice.amount)
    return None


def create_then_cancel(user: Driver) -> None:
    """Cancel a new invoice (2.1 allows it while ``processing``) and follow a queued cancel to its end."""
    invoice = create(user)
    if invoice is not None and cancel(user, invoice) == 202:
        follow_cancel(user, invoice)


def create_then_expire(user: Driver) -> None:
    """Let a pending invoice expire (simulate-status or the control API), then read it expired."""
    if not can_pay(user):
        return create_then_cancel(user)
    invoice = create(user)
    if invoice is not None and settle(user, invoice) and expire(user, invoice):
        read(user, invoice, status={"expired"})
    return None


def list_invoices(user: Driver, seen: tuple[int, ...]) -> tuple[int, ...]:
    """One filtered, sorted page, then a later page when there is one; the invoice ids to read next."""
    rng = user.rng
    facts = known(user)
    statuses = sorted(rng.sample(sorted(facts.list_statuses), k=rng.randint(1, 3)))
    per_page = rng.choice((5, 10, 20, 50))
    query = "&".join(
        [f"status[]={s}" for s in statuses]
        + [f"per_page={per_page}", "sort_by=id", f"sort_order={rng.choice(('asc', 'desc'))}"]
    )

    def check(_: int, body: Any) -> str | None:
        return steps.check_page(body, statuses=statuses, per_page=per_page, known=facts)

    answer = user.send(Call("GET", f"/invoices?{query}", name="/invoices?status[]", expect=(200,), check=check))
    page = answer.body
    if answer.status != 200 or not isinstance(page, dict):
        return seen
    rows = steps.page_rows(page, known=facts)
    seen = tuple(row["id"] for row in rows if isinstance(row, dict) and isinstance(row.get("id"), int))[-20:] or seen
    last = steps.last_page(page, per_page=per_page, known=facts)
    if last > 1:
        later = f"/invoices?{query}&page={rng.randint(2, min(last, 10))}"
        user.send(Call("GET", later, name="/invoices?status[]&page", expect=(200,), check=check))
    return seen


def get_invoice(user: Driver, seen: tuple[int, ...]) -> tuple[int, ...]:
    """Read an invoice seen in a list (list first when none was seen); the ids to read next."""
    if not seen:
        return list_invoices(user, seen)
    invoice_id = user.rng.choice(seen)
    facts = known(user)
    user.send(
        Call(
            "GET",
            f"/invoices/{invoice_id}",
            name="/invoices/{id}",
            expect=(200,),
            check=lambda _, b: steps.check_invoice(b, invoice_id=invoice_id, known=facts),
        )
    )
    return seen
