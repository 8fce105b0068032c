"""The load scenarios' steps: small functions a load user calls, one request (or one wait) each.

A step takes the ``Driver`` running it (the locustfile's users; in pytest, a plain HTTP client),
sends ``Call``s through it, records what the server accepted for the audit, and reports a broken
flow that no single request shows. ``scenarios`` chains the steps into the tasks the locustfile
weighs. Nothing here imports locust or gevent, so pytest can run the steps over real HTTP.

The steps speak the user's API version through its spec's facts (``steps.facts``) and its refund rules
(``dialects``): where an invoice starts (``processing`` is waited out: the control API settles it, or it is
read until it moves), how it is paid or expired (the sandbox's simulate-status when the API has one, else
the control API), and whether a refund is queued (then the control API finishes it, or it is read until
it completes or fails).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Collection, Iterator, Sequence
from decimal import Decimal
from typing import Any, NamedTuple, Protocol, TypeVar

from apipay_harness.loadrun import steps
from apipay_harness.loadrun.calls import Answer, Call
from apipay_harness.loadrun.collector import Collector
from apipay_harness.loadrun.dialects import RefundRules, refund_rules
from apipay_harness.loadrun.locust_options import UserSettings

__all__ = [
    "CANCEL_POLL",
    "SETTLE_DEADLINE",
    "Driver",
    "Invoice",
    "Prices",
    "Refunded",
    "Runtime",
    "can_pay",
    "cancel",
    "catalog_prices",
    "create",
    "expire",
    "follow_cancel",
    "known",
    "partial_outcome",
    "pay",
    "race_refunds",
    "read",
    "refund",
    "rules",
    "settle",
]

_T = TypeVar("_T")
Prices = Sequence[tuple[int, Decimal]]
"""Catalog ``(id, price)`` pairs that cart invoices are built from."""

CANCEL_POLL = 0.25
"""Seconds between the reads that follow a queued cancel, a ``processing`` invoice or a queued refund."""
SETTLE_DEADLINE = 30.0
"""Seconds a user waits for what only the server moves (``processing`` to settle, a queued refund to finish)
when it has no control API to move it; past it the flow counts as broken."""
_FAIL_ONE_IN = 5
"""With a control API, one queued partial refund in this many is finished as ``failed``, as Kaspi may."""
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


class Refunded(NamedTuple):
    """A refund the server accepted: its amount, and whether it counts (``False``: it failed)."""

    amount: Decimal
    counts: bool


def known(user: Driver) -> steps.Facts:
    """What the spec of the user's API version says."""
    return steps.facts(user.settings.api_version)


def rules(user: Driver) -> RefundRules:
    """How the user's API version refunds."""
    return refund_rules(user.settings.api_version)


def can_pay(user: Driver) -> bool:
    """Whether the user can have an invoice paid or expired: the sandbox's simulate-status, or a control API."""
    return known(user).simulate_status or user.settings.control_url is not None


def catalog_prices(user: Driver) -> list[tuple[int, Decimal]]:
    """Two priced catalog items to build carts from (items 101 and 205 when present); none: flat invoices only."""
    answer = user.send(Call("GET", "/catalog?per_page=200", name="/catalog", expect=(200, 400)))
    rows = answer.body.get("data", []) if answer.status == 200 and isinstance(answer.body, dict) else []
    priced = [
        (row["id"], price)
        for row in rows
        if isinstance(row, dict) and (price := steps.parse_price(row.get("selling_price"))) is not None
    ]
    preferred = [p for p in priced if p[0] in _PREFERRED_ITEMS]
    return (preferred or priced)[:2]


def create(user: Driver, *, prices: Prices = ()) -> Invoice | None:
    """Create a flat invoice (a cart one over ``prices``) and record it; ``None`` if the server would not."""
    facts = known(user)
    tag = uuid.uuid4().hex[:12]
    step = facts.amount_quantum
    if prices:
        line_price = step if facts.cart_line_price and step > Decimal("0.01") else None
        body, amount = steps.cart_invoice(user.rng, prices, tag=tag, line_price=line_price)
    else:
        body, amount = steps.flat_invoice(user.rng, tag=tag, quantum=step)
    answer = user.send(
        Call(
            "POST",
            "/invoices",
            name="/invoices",
            expect=(201,),
            body=body,
            check=lambda _, b: steps.check_invoice(b, status={facts.initial}, amount=amount, known=facts),
        )
    )
    created = answer.body
    if answer.status != 201 or not isinstance(created, dict) or not isinstance(created.get("id"), int):
        return None
    user.store.record(created["id"], "created", amount=steps.parse_money(created["amount"]))
    return Invoice(created["id"], amount)


def read(user: Driver, invoice: Invoice, *, status: Collection[str], refunded: Decimal | None = None) -> Any:
    """GET the invoice and hold it to what this user was told; the body as read."""
    facts = known(user)

    def check(_: int, body: Any) -> str | None:
        reason = steps.check_invoice(body, invoice_id=invoice.id, status=status, amount=invoice.amount, known=facts)
        if reason is None and refunded is not None and steps.parse_money(body.get("total_refunded")) != refunded:
            reason = f"total_refunded {body.get('total_refunded')}, expected {refunded}"
        return reason

    return user.send(Call("GET", f"/invoices/{invoice.id}", name="/invoices/{id}", expect=(200,), check=check)).body


def settle(user: Driver, invoice: Invoice) -> bool:
    """Wait out a first status that cannot be paid yet (2.1's ``processing``); whether the invoice is ``pending``.

    The control API settles it at once when there is one; otherwise (or when the server settled it first)
    it is read every ``CANCEL_POLL`` seconds until it moves, for at most ``SETTLE_DEADLINE``.
    """
    facts = known(user)
    first = facts.initial
    if "paid" in facts.successors.get(first, ()):
        return True
    control = user.settings.control_url
    if control:
        answer = user.send(
            Call(
                "POST",
                f"{control}/invoices/{invoice.id}/settle",
                name="/_control/invoices/{id}/settle",
                expect=(200, 409),
                body={"status": "pending"},
                record=invoice.id,
                check=lambda s, b: None if s == 409 else steps.check_invoice(b, status={"pending"}, known=facts),
            )
        )
        if answer.status == 200:
            return True
    moved = {first, *facts.successors.get(first, ())}
    for _ in _polling(user, SETTLE_DEADLINE):
        body = read(user, invoice, status=moved)
        if not isinstance(body, dict):
            return False
        if body.get("status") != first:
            return body.get("status") == "pending"
    user.runtime.fail("settle deadline", f"invoice {invoice.id} still {first} after {SETTLE_DEADLINE:g}s")
    return False


def _simulate(user: Driver, invoice: Invoice, status: str) -> bool:
    """The sandbox moves a pending invoice to ``status`` (simulate-status), and the move is recorded."""
    facts = known(user)
    answer = user.send(
        Call(
            "POST",
            f"/invoices/{invoice.id}/simulate-status",
            name="/invoices/{id}/simulate-status",
            expect=(200,),
            body={"status": status},
            record=invoice.id,
            check=lambda _, b: steps.check_invoice(
                steps.invoice_in(b, wrapped=True),
                invoice_id=invoice.id,
                status={status},
                amount=invoice.amount,
                known=facts,
            ),  # fmt: skip
        )
    )
    return answer.status == 200


def _control_move(user: Driver, invoice: Invoice, action: str, status: str) -> bool:
    """The control API pays or expires a pending invoice."""
    facts = known(user)
    answer = user.send(
        Call(
            "POST",
            f"{user.settings.control_url}/invoices/{invoice.id}/{action}",
            name=f"/_control/invoices/{{id}}/{action}",
            expect=(200,),
            body={"client_name": "Load Test"} if action == "pay" else None,
            record=invoice.id,
            check=lambda _, b: steps.check_invoice(b, status={status}, amount=invoice.amount, known=facts),
        )
    )
    return answer.status == 200


def pay(user: Driver, invoice: Invoice) -> bool:
    """Have the customer pay: through the sandbox's simulate-status when the API has it, else the control API."""
    done = (
        _simulate(user, invoice, "paid") if known(user).simulate_status else _control_move(user, invoice, "pay", "paid")
    )
    if done:
        user.store.record(invoice.id, "paid")
    return done


def refund(
    user: Driver,
    invoice: Invoice,
    requested: Decimal | None,
    *,
    name: str = "/invoices/{id}/refund",
    expect: Collection[int] = (201,),
    fresh: bool = False,
    outcome: str = "completed",
) -> Refunded | None:
    """Ask for a refund (``None``: all that is left) and record what the server accepted.

    A queued refund is then finished: by the control API with ``outcome`` when there is one, else read until
    it completes or fails. ``None`` when the refund was refused, or its outcome never came.
    """
    facts, how = known(user), rules(user)

    def check(status: int, body: Any) -> str | None:
        if status != 201:
            return None if isinstance(body, dict) and isinstance(body.get("message"), str) else "error without message"
        return how.check_answer(body, invoice_id=invoice.id, requested=requested, amount=invoice.amount, known=facts)

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
    refund_id = answer.body["refund"].get("id")
    key = str(refund_id) if isinstance(refund_id, int) else ""
    user.store.record(invoice.id, "refund", amount=accepted, key=key)
    if not how.queued:
        return Refunded(accepted, True)
    if not key:
        return None
    finished = _finish_refund(user, invoice, key, outcome)
    if finished is None:
        return None
    user.store.record(invoice.id, "refund_completed" if finished == "completed" else "refund_failed", key=key)
    return Refunded(accepted, finished == "completed")


def _finish_refund(user: Driver, invoice: Invoice, refund_id: str, outcome: str) -> str | None:
    """A queued refund's outcome: the control API gives it, or it is read until final; ``None`` past the deadline."""
    final = ("completed", "failed")
    control = user.settings.control_url
    if control:
        answer = user.send(
            Call(
                "POST",
                f"{control}/refunds/{refund_id}/finish",
                name="/_control/refunds/{id}/finish",
                expect=(200, 409),
                body={"status": outcome},
                record=invoice.id,
                check=lambda s, b: None if s == 409 or b.get("status") == outcome else f"refund finished as {b!r}",
            )
        )
        if answer.status == 200:
            return outcome
    status = None
    for _ in _polling(user, SETTLE_DEADLINE):
        answer = user.send(
            Call(
                "GET",
                f"/invoices/{invoice.id}/refunds",
                name="/invoices/{id}/refunds",
                expect=(200,),
                check=lambda _, b: None if isinstance(b.get("refunds"), list) else "refund list lacks refunds",
            )
        )
        rows = answer.body.get("refunds") if isinstance(answer.body, dict) else None
        if not isinstance(rows, list):
            return None
        status = next((r.get("status") for r in rows if isinstance(r, dict) and str(r.get("id")) == refund_id), None)
        if status in final:
            return str(status)
    user.runtime.fail("refund deadline", f"refund {refund_id} still {status} after {SETTLE_DEADLINE:g}s")
    return None


def partial_outcome(user: Driver) -> str:
    """The outcome a user asks for a queued partial refund: now and then ``failed``, when it can choose."""
    if not rules(user).queued or not user.settings.control_url:
        return "completed"
    return "failed" if user.rng.randrange(_FAIL_ONE_IN) == 0 else "completed"


def race_refunds(user: Driver, invoice: Invoice, rest: Decimal) -> list[Refunded]:
    """Two concurrent refunds of ``rest``, as a retrying client sends them; the refunds accepted."""

    def racer() -> Refunded | None:
        # A pooled spare connection may have idled past the server's keep-alive and be closed: each racer opens one.
        return refund(user, invoice, rest, name="/invoices/{id}/refund (race)", expect=(201, 400, 422), fresh=True)

    return [won for won in user.runtime.race([racer, racer]) if won is not None]


def cancel(user: Driver, invoice: Invoice) -> int:
    """Cancel a pending invoice and record an accepted cancel; the status it answered."""
    facts = known(user)
    answer = user.send(
        Call(
            "POST",
            f"/invoices/{invoice.id}/cancel",
            name="/invoices/{id}/cancel",
            expect=(200, 202),
            record=invoice.id,
            check=lambda s, b: steps.check_cancel(s, b, invoice_id=invoice.id, known=facts),
        )
    )
    if answer.status in (200, 202):
        user.store.record(invoice.id, "cancel", key="queued" if answer.status == 202 else "sync")
    return answer.status


def follow_cancel(user: Driver, invoice: Invoice) -> None:
    """Read a queued cancel until it leaves ``cancelling``; a failure once it stays there past the deadline."""
    moved = {"cancelling", *known(user).successors.get("cancelling", ())}
    limit = user.settings.cancel_deadline
    for _ in _polling(user, limit):
        body = read(user, invoice, status=moved)
        if not isinstance(body, dict) or body.get("status") != "cancelling":
            return
    user.runtime.fail("cancel deadline", f"invoice {invoice.id} still cancelling after {limit:g}s")


def _polling(user: Driver, seconds: float) -> Iterator[None]:
    """One turn per read, ``CANCEL_POLL`` apart on the user's clock, until ``seconds`` have passed since the first.

    The caller returns from inside the loop once the read is final; a loop that runs out means the deadline passed.
    """
    deadline = user.runtime.now() + seconds
    while True:
        yield
        if user.runtime.now() > deadline:
            return
        user.runtime.pause(CANCEL_POLL)


def expire(user: Driver, invoice: Invoice) -> bool:
    """Let a pending invoice expire (simulate-status, else the control API), and record it."""
    if known(user).simulate_status:
        done = _simulate(user, invoice, "expired")
    else:
        done = _control_move(user, invoice, "expire", "expired")
    if done:
        user.store.record(invoice.id, "expired")
    return done
