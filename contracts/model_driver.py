"""Driving a target one step at a time and judging each answer against the oracle.

The lifecycle, lists, webhooks and concurrency suites share this: every step sends one
request, checks the answer the oracle expects (accepted with the documented body, or
refused with a documented 4xx and the error schema) and records what the target accepted.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest

from apipay_harness.core.spec import resolve
from contracts.client import ApiClient
from contracts.control import SETTLES_FROM, Control, Sandbox
from contracts.model_compare import FieldMismatch, diff_invoice, diff_refund_totals, diff_refunds
from contracts.model_schemas import SchemaBook, decode_json, encode_json, error_statuses
from contracts.oracle import CENT, Expectation, ModelItem, Oracle, RefundWorld, StatusMismatch, money
from contracts.violations import Violation, expected_received

__all__ = [
    "NEEDS_CONTROL",
    "POLL_SECONDS",
    "SETTLE_SECONDS",
    "CatalogEntry",
    "Driver",
    "amount_schema",
    "amount_step",
    "polls",
]

SETTLE_SECONDS = 60
"""Clock seconds after which the harness expects queued work (a ``cancelling`` invoice) to be done."""
POLL_SECONDS = 60.0
"""Real seconds a target without a clock to move gets to end queued work (a delivery, a refund) while polled."""
_PAUSES = (0.05, 0.1, 0.2, 0.4, 0.8, 1.0)
"""Pauses between two reads of a polled invoice: quick at first, then at most one read a second."""
NEEDS_CONTROL = "needs the control API ({what}): the target has none (--no-control, or --control sandbox)"
_GET, _CANCEL, _REFUND = "/invoices/{id}", "/invoices/{id}/cancel", "/invoices/{id}/refund"
_REFUNDS = "/invoices/{id}/refunds"
_CREATE = "/invoices"
_JSON = {"Content-Type": "application/json"}


def amount_schema(spec: dict[str, Any]) -> dict[str, Any]:
    """The schema of a flat invoice's ``amount``: the create request's branch that requires it (empty: none)."""
    request = resolve(spec, spec["paths"][_CREATE]["post"]["requestBody"]["content"]["application/json"]["schema"])
    for branch in request.get("anyOf") or ():
        if "amount" in (branch.get("required") or ()) and "amount" in (branch.get("properties") or {}):
            found: dict[str, Any] = resolve(spec, branch["properties"]["amount"])
            return found
    return {}


def amount_step(spec: dict[str, Any]) -> tuple[Decimal, Decimal]:
    """(least, step) of a flat invoice's ``amount`` as the create request's schema bounds it (step: ``multipleOf``)."""
    schema = amount_schema(spec)
    return Decimal(str(schema.get("minimum", CENT))), Decimal(str(schema.get("multipleOf", CENT)))


def polls(seconds: float) -> Iterator[None]:
    """Yield before each read of a bounded poll, pausing between reads, until ``seconds`` of real time passed."""
    deadline = time.monotonic() + seconds
    for attempt in range(10**6):
        yield
        pause = _PAUSES[min(attempt, len(_PAUSES) - 1)]
        if time.monotonic() + pause > deadline:
            return
        time.sleep(pause)


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """A catalog item as ``GET /catalog`` shows it, the source of a cart invoice's snapshot."""

    id: int
    name: str
    price: Decimal
    unit_id: int


def _money_or_none(value: Any) -> Decimal | None:
    try:
        return money(value)
    except ValueError:
        return None


def _world_line(world: RefundWorld, amount: Decimal) -> str:
    total = "" if world.available is None else f" invoice.total_refunded={amount - world.available + world.amount}"
    return f"refund.amount={world.amount} invoice.status={'/'.join(sorted(world.statuses))}{total}"


class Driver:
    """One organization's view of a target: API client, optional control API, the oracle and the spec's schemas."""

    def __init__(
        self,
        *,
        api: ApiClient,
        oracle: Oracle,
        book: SchemaBook,
        control: Control | None = None,
        sandbox: Sandbox | None = None,
    ) -> None:
        self.api = api
        self.oracle = oracle
        self.book = book
        self.control = control
        self.sandbox = sandbox if control is None else None
        """The sandbox's simulate-status, driving invoices where the target has no control API."""
        self._catalog: list[CatalogEntry] | None = None
        self.least, self.step = amount_step(book.spec)

    # -- what the target's documents allow a suite to send --------------------------------------------------------

    def amount(self, wanted: Decimal | str) -> Decimal:
        """The least amount a flat invoice may have that is at least ``wanted`` (whole tenge where the spec says so)."""
        value = max(Decimal(wanted), self.least)
        return (math.ceil(value / self.step) * self.step).quantize(CENT)

    def whole_count(self, price: Decimal) -> int:
        """The least count of an item at ``price`` whose line total is a multiple of the amount's step."""
        count = 1
        while (price * count) % self.step:
            count += 1
        return count

    # -- judging helpers ---------------------------------------------------------------------------------------------

    def fail(self, *, operation: str, title: str, message: str, rule: str) -> Violation:
        """A Violation of ``rule`` on ``operation`` (the test's marker names the check, passed or failed alike)."""
        return Violation(operation=operation, title=title, message=message, rule=rule)

    def body(self, response: httpx.Response, *, path: str, method: str = "get") -> Any:
        """The decoded body of an accepted answer, after checking it against its documented schema."""
        problems = self.book.response_errors(method, path, response)
        if problems:
            pointer = self.book.response_pointer(method, path, response.status_code) or f"#/paths/{path}"
            raise self.fail(
                operation=f"{method.upper()} {path}",
                title=f"{method.upper()} {path} answered {response.status_code} with a body its schema refuses",
                message=expected_received("a body valid against the spec", "; ".join(problems[:5])),
                rule=pointer,
            )
        return decode_json(response.content)

    def expect_status(self, response: httpx.Response, wanted: set[int], *, path: str, method: str, why: str) -> None:
        """Refuse any other status than ``wanted`` for an accepted step."""
        if response.status_code not in wanted:
            raise self.fail(
                operation=f"{method.upper()} {path}",
                title=f"{why} was not accepted",
                message=expected_received(
                    " or ".join(map(str, sorted(wanted))), f"{response.status_code} {response.text[:200]}"
                ),
                rule=f"#/paths/{path.replace('/', '~1')}/{method}/responses",
            )

    def expect_refusal(self, response: httpx.Response, expectation: Expectation, *, path: str, method: str) -> None:
        """An illegal step must be refused with a documented 4xx whose body matches the error schema."""
        allowed = error_statuses(self.book.spec, method, path)
        operation = f"{method.upper()} {path}"
        if response.status_code not in allowed:
            raise self.fail(
                operation=operation,
                title=f"{expectation.reason} was not refused",
                message=expected_received(
                    " or ".join(map(str, sorted(allowed))), f"{response.status_code} {response.text[:200]}"
                ),
                rule=expectation.rule,
            )
        problems = self.book.response_errors(method, path, response)
        if problems:
            raise self.fail(
                operation=operation,
                title=f"refusal of {expectation.reason} has a body its schema refuses",
                message=expected_received("the documented error body", "; ".join(problems[:5])),
                rule=self.book.response_pointer(method, path, response.status_code) or expectation.rule,
            )

    def _mismatch(self, operation: str, found: list[FieldMismatch], invoice_id: int) -> None:
        if found:
            raise self.fail(
                operation=operation,
                title=f"invoice {invoice_id} differs from the model in {', '.join(m.field for m in found)}",
                message=expected_received(
                    "; ".join(f"{m.field}={m.expected!r}" for m in found),
                    "; ".join(f"{m.field}={m.received!r}" for m in found),
                ),
                rule=found[0].rule,
            )

    def _status(self, operation: str, mismatch: StatusMismatch | None) -> None:
        if mismatch is not None:
            raise self.fail(
                operation=operation,
                title=f"invoice {mismatch.invoice_id} shows a status the transitions do not allow",
                message=mismatch.message,
                rule=mismatch.rule,
            )

    # -- steps ---------------------------------------------------------------------------------------------------------

    def catalog(self) -> list[CatalogEntry]:
        """The organization's catalog items (an empty list if the catalog is off)."""
        if self._catalog is None:
            response = self.api.get("/catalog", params={"per_page": 200})
            items = self.body(response, path="/catalog")["data"] if response.status_code == 200 else []
            self._catalog = [
                CatalogEntry(int(i["id"]), str(i["name"]), money(i["selling_price"]), int(i.get("unit_id") or 0))
                for i in items
                if "name" in i and "selling_price" in i
            ]
        return self._catalog

    def create(
        self,
        *,
        amount: Decimal | None = None,
        cart: Sequence[tuple[CatalogEntry, int]] = (),
        description: str | None = None,
        external_order_id: str | None = None,
        phone_number: str = "87001234567",
        settle: bool = True,
        extra: dict[str, Any] | None = None,
    ) -> int:
        """Create a flat (``amount``) or cart invoice; the answer must be 201 with the documented invoice.

        Where the table's first status is queued work (a delivery to Kaspi), ``settle`` makes the invoice
        payable before returning: through the control API, or by polling until the server settled it.
        """
        payload: dict[str, Any] = {"phone_number": phone_number, **(extra or {})}
        if amount is not None:
            payload["amount"] = amount
        if cart:
            payload["cart_items"] = [{"catalog_item_id": entry.id, "count": count} for entry, count in cart]
        if description is not None:
            payload["description"] = description
        if external_order_id is not None:
            payload["external_order_id"] = external_order_id
        response = self.api.post("/invoices", content=encode_json(payload), headers=_JSON)
        self.expect_status(response, {201}, path="/invoices", method="post", why="creating an invoice")
        body = self.body(response, path="/invoices", method="post")
        items = [ModelItem(e.id, e.name, e.price, count, e.unit_id) for e, count in cart]
        total = Oracle.cart_amount(items) if cart else (amount or Decimal(0))
        invoice = self.oracle.created(
            invoice_id=int(body["id"]),
            amount=total,
            phone_number=phone_number,
            description=description,
            external_order_id=external_order_id,
            items=items,
        )
        self._status("POST /invoices", self.oracle.observe(invoice.id, str(body["status"])))
        self._mismatch("POST /invoices", diff_invoice(self.oracle, invoice, body), invoice.id)
        if settle and invoice.status in self.oracle.rules.settles:
            self.settle(invoice.id)
        return invoice.id

    def cancel(self, invoice_id: int) -> None:
        """Cancel: accepted (200 ``cancelled`` or 202 queued) exactly when the model says it may be."""
        expectation = self.oracle.expect_cancel(invoice_id)
        response = self.api.post(f"/invoices/{invoice_id}/cancel")
        if not expectation.allowed:
            self.expect_refusal(response, expectation, path=_CANCEL, method="post")
            return
        self.expect_status(response, {200, 202}, path=_CANCEL, method="post", why=f"cancel of pending {invoice_id}")
        body = self.body(response, path=_CANCEL, method="post")
        queued = response.status_code == 202
        shown_body = body["invoice"] if isinstance(body.get("invoice"), dict) else body  # 2.1: {message, invoice}
        shown = "cancelling" if queued else str(shown_body.get("status"))
        if shown not in expectation.statuses or (queued and body.get("invoice_id") != invoice_id):
            raise self.fail(
                operation=f"POST {_CANCEL}",
                title=f"cancel of invoice {invoice_id} answered a status the transitions do not allow",
                message=expected_received(
                    sorted(expectation.statuses), f"{response.status_code} {response.text[:200]}"
                ),
                rule=expectation.rule,
            )
        self.oracle.cancelled(invoice_id, queued=shown == "cancelling")

    def _control_move(
        self,
        expectation: Expectation,
        send: Callable[[], httpx.Response],
        apply: Callable[[], None],
        *,
        invoice_id: int | None = None,
        new: str | None = None,
    ) -> None:
        """A move through the control API, accepted exactly when ``expectation`` allows it.

        A move to ``new`` the model refuses is still right when the server may have moved the invoice on its own
        (a delivery settled) to a status from which ``new`` may follow: the model takes that status first.
        """
        response = send()
        operation = "*"  # the control API is no operation of the spec; the rule names the transition
        if not expectation.allowed and response.is_success and invoice_id is not None and new is not None:
            meanwhile = self._moved_meanwhile(invoice_id, new)
            if meanwhile is not None:
                self.oracle.observe(invoice_id, meanwhile)
                apply()
                return
        if expectation.allowed and response.status_code != 200:
            raise self.fail(
                operation=operation,
                title=f"{expectation.reason} was not accepted",
                message=expected_received(200, f"{response.status_code} {response.text[:200]}"),
                rule=expectation.rule,
            )
        if not expectation.allowed and response.is_success:
            raise self.fail(
                operation=operation,
                title=f"{expectation.reason} was allowed",
                message=expected_received("a refusal (409)", f"{response.status_code} {response.text[:200]}"),
                rule=expectation.rule,
            )
        if expectation.allowed:
            apply()

    def _moved_meanwhile(self, invoice_id: int, new: str) -> str | None:
        """A status the server may have settled the invoice into unseen, from which the table leads to ``new``."""
        oracle = self.oracle
        invoice = oracle.invoices[invoice_id]
        settling = oracle.rules.settles.get(invoice.status, frozenset())
        return next((s for s in sorted(settling) if new in oracle.table.rule(s).successors), None)

    def pay(self, invoice_id: int, client_name: str | None = None) -> None:
        """Have the customer pay: through the control API, or the sandbox's simulate-status."""
        if self.sandbox is not None:
            self._simulate(invoice_id, "paid", self.oracle.expect_pay(invoice_id), lambda: self.oracle.paid(invoice_id))
            return
        control = self._need_control()
        self._control_move(
            self.oracle.expect_pay(invoice_id),
            lambda: control.pay(invoice_id, client_name=client_name),
            lambda: self.oracle.paid(invoice_id, client_name=client_name),
            invoice_id=invoice_id,
            new="paid",
        )

    def expire(self, invoice_id: int) -> None:
        """Let the invoice time out: through the control API, or the sandbox's simulate-status."""
        if self.sandbox is not None:
            self._simulate(
                invoice_id, "expired", self.oracle.expect_expire(invoice_id), lambda: self.oracle.expired(invoice_id)
            )
            return
        control = self._need_control()
        self._control_move(
            self.oracle.expect_expire(invoice_id),
            lambda: control.expire(invoice_id),
            lambda: self.oracle.expired(invoice_id),
            invoice_id=invoice_id,
            new="expired",
        )

    def simulate(self, invoice_id: int, status: str) -> None:
        """Ask the sandbox for ``status`` (``error``, say): judged by the table and simulate-status' own rule."""
        becomes = self._need_sandbox().leads_to[status]
        expectation = self.oracle.expect_move(invoice_id, becomes)
        self._simulate(invoice_id, status, expectation, lambda: self.oracle.moved(invoice_id, becomes))

    def _need_sandbox(self) -> Sandbox:
        if self.sandbox is None:
            raise RuntimeError("this step needs the sandbox's simulate-status; the suite should not have sent it")
        return self.sandbox

    def _simulate(self, invoice_id: int, status: str, expectation: Expectation, apply: Callable[[], None]) -> None:
        """A move through simulate-status: accepted only from the statuses its ``x-status-effect`` names."""
        sandbox = self.sandbox
        assert sandbox is not None
        status_now = self.oracle.invoices[invoice_id].status
        path = sandbox.path
        rules = self.oracle.rules
        on_its_own = rules.settles.get(status_now, frozenset()) | rules.drifts.get(status_now, frozenset())
        settled_into = sorted(on_its_own & sandbox.acts_on)  # e.g. a delivery the server settled unseen
        if status_now not in sandbox.acts_on:
            expectation = Expectation(
                allowed=False,
                rule=f"#/paths/{path.replace('/', '~1')}/post/x-status-effect/from",
                reason=f"simulate-status {status} of invoice {invoice_id} ({status_now})",
            )
        response = sandbox.simulate(invoice_id, status)
        if settled_into and response.status_code == 200:
            self._status(f"POST {path}", self.oracle.observe(invoice_id, settled_into[0]))
            expectation = self.oracle.expect_move(invoice_id, sandbox.leads_to[status])
        if not expectation.allowed:
            self.expect_refusal(response, expectation, path=path, method="post")
            return
        self.expect_status(response, {200}, path=path, method="post", why=expectation.reason)
        body = self.body(response, path=path, method="post")
        apply()
        self.judge(invoice_id, body["invoice"], operation=f"POST {path}")

    def settle(self, invoice_id: int, status: str = "pending") -> None:
        """Kaspi answers a delivery (or reconciles an ``error``) with ``status``: the control API's settle, or a poll.

        Without a control API only the server settles an invoice, so ``pending`` is awaited by polling (the
        invoice must leave its queued status within ``POLL_SECONDS``) and ``error`` cannot be asked for.
        """
        expectation = self.oracle.expect_settle(invoice_id, status, settles_from=SETTLES_FROM)
        if self.control is None:
            if status != "pending":
                pytest.skip(NEEDS_CONTROL.format(what=f"Kaspi answering a delivery with {status}"))
            self.wait_settled([invoice_id])
            return
        control = self.control
        response = control.settle(invoice_id, status)
        if response.status_code != 200 and expectation.allowed:
            before = self.oracle.invoices[invoice_id].status
            self.check(invoice_id)  # the server's own clock may have settled it first
            if self.oracle.invoices[invoice_id].status != before:
                return
        self._control_move(expectation, lambda: response, lambda: self._settled(invoice_id, status))

    def _settled(self, invoice_id: int, status: str) -> None:
        self.oracle.invoices[invoice_id].must_settle = False
        self.oracle.observe(invoice_id, status)

    def wait_settled(self, invoice_ids: Sequence[int]) -> None:
        """Read each invoice until it leaves a status of queued work; past ``POLL_SECONDS`` it must have."""
        rules = self.oracle.rules
        for invoice_id in invoice_ids:
            for _ in polls(POLL_SECONDS):
                self.check(invoice_id)
                if self.oracle.invoices[invoice_id].status not in rules.settles:
                    break
            else:
                self.oracle.invoices[invoice_id].must_settle = True
                self.check(invoice_id)

    def advance(self, seconds: float) -> None:
        """Move the target's clock; past the settle horizon, queued work must be done.

        A target without a clock to move (the sandbox) is instead polled until its queued work ended.
        """
        if self.control is None and self.sandbox is not None:
            if seconds >= SETTLE_SECONDS:
                rules = self.oracle.rules
                self.wait_settled([i for i, inv in self.oracle.invoices.items() if inv.status in rules.settles])
            return
        self._need_control().advance(seconds)
        if seconds >= SETTLE_SECONDS:
            self.oracle.settle()

    def refund(
        self, invoice_id: int, amount: Decimal | None, *, reason: str | None = None, outcome: str = "completed"
    ) -> int | None:
        """Refund ``amount`` (None: everything refundable); accepted exactly when the model allows it.

        Where the docs leave the outcome open (a failed refund may or may not still count), a documented
        refusal and an acceptance are both right; the answer holds the target to the reading it showed.
        Where refunds are queued, an accepted one is brought to ``outcome`` before this returns.
        """
        self.need_refund_outcome(outcome)
        expectation = self.oracle.expect_refund(invoice_id, amount)
        payload: dict[str, Any] = {}
        if amount is not None:
            payload["amount"] = amount
        if reason is not None:
            payload["reason"] = reason
        response = self.api.post(f"/invoices/{invoice_id}/refund", content=encode_json(payload), headers=_JSON)
        refused = response.status_code in error_statuses(self.book.spec, "post", _REFUND)
        if not expectation.allowed and not (expectation.open and not refused):
            self.expect_refusal(response, expectation, path=_REFUND, method="post")
            self.oracle.learn(w.reading for w in expectation.worlds if not w.accepted)
            return None
        self.expect_status(response, {201}, path=_REFUND, method="post", why=expectation.reason)
        body = self.body(response, path=_REFUND, method="post")
        refund, totals = body["refund"], body["invoice"]
        if self.oracle.rules.refunds_queued:
            return self._queued_refund(invoice_id, expectation, refund, totals, reason=reason, outcome=outcome)
        taken, shown = _money_or_none(refund.get("amount")), totals.get("status")
        total = _money_or_none(totals.get("total_refunded"))
        model_amount = self.oracle.invoices[invoice_id].amount
        accepting = [w for w in expectation.worlds if w.accepted]
        fits = [
            w
            for w in accepting
            if w.amount == taken
            and shown in w.statuses
            and (w.available is None or total == model_amount - w.available + w.amount)
        ]
        if not fits:
            raise self.fail(
                operation=f"POST {_REFUND}",
                title=f"{expectation.reason}: the answer's amount, status or total is none the model allows",
                message=expected_received(
                    " or ".join(sorted({_world_line(w, model_amount) for w in accepting})),
                    f"refund.amount={refund.get('amount')!r} invoice.status={shown!r} "
                    f"invoice.total_refunded={totals.get('total_refunded')!r}",
                ),
                rule=expectation.rule,
            )
        self.oracle.learn(w.reading for w in fits)
        assert taken is not None
        self.oracle.refunded(
            invoice_id,
            refund_id=int(refund["id"]),
            amount=taken,
            reason=reason,
            status=str(shown),
            worlds=fits,
            total_shown=total,
        )
        model = self.oracle.invoices[invoice_id]
        found = [
            m
            for m in (FieldMismatch("refund.invoice_id", invoice_id, refund.get("invoice_id"), expectation.rule),)
            if m.expected != m.received
        ]
        self._mismatch(f"POST {_REFUND}", found + diff_refund_totals(self.oracle, model, totals), invoice_id)
        self._status(
            f"POST {_REFUND}", self.oracle.observe_refund(invoice_id, int(refund["id"]), str(refund["status"]))
        )
        return int(refund["id"])

    def _queued_refund(
        self,
        invoice_id: int,
        expectation: Expectation,
        refund: dict[str, Any],
        totals: dict[str, Any],
        *,
        reason: str | None,
        outcome: str,
    ) -> int:
        """A refund accepted into the queue: nothing counts yet but ``pending_refund_amount``; then its outcome.

        The answer's ``available_for_refund`` is what was available less this refund, ``pending_refund_amount``
        the queue with this refund in it (earlier ones may have ended meanwhile), and ``total_refunded`` plus the
        queue is the amount less what is available. With the control API the refund is then finished at once;
        without one the server ends it in its own time, and the model follows it (``refunds_ended`` waits).
        """
        model = self.oracle.invoices[invoice_id]
        taken = _money_or_none(refund.get("amount"))
        total = _money_or_none(totals.get("total_refunded"))
        pending = _money_or_none(totals.get("pending_refund_amount"))
        available = _money_or_none(totals.get("available_for_refund"))
        queued = self.oracle.queued(model)
        done = sum((r.amount for r in model.completed(self.oracle.final_refund)), Decimal("0.00"))
        fits = [
            w
            for w in expectation.worlds
            if w.accepted
            and w.available is not None
            and w.amount == taken
            and available == w.available - w.amount
            and total is not None
            and pending is not None
            and w.amount <= pending <= queued + w.amount
            and done <= total
            and total + pending == model.amount - available
        ]
        found = [
            m
            for m in (FieldMismatch("refund.invoice_id", invoice_id, refund.get("invoice_id"), expectation.rule),)
            if m.expected != m.received
        ]
        if not fits:
            wanted = [(w, w.available) for w in expectation.worlds if w.accepted and w.available is not None]
            raise self.fail(
                operation=f"POST {_REFUND}",
                title=f"{expectation.reason}: the queued refund's amount or the invoice's totals are none the model "
                "allows",
                message=expected_received(
                    " or ".join(
                        f"refund.amount={w.amount} available_for_refund={had - w.amount} "
                        f"pending_refund_amount from {w.amount} to {queued + w.amount}, total_refunded at least {done} "
                        f"and the two adding up to {model.amount - had + w.amount}"
                        for w, had in wanted
                    ),
                    f"refund.amount={refund.get('amount')!r} invoice.total_refunded={totals.get('total_refunded')!r} "
                    f"pending_refund_amount={totals.get('pending_refund_amount')!r} "
                    f"available_for_refund={totals.get('available_for_refund')!r}",
                ),
                rule=expectation.rule,
            )
        assert taken is not None
        refund_id = int(refund["id"])
        self.oracle.refunded(invoice_id, refund_id=refund_id, amount=taken, reason=reason, worlds=fits)
        self._mismatch(f"POST {_REFUND}", found, invoice_id)
        self._status(f"POST {_REFUND}", self.oracle.observe_refund(invoice_id, refund_id, str(refund["status"])))
        if self.control is not None:
            self.finish_refund(invoice_id, refund_id, outcome)
        return refund_id

    def need_refund_outcome(self, outcome: str) -> None:
        """Skip the test when a queued refund cannot be made to end ``outcome`` (only the control API can ask)."""
        if self.oracle.rules.refunds_queued and outcome != "completed" and self.control is None:
            pytest.skip(NEEDS_CONTROL.format(what=f"a refund that ends {outcome}"))

    def refunds_ended(self, invoice_id: int) -> None:
        """Wait (a bounded poll) until every queued refund of the invoice has ended (the control API ended them)."""
        if not self.oracle.rules.refunds_queued:
            return
        for refund in list(self.oracle.invoices[invoice_id].refunds):
            self.finish_refund(invoice_id, refund.id)

    def finish_refund(self, invoice_id: int, refund_id: int, status: str = "completed") -> None:
        """Bring a queued refund to its outcome: the control API's finish, or a bounded poll of the invoice's refunds.

        Without a control API the server decides the outcome (``status`` is not asked for); a refund still
        not final after ``POLL_SECONDS`` is a violation of the refund table (its queue never ends).
        """
        final = self.oracle.final_refund
        refund = next(r for r in self.oracle.invoices[invoice_id].refunds if r.id == refund_id)
        if refund.status in final:
            return
        if self.control is not None:
            response = self.control.finish_refund(refund_id, status)
            if response.status_code == 200:
                self._status(f"POST {_REFUND}", self.oracle.observe_refund(invoice_id, refund_id, status))
                return
            if response.status_code != 409:  # 409: the refund ended on the server's own clock first
                raise self.fail(
                    operation="*",
                    title=f"finishing refund {refund_id} through the control API was not accepted",
                    message=expected_received("200 (or 409 once it ended)", f"{response.status_code}"),
                    rule=self.oracle.refund_table.pointer("statuses", refund.status),
                )
        elif status != "completed":
            pytest.skip(NEEDS_CONTROL.format(what=f"a refund that ends {status}"))
        for _ in polls(POLL_SECONDS):
            self.check(invoice_id)
            if refund.status in final:
                return
        raise self.fail(
            operation=f"GET {_REFUNDS}",
            title=f"refund {refund_id} of invoice {invoice_id} did not end within {POLL_SECONDS:g}s",
            message=expected_received(f"one of {', '.join(sorted(final))}", refund.status),
            rule=self.oracle.refund_table.pointer("statuses", refund.status, "successors"),
        )

    def judge(self, invoice_id: int, body: dict[str, Any], *, operation: str) -> None:
        """An invoice as the target shows it (detail or list row): a reachable status and the model's fields."""
        self._status(operation, self.oracle.observe(invoice_id, str(body.get("status"))))
        self._mismatch(operation, diff_invoice(self.oracle, self.oracle.invoices[invoice_id], body), invoice_id)

    def check(self, invoice_id: int) -> None:
        """The target's invoice (and its refunds and totals) must equal the model's."""
        response = self.api.get(f"/invoices/{invoice_id}")
        self.expect_status(response, {200}, path=_GET, method="get", why=f"reading invoice {invoice_id}")
        self.judge(invoice_id, self.body(response, path=_GET), operation=f"GET {_GET}")
        model = self.oracle.invoices[invoice_id]
        response = self.api.get(f"/invoices/{invoice_id}/refunds")
        self.expect_status(response, {200}, path=_REFUNDS, method="get", why=f"reading invoice {invoice_id}'s refunds")
        body = self.body(response, path=_REFUNDS)
        for refund in body["refunds"]:
            if any(r.id == refund.get("id") for r in model.refunds):
                self._status(
                    f"GET {_REFUNDS}", self.oracle.observe_refund(invoice_id, int(refund["id"]), str(refund["status"]))
                )
        found = diff_refund_totals(self.oracle, model, body["invoice"]) + diff_refunds(model, body["refunds"])
        self._mismatch(f"GET {_REFUNDS}", found, invoice_id)

    def _need_control(self) -> Control:
        if self.control is None:
            raise RuntimeError("this step needs the control API; the suite should have been skipped")
        return self.control
