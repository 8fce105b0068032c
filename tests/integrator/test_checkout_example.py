"""The worked example of docs/fixture.md: a shop's checkout and webhook handler, tested with ``apipay_mock``.

The first half is the shop's own code. In a real shop it lives in the shop's package (``shop/payments.py``,
``shop/webhooks.py``) and talks to ``https://bpapi.bazarbay.site/api/v1``; here it sits beside its tests so
the example is one file. The second half is the shop's tests: they drive the mock only through the fixture's
helpers, never through ``/_control`` by hand, and wait for webhooks on a condition with a deadline.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import httpx
import msgspec
import pytest
from flask import Flask, request
from werkzeug.serving import make_server

from apipay_harness.fixture import ApiPayMock

# ---------------------------------------------------------------------------------------------------------
# The shop's code: starting a payment (shop/payments.py)
# ---------------------------------------------------------------------------------------------------------


class CheckoutError(Exception):
    """The payment could not be started."""


class CheckoutRejected(CheckoutError):
    """ApiPay refused the order's data (422): show the customer what to fix."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(f"rejected: {errors}")
        self.errors = errors


class PaymentsMisconfigured(CheckoutError):
    """Our API key is wrong or our organization is not verified (401/403): page the shop's operator."""


class PaymentsUnavailable(CheckoutError):
    """ApiPay is down, overloaded or rate-limiting us: offer the customer to try again later."""

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Checkout:
    """A started payment: the Kaspi invoice the customer pays in their app."""

    invoice_id: int
    amount: Decimal
    status: str


# JSON numbers straight from Decimal: a float could turn 1500.10 into 1500.0999999999999.
_JSON = msgspec.json.Encoder(decimal_format="number")


def start_checkout(client: httpx.Client, *, order_id: str, amount: Decimal, phone: str, note: str = "") -> Checkout:
    """Ask ApiPay for a Kaspi invoice for one order of the shop."""
    body: dict[str, object] = {"amount": amount, "phone_number": phone, "external_order_id": order_id}
    if note:
        body["description"] = note
    try:
        response = client.post("/invoices", content=_JSON.encode(body), headers={"Content-Type": "application/json"})
    except httpx.TransportError as exc:
        raise PaymentsUnavailable(f"ApiPay did not answer: {exc!r}") from exc
    if response.status_code == 201:
        invoice = response.json()
        return Checkout(int(invoice["id"]), Decimal(invoice["amount"]), str(invoice["status"]))
    message = _message(response)
    if response.status_code == 422:
        raise CheckoutRejected(response.json().get("errors", {}))
    if response.status_code in (401, 403):
        raise PaymentsMisconfigured(message)
    if response.status_code == 429:
        raise PaymentsUnavailable(message, retry_after=int(response.json().get("retry_after", 60)))
    if response.status_code >= 500:
        raise PaymentsUnavailable(message)
    raise CheckoutError(f"{response.status_code}: {message}")


def _message(response: httpx.Response) -> str:
    try:
        return str(response.json().get("message", ""))
    except ValueError:
        return response.text[:200]


# ---------------------------------------------------------------------------------------------------------
# The shop's code: the webhook handler (shop/webhooks.py)
# ---------------------------------------------------------------------------------------------------------


class Orders:
    """The shop's order book (a database table in real life); waiting on it is how a test sees a webhook land."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._status: dict[str, str] = {}
        self.fulfilments: Counter[str] = Counter()

    def set_status(self, order_id: str, status: str) -> None:
        """Record an order's payment status; a paid order is fulfilled (shipped) each time it is told so."""
        with self._changed:
            if status == "paid":
                self.fulfilments[order_id] += 1
            self._status[order_id] = status
            self._changed.notify_all()

    def status(self, order_id: str) -> str | None:
        """The order's payment status, if any webhook told it."""
        with self._changed:
            return self._status.get(order_id)

    def wait_for_status(self, order_id: str, status: str, *, timeout: float) -> bool:
        """Wait until the order has ``status`` or ``timeout`` seconds pass; whether it has it."""
        with self._changed:
            return self._changed.wait_for(lambda: self._status.get(order_id) == status, timeout)


def create_webhook_app(*, secret: str, orders: Orders) -> Flask:
    """The shop's ApiPay webhook endpoint, written the way the provider's webhook page prescribes."""
    app = Flask("shop_webhooks")
    seen: set[tuple[int, str]] = set()
    seen_lock = threading.Lock()

    @app.post("/webhooks/apipay")
    def apipay_webhook() -> tuple[str, int]:
        raw = request.get_data()  # the exact bytes: re-serialised JSON would not match the signature
        expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, request.headers.get("X-Webhook-Signature", "")):
            return "invalid signature", 401
        event = json.loads(raw)
        invoice = event.get("invoice")
        if event.get("event") not in ("invoice.status_changed", "invoice.refunded") or not invoice:
            return "", 200  # webhook.test and events this shop does not use
        with seen_lock:  # idempotent: invoice.id + status, as the docs advise
            if (invoice["id"], invoice["status"]) in seen:
                return "", 200
            seen.add((invoice["id"], invoice["status"]))
        orders.set_status(invoice["external_order_id"], invoice["status"])
        return "", 200

    return app


# ---------------------------------------------------------------------------------------------------------
# The shop's tests
# ---------------------------------------------------------------------------------------------------------

WEBHOOK_SECRET = "whsec_shop_test_secret"
WAIT = 5.0  # seconds: a deadline, never a sleep


@pytest.fixture
def payments(apipay_mock: ApiPayMock) -> Iterator[httpx.Client]:
    """The client the shop configures in production, pointed at the mock."""
    with httpx.Client(base_url=apipay_mock.base_url, headers={"X-API-Key": apipay_mock.api_key}) as client:
        yield client


@pytest.fixture
def orders(apipay_mock: ApiPayMock) -> Iterator[Orders]:
    """The shop's webhook endpoint served on loopback and registered with the mock; yields its order book."""
    book = Orders()
    server = make_server("127.0.0.1", 0, create_webhook_app(secret=WEBHOOK_SECRET, orders=book), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    apipay_mock.register_webhook(f"http://127.0.0.1:{server.server_port}/webhooks/apipay", WEBHOOK_SECRET)
    yield book
    server.shutdown()
    thread.join()


def test_checkout_creates_a_pending_invoice_for_the_order(payments: httpx.Client) -> None:
    checkout = start_checkout(payments, order_id="order-1001", amount=Decimal("1500.10"), phone="87001234567")

    assert (checkout.amount, checkout.status) == (Decimal("1500.10"), "pending")
    assert payments.get(f"/invoices/{checkout.invoice_id}").json()["external_order_id"] == "order-1001"


def test_paying_the_invoice_marks_the_order_paid(
    apipay_mock: ApiPayMock, payments: httpx.Client, orders: Orders
) -> None:
    checkout = start_checkout(payments, order_id="order-1002", amount=Decimal("990"), phone="87001234567")

    apipay_mock.pay(checkout.invoice_id, client_name="Aigerim")

    assert orders.wait_for_status("order-1002", "paid", timeout=WAIT)
    assert orders.fulfilments["order-1002"] == 1


def test_an_invoice_left_unpaid_for_an_hour_expires_the_order(
    apipay_mock: ApiPayMock, payments: httpx.Client, orders: Orders
) -> None:
    start_checkout(payments, order_id="order-1003", amount=Decimal("250.50"), phone="87001234567")

    apipay_mock.advance_clock(3600)  # the mock's clock: no real hour passes

    assert orders.wait_for_status("order-1003", "expired", timeout=WAIT)


@pytest.mark.apipay_mock(variants=["webhook_duplicates"])  # the docs: receivers must handle duplicate deliveries
def test_a_duplicated_payment_webhook_fulfils_the_order_once(
    apipay_mock: ApiPayMock, payments: httpx.Client, orders: Orders
) -> None:
    checkout = start_checkout(payments, order_id="order-1004", amount=Decimal("5000"), phone="87001234567")

    apipay_mock.pay(checkout.invoice_id)
    deliveries = apipay_mock.wait_for_deliveries(2, invoice_id=checkout.invoice_id, timeout=WAIT)

    assert [d.status_code for d in deliveries] == [200, 200]
    assert orders.fulfilments["order-1004"] == 1


@pytest.mark.apipay_mock(faults=["webhook_signature_wrong"])
def test_a_webhook_with_a_wrong_signature_changes_nothing(
    apipay_mock: ApiPayMock, payments: httpx.Client, orders: Orders
) -> None:
    checkout = start_checkout(payments, order_id="order-1005", amount=Decimal("75"), phone="87001234567")

    apipay_mock.pay(checkout.invoice_id)
    (delivery,) = apipay_mock.wait_for_deliveries(invoice_id=checkout.invoice_id, timeout=WAIT)

    assert delivery.status_code == 401
    assert orders.status("order-1005") is None


# Behaviours the provider's docs allow and the mock does not show unless asked: the shop must accept each.
ANSWER_VARIANTS = ["create_answer_omits_unset", "optional_fields_absent", "extra_properties", "ids_sparse_unordered"]
WEBHOOK_VARIANTS = ["webhook_source_api", "extra_properties", "timestamps_long_form", "webhooks_delayed"]


@pytest.mark.parametrize("variant", ANSWER_VARIANTS)
def test_the_checkout_accepts_every_documented_answer(
    apipay_mock: ApiPayMock, payments: httpx.Client, variant: str
) -> None:
    apipay_mock.use(variants=[variant])

    checkout = start_checkout(payments, order_id="order-1010", amount=Decimal("1500.10"), phone="87001234567")

    assert (checkout.amount, checkout.status) == (Decimal("1500.10"), "pending")


@pytest.mark.parametrize(
    "variant", [pytest.param(v, marks=pytest.mark.apipay_mock(variants=[v])) for v in WEBHOOK_VARIANTS]
)
def test_every_documented_payment_webhook_marks_the_order_paid(
    apipay_mock: ApiPayMock, payments: httpx.Client, orders: Orders, variant: str
) -> None:
    checkout = start_checkout(payments, order_id="order-1011", amount=Decimal("990"), phone="87001234567")

    apipay_mock.pay(checkout.invoice_id)

    assert orders.wait_for_status("order-1011", "paid", timeout=WAIT)


def test_a_bad_phone_number_is_shown_to_the_customer(payments: httpx.Client) -> None:
    with pytest.raises(CheckoutRejected) as rejected:
        start_checkout(payments, order_id="order-1006", amount=Decimal("10"), phone="+7 700 123")

    assert "phone_number" in rejected.value.errors


@pytest.mark.parametrize("key", ["not-our-key", "unverified"])
def test_a_wrong_or_unverified_key_is_an_operator_problem(apipay_mock: ApiPayMock, key: str) -> None:
    api_key = apipay_mock.unverified_key if key == "unverified" else key
    with httpx.Client(base_url=apipay_mock.base_url, headers={"X-API-Key": api_key}) as client:
        with pytest.raises(PaymentsMisconfigured):
            start_checkout(client, order_id="order-1007", amount=Decimal("10"), phone="87001234567")


def test_rate_limiting_asks_the_customer_to_retry_later(apipay_mock: ApiPayMock) -> None:
    headers = {"X-API-Key": apipay_mock.rate_limited_key}  # 5 requests per clock minute
    now = apipay_mock.advance_clock(0)
    apipay_mock.advance_clock(60 - now.second)  # to a minute's start, so all six requests fall in one minute
    with httpx.Client(base_url=apipay_mock.base_url, headers=headers) as client:
        for n in range(5):
            start_checkout(client, order_id=f"order-20{n}", amount=Decimal("10"), phone="87001234567")
        with pytest.raises(PaymentsUnavailable) as unavailable:
            start_checkout(client, order_id="order-205", amount=Decimal("10"), phone="87001234567")

    assert unavailable.value.retry_after is not None and 0 < unavailable.value.retry_after <= 60


@pytest.mark.apipay_mock(faults=["server_error_on_nul_byte"])
def test_a_server_error_asks_the_customer_to_retry_later(payments: httpx.Client) -> None:
    with pytest.raises(PaymentsUnavailable):
        start_checkout(payments, order_id="order-1008", amount=Decimal("10"), phone="87001234567", note="a\x00b")


def test_apipay_down_asks_the_customer_to_retry_later() -> None:
    with socket.socket() as closed:  # a port that is bound but not listening refuses connections
        closed.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{closed.getsockname()[1]}/api/v1"
        with httpx.Client(base_url=down) as client, pytest.raises(PaymentsUnavailable):
            start_checkout(client, order_id="order-1009", amount=Decimal("10"), phone="87001234567")
