"""The load scenarios' steps: small functions a load user calls, one request (or one wait) each.

A step takes the ``Driver`` running it (the locustfile's users; in pytest, a plain HTTP client),
sends ``Call``s through it, records what the server accepted for the audit, and reports a broken
flow that no single request shows. ``scenarios`` chains the steps into the tasks the locustfile
weighs. Nothing here imports locust or gevent, so pytest can run the steps over real HTTP.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Collection, Sequence
from decimal import Decimal
from typing import Any, NamedTuple, Protocol, TypeVar

from apipay_harness.loadrun import steps
from apipay_harness.loadrun.calls import Answer, Call
from apipay_harness.loadrun.collector import Collector
from apipay_harness.loadrun.locust_options import UserSettings

__all__ = [
    "CANCEL_POLL",
    "Driver",
    "Invoice",
    "Prices",
    "Runtime",
    "cancel",
    "catalog_prices",
    "create",
    "expire",
    "follow_cancel",
    "pay",
    "race_refunds",
    "read",
    "refund",
]

_T = TypeVar("_T")
Prices = Sequence[tuple[int, Decimal]]
"""Catalog ``(id, price)`` pairs that cart invoices are built from."""

CANCEL_POLL = 0.25
"""Seconds between the reads that follow a queued cancel."""
_PREFERRED_ITEMS = (101, 205)
_REASON = "load test"


class Runtime(Protocol):
    """How a user waits, races and reports a broken flow (in Locust: greenlets and its statistics)."""

    def fail(self, name: str, reason: str) -> None:
        """Report a broken flow that no single request shows."""

    def now(self) -> float:
        """Seconds on the clock that deadlines are measured by (monotonic)."""

    def pause(self, seconds: float) -> None:
        """Wait without holding up the other users."""

    def race(self, attempts: Sequence[Callable[[], _T]]) -> list[_T | None]:
        """Run ``attempts`` at once; each one's result, ``None`` for one that broke."""


class Driver(Protocol):
    """What a step needs from the user running it."""

    @property
    def rng(self) -> random.Random:
        """The user's own random source."""

    @property
    def settings(self) -> UserSettings:
        """The options the user runs with."""

    @property
    def store(self) -> Collector:
        """Where the audit's records go."""

    @property
    def runtime(self) -> Runtime:
        """How the user waits, races and reports."""

    def send(self, call: Call) -> Answer:
        """Send ``call``, judge its answer and record the attempt on ``call.record``."""


class Invoice(NamedTuple):
    """An invoice a user created, with the amount it must show (flat, or Σ price × count)."""

    id: int
    amount: Decimal


def catalog_prices(user: Driver) -> list[tuple[int, Decimal]]:
    """Two priced catalog items to build carts from (items 101 and 205 when present); none: flat invoices only."""
    answer = user.send(Call("GET", "/catalog?per_page=200", name="/catalog", expect=(200, 400)))
    rows = answer.body.get("data", []) if answer.status == 200 and isinstance(answer.body, dict) else []
    priced = [(r["id"], steps.parse_money(r["selling_price"])) for r in rows if isinstance(r.get("selling_price"), str)]
    preferred = [p for p in priced if p[0] in _PREFERRED_ITEMS]
    return (preferred or priced)[:2]


def create(user: Driver, *, prices: Prices = ()) -> Invoice | None:
    """Create a flat invoice (a cart one over ``prices``) and record it; ``None`` if the server would not."""
    tag = uuid.uuid4().hex[:12]
    body, amount = steps.cart_invoice(user.rng, prices, tag=tag) if prices else steps.flat_invoice(user.rng, tag=tag)
    answer = user.send(
        Call(
            "POST",
            "/invoices",
            name="/invoices",
            expect=(201,),
            body=body,
            check=lambda _, b: steps.check_invoice(b, status={"pending"}, amount=amount),
        )
    )
    created = answer.body
    if answer.status != 201 or not isinstance(created, dict) or not isinstance(created.get("id"), int):
        return None
    user.store.record(created["id"], "created", amount=steps.parse_money(created["amount"]))
    return Invoice(created["id"], amount)


def read(user: Driver, invoice: Invoice, *, status: Collection[str], refunded: Decimal | None = None) -> Any:
    """GET the invoice and hold it to what this user was told; the body as read."""

    def check(_: int, body: Any) -> str | None:
        reason = steps.check_invoice(body, invoice_id=invoice.id, status=status, amount=invoice.amount)
        if reason is None and refunded is not None and steps.parse_money(body.get("total_refunded")) != refunded:
            reason = f"total_refunded {body.get('total_refunded')}, expected {refunded}"
        return reason

    return user.send(Call("GET", f"/invoices/{invoice.id}", name="/invoices/{id}", expect=(200,), check=check)).body


def pay(user: Driver, invoice: Invoice) -> bool:
    """Have the customer pay through the control API."""
    answer = user.send(
        Call(
            "POST",
            f"{user.settings.control_url}/invoices/{invoice.id}/pay",
            name="/_control/invoices/{id}/pay",
            expect=(200,),
            body={"client_name": "Load Test"},
            record=invoice.id,
            check=lambda _, b: steps.check_invoice(b, status={"paid"}, amount=invoice.amount),
        )
    )
    if answer.status == 200:
        user.store.record(invoice.id, "paid")
    return answer.status == 200


def refund(
    user: Driver,
    invoice: Invoice,
    requested: Decimal | None,
    *,
    name: str = "/invoices/{id}/refund",
    expect: Collection[int] = (201,),
    fresh: bool = False,
) -> Decimal | None:
    """Ask for a refund (``None``: all that is left); record and return the amount the server accepted."""

    def check(status: int, body: Any) -> str | None:
        if status != 201:
            return None if isinstance(body, dict) and isinstance(body.get("message"), str) else "error without message"
        return steps.check_refund(body, invoice_id=invoice.id, requested=requested, amount=invoice.amount)

    payload = {"amount": requested, "reason": _REASON} if requested is not None else {"reason": _REASON}
    call = Call(
        "POST",
        f"/invoices/{invoice.id}/refund",
        name=name,
        expect=expect,
        body=payload,
        check=check,
        record=invoice.id,
        fresh=fresh,
    )
    answer = user.send(call)
    if answer.status != 201 or not isinstance(answer.body, dict):
        return None
    try:
        accepted = steps.parse_money(answer.body["refund"]["amount"])
    except (KeyError, TypeError, ValueError):
        return None
    user.store.record(invoice.id, "refund", amount=accepted)
    return accepted


def race_refunds(user: Driver, invoice: Invoice, rest: Decimal) -> list[Decimal]:
    """Two concurrent refunds of ``rest``, as a retrying client sends them; the amounts accepted."""

    def racer() -> Decimal | None:
        # A pooled spare connection may have idled past the server's keep-alive and be closed: each racer opens one.
        return refund(user, invoice, rest, name="/invoices/{id}/refund (race)", expect=(201, 400, 422), fresh=True)

    return [won for won in user.runtime.race([racer, racer]) if won is not None]


def cancel(user: Driver, invoice: Invoice) -> int:
    """Cancel a pending invoice and record an accepted cancel; the status it answered."""
    answer = user.send(
        Call(
            "POST",
            f"/invoices/{invoice.id}/cancel",
            name="/invoices/{id}/cancel",
            expect=(200, 202),
            record=invoice.id,
            check=lambda s, b: steps.check_cancel(s, b, invoice_id=invoice.id),
        )
    )
    if answer.status in (200, 202):
        user.store.record(invoice.id, "cancel", key="queued" if answer.status == 202 else "sync")
    return answer.status


def follow_cancel(user: Driver, invoice: Invoice) -> None:
    """Read a queued cancel until it is ``cancelled``; a failure once it stays ``cancelling`` past the deadline."""
    deadline = user.runtime.now() + user.settings.cancel_deadline
    while True:
        body = read(user, invoice, status={"cancelling", "cancelled"})
        if not isinstance(body, dict) or body.get("status") == "cancelled":
            return
        if user.runtime.now() > deadline:
            limit = user.settings.cancel_deadline
            user.runtime.fail("cancel deadline", f"invoice {invoice.id} still cancelling after {limit:g}s")
            return
        user.runtime.pause(CANCEL_POLL)


def expire(user: Driver, invoice: Invoice) -> bool:
    """Let a pending invoice expire through the control API, and record it."""
    answer = user.send(
        Call(
            "POST",
            f"{user.settings.control_url}/invoices/{invoice.id}/expire",
            name="/_control/invoices/{id}/expire",
            expect=(200,),
            record=invoice.id,
            check=lambda _, b: steps.check_invoice(b, status={"expired"}, amount=invoice.amount),
        )
    )
    if answer.status == 200:
        user.store.record(invoice.id, "expired")
    return answer.status == 200
