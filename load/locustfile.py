"""ApiPay load scenarios: the invoice lifecycle under concurrency, and readers paging through lists.

    locust -f load/locustfile.py --host http://127.0.0.1:8080/api/v1          # web UI
    apipay-harness load --run-time 60s                                        # headless, with thresholds and audit

The API key comes from ``APIPAY_API_KEY`` (default ``test-key``), the control API from
``APIPAY_CONTROL_URL`` or, for a loopback host, next to it. Checks and bodies live in
``apipay_harness.load.steps``; options, records and thresholds in ``apipay_load.py`` beside this file.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Collection
from decimal import Decimal
from typing import Any

import gevent
from apipay_load import collector, control_url, request_allowed
from locust import FastHttpUser, run_single_user, task
from locust.exception import StopUser

from apipay_harness.load import steps

__all__ = ["ApiPayUser", "LifecycleUser", "ReaderUser"]

Check = Callable[[int, Any], "str | None"]

steps.facts()  # read the spec now: parsing it later would stall every greenlet mid-request and skew timings


class ApiPayUser(FastHttpUser):
    """Base of the ApiPay users: every answer is checked inline, every invoice touched is recorded."""

    abstract = True

    def wait_time(self) -> float:
        """Think time between tasks: uniform in [0, --apipay-think-time]."""
        return self.rng.uniform(0.0, self.think_time)

    def on_start(self) -> None:
        """Read the options the master handed down."""
        options = self.environment.parsed_options
        self.api_key = options.apipay_api_key if options else "test-key"
        self.control = control_url(self.environment)
        self.cancel_deadline = float(options.apipay_cancel_deadline) if options else 30.0
        self.think_time = float(options.apipay_think_time) if options else 0.2
        self.rng = random.Random()
        self.store = collector(self.environment)

    def call(
        self,
        method: str,
        path: str,
        *,
        name: str,
        expect: Collection[int],
        body: Any = None,
        check: Check | None = None,
        record: int | None = None,
        fresh: bool = False,
    ) -> tuple[int, Any]:
        """Send one request, judge its answer inline, honour 429 ``retry_after``; record an attempt on ``record``.

        ``fresh`` sends it on a connection of its own (``Connection: close``), as an independent client would.
        """
        headers = {"Accept": "application/json"}
        if fresh:
            headers["Connection"] = "close"
        if not path.startswith("http"):
            headers["X-API-Key"] = self.api_key
        data = steps.dump_json(body) if body is not None else None
        if data is not None:
            headers["Content-Type"] = "application/json"
        key = uuid.uuid4().hex if record is not None else ""
        if record is not None:
            self.store.record(record, "attempt", key=key)
        status, parsed = 0, None
        for _ in range(3):
            if not request_allowed(self.environment):  # every send counts against the cap, retries included
                raise StopUser()
            with self.client.request(method, path, name=name, data=data, headers=headers, catch_response=True) as resp:
                status = resp.status_code
                try:
                    parsed = steps.parse_body(resp.content)
                except ValueError:
                    parsed = None
                wait = steps.retry_after(parsed) if status == 429 else 0.0
                text = resp.text if status else repr(getattr(resp, "error", None))
                reason = self._judge(status, parsed, expect, check, text=text, wait=wait)
                if reason:
                    resp.failure(reason)
                else:
                    resp.success()
            if status != 429:
                break
            gevent.sleep(min(wait, 60.0))  # honour the server's retry_after before retrying
        if record is not None and 0 < status < 500:
            self.store.record(record, "settled", key=key)
        return status, parsed

    @staticmethod
    def _judge(
        status: int, parsed: Any, expect: Collection[int], check: Check | None, *, text: str | None, wait: float
    ) -> str | None:
        """The reason an answer counts as a failure, or ``None`` when it holds."""
        if status == 0:
            return f"no answer: {text}"
        if status == 429:
            return f"429 rate limited; retrying after {wait:g}s"
        if status not in expect:
            return f"answered {status}, expected {'/'.join(map(str, sorted(expect)))}: {(text or '')[:200]}"
        if parsed is None:
            return f"answered {status} without a JSON body"
        try:
            return check(status, parsed) if check else None
        except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a body too broken for the check itself
            return f"answered {status} with a body the check could not read: {exc!r}"

    def fail(self, name: str, reason: str) -> None:
        """Report a broken flow (no single request shows it) as a failure in the stats."""
        self.environment.events.request.fire(
            request_type="FLOW",
            name=name,
            response_time=0,
            response_length=0,
            exception=AssertionError(reason),
            context={},
        )


class LifecycleUser(ApiPayUser):
    """Create → pay → partial refund → refund the rest; create → cancel; create → expire."""

    weight = 3

    def on_start(self) -> None:
        """Find two catalog items to build cart invoices from (none: flat invoices only)."""
        super().on_start()
        self.prices: list[tuple[int, Decimal]] = []
        status, page = self.call("GET", "/catalog?per_page=200", name="/catalog", expect=(200, 400))
        rows = page.get("data", []) if status == 200 and isinstance(page, dict) else []
        priced = [
            (r["id"], steps.parse_money(r["selling_price"])) for r in rows if isinstance(r.get("selling_price"), str)
        ]
        preferred = [p for p in priced if p[0] in (101, 205)]
        self.prices = (preferred or priced)[:2]

    def create(self, *, cart: bool = False) -> tuple[int, Decimal] | None:
        """Create an invoice and record it; ``None`` if the server would not."""
        tag = uuid.uuid4().hex[:12]
        body, amount = (
            steps.cart_invoice(self.rng, self.prices, tag=tag)
            if cart and self.prices
            else (steps.flat_invoice(self.rng, tag=tag))
        )
        status, invoice = self.call(
            "POST",
            "/invoices",
            name="/invoices",
            expect=(201,),
            body=body,
            check=lambda s, b: steps.check_invoice(b, status={"pending"}, amount=amount),
        )
        if status != 201 or not isinstance(invoice, dict) or not isinstance(invoice.get("id"), int):
            return None
        self.store.record(invoice["id"], "created", amount=steps.parse_money(invoice["amount"]))
        return invoice["id"], amount

    def read(
        self, invoice_id: int, *, status: Collection[str], amount: Decimal, refunded: Decimal | None = None
    ) -> Any:
        """GET the invoice and hold it to what this user was told."""

        def check(_: int, body: Any) -> str | None:
            reason = steps.check_invoice(body, invoice_id=invoice_id, status=status, amount=amount)
            if reason is None and refunded is not None and steps.parse_money(body.get("total_refunded")) != refunded:
                reason = f"total_refunded {body.get('total_refunded')}, expected {refunded}"
            return reason

        return self.call("GET", f"/invoices/{invoice_id}", name="/invoices/{id}", expect=(200,), check=check)[1]

    def pay(self, invoice_id: int, amount: Decimal) -> bool:
        """Have the customer pay through the control API."""
        status, _ = self.call(
            "POST",
            f"{self.control}/invoices/{invoice_id}/pay",
            name="/_control/invoices/{id}/pay",
            expect=(200,),
            body={"client_name": "Load Test"},
            record=invoice_id,
            check=lambda s, b: steps.check_invoice(b, status={"paid"}, amount=amount),
        )
        if status == 200:
            self.store.record(invoice_id, "paid")
        return status == 200

    def refund(
        self,
        invoice_id: int,
        amount: Decimal,
        requested: Decimal | None,
        *,
        name: str = "/invoices/{id}/refund",
        expect: Collection[int] = (201,),
        fresh: bool = False,
    ) -> Decimal | None:
        """Ask for a refund; record and return the amount the server accepted."""

        def check(status: int, body: Any) -> str | None:
            if status != 201:
                return (
                    None if isinstance(body, dict) and isinstance(body.get("message"), str) else "error without message"
                )
            return steps.check_refund(body, invoice_id=invoice_id, requested=requested, amount=amount)

        payload = {"amount": requested, "reason": "load test"} if requested is not None else {"reason": "load test"}
        status, body = self.call(
            "POST",
            f"/invoices/{invoice_id}/refund",
            name=name,
            expect=expect,
            body=payload,
            check=check,
            record=invoice_id,
            fresh=fresh,
        )
        if status != 201 or not isinstance(body, dict):
            return None
        try:
            accepted = steps.parse_money(body["refund"]["amount"])
        except (KeyError, TypeError, ValueError):
            return None
        self.store.record(invoice_id, "refund", amount=accepted)
        return accepted

    @task(3)
    def pay_then_refund_in_parts(self) -> None:
        """Flat invoice: pay, refund a part, then two concurrent refunds of the rest, as a retrying client sends."""
        if not self.control:
            return self.create_then_cancel()
        created = self.create()
        if created is None or not self.pay(*created):
            return None
        invoice_id, amount = created
        part = steps.partial_refund(amount, self.rng)
        if self.refund(invoice_id, amount, part) is None:
            return None
        rest = amount - part
        racers = [
            gevent.spawn(
                self.refund,
                invoice_id,
                amount,
                rest,
                name="/invoices/{id}/refund (race)",
                expect=(201, 400, 422),
                fresh=True,  # a pooled spare connection may have idled past the server's keep-alive and be closed
            )
            for _ in range(2)
        ]
        try:
            gevent.joinall(racers)
        finally:
            gevent.killall(racers)  # a stopped user takes its racers along, so nothing records after a flush
        if any(isinstance(r.exception, StopUser) for r in racers):
            raise StopUser()  # the request cap stopped a racer: the race was not run, so there is nothing to judge
        winners = [r.value for r in racers if r.value is not None]
        if len(winners) != 1:
            self.fail("refund race", f"invoice {invoice_id}: {len(winners)} of 2 concurrent refunds of {rest} accepted")
        self.read(invoice_id, status={"refunded"}, amount=amount, refunded=part + sum(winners, Decimal("0")))
        return None

    @task(2)
    def pay_cart_then_refund_all(self) -> None:
        """Cart invoice: pay, then refund everything still refundable (no amount)."""
        if not self.control:
            return self.create_then_cancel()
        created = self.create(cart=True)
        if created is None or not self.pay(*created):
            return None
        invoice_id, amount = created
        if self.refund(invoice_id, amount, None) is not None:
            self.read(invoice_id, status={"refunded"}, amount=amount, refunded=amount)
        return None

    @task(2)
    def create_then_cancel(self) -> None:
        """Cancel a pending invoice and follow 202 → cancelling → cancelled within the deadline."""
        created = self.create()
        if created is None:
            return
        invoice_id, amount = created
        status, _ = self.call(
            "POST",
            f"/invoices/{invoice_id}/cancel",
            name="/invoices/{id}/cancel",
            expect=(200, 202),
            record=invoice_id,
            check=lambda s, b: steps.check_cancel(s, b, invoice_id=invoice_id),
        )
        if status not in (200, 202):
            return
        self.store.record(invoice_id, "cancel", key="queued" if status == 202 else "sync")
        deadline = time.monotonic() + self.cancel_deadline
        while status == 202:
            body = self.read(invoice_id, status={"cancelling", "cancelled"}, amount=amount)
            if not isinstance(body, dict) or body.get("status") == "cancelled":
                return
            if time.monotonic() > deadline:
                self.fail("cancel deadline", f"invoice {invoice_id} still cancelling after {self.cancel_deadline:g}s")
                return
            gevent.sleep(0.25)  # cooperative wait between polls; load, not a test

    @task(1)
    def create_then_expire(self) -> None:
        """Let a pending invoice expire through the control API."""
        if not self.control:
            return self.create_then_cancel()
        created = self.create()
        if created is None:
            return None
        invoice_id, amount = created
        status, _ = self.call(
            "POST",
            f"{self.control}/invoices/{invoice_id}/expire",
            name="/_control/invoices/{id}/expire",
            expect=(200,),
            record=invoice_id,
            check=lambda s, b: steps.check_invoice(b, status={"expired"}, amount=amount),
        )
        if status == 200:
            self.store.record(invoice_id, "expired")
            self.read(invoice_id, status={"expired"}, amount=amount)
        return None


class ReaderUser(ApiPayUser):
    """Pages through the invoice list with filters and reads single invoices."""

    weight = 1

    def on_start(self) -> None:
        """Start with nothing seen."""
        super().on_start()
        self.seen: list[int] = []

    @task(3)
    def list_invoices(self) -> None:
        """One filtered, sorted page, then a later page when there is one."""
        statuses = sorted(self.rng.sample(sorted(steps.facts().invoice_statuses), k=self.rng.randint(1, 3)))
        per_page = self.rng.choice((5, 10, 20, 50))
        query = "&".join(
            [f"status[]={s}" for s in statuses]
            + [f"per_page={per_page}", "sort_by=id", f"sort_order={self.rng.choice(('asc', 'desc'))}"]
        )

        def check(_: int, body: Any) -> str | None:
            return steps.check_page(body, statuses=statuses, per_page=per_page)

        status, page = self.call("GET", f"/invoices?{query}", name="/invoices?status[]", expect=(200,), check=check)
        if status != 200 or not isinstance(page, dict):
            return
        self.seen = [row["id"] for row in page.get("data", []) if isinstance(row, dict)][-20:] or self.seen
        last = page.get("meta", {}).get("last_page", 1)
        if isinstance(last, int) and last > 1:
            number = self.rng.randint(2, min(last, 10))
            self.call(
                "GET", f"/invoices?{query}&page={number}", name="/invoices?status[]&page", expect=(200,), check=check
            )

    @task(2)
    def get_invoice(self) -> None:
        """Read an invoice seen in a list."""
        if not self.seen:
            self.list_invoices()
            return
        invoice_id = self.rng.choice(self.seen)
        self.call(
            "GET",
            f"/invoices/{invoice_id}",
            name="/invoices/{id}",
            expect=(200,),
            check=lambda s, b: steps.check_invoice(b, invoice_id=invoice_id),
        )


if __name__ == "__main__":
    import os

    LifecycleUser.host = os.environ.get("APIPAY_BASE_URL", "http://127.0.0.1:8080/api/v1")
    run_single_user(LifecycleUser)
