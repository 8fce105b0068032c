"""Lifecycle suite: a hypothesis state machine drives invoices and refunds and compares the target with the oracle.

Every step is applied to the target and to the oracle (``contracts/oracle.py``). Legal
steps must be accepted with the documented answer, illegal ones refused with a documented
4xx and the error schema; after every step the invoices it touched must equal the model
(status, amount, total_refunded, available_for_refund, items). A failing run prints the
step program that replays it; the report adds the curl of the last request.

Payments and expiries go through the control API, or the sandbox's simulate-status under
``--control sandbox``; a version whose new invoice is a queued delivery (2.1 ``processing``) has it
settled through the control API or awaited by a bounded poll, and a queued refund finished the
same way. Amounts keep to the spec's ``multipleOf`` (whole tenge on 2.1).
"""

from __future__ import annotations

import math
import uuid
from decimal import Decimal
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    precondition,
    rule,
)

from apipay_harness.core.checks import (
    CANCEL_ONLY_PENDING,
    CART_AMOUNT_AND_ITEMS,
    CART_ITEMS_SNAPSHOT,
    DUPLICATE_IDEMPOTENCY_KEY_REFUSED,
    INVOICE_LIFECYCLE_MATCHES_MODEL,
    NEW_INVOICE_SETTLES,
    QUEUED_CANCEL_COMPLETES,
    REFUND_AFTER_FAILED_REFUND,
    REFUND_NEEDS_PAYMENT,
    REFUND_OVER_AVAILABLE_REFUSED,
    REFUND_WITHOUT_AMOUNT_TAKES_REST,
    REFUNDS_ADD_UP_TO_AMOUNT,
    SIMULATE_STATUS_ONLY_FROM_PENDING,
    TERMINAL_STATUSES_FINAL,
)
from contracts.client import ApiClient
from contracts.control import SETTLES_FROM, Control, Sandbox
from contracts.model_driver import NEEDS_CONTROL, SETTLE_SECONDS, CatalogEntry, Driver, amount_schema
from contracts.model_schemas import SchemaBook, encode_json
from contracts.oracle import CENT, Oracle
from contracts.violations import expected_received

pytestmark = pytest.mark.contract(check=INVOICE_LIFECYCLE_MATCHES_MODEL, operation="*")

_PICK_RANGE = 2**16 - 1
"""The range of an invoice pick's draw (any index; taken modulo the candidates)."""
_STEPS = {"quick": (25, 25), "default": (80, 50)}
"""(examples, steps per example) for each run mode."""
_WAITING = 5
"""Without a control API each program waits for the server to settle its first invoice: this many times fewer."""
_PHASES = {
    "quick": (Phase.explicit, Phase.reuse, Phase.generate),
    "default": (Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink),
}
"""A quick run reports the first failing program as found; a default run shrinks it (each try replays over HTTP)."""


def _amounts(spec: dict[str, Any]) -> st.SearchStrategy[Decimal]:
    """Amounts inside the bounds of the create request's ``amount``, its edge examples included.

    With kopecks, or in whole steps where the schema has a ``multipleOf`` (whole tenge).
    """
    schema = amount_schema(spec)
    low = Decimal(str(schema["minimum"]))
    step = Decimal(str(schema.get("multipleOf", CENT)))
    high = Decimal("100000.00")
    edges = [Decimal(str(v)).quantize(CENT) for v in schema.get("examples", [])]
    if step == CENT:
        ordinary = st.decimals(min_value=low, max_value=high, places=2)
    else:
        steps = st.integers(min_value=math.ceil(low / step), max_value=math.floor(high / step))
        ordinary = steps.map(lambda n: (n * step).quantize(CENT))
    return st.one_of(ordinary, st.sampled_from(edges)) if edges else ordinary


class InvoiceLifecycle(RuleBasedStateMachine):
    """Invoices created, paid, expired, cancelled and refunded, step by step, against the oracle."""

    api: ClassVar[ApiClient]
    control: ClassVar[Control | None]
    sandbox: ClassVar[Sandbox | None] = None
    book: ClassVar[SchemaBook]
    catalog: ClassVar[list[CatalogEntry]] = []
    amounts: ClassVar[st.SearchStrategy[Decimal]] = st.just(Decimal("100.00"))

    invoices = Bundle("invoices")

    def __init__(self) -> None:
        super().__init__()
        self.oracle = Oracle.from_spec(self.book.spec)
        self.driver = Driver(
            api=self.api, oracle=self.oracle, book=self.book, control=self.control, sandbox=self.sandbox
        )
        self.token = f"lc{uuid.uuid4().hex[:12]}"
        self.touched: set[int] = set()
        self.followed: dict[int, None] = {}
        """The invoices still in play, in the order this machine created them (never in id order: a server's ids
        need not follow creation, and the picks must mean the same invoice whenever the same program runs)."""

    def _created(self, invoice_id: int) -> int:
        self.touched.add(invoice_id)
        self.followed[invoice_id] = None
        return invoice_id

    # -- creation -------------------------------------------------------------------------------------------------

    @initialize(target=invoices, amount=st.deferred(lambda: InvoiceLifecycle.amounts))
    def create_first(self, amount: Decimal) -> int:
        """Start with one flat invoice so every rule has something to act on."""
        return self._created(self.driver.create(amount=amount, description=self.token))

    @rule(target=invoices, amount=st.deferred(lambda: InvoiceLifecycle.amounts), settled=st.booleans())
    def create_flat(self, amount: Decimal, settled: bool) -> int:
        """A flat-amount invoice, made payable at once or left in the table's first status (a queued delivery)."""
        settle = settled and self.driver.control is not None  # else the server's clock settles it meanwhile
        created = self.driver.create(amount=amount, description=self.token, external_order_id=self.token, settle=settle)
        return self._created(created)

    @precondition(lambda self: bool(self.catalog))
    @rule(target=invoices, data=st.data())
    def create_cart(self, data: st.DataObject) -> int:
        """A cart invoice: its amount is Σ price × count and its items are a snapshot of the catalog."""
        entries = data.draw(st.lists(st.sampled_from(self.catalog), min_size=1, max_size=3, unique_by=lambda e: e.id))
        lines = [
            (entry, data.draw(st.integers(min_value=1, max_value=5)) * self.driver.whole_count(entry.price))
            for entry in entries
        ]
        settle = self.driver.control is not None  # else the server's clock settles it while the program goes on
        return self._created(self.driver.create(cart=lines, description=self.token, settle=settle))

    # -- what the customer, Kaspi and time do -----------------------------------------------------------------------

    def _pick(self, data: st.DataObject, statuses: set[str]) -> int | None:
        """One followed invoice the model has in one of ``statuses``, or None when there is none.

        Which statuses the model holds depends on the target too (a queued cancel or an expiry lands when the
        target's clock says so), so neither the choice of rule nor the shape of this draw may depend on them:
        hypothesis replays a program by its draws and refuses draws whose shape changed. The draw is an index of
        fixed range, taken modulo the candidates; a rule with no candidate does nothing.
        """
        ids = [i for i in self.followed if self.oracle.invoices[i].status in statuses]
        index = data.draw(st.integers(min_value=0, max_value=_PICK_RANGE), label="invoice")
        return ids[index % len(ids)] if ids else None

    def _with(self, status_check: str) -> set[str]:
        rules = self.oracle.table.statuses.values()
        return {r.name for r in rules if getattr(r, status_check)}

    def _payable(self) -> set[str]:
        """The statuses the table lets become ``paid``."""
        return {r.name for r in self.oracle.table.statuses.values() if "paid" in r.successors}

    @rule(invoice=invoices, name=st.sampled_from(["aigerim", "bolat", "dana"]))
    def pay(self, invoice: int, name: str) -> None:
        """The customer pays (legal only while pending; otherwise the control API must refuse it)."""
        self.driver.pay(invoice, client_name=name)
        self.touched.add(invoice)

    @rule(data=st.data(), name=st.sampled_from(["aigerim", "bolat", "dana"]))
    def pay_pending(self, data: st.DataObject, name: str) -> None:
        """The customer pays an invoice awaiting payment."""
        invoice = self._pick(data, self._payable())
        if invoice is None:
            return
        self.driver.pay(invoice, client_name=name)
        self.touched.add(invoice)

    @rule(invoice=invoices)
    def expire(self, invoice: int) -> None:
        """The payment times out (legal only while pending)."""
        self.driver.expire(invoice)
        self.touched.add(invoice)

    @precondition(lambda self: bool(SETTLES_FROM & set(self.oracle.table.statuses)))
    @rule(data=st.data(), outcome=st.sampled_from(["pending", "error"]))
    def settle(self, data: st.DataObject, outcome: str) -> None:
        """Kaspi answers a delivery (or reconciles an error): only the control API can ask for an outcome."""
        invoice = self._pick(data, set(SETTLES_FROM))
        if invoice is None or (self.driver.control is None and outcome != "pending"):
            return
        self.driver.settle(invoice, outcome)
        self.touched.add(invoice)

    @rule(seconds=st.sampled_from([1, 5, SETTLE_SECONDS]))
    def advance_clock(self, seconds: int) -> None:
        """Time passes: queued cancellations complete, refunds are processed."""
        self.driver.advance(seconds)
        self.touched.update(self.followed)

    # -- what the merchant does ------------------------------------------------------------------------------------

    @rule(invoice=invoices)
    def cancel(self, invoice: int) -> None:
        """Cancel any invoice: legal only while pending (200 cancelled or 202 cancelling), refused otherwise."""
        self.driver.cancel(invoice)
        self.touched.add(invoice)

    @rule(data=st.data())
    def cancel_pending(self, data: st.DataObject) -> None:
        """Cancel an invoice the model says may be cancelled."""
        invoice = self._pick(data, self._with("can_cancel"))
        if invoice is None:
            return
        self.driver.cancel(invoice)
        self.touched.add(invoice)

    @rule(data=st.data(), percent=st.integers(min_value=1, max_value=99))
    def refund_partial(self, data: st.DataObject, percent: int) -> None:
        """Refund part of what is still refundable."""
        invoice = self._pick(data, self._with("can_refund"))
        if invoice is None:
            return
        available = self.oracle.invoices[invoice].available_for_refund
        amount = max(CENT, (available * percent / 100).quantize(CENT))
        self.driver.refund(invoice, amount, reason="partial")
        self.touched.add(invoice)

    @rule(data=st.data())
    def refund_full(self, data: st.DataObject) -> None:
        """Refund exactly what is still refundable."""
        invoice = self._pick(data, self._with("can_refund"))
        if invoice is None:
            return
        self.driver.refund(invoice, max(CENT, self.oracle.invoices[invoice].available_for_refund))
        self.touched.add(invoice)

    @rule(data=st.data())
    def refund_over_limit(self, data: st.DataObject) -> None:
        """One kopeck more than is still refundable must be refused and change nothing."""
        invoice = self._pick(data, self._with("can_refund"))
        if invoice is None:
            return
        self.driver.refund(invoice, self.oracle.invoices[invoice].available_for_refund + CENT)
        self.touched.add(invoice)

    @rule(invoice=invoices)
    def refund_without_amount(self, invoice: int) -> None:
        """No amount on any invoice: everything still refundable, or a refusal when nothing may be refunded."""
        self.driver.refund(invoice, None, reason="everything")
        self.touched.add(invoice)

    # -- reading ---------------------------------------------------------------------------------------------------

    @rule(invoice=invoices)
    def get(self, invoice: int) -> None:
        """Read one invoice back."""
        self.touched.add(invoice)

    @rule()
    def list_mine(self) -> None:
        """The list, searched by this run's token, shows exactly the invoices of this run, as the model has them."""
        rows = self.driver.api.get(
            "/invoices", params={"search": self.token, "per_page": 100, "sort_by": "id", "sort_order": "asc"}
        )
        self.driver.expect_status(rows, {200}, path="/invoices", method="get", why="listing invoices")
        data = self.driver.body(rows, path="/invoices")["data"]
        listed = [row.get("id") for row in data]
        if sorted(listed) != sorted(self.oracle.invoices):
            raise self.driver.fail(
                operation="GET /invoices",
                title="the list searched by this run's token does not hold exactly this run's invoices",
                message=f"Expected: ids {sorted(self.oracle.invoices)}\nReceived: ids {listed}",
                rule="#/paths/~1invoices/get/parameters/2/description",
            )
        for row in data:
            self.driver.judge(int(row["id"]), row, operation="GET /invoices")

    @precondition(lambda self: len(self.followed) > 3)
    @rule(invoice=consumes(invoices))
    def retire(self, invoice: int) -> None:
        """An invoice whose part in this run is over gets a last check and leaves the bundle."""
        self.driver.check(invoice)
        self.followed.pop(invoice, None)
        self.touched.discard(invoice)

    def teardown(self) -> None:
        """At the end of a program every invoice still followed is read back once more."""
        for invoice in self.followed:
            self.driver.check(invoice)

    @invariant()
    def touched_invoices_match_model(self) -> None:
        """Every invoice the last step touched equals the model, refunds and totals included."""
        for invoice in sorted(self.touched):
            self.driver.check(invoice)
        self.touched.clear()


@pytest.fixture
def _wire_machine(
    api: ApiClient, moves: tuple[Control | None, Sandbox | None], spec: dict[str, Any], run_mode: str
) -> None:
    """Hand the session's client, control API (or sandbox) and spec to the machine, and size it for the run mode."""
    InvoiceLifecycle.api = api
    InvoiceLifecycle.control, InvoiceLifecycle.sandbox = moves
    InvoiceLifecycle.book = SchemaBook(spec)
    InvoiceLifecycle.amounts = _amounts(spec)
    catalog_driver = Driver(api=api, oracle=Oracle.from_spec(spec), book=InvoiceLifecycle.book)
    InvoiceLifecycle.catalog = [e for e in catalog_driver.catalog() if e.unit_id][:6]
    examples, steps = _STEPS.get(run_mode, _STEPS["default"])
    if InvoiceLifecycle.control is None:  # each program's first invoice waits for the server's own clock to settle
        examples = max(3, examples // _WAITING)
    TestInvoiceLifecycle.settings = settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=_PHASES.get(run_mode, _PHASES["default"]),
    )


TestInvoiceLifecycle = pytest.mark.usefixtures("_wire_machine")(InvoiceLifecycle.TestCase)


# -- pinned scenarios: the known ways a server breaks the lifecycle, run every time whatever the machine draws --------


@pytest.fixture
def driver(api: ApiClient, moves: tuple[Control | None, Sandbox | None], spec: dict[str, Any]) -> Driver:
    """A fresh oracle over the session's client and control API (or the sandbox's simulate-status)."""
    control, sandbox = moves
    return Driver(api=api, oracle=Oracle.from_spec(spec), book=SchemaBook(spec), control=control, sandbox=sandbox)


def _paid(driver: Driver, amount: str = "100.00") -> int:
    invoice = driver.create(amount=driver.amount(amount), description="lifecycle pinned")
    driver.pay(invoice, client_name="aigerim")
    driver.check(invoice)
    return invoice


@pytest.mark.contract(check=REFUNDS_ADD_UP_TO_AMOUNT, operation="POST /invoices/{id}/refund")
def test_lifecycle_partial_refunds_add_up_to_amount(driver: Driver) -> None:
    """Partial refunds may add up to the amount exactly, and then nothing more may be refunded."""
    invoice = _paid(driver)
    for amount in ("30.00", "70.00", "0.01"):
        driver.refund(invoice, Decimal(amount), reason="pinned")
        driver.check(invoice)
    driver.refund(invoice, None)
    driver.refunds_ended(invoice)
    driver.check(invoice)


@pytest.mark.contract(check=REFUND_OVER_AVAILABLE_REFUSED, operation="POST /invoices/{id}/refund")
def test_lifecycle_refund_over_available_is_refused(driver: Driver) -> None:
    """A refund one kopeck above available_for_refund is refused and changes nothing."""
    invoice = _paid(driver, "250.50")
    driver.refund(invoice, Decimal("200.00"))
    driver.refund(invoice, driver.oracle.invoices[invoice].available_for_refund + CENT)
    driver.refunds_ended(invoice)
    driver.check(invoice)


@pytest.mark.contract(check=REFUND_WITHOUT_AMOUNT_TAKES_REST, operation="POST /invoices/{id}/refund")
def test_lifecycle_refund_without_amount_takes_the_rest(driver: Driver) -> None:
    """No amount refunds exactly what is still refundable."""
    invoice = _paid(driver, "99.99")
    driver.refund(invoice, Decimal("0.99"))
    driver.refund(invoice, None, reason="rest")
    driver.refunds_ended(invoice)
    driver.check(invoice)


@pytest.mark.contract(check=REFUND_AFTER_FAILED_REFUND, operation="POST /invoices/{id}/refund")
def test_lifecycle_refund_after_a_failed_refund_keeps_to_one_reading(driver: Driver) -> None:
    """After a refund fails, later refunds follow one reading of it: the one the target's answers showed.

    refunds.md lists ``failed`` among the refund statuses but does not say whether a failed refund still
    counts against ``available_for_refund``. So 80.00 of a 100.00 invoice whose 40.00 refund failed may be
    refused (it still counts: 60.00 left) or accepted (it does not: 100.00 left); the answer holds the
    target to that reading, and the second invoice must keep to it. Where no refund fails, the 80.00 is an
    ordinary refund over what is left and must be refused. Where refunds are queued, the control API fails the
    40.00 on purpose (and the version's documents say which reading holds).
    """
    driver.need_refund_outcome("failed")
    for _ in range(2):
        invoice = _paid(driver)
        driver.refund(invoice, Decimal("40.00"), reason="may fail", outcome="failed")
        driver.advance(SETTLE_SECONDS)
        driver.check(invoice)
        driver.refund(invoice, Decimal("80.00"), reason="between the readings")
        driver.check(invoice)
        driver.refund(invoice, None, reason="rest")
        driver.check(invoice)


@pytest.mark.contract(check=REFUND_NEEDS_PAYMENT, operation="POST /invoices/{id}/refund")
def test_lifecycle_refund_of_unpaid_invoice_is_refused(driver: Driver) -> None:
    """A pending invoice cannot be refunded with or without an amount, nor an expired one without.

    Every other status and both kinds of refund are tried by the transition table suite.
    """
    pending = driver.create(amount=driver.amount("10.00"))
    driver.refund(pending, Decimal("1.00"))
    driver.refund(pending, None)
    expired = driver.create(amount=driver.amount("10.00"))
    driver.expire(expired)
    driver.refund(expired, None)
    for invoice in (pending, expired):
        driver.check(invoice)


@pytest.mark.contract(check=CANCEL_ONLY_PENDING, operation="POST /invoices/{id}/cancel")
def test_lifecycle_cancel_of_paid_invoice_is_refused(driver: Driver) -> None:
    """A paid or refunded invoice cannot be cancelled."""
    invoice = _paid(driver)
    driver.cancel(invoice)
    driver.refund(invoice, None)
    driver.cancel(invoice)
    driver.check(invoice)


@pytest.mark.contract(check=QUEUED_CANCEL_COMPLETES, operation="POST /invoices/{id}/cancel")
def test_lifecycle_cancel_settles_as_cancelled(driver: Driver) -> None:
    """A cancel is 200 cancelled or 202 cancelling, and once the clock moves on the invoice is cancelled for good."""
    invoice = driver.create(amount=driver.amount("10.00"))
    driver.cancel(invoice)
    driver.check(invoice)
    driver.cancel(invoice)
    driver.pay(invoice)
    driver.check(invoice)
    driver.advance(SETTLE_SECONDS)
    driver.check(invoice)
    driver.pay(invoice)
    driver.cancel(invoice)
    driver.check(invoice)


@pytest.mark.contract(check=TERMINAL_STATUSES_FINAL, operation="*")
def test_lifecycle_expired_invoice_cannot_be_paid_or_cancelled(driver: Driver) -> None:
    """Expired takes no second expiry and no cancel; a payment lands only where the table lets a late one (2.1)."""
    invoice = driver.create(amount=driver.amount("10.00"))
    driver.expire(invoice)
    driver.pay(invoice)
    driver.expire(invoice)
    driver.cancel(invoice)
    driver.check(invoice)


@pytest.mark.contract(check=CART_AMOUNT_AND_ITEMS, operation="POST /invoices")
def test_lifecycle_cart_invoice_amount_is_sum_of_items(driver: Driver) -> None:
    """A cart invoice's amount is Σ catalog price × count and its items are the catalog's at creation."""
    catalog = [e for e in driver.catalog() if e.unit_id][:3]
    if not catalog:
        pytest.skip("the organization's catalog is empty or off: no cart invoice can be created")
    lines = [(entry, (n + 2) * driver.whole_count(entry.price)) for n, entry in enumerate(catalog)]
    invoice = driver.create(cart=lines, description="cart pinned")
    driver.check(invoice)
    driver.pay(invoice)
    driver.refund(invoice, None)
    driver.check(invoice)


@pytest.mark.contract(check=CART_ITEMS_SNAPSHOT, operation="PATCH /catalog/{id}")
def test_lifecycle_cart_items_keep_the_price_at_creation(driver: Driver) -> None:
    """After the catalog price changes, an existing cart invoice keeps its items and amount (a snapshot)."""
    catalog = [e for e in driver.catalog() if e.unit_id][:1]
    if not catalog:
        pytest.skip("the organization's catalog is empty or off: no cart invoice can be created")
    entry = catalog[0]
    invoice = driver.create(cart=[(entry, 2 * driver.whole_count(entry.price))], description="snapshot pinned")
    changed = encode_json({"selling_price": entry.price + Decimal("1.00")})
    answer = driver.api.patch(f"/catalog/{entry.id}", content=changed, headers={"Content-Type": "application/json"})
    documented = {int(c) for c in spec_responses(driver, "patch", "/catalog/{id}") if c.startswith("2")}
    try:
        driver.expect_status(
            answer, documented, path="/catalog/{id}", method="patch", why=f"a price change of item {entry.id}"
        )
        driver.check(invoice)
    finally:
        restore = encode_json({"selling_price": entry.price})
        driver.api.patch(f"/catalog/{entry.id}", content=restore, headers={"Content-Type": "application/json"})


# -- what can be judged without a control API (real targets under --no-control) --------------------------------------


@pytest.fixture
def plain_driver(api: ApiClient, spec: dict[str, Any]) -> Driver:
    """A fresh oracle over the session's client, without payment, expiry or clock."""
    return Driver(api=api, oracle=Oracle.from_spec(spec), book=SchemaBook(spec))


@pytest.mark.contract(check=CANCEL_ONLY_PENDING, operation="POST /invoices/{id}/cancel")
def test_lifecycle_pending_invoice_cancels_once(plain_driver: Driver) -> None:
    """A new invoice may be cancelled (200 or 202) and a second cancel is refused; no control API needed.

    It is cancelled in the table's first status (``pending``, or a ``processing`` delivery: both may be).
    """
    invoice = plain_driver.create(amount=plain_driver.amount("15.00"), description="lifecycle no-control", settle=False)
    plain_driver.check(invoice)
    plain_driver.cancel(invoice)
    plain_driver.check(invoice)
    plain_driver.cancel(invoice)
    plain_driver.check(invoice)


@pytest.mark.contract(check=REFUND_NEEDS_PAYMENT, operation="POST /invoices/{id}/refund")
def test_lifecycle_unpaid_invoice_refund_is_refused_without_control(plain_driver: Driver) -> None:
    """Refunds of a pending invoice, then of the same one cancelled (or still being cancelled), are refused.

    Neither changes the invoice; no control API needed.
    """
    pending = plain_driver.create(amount=plain_driver.amount("15.00"), description="lifecycle no-control", settle=False)
    plain_driver.refund(pending, Decimal("1.00"))
    plain_driver.refund(pending, None)
    plain_driver.check(pending)
    plain_driver.cancel(pending)
    plain_driver.refund(pending, None)
    plain_driver.check(pending)


def spec_responses(driver: Driver, method: str, path: str) -> list[str]:
    """The statuses the spec documents for ``METHOD path``."""
    return [str(code) for code in (driver.book.spec["paths"][path][method].get("responses") or {})]


# -- the versions with a queued delivery, idempotent creates and the sandbox's simulate-status ------------------------


@pytest.mark.contract(check=NEW_INVOICE_SETTLES, operation="POST /invoices")
def test_lifecycle_new_invoice_settles_to_pending(driver: Driver) -> None:
    """A new invoice answers the table's first status, then settles to pending (asked for, or on the server's clock).

    Until then it cannot be refunded; once pending it can be paid.
    """
    invoice = driver.create(amount=driver.amount("20.00"), description="settles", settle=False)
    driver.check(invoice)
    driver.refund(invoice, None)
    driver.settle(invoice)
    driver.check(invoice)
    driver.pay(invoice)
    driver.check(invoice)


@pytest.mark.contract(check=NEW_INVOICE_SETTLES, operation="POST /invoices")
def test_lifecycle_delivery_error_and_reconciliation(driver: Driver) -> None:
    """A delivery may end in error (neither cancellable nor refundable), and reconciliation brings it to pending."""
    if driver.control is None:
        pytest.skip(NEEDS_CONTROL.format(what="Kaspi answering a delivery with error"))
    invoice = driver.create(amount=driver.amount("20.00"), description="delivery error", settle=False)
    driver.settle(invoice, "error")
    driver.check(invoice)
    driver.cancel(invoice)
    driver.refund(invoice, None)
    driver.pay(invoice)
    driver.settle(invoice, "pending")
    driver.check(invoice)
    driver.pay(invoice)
    driver.check(invoice)


def _idempotency(spec: dict[str, Any]) -> dict[str, Any]:
    rule: dict[str, Any] = spec["paths"]["/invoices"]["post"]["x-idempotency"]
    return rule


@pytest.mark.contract(check=DUPLICATE_IDEMPOTENCY_KEY_REFUSED, operation="POST /invoices")
def test_lifecycle_duplicate_idempotency_key_is_refused(driver: Driver) -> None:
    """A second create with a live invoice's idempotency key is refused with that invoice's id and status.

    Once the invoice is in a status that frees the key (cancelled), the key creates a new invoice.
    """
    rule = _idempotency(driver.book.spec)
    field, duplicate = str(rule["field"]), rule["duplicate"]
    key = f"idem-{uuid.uuid4().hex[:16]}"
    first = driver.create(amount=driver.amount("30.00"), description="idempotent", extra={field: key})
    payload = {"phone_number": "87001234567", "amount": driver.amount("31.00"), field: key}
    answer = driver.api.post("/invoices", content=encode_json(payload), headers={"Content-Type": "application/json"})
    pointer = str(duplicate["schema_ref"])
    operation = "POST /invoices"
    body = driver.body(answer, path="/invoices", method="post") if answer.status_code == duplicate["status"] else None
    shown = (body or {}).get("invoice_id"), (body or {}).get("status"), (body or {}).get("error")
    live = driver.oracle.expected_statuses(first)
    if body is None or driver.book.errors(pointer, body) or shown[0] != first or shown[1] not in live:
        raise driver.fail(
            operation=operation,
            title=f"a second create with the idempotency key of live invoice {first} was not refused as a duplicate",
            message=expected_received(
                f"{duplicate['status']} {duplicate['error']} with invoice_id={first} and status "
                f"{' or '.join(sorted(live))}",
                f"{answer.status_code} {answer.text[:200]}",
            ),
            rule="#/paths/~1invoices/post/x-idempotency",
        )
    driver.check(first)
    if driver.oracle.expect_cancel(first).allowed:
        driver.cancel(first)
        driver.advance(SETTLE_SECONDS)
        driver.check(first)
    if driver.oracle.invoices[first].status in rule["reissue_after"]:
        again = driver.create(amount=driver.amount("32.00"), description="idempotent again", extra={field: key})
        if again == first:
            raise driver.fail(
                operation=operation,
                title=f"the idempotency key of cancelled invoice {first} did not create a new invoice",
                message=expected_received("201 with a new id", f"201 with id {again}"),
                rule="#/paths/~1invoices/post/x-idempotency/reissue_after",
            )
        driver.check(again)


@pytest.mark.contract(check=SIMULATE_STATUS_ONLY_FROM_PENDING, operation="POST /invoices/{id}/simulate-status")
def test_lifecycle_simulate_status_moves_only_what_it_may(
    api: ApiClient, moves: tuple[Control | None, Sandbox | None], spec: dict[str, Any]
) -> None:
    """simulate-status moves an invoice only from the statuses its x-status-effect names, refusing the rest.

    A paid invoice is neither paid again nor cancelled, and a cancelled one is not paid through it (although a
    late payment may still land from Kaspi), each refused with the documented 400 and body.
    """
    control, _ = moves
    oracle = Oracle.from_spec(spec)
    book = SchemaBook(spec)
    sandbox = Sandbox(api, spec)
    creator = Driver(api=api, oracle=oracle, book=book, control=control, sandbox=sandbox)
    simulator = Driver(api=api, oracle=oracle, book=book, sandbox=sandbox)
    paid = creator.create(amount=creator.amount("40.00"), description="simulate")
    simulator.pay(paid)
    simulator.pay(paid)
    simulator.expire(paid)
    simulator.check(paid)
    cancelled = creator.create(amount=creator.amount("41.00"), description="simulate")
    creator.cancel(cancelled)
    creator.advance(SETTLE_SECONDS)
    simulator.pay(cancelled)
    simulator.check(cancelled)
