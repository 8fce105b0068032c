"""What every receiver check works with: fresh invoices, signed deliveries, the sender, the probe, and findings."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from apipay_harness.core.results import Verdict
from apipay_harness.receiver.exchange import Exchange, Sender
from apipay_harness.receiver.payloads import Delivery, PayloadBuilder
from apipay_harness.receiver.probe import Probe, ProbeReading
from apipay_harness.receiver.rules import EventCase, ReceiverRules
from apipay_harness.receiver.signing import sign

__all__ = ["STALL_LIMIT", "Finding", "Judge", "ReceiverStalled"]

STALL_LIMIT = 4
"""Requests in a row left without any answer after which the receiver is judged stalled and the rest not sent."""

_CONTENT_TYPE = {"Content-Type": "application/json"}


class ReceiverStalled(Exception):
    """The receiver stopped answering: sending the remaining checks would only multiply the deadline."""


@dataclass(frozen=True, slots=True)
class Finding:
    """A check's verdict with the exchanges that prove it (they become the reproducer)."""

    verdict: Verdict
    title: str = ""
    message: str = ""
    rule: str = ""
    exchanges: tuple[Exchange, ...] = ()


class Judge:
    """The run's shared means: it builds and signs deliveries, sends them and asks the probe."""

    def __init__(self, *, rules: ReceiverRules, sender: Sender, probe: Probe | None, secret: str) -> None:
        self.rules = rules
        self.sender = sender
        self.probe = probe
        self._secret = secret
        self._builder = PayloadBuilder(rules)
        # Ids far from any real invoice and new on every run, so a receiver's de-duplication records of an
        # earlier run never make this run's deliveries look like duplicates.
        self._next_id = 10**12 + secrets.randbelow(10**11) * 1000
        self._unanswered = 0
        self._stalled = ""

    @property
    def deadline(self) -> float:
        """Seconds a receiver has to answer, as this run applies it."""
        return self.sender.deadline

    def fresh_invoice(self) -> int:
        """An invoice id no delivery of this run has used."""
        self._next_id += 1
        return self._next_id

    def delivery(self, case: EventCase, *, invoice_id: int | None = None, refund_status: str | None = None) -> Delivery:
        """A valid delivery of ``case``, about a fresh invoice unless one is given, and a fresh refund if any."""
        return self._builder.build(
            case,
            invoice_id=invoice_id if invoice_id is not None else self.fresh_invoice(),
            refund_id=self.fresh_invoice(),
            refund_status=refund_status,
        )

    def story(self, cases: Sequence[EventCase]) -> list[Delivery]:
        """Deliveries of one invoice going through ``cases`` in order."""
        invoice_id = self.fresh_invoice()
        return [self.delivery(case, invoice_id=invoice_id) for case in cases]

    def signature(self, body: bytes, *, secret: str | None = None) -> str:
        """The signature header value for ``body`` (with the receiver's secret unless another is given)."""
        return sign(self._secret if secret is None else secret, body)

    @property
    def stalled(self) -> str:
        """Why nothing more is sent (the receiver stopped answering), or ``""`` while it answers."""
        return self._stalled

    async def post(self, body: bytes, *, signature: str | None) -> Exchange:
        """Send ``body`` with this signature header (or none); ReceiverStalled once the receiver stopped answering."""
        if self._stalled:
            raise ReceiverStalled(self._stalled)
        headers = dict(_CONTENT_TYPE)
        if signature is not None:
            headers[self.rules.signature_header] = signature
        done = await self.sender.send(self.sender.request(body, headers))
        self._unanswered = self._unanswered + 1 if done.status is None else 0
        if self._unanswered >= STALL_LIMIT:
            self._stalled = f"{STALL_LIMIT} requests in a row got no answer (the last: {done.problem})"
        return done

    async def deliver(self, delivery: Delivery) -> Exchange:
        """Send ``delivery`` exactly as the provider would: its bytes, signed with the receiver's secret."""
        return await self.post(delivery.body, signature=self.signature(delivery.body))

    async def processed(self, delivery: Delivery) -> ProbeReading | None:
        """What the probe says about ``delivery``'s de-duplication key; None without a probe or an invoice."""
        if self.probe is None or delivery.invoice_id is None:
            return None
        return await self.probe.processed(event=delivery.case.event, invoice_id=delivery.invoice_id, key=delivery.key)
