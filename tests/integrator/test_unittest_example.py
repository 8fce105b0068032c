"""The unittest example of docs/fixture.md: a shop's refund code on ``requests``, tested with ``ApiPayMock``.

``ApiPayMock`` is the class the pytest fixture wraps: a context manager for a class's tests, ``reset()`` before
each. Runs under ``python -m unittest`` and under pytest alike.
"""

from __future__ import annotations

import unittest
from decimal import Decimal
from typing import ClassVar

import requests

from apipay_harness.fixture import ApiPayMock

# ---------------------------------------------------------------------------------------------------------
# The shop's code: refunds (shop/refunds.py)
# ---------------------------------------------------------------------------------------------------------


class NotRefundable(Exception):
    """ApiPay will not refund this invoice (not paid, or already refunded in full)."""


def refund_in_full(session: requests.Session, base_url: str, invoice_id: int, *, reason: str) -> Decimal:
    """Refund what is left of a paid invoice; returns the amount refunded."""
    response = session.post(f"{base_url}/invoices/{invoice_id}/refund", json={"reason": reason}, timeout=10)
    if response.status_code == 400:
        raise NotRefundable(response.json().get("message", ""))
    response.raise_for_status()
    return Decimal(response.json()["refund"]["amount"])


def refund_statuses(session: requests.Session, base_url: str, invoice_id: int) -> list[str]:
    """The statuses of an invoice's refunds, oldest first."""
    response = session.get(f"{base_url}/invoices/{invoice_id}/refunds", timeout=10)
    response.raise_for_status()
    return [refund["status"] for refund in response.json()["refunds"]]


# ---------------------------------------------------------------------------------------------------------
# The shop's tests
# ---------------------------------------------------------------------------------------------------------


class RefundTest(unittest.TestCase):
    mock: ClassVar[ApiPayMock]

    @classmethod
    def setUpClass(cls) -> None:
        cls.mock = cls.enterClassContext(ApiPayMock())  # one server for the class, stopped after it

    def setUp(self) -> None:
        self.mock.reset()  # a fresh mock for every test
        self.session = requests.Session()
        self.session.headers["X-API-Key"] = self.mock.api_key
        self.addCleanup(self.session.close)

    def _invoice(self, amount: int) -> int:
        body: dict[str, str | int] = {
            "amount": amount,
            "phone_number": "87001234567",
            "external_order_id": "order-3001",
        }
        response = self.session.post(f"{self.mock.base_url}/invoices", json=body, timeout=10)
        self.assertEqual(response.status_code, 201, response.text)
        return int(response.json()["id"])

    def test_a_paid_invoice_is_refunded_in_full(self) -> None:
        invoice_id = self._invoice(2500)
        self.mock.pay(invoice_id)

        refunded = refund_in_full(self.session, self.mock.base_url, invoice_id, reason="returned")

        self.assertEqual(refunded, Decimal("2500.00"))

    def test_a_refund_completes_on_apipays_side_later(self) -> None:
        invoice_id = self._invoice(2500)
        self.mock.pay(invoice_id)
        refund_in_full(self.session, self.mock.base_url, invoice_id, reason="returned")
        self.assertEqual(refund_statuses(self.session, self.mock.base_url, invoice_id), ["pending"])

        self.mock.advance_clock(60)  # the mock's clock: refunds complete a few seconds after they start

        self.assertEqual(refund_statuses(self.session, self.mock.base_url, invoice_id), ["completed"])

    def test_an_unpaid_invoice_is_not_refundable(self) -> None:
        invoice_id = self._invoice(2500)

        with self.assertRaises(NotRefundable):
            refund_in_full(self.session, self.mock.base_url, invoice_id, reason="returned")


if __name__ == "__main__":
    unittest.main()
