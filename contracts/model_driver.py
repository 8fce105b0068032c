"""Driving a target one step at a time and judging each answer against the oracle.

The lifecycle, lists, webhooks and concurrency suites share this: every step sends one
request, checks the answer the oracle expects (accepted with the documented body, or
refused with a documented 4xx and the error schema) and records what the target accepted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx

from contracts.client import ApiClient
from contracts.control import Control
from contracts.model_compare import FieldMismatch, diff_invoice, diff_refund_totals, diff_refunds
from contracts.model_schemas import SchemaBook, decode_json, encode_json, error_statuses
from contracts.oracle import Expectation, ModelItem, Oracle, RefundWorld, StatusMismatch, money
from contracts.violations import Violation, expected_received

__all__ = ["SETTLE_SECONDS", "CatalogEntry", "Driver"]

SETTLE_SECONDS = 60
"""Clock seconds after which the harness expects queued work (a ``cancelling`` invoice) to be done."""
_GET, _CANCEL, _REFUND = "/invoices/{id}", "/invoices/{id}/cancel", "/invoices/{id}/refund"
_REFUNDS = "/invoices/{id}/refunds"
_JSON = {"Content-Type": "application/json"}


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

    def __init__(self, *, api: ApiClient, oracle: Oracle, book: SchemaBook, control: Control | None = None) -> None:
        self.api = api
        self.oracle = oracle
        self.book = book
        self.control = control
        self._catalog: list[CatalogEntry] | None = None

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
    ) -> int:
        """Create a flat (``amount``) or cart invoice; the answer must be 201 with the documented invoice."""
        payload: dict[str, Any] = {"phone_number": phone_number}
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
        shown = "cancelling" if queued else str(body.get("status"))
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
        self, expectation: Expectation, send: Callable[[], httpx.Response], apply: Callable[[], None]
    ) -> None:
        response = send()
        operation = "*"  # the control API is no operation of the spec; the rule names the transition
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

    def pay(self, invoice_id: int, client_name: str | None = None) -> None:
        """Have the customer pay through the control API."""
        control = self._need_control()
        self._control_move(
            self.oracle.expect_pay(invoice_id),
            lambda: control.pay(invoice_id, client_name=client_name),
            lambda: self.oracle.paid(invoice_id, client_name=client_name),
        )

    def expire(self, invoice_id: int) -> None:
        """Let the invoice time out through the control API."""
        control = self._need_control()
        self._control_move(
            self.oracle.expect_expire(invoice_id),
            lambda: control.expire(invoice_id),
            lambda: self.oracle.expired(invoice_id),
        )

    def advance(self, seconds: float) -> None:
        """Move the target's clock; past the settle horizon, queued cancellations must be complete."""
        self._need_control().advance(seconds)
        if seconds >= SETTLE_SECONDS:
            self.oracle.settle()

    def refund(self, invoice_id: int, amount: Decimal | None, *, reason: str | None = None) -> int | None:
        """Refund ``amount`` (None: everything refundable); accepted exactly when the model allows it.

        Where the docs leave the outcome open (a failed refund may or may not still count), a documented
        refusal and an acceptance are both right; the answer holds the target to the reading it showed.
        """
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
