"""The API 2.1 worked example of docs/fixture.md: a shop's payment and refund code for 2.1, tested with ``apipay_mock``.

Under 2.1 a new invoice answers ``processing`` and reaches ``pending`` later, amounts are whole tenge, and a
refund is only queued: its money moves when ``invoice.refunded`` says ``completed`` (or never, if ``failed``),
and a full refund leaves the invoice ``paid`` with ``is_fully_refunded``. The shop's code below is written
for that; its tests drive the 2.1 mock through the fixture's helpers (``settle``, ``pay``, ``finish_refund``,
``advance_clock``) and never sleep.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import httpx
import msgspec
import pytest

from apipay_harness.fixture import ApiPayMock

# ---------------------------------------------------------------------------------------------------------
# The shop's code (shop/payments21.py)
# ---------------------------------------------------------------------------------------------------------

_JSON = msgspec.json.Encoder(decimal_format="number")


class PaymentFailed(Exception):
    """Kaspi could not take the invoice (status ``error``): show ``error_message`` and offer to retry."""


@dataclass(frozen=True)
class Refund:
    """A refund the shop asked for: queued until ApiPay says it completed or failed."""

    refund_id: int
    amount: Decimal
    status: str


def start_payment(client: httpx.Client, *, order_id: str, amount: Decimal, phone: str) -> int:
    """Create the order's invoice (whole tenge: 2.1 refuses fractions) and return its id; it starts ``processing``."""
    body = {"amount": amount.quantize(Decimal("1")), "phone_number": phone, "external_order_id": order_id}
    response = client.post("/invoices", content=_JSON.encode(body), headers={"Content-Type": "application/json"})
    response.raise_for_status()
    return int(response.json()["id"])


def wait_until_payable(client: httpx.Client, invoice_id: int, *, timeout: float) -> None:
    """Poll until Kaspi has the invoice (``pending``); ``PaymentFailed`` on ``error``, ``TimeoutError`` too late."""
    deadline = time.monotonic() + timeout
    while True:
        invoice = client.get(f"/invoices/{invoice_id}").json()
        if invoice["status"] == "pending":
            return
        if invoice["status"] == "error":
            raise PaymentFailed(invoice.get("error_message") or "Kaspi could not take the invoice")
        if time.monotonic() > deadline:
            raise TimeoutError(f"invoice {invoice_id} still {invoice['status']} after {timeout:g}s")
        time.sleep(0.05)  # the shop's own polling interval, not a test's synchronisation


def refund(client: httpx.Client, invoice_id: int, amount: Decimal | None = None) -> Refund:
    """Ask for a refund (``None``: everything left); 2.1 queues it, so the shop keeps it as pending."""
    body: dict[str, object] = {"reason": "customer return"}
    if amount is not None:
        body["amount"] = amount
    response = client.post(
        f"/invoices/{invoice_id}/refund", content=_JSON.encode(body), headers={"Content-Type": "application/json"}
    )
    response.raise_for_status()
    queued = response.json()["refund"]
    return Refund(int(queued["id"]), Decimal(queued["amount"]), queued["status"])


def money_returned(client: httpx.Client, invoice_id: int) -> tuple[Decimal, bool]:
    """What the customer got back so far, and whether that is everything (2.1 has no ``refunded`` status)."""
    invoice = client.get(f"/invoices/{invoice_id}").json()
    return Decimal(invoice["total_refunded"]), bool(invoice["is_fully_refunded"])


# ---------------------------------------------------------------------------------------------------------
# The shop's tests
# ---------------------------------------------------------------------------------------------------------

WAIT = 5.0


@pytest.fixture
def payments(apipay_mock: ApiPayMock) -> Iterator[httpx.Client]:
    """The shop's client, pointed at the mock."""
    with httpx.Client(base_url=apipay_mock.base_url, headers={"X-API-Key": apipay_mock.api_key}) as client:
        yield client


@pytest.mark.apipay_mock(api_version="2.1")
def test_a_new_invoice_becomes_payable_once_kaspi_has_it(apipay_mock: ApiPayMock, payments: httpx.Client) -> None:
    invoice_id = start_payment(payments, order_id="order-2001", amount=Decimal("4990"), phone="87001234567")

    apipay_mock.advance_clock(2)  # Kaspi takes it within the mock's 2 clock seconds: no real wait

    wait_until_payable(payments, invoice_id, timeout=WAIT)
    assert apipay_mock.pay(invoice_id)["status"] == "paid"


@pytest.mark.apipay_mock(api_version="2.1")
def test_an_invoice_kaspi_refuses_is_reported_to_the_customer(apipay_mock: ApiPayMock, payments: httpx.Client) -> None:
    invoice_id = start_payment(payments, order_id="order-2002", amount=Decimal("990"), phone="87001234567")

    apipay_mock.settle(invoice_id, status="error", error_message="Client not found in Kaspi")

    with pytest.raises(PaymentFailed, match="Client not found in Kaspi"):
        wait_until_payable(payments, invoice_id, timeout=WAIT)


@pytest.mark.apipay_mock(api_version="2.1")
def test_a_refund_moves_money_only_when_it_completes(apipay_mock: ApiPayMock, payments: httpx.Client) -> None:
    invoice_id = start_payment(payments, order_id="order-2003", amount=Decimal("3000"), phone="87001234567")
    apipay_mock.settle(invoice_id)
    apipay_mock.pay(invoice_id)

    queued = refund(payments, invoice_id, Decimal("1000"))
    assert (queued.status, money_returned(payments, invoice_id)) == ("pending", (Decimal("0.00"), False))

    apipay_mock.finish_refund(queued.refund_id)
    assert money_returned(payments, invoice_id) == (Decimal("1000.00"), False)


@pytest.mark.apipay_mock(api_version="2.1")
def test_a_failed_refund_returns_nothing_and_the_rest_can_be_refunded_in_full(
    apipay_mock: ApiPayMock, payments: httpx.Client
) -> None:
    invoice_id = start_payment(payments, order_id="order-2004", amount=Decimal("2500"), phone="87001234567")
    apipay_mock.settle(invoice_id)
    apipay_mock.pay(invoice_id)

    failed = refund(payments, invoice_id, Decimal("500"))
    apipay_mock.finish_refund(failed.refund_id, status="failed")
    whole = refund(payments, invoice_id)  # everything left: the failed 500 counts for nothing
    apipay_mock.advance_clock(5)  # queued refunds complete on the mock's clock

    assert whole.amount == Decimal("2500")
    assert money_returned(payments, invoice_id) == (Decimal("2500.00"), True)
    assert payments.get(f"/invoices/{invoice_id}").json()["status"] == "paid"  # no "refunded" in 2.1
