"""Webhooks suite: signatures over the raw bytes, payloads against the spec, an event for every transition.

A receiver runs on loopback and is registered for organization 1 through the control API
with a secret made up for this run (it never appears in a message). One scenario drives
invoices through every transition that sends a webhook and through rejected attempts that
must send none; the oracle says which events must arrive. A last payment serves as a
sentinel: once its event is in, everything sent before it is taken to have arrived.

Each transition must be delivered at least once. A second delivery of the same event (same
event, invoice, status and, for ``invoice.refunded``, totals) is no fault: webhooks.md tells
receivers to "handle duplicate deliveries", keyed on ``invoice.id`` + ``status``, and nowhere
promises a single one. A delivery that matches no transition (a refused step, a status the
invoice never had, a wrong total) is a fault however often it comes.

The scenario runs by the most tolerant path: a rule broken on the way is reported once, by
the first check of this module that runs, and the invoice it touched is left out of the
event count (the model cannot say what a wrongly accepted step sends); every other check
still judges every delivery (``contracts/model_build.py``).

Where the spec documents retries (``x-webhook-delivery``: 2.1), a receiver of its own answers one
invoice's event with a 500 (then 429, no answer, 503 in turn) and the target's clock is moved past
each documented wait: each must bring the next attempt of the same event (equal ``dedup_keys``),
as many as documented and, once the longest wait has passed again, no more. The clock is moved only
after the control API's log shows the attempt answered, so the retry is due from a known time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from typing import Any

import pytest

from apipay_harness.core.checks import (
    DELIVERIES_RECORDED,
    ONE_EVENT_PER_TRANSITION,
    PAYLOAD_DESCRIBES_INVOICE,
    PAYLOAD_MATCHES_SCHEMA,
    SIGNATURE_OVER_RAW_BYTES,
    WEBHOOK_RETRIED,
    Check,
)
from apipay_harness.core.webhook_inbox import NO_ANSWER, Delivery, webhook_inbox
from contracts.checks.sample import flat_invoice
from contracts.client import ApiClient
from contracts.control import Control, Sandbox
from contracts.model_build import BuildLog
from contracts.model_driver import SETTLE_SECONDS, Driver, polls
from contracts.model_schemas import SchemaBook, decode_json
from contracts.oracle import ExpectedEvent, Oracle, money
from contracts.violations import Violation, expected_received

_DEADLINE = 10.0
"""Seconds to wait for the deliveries a scenario must cause."""


@dataclass
class Scenario:
    """What the scenario made the target send, and what the oracle says it must have sent."""

    url: str
    secret: str
    oracle: Oracle
    deliveries: list[Delivery]
    invoice_ids: set[int]
    book: SchemaBook
    log: BuildLog
    """The rules broken while the scenario ran, and the invoices they leave out of the event count."""

    def payloads(self) -> list[tuple[Delivery, Any]]:
        """Every delivery about this scenario's invoices, with its decoded body (None when it is not JSON)."""
        found = []
        for delivery in self.deliveries:
            try:
                body = decode_json(delivery.body)
            except ValueError:
                body = None
            invoice = body.get("invoice") if isinstance(body, dict) else None
            if body is None or (isinstance(invoice, dict) and invoice.get("id") in self.invoice_ids):
                found.append((delivery, body))
        return found


def _event_key(body: Any) -> tuple[str, int, str, Decimal | None] | None:
    try:
        invoice = body["invoice"]
        total = money(invoice["total_refunded"]) if body["event"] == "invoice.refunded" else None
        return (str(body["event"]), int(invoice["id"]), str(invoice["status"]), total)
    except (KeyError, TypeError, ValueError):
        return None


def _matches(event: ExpectedEvent, key: tuple[str, int, str, Decimal | None] | None, readings: frozenset[str]) -> bool:
    """Whether a delivery with ``key`` announces ``event`` (its total one the readings still allowed accept)."""
    if key is None or key[:3] != (event.event, event.invoice_id, event.status):
        return False
    totals = event.allowed_totals(readings)
    return totals is None or key[3] in totals


def _unmatched(
    events: list[ExpectedEvent], keys: list[tuple[str, int, str, Decimal | None] | None], readings: frozenset[str]
) -> tuple[list[ExpectedEvent], list[tuple[str, int, str, Decimal | None] | None]]:
    """The events no delivery announces, and the deliveries that announce no event."""
    missing = [e for e in events if not any(_matches(e, k, readings) for k in keys)]
    extra = [k for k in keys if not any(_matches(e, k, readings) for e in events)]
    return missing, extra


def _drive(driver: Driver, log: BuildLog, simulator: Driver | None = None) -> None:
    """Every transition that sends a webhook, and rejected attempts that must send none, then the sentinel.

    Where the API has the sandbox's simulate-status (``simulator``), one invoice is paid through it: a
    simulated payment is a payment, and sends the webhook any payment sends.
    """
    tag = f"wh{uuid.uuid4().hex[:10]}"
    # Whole amounts: a multiple of every version's amount step (2.1's phone invoices take whole tenge only).
    created: list[int] = []

    def create(amount: str, **fields: Any) -> int | None:
        invoice = log.create(lambda: driver.create(amount=Decimal(amount), external_order_id=tag, **fields))
        if invoice is not None:
            created.append(invoice)
        return invoice

    def steps(invoice: int | None, *actions: Callable[[int], object]) -> None:
        """Each action on the invoice, one after the other, each recorded if it breaks a rule."""
        if invoice is not None:
            for action in actions:
                log.attempt(partial(action, invoice), invoices=[invoice])

    steps(
        create("100.00", description="webhooks"),
        lambda i: driver.pay(i, client_name="aigerim"),
        lambda i: driver.refund(i, Decimal("40.00"), reason="part"),
        lambda i: driver.refund(i, None, reason="rest"),
        lambda i: driver.refund(i, Decimal("1.00")),  # rejected: nothing left
        driver.cancel,  # rejected: not pending
    )
    steps(create("55"), driver.cancel, driver.pay)  # the payment is rejected: not pending any more
    steps(
        create("10.00"),
        driver.expire,
        lambda i: driver.refund(i, None),  # rejected: never paid
        driver.cancel,  # rejected: not pending
    )
    steps(create("12"), lambda i: driver.refund(i, Decimal("1.00")))  # rejected: not paid
    if simulator is not None:
        steps(create("20"), lambda i: simulator.pay(i, client_name="simulated"))
    log.attempt(lambda: driver.advance(SETTLE_SECONDS))
    for invoice in created:
        steps(invoice, driver.check)
    steps(create("1.00"), driver.pay)  # the sentinel


@pytest.fixture(scope="module")
def scenario(api: ApiClient, control: Control, spec: dict[str, Any]) -> Iterator[Scenario]:
    """Register a receiver, run the scenario and wait (with a deadline) for the sentinel's event."""
    secret = secrets.token_hex(24)
    with webhook_inbox() as receiver:
        control.register_webhook(url=receiver.url, secret=secret, api_key=api.key or "")
        oracle = Oracle.from_spec(spec)
        book = SchemaBook(spec)
        driver = Driver(api=api, oracle=oracle, book=book, control=control)
        try:
            simulator: Driver | None = Driver(api=api, oracle=oracle, book=book, sandbox=Sandbox(api, spec))
        except LookupError:  # no simulate-status in this version's API
            simulator = None
        log = BuildLog("running the webhooks scenario")
        _drive(driver, log, simulator)
        wanted = [e for e in oracle.events if e.invoice_id not in log.tainted]

        def arrived(deliveries: list[Delivery]) -> bool:
            keys = [_event_key(_safe_json(d.body)) for d in deliveries]
            return not _unmatched(wanted, keys, oracle.readings)[0]

        deliveries = receiver.wait_for(arrived, timeout=_DEADLINE)
        yield Scenario(receiver.url, secret, oracle, deliveries, set(oracle.invoices), book, log)


def _safe_json(raw: bytes) -> Any:
    try:
        return decode_json(raw)
    except ValueError:
        return None


def _fail(check: Check, title: str, expected: Any, received: Any, rule: str, operation: str = "*") -> Violation:
    return Violation(
        operation=operation, check=check, title=title, message=expected_received(expected, received), rule=rule
    )


@pytest.mark.contract(check=ONE_EVENT_PER_TRANSITION, operation="webhooks")
def test_webhooks_one_event_per_transition_and_none_for_rejected_steps(scenario: Scenario) -> None:
    """Each transition the spec lists is delivered at least once (duplicates allowed); nothing else is sent.

    An invoice a broken step touched is left out: the model cannot say what a wrongly accepted step sends.
    """
    with scenario.log.judging():
        tainted = scenario.log.tainted
        expected = [e for e in scenario.oracle.events if e.invoice_id not in tainted]
        received = [
            key for key in (_event_key(body) for _, body in scenario.payloads()) if key is None or key[1] not in tainted
        ]
        missing, extra = _unmatched(expected, received, scenario.oracle.readings)
        if missing or extra:
            shown_missing = sorted(_describe_event(e, scenario.oracle.readings) for e in missing)
            shown_extra = sorted(set(map(_describe, extra)))
            raise _fail(
                ONE_EVENT_PER_TRANSITION,
                f"the webhooks sent differ from the transitions ({len(missing)} never sent, "
                f"{len(shown_extra)} sent for no transition)",
                f"{len(expected)} events, each at least once (a duplicate of the same event is allowed)",
                f"never sent {shown_missing}; sent for no transition {shown_extra}",
                ONE_EVENT_PER_TRANSITION.rule,
            )


def _describe_event(event: ExpectedEvent, readings: frozenset[str]) -> str:
    totals = event.allowed_totals(readings)
    shown = f" total_refunded {' or '.join(map(str, sorted(totals)))}" if totals else ""
    return f"{event.event} invoice {event.invoice_id} {event.status}{shown}"


def _describe(key: Any) -> str:
    if key is None:
        return "an unreadable payload"
    event, invoice, status, total = key
    return f"{event} invoice {invoice} {status}" + (f" total_refunded {total}" if total is not None else "")


@pytest.mark.contract(check=SIGNATURE_OVER_RAW_BYTES, operation="webhooks")
def test_webhooks_signature_is_hmac_of_raw_body(scenario: Scenario) -> None:
    """``X-Webhook-Signature`` is ``sha256=`` and the hex HMAC-SHA256 of the exact bytes received."""
    with scenario.log.judging():
        if not scenario.payloads():
            pytest.fail("no webhook arrived at the receiver, so no signature could be checked")
        for delivery, body in scenario.payloads():
            wanted = "sha256=" + hmac.new(scenario.secret.encode(), delivery.body, hashlib.sha256).hexdigest()
            got = delivery.headers.get("x-webhook-signature", "")
            if not hmac.compare_digest(wanted, got):
                raise _fail(
                    SIGNATURE_OVER_RAW_BYTES,
                    f"the signature of the delivery {_describe(_event_key(body))} is not the HMAC of its raw body",
                    "sha256=<hex HMAC-SHA256 of the raw body keyed by the registered secret>",
                    "a different value" if got else "no X-Webhook-Signature header",
                    SIGNATURE_OVER_RAW_BYTES.rule,
                )


@pytest.mark.contract(check=PAYLOAD_MATCHES_SCHEMA, operation="webhooks")
def test_webhooks_payload_matches_spec_schema(scenario: Scenario) -> None:
    """Every payload validates against the spec's schema of its event and is sent as JSON."""
    with scenario.log.judging():
        for delivery, body in scenario.payloads():
            event = str(body.get("event")) if isinstance(body, dict) else ""
            if event not in (scenario.book.spec.get("webhooks") or {}):
                raise _fail(
                    PAYLOAD_MATCHES_SCHEMA,
                    "a delivery names no documented event",
                    "a JSON body with an event of the spec's webhooks",
                    delivery.body[:200].decode(errors="replace"),
                    "#/webhooks",
                )
            problems = scenario.book.errors(scenario.book.webhook_pointer(event), body)
            content_type = delivery.headers.get("content-type", "")
            if not content_type.startswith("application/json"):
                problems.append(f"Content-Type is {content_type!r}")
            if problems:
                raise _fail(
                    PAYLOAD_MATCHES_SCHEMA,
                    f"a {event} payload does not match the spec",
                    "a payload valid against the spec",
                    "; ".join(problems[:5]),
                    scenario.book.webhook_pointer(event),
                    operation=event,
                )


@pytest.mark.contract(check=PAYLOAD_DESCRIBES_INVOICE, operation="webhooks")
def test_webhooks_payload_carries_invoice_amount_and_order_id(scenario: Scenario) -> None:
    """Each payload's invoice has the model's amount and external order id."""
    with scenario.log.judging():
        for _, body in scenario.payloads():
            key = _event_key(body)
            if key is None or key[1] not in scenario.oracle.invoices:
                continue
            invoice = scenario.oracle.invoices[key[1]]
            got = (money(body["invoice"].get("amount", "0")), body["invoice"].get("external_order_id"))
            if got != (invoice.amount, invoice.external_order_id):
                raise _fail(
                    PAYLOAD_DESCRIBES_INVOICE,
                    f"the {key[0]} payload of invoice {invoice.id} disagrees with the invoice",
                    (str(invoice.amount), invoice.external_order_id),
                    (str(got[0]), got[1]),
                    scenario.book.webhook_pointer(key[0]),
                    operation=key[0],
                )


def _logged(control: Control, url: str) -> Counter[Any]:
    """The deliveries to ``url`` that the control API's log shows as answered 200."""
    logged: Counter[Any] = Counter()
    for entry in control.deliveries():
        if entry.get("url") == url and entry.get("status_code") == 200:
            body = entry.get("body")
            parsed = body if isinstance(body, dict) else _safe_json(str(body).encode())
            logged[_event_key(parsed)] += 1
    return logged


@pytest.mark.contract(check=DELIVERIES_RECORDED, operation="GET /_control/webhooks/deliveries")
def test_webhooks_control_records_each_delivery(scenario: Scenario, control: Control) -> None:
    """The control API's delivery log holds each delivery the receiver got, answered 200."""
    with scenario.log.judging():
        received: Counter[Any] = Counter(_event_key(body) for _, body in scenario.payloads())
        for _ in polls(_DEADLINE):  # the log is written after the receiver answers: read it until the deadline
            logged = _logged(control, scenario.url)
            if not received - logged:
                break
        if received - logged:
            raise _fail(
                DELIVERIES_RECORDED,
                "deliveries the receiver got are missing from the control API's log",
                sorted(map(_describe, received.elements())),
                sorted(map(_describe, logged.elements())),
                DELIVERIES_RECORDED.rule,
                operation="GET /_control/webhooks/deliveries",
            )


# -- retries: x-webhook-delivery ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Schedule:
    """How the spec's ``x-webhook-delivery`` retries one delivery: the waits before each retry, and the longest."""

    delays: tuple[float, ...]
    pauses: dict[int, float | None]
    """The circuit breaker: after this many failures in a row to a receiver, deliveries wait this long (None: stop)."""
    longest: float
    """The longest wait any schedule of the spec has: past it, a sender that retries too often is seen."""

    def waits(self) -> list[float]:
        """The clock seconds before each retry that can be expected, the breaker's pauses included.

        A pause stretches the wait it falls on (whichever is longer holds); after a pause with no end
        (manual intervention) no further retry can be expected, so the list stops there.
        """
        found = []
        for failures, delay in enumerate(self.delays, start=1):
            if failures in self.pauses:
                pause = self.pauses[failures]
                if pause is None:
                    break
                delay = max(delay, pause)
            found.append(delay)
        return found


def _schedule(spec: dict[str, Any], event: str, body: Any) -> Schedule:
    """The retry waits of ``event`` as delivered in ``body`` (an override matches on the event and ``is_sandbox``)."""
    delivery = spec["x-webhook-delivery"]
    invoice = body.get("invoice") if isinstance(body, dict) else None
    sandbox = bool(invoice.get("is_sandbox")) if isinstance(invoice, dict) else False
    delays = delivery["retry_delays_seconds"]
    for override in delivery.get("overrides", ()):
        when = override["when"]
        if bool(when.get("is_sandbox", sandbox)) == sandbox and event in when.get("events", (event,)):
            delays = override["retry_delays_seconds"]
            break
    every = [
        *delivery["retry_delays_seconds"],
        *(d for o in delivery.get("overrides", ()) for d in o["retry_delays_seconds"]),
    ]
    pauses = {
        int(b["consecutive_failures"]): None if b["pause_seconds"] is None else float(b["pause_seconds"])
        for b in delivery.get("circuit_breaker", ())
    }
    return Schedule(tuple(float(d) for d in delays), pauses, float(max(every)))


def _dedup_key(spec: dict[str, Any], body: Any) -> tuple[Any, ...] | None:
    """The values the spec's ``dedup_keys`` name for the delivery's event: equal keys are one event sent twice."""
    if not isinstance(body, dict):
        return None
    paths = (spec["x-webhook-delivery"].get("dedup_keys") or {}).get(body.get("event"))
    if not paths:
        return None
    values: list[Any] = [body.get("event")]
    for dotted in paths:
        node: Any = body
        for part in str(dotted).split("."):
            node = node.get(part) if isinstance(node, dict) else None
        values.append(node)
    return tuple(values)


@dataclass
class RetryProbe:
    """One invoice's first event sent to a receiver that answers as scripted, and the attempts that came."""

    receiver: Any
    control: Control
    spec: dict[str, Any]
    secret: str
    invoice_id: int

    def attempts(self, count: int) -> list[Delivery]:
        """Wait (with a deadline) until ``count`` deliveries about the invoice arrived; return them all."""

        def about(deliveries: list[Delivery]) -> list[Delivery]:
            return [d for d in deliveries if _invoice_of(_safe_json(d.body)) == self.invoice_id]

        return about(self.receiver.wait_for(lambda ds: len(about(ds)) >= count, timeout=_DEADLINE))

    def logged(self) -> list[dict[str, Any]]:
        """The control API's records of the attempts to deliver this invoice's events to this receiver."""
        return [
            e
            for e in self.control.deliveries()
            if e.get("url") == self.receiver.url and e.get("invoice_id") == self.invoice_id
        ]

    def answered(self, count: int) -> None:
        """Wait until the sender has the answer to its ``count``-th attempt, so the retry it queues is due from now."""
        for _ in polls(_DEADLINE):  # the sender notes the answer after the receiver gave it: read until then
            logged = self.logged()
            if len(logged) >= count and all(e.get("status_code") is not None or e.get("error") for e in logged):
                return


def _invoice_of(body: Any) -> int | None:
    invoice = body.get("invoice") if isinstance(body, dict) else None
    value = invoice.get("id") if isinstance(invoice, dict) else None
    return value if isinstance(value, int) else None


@pytest.fixture
def retry_probe(api: ApiClient, control: Control, spec: dict[str, Any]) -> Iterator[Callable[[list[int]], RetryProbe]]:
    """Make a receiver answer as scripted, register it, and have an invoice send its first event to it."""
    with webhook_inbox() as receiver:
        secret = secrets.token_hex(24)
        control.register_webhook(url=receiver.url, secret=secret, api_key=api.key or "")

        def start(answers: list[int]) -> RetryProbe:
            body = {**flat_invoice(spec), "external_order_id": f"retry-{uuid.uuid4().hex[:10]}"}
            created = api.post("/invoices", json=body)
            assert created.status_code == 201, f"setup: creating an invoice answered {created.status_code}"
            probe = RetryProbe(receiver, control, spec, secret, int(created.json()["id"]))
            receiver.script(answers, when=lambda d: _invoice_of(_safe_json(d.body)) == probe.invoice_id)
            for step in _FIRST_EVENT_STEPS:  # a fresh invoice sends its first webhook when it settles, on the clock
                if probe.logged():
                    break
                control.advance(step)
            return probe

        yield start


_FIRST_EVENT_STEPS = (1, 2, 4, 8, 16, 32)
"""Clock seconds advanced, one step after another, until a fresh invoice has sent its first webhook (it settled)."""


def _retry_fail(title: str, expected: Any, received: Any) -> Violation:
    return _fail(WEBHOOK_RETRIED, title, expected, received, WEBHOOK_RETRIED.rule, operation="webhooks")


@pytest.mark.contract(check=WEBHOOK_RETRIED, operation="webhooks")
def test_webhooks_answered_500_is_retried_after_the_documented_wait(
    retry_probe: Callable[[list[int]], RetryProbe],
) -> None:
    """A first attempt answered 500 is sent again once the clock passes the first documented wait: the same event."""
    probe = retry_probe([500])
    first = probe.attempts(1)
    if not first:
        pytest.fail("no webhook arrived at the receiver, so no retry could be judged")
    body = _safe_json(first[0].body)
    schedule = _schedule(probe.spec, str(body.get("event")) if isinstance(body, dict) else "", body)
    probe.answered(1)
    probe.control.advance(schedule.delays[0] + 1)
    got = probe.attempts(2)
    if len(got) < 2:
        raise _retry_fail(
            "a delivery answered 500 was not retried",
            f"a second attempt within {schedule.delays[0]:g} s of the clock after the 500",
            f"{len(got)} attempt(s)",
        )
    keys = {_dedup_key(probe.spec, _safe_json(d.body)) for d in got[:2]}
    if len(keys) != 1 or None in keys:
        raise _retry_fail("the retry is not the same event", "one dedup key for both attempts", sorted(map(str, keys)))


@pytest.mark.contract(check=WEBHOOK_RETRIED, operation="webhooks")
def test_webhooks_retries_follow_the_schedule_and_stop(retry_probe: Callable[[list[int]], RetryProbe]) -> None:
    """Every attempt failing (429, no answer, 503 in turn): one retry after each documented wait, then none."""
    failures = [429, NO_ANSWER, 503]
    probe = retry_probe(failures * 8)
    first = probe.attempts(1)
    if not first:
        pytest.fail("no webhook arrived at the receiver, so no retry could be judged")
    body = _safe_json(first[0].body)
    schedule = _schedule(probe.spec, str(body.get("event")) if isinstance(body, dict) else "", body)
    waits = schedule.waits()
    for number, wait in enumerate(waits, start=1):
        probe.answered(number)
        probe.control.advance(wait + 1)
        got = probe.attempts(number + 1)
        if len(got) < number + 1:
            answer = failures[(number - 1) % len(failures)]
            raise _retry_fail(
                f"attempt {number} ({'no answer' if answer == NO_ANSWER else answer}) was not retried",
                f"{1 + len(waits)} attempts, retry {number} {wait:g} s after attempt {number}",
                f"{len(got)} attempt(s)",
            )
    if len(waits) < len(schedule.delays):
        return  # the breaker stopped the deliveries: how many more may come once someone intervenes is open
    probe.answered(len(waits) + 1)
    probe.control.advance(schedule.longest + 1)
    logged = [
        e
        for e in probe.control.deliveries()
        if e.get("url") == probe.receiver.url and e.get("invoice_id") == probe.invoice_id
    ]
    sent = max(len(logged), len(probe.attempts(0)))
    if sent > 1 + len(schedule.delays):
        raise _retry_fail(
            "a failing delivery was retried more often than documented",
            f"at most {1 + len(schedule.delays)} attempts",
            f"{sent} attempts",
        )
    keys = {_dedup_key(probe.spec, _safe_json(d.body)) for d in probe.attempts(0)}
    if len(keys) != 1 or None in keys:
        raise _retry_fail(
            "the retries are not the same event", "one dedup key for every attempt", sorted(map(str, keys))
        )
