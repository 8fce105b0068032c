"""The checks a webhook receiver is judged by, one registered function each (the name is the report's check id).

Each check's docstring is its one-line description; ``apipay-harness receiver --list-checks`` renders them as the
table in docs/receiver.md. With a probe, every check that sends also reads the receiver's count: at most 1 for a
correct delivery however often it arrived, 0 for a forged one.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from apipay_harness.core.spec import escape_pointer
from apipay_harness.receiver.exchange import Exchange
from apipay_harness.receiver.judge import Finding, Judge
from apipay_harness.receiver.payloads import Delivery
from apipay_harness.receiver.rules import DELIVERY_EXTENSION, EventCase

__all__ = ["CHECKS", "ReceiverCheck", "RunLevel", "PerEvent"]

_COMPLETED = "completed"
"""The refund status the distinct-refunds check sends (a refund that went through)."""

PerEvent: TypeAlias = Callable[[Judge, EventCase], Awaitable[Finding]]
RunLevel: TypeAlias = Callable[[Judge], Awaitable[Finding]]


@dataclass(frozen=True, slots=True)
class ReceiverCheck:
    """A registered check: its id, its suite, and whether it runs once per event case or once per run."""

    name: str
    suite: str
    summary: str
    per_event: PerEvent | None = None
    run_level: RunLevel | None = None


CHECKS: dict[str, ReceiverCheck] = {}
"""Every check, in the order a run sends them."""


def _register(check: ReceiverCheck) -> None:
    if check.name in CHECKS:
        raise ValueError(f"receiver check {check.name!r} is registered twice")
    CHECKS[check.name] = check


def _per_event(suite: str) -> Callable[[PerEvent], PerEvent]:
    def register(func: PerEvent) -> PerEvent:
        _register(ReceiverCheck(func.__name__, suite, _summary(func), per_event=func))
        return func

    return register


def _run_level(suite: str) -> Callable[[RunLevel], RunLevel]:
    def register(func: RunLevel) -> RunLevel:
        _register(ReceiverCheck(func.__name__, suite, _summary(func), run_level=func))
        return func

    return register


def _summary(func: Callable[..., object]) -> str:
    return (func.__doc__ or func.__name__).strip().splitlines()[0]


# ----- delivery ---------------------------------------------------------------------------------------------------


@_per_event("delivery")
async def signed_delivery_accepted(judge: Judge, case: EventCase) -> Finding:
    """A correctly signed delivery of every documented event and status is answered 2xx in time."""
    delivery = judge.delivery(case)
    done = await judge.deliver(delivery)
    if not done.accepted:
        return _not_accepted(judge, case, [done], what="a correctly signed delivery")
    return await _counted(judge, [delivery], (done,), allowed=1)


# ----- signature --------------------------------------------------------------------------------------------------


@_per_event("signature")
async def wrong_signature_rejected(judge: Judge, case: EventCase) -> Finding:
    """A delivery carrying a well-formed but wrong signature is not answered 2xx."""
    delivery = judge.delivery(case)
    wrong = judge.signature(secrets.token_bytes(32), secret=secrets.token_hex(16))
    return await _rejected(judge, delivery, delivery.body, wrong, what="a delivery with a wrong signature")


@_per_event("signature")
async def missing_signature_rejected(judge: Judge, case: EventCase) -> Finding:
    """A delivery without the signature header is not answered 2xx."""
    delivery = judge.delivery(case)
    return await _rejected(judge, delivery, delivery.body, None, what="a delivery without a signature header")


@_per_event("signature")
async def respaced_body_rejected(judge: Judge, case: EventCase) -> Finding:
    """The signed JSON re-sent with other spacing, under the original signature, is not answered 2xx."""
    what = "a body re-spaced after signing (the signature must cover the exact bytes received)"
    return await _tampered(judge, case, Delivery.respaced, what=what)


@_per_event("signature")
async def reordered_body_rejected(judge: Judge, case: EventCase) -> Finding:
    """The signed JSON re-sent with its keys in another order, under the original signature, is not answered 2xx."""
    what = "a body whose keys were reordered after signing (the signature must cover the exact bytes received)"
    return await _tampered(judge, case, Delivery.reordered, what=what)


@_per_event("signature")
async def altered_body_rejected(judge: Judge, case: EventCase) -> Finding:
    """The signed JSON re-sent with one field changed, under the original signature, is not answered 2xx."""
    return await _tampered(judge, case, Delivery.altered, what="a body altered after signing")


@_per_event("signature")
async def other_secret_rejected(judge: Judge, case: EventCase) -> Finding:
    """A delivery signed with another organization's secret is not answered 2xx."""
    delivery = judge.delivery(case)
    signature = judge.signature(delivery.body, secret=secrets.token_hex(16))
    what = "a delivery signed with another organization's secret"
    return await _rejected(judge, delivery, delivery.body, signature, what=what)


# ----- idempotency ------------------------------------------------------------------------------------------------


@_per_event("idempotency")
async def duplicate_delivery_accepted(judge: Judge, case: EventCase) -> Finding:
    """The same delivery sent twice (same bytes, same signature) is answered 2xx both times."""
    delivery = judge.delivery(case)
    sent = (await judge.deliver(delivery), await judge.deliver(delivery))
    if not all(done.accepted for done in sent):
        what = "the same delivery sent twice"
        return _not_accepted(judge, case, list(sent), what=what, rule=judge.rules.idempotency_pointer)
    return await _counted(judge, [delivery], sent, allowed=1)


@_run_level("idempotency")
async def out_of_order_accepted(judge: Judge) -> Finding:
    """One invoice's deliveries arriving newest first are each answered 2xx."""
    chain = judge.rules.chain
    if len(chain) < 2:
        return Finding("skipped", message="the spec names no invoice that sends two webhooks in a row")
    story = list(reversed(judge.story(chain)))
    sent = tuple([await judge.deliver(delivery) for delivery in story])
    order = " → ".join(_status(d) for d in story)
    if not all(done.accepted for done in sent):
        return _not_accepted(judge, None, list(sent), what=f"one invoice's deliveries out of order ({order})")
    return await _counted(judge, story, sent, allowed=1)


@_run_level("idempotency")
async def late_duplicate_accepted(judge: Judge) -> Finding:
    """A delivery repeated after a newer status of the same invoice is answered 2xx."""
    chain = judge.rules.chain
    if len(chain) < 2:
        return Finding("skipped", message="the spec names no invoice that sends two webhooks in a row")
    story = judge.story(chain)
    sequence = [*story, story[0]]
    sent = tuple([await judge.deliver(delivery) for delivery in sequence])
    order = " → ".join(_status(d) for d in sequence)
    if not all(done.accepted for done in sent):
        what = f"a late duplicate ({order})"
        return _not_accepted(judge, None, list(sent), what=what, rule=judge.rules.idempotency_pointer)
    return await _counted(judge, story, sent, allowed=1)


@_run_level("idempotency")
async def distinct_refunds_each_processed(judge: Judge) -> Finding:
    """Two refunds of one invoice at the same invoice status are two events: each answered 2xx and processed."""
    event = next((e for e, key in judge.rules.dedup_keys.items() if "refund.id" in key), None)
    case = next((c for c in judge.rules.cases if c.event == event), None)
    if case is None:
        return Finding(
            "skipped",
            message="the spec keys no event by its refund: two refunds at one invoice status are one event to it",
        )
    invoice_id = judge.fresh_invoice()
    refunds = [judge.delivery(case, invoice_id=invoice_id, refund_status=_COMPLETED) for _ in range(2)]
    sent = tuple([await judge.deliver(delivery) for delivery in refunds])
    what = f"two refunds of one invoice ({', '.join(_key(d) for d in refunds)})"
    if not all(done.accepted for done in sent):
        return _not_accepted(judge, case, list(sent), what=what, rule=_dedup_pointer(event))
    return await _counted(judge, refunds, sent, allowed=1, at_least=1, rule=_dedup_pointer(event))


@_run_level("idempotency")
async def probe_contract_followed(judge: Judge) -> Finding:
    """The probe counts 0 for an invoice never sent; without --probe-url only the answers are judged."""
    if judge.probe is None:
        return Finding(
            "skipped",
            message="no --probe-url: only the answers are judged; a receiver that answers 2xx to a duplicate "
            "but processes it twice is not detected",
        )
    case = judge.rules.chain[0] if judge.rules.chain else judge.rules.cases[0]
    never_sent = judge.delivery(case)
    reading = await judge.probe.processed(event=case.event, invoice_id=judge.fresh_invoice(), key=never_sent.key)
    if reading.processed is None:
        return Finding("error", title="the probe broke its contract", message=f"{reading.problem}\n{reading.query}")
    if reading.processed != 0:
        return Finding(
            "failed",
            title="the probe counts an invoice that was never sent",
            message=f'Expected: {{"processed": 0}}\nReceived: {{"processed": {reading.processed}}}\n{reading.query}',
        )
    return Finding("passed")


# ----- shared verdicts --------------------------------------------------------------------------------------------


async def _tampered(judge: Judge, case: EventCase, tamper: Callable[[Delivery], bytes], *, what: str) -> Finding:
    """A delivery's body changed after signing, sent under its original signature, must be refused."""
    delivery = judge.delivery(case)
    return await _rejected(judge, delivery, tamper(delivery), judge.signature(delivery.body), what=what)


async def _rejected(judge: Judge, delivery: Delivery, body: bytes, signature: str | None, *, what: str) -> Finding:
    """A forged request must not be answered 2xx, and (with a probe) must not be processed."""
    done = await judge.post(body, signature=signature)
    if done.accepted:
        return Finding(
            "failed",
            title=f"accepted {what}",
            message=f"Expected: any answer but 2xx (verify {judge.rules.signature_header} over the exact bytes "
            f"received, with your secret)\nReceived: {done.describe()}",
            rule=judge.rules.signature_pointer,
            exchanges=(done,),
        )
    return await _counted(judge, [delivery], (done,), allowed=0)


def _not_accepted(
    judge: Judge, case: EventCase | None, sent: Sequence[Exchange], *, what: str, rule: str = ""
) -> Finding:
    """A correct delivery that was not answered 2xx in time."""
    late = any(done.status is None and done.problem.startswith("no answer") for done in sent)
    if not rule:
        rule = judge.rules.delivery_pointer if late or case is None else _responses(case)
    lost = "the provider does not retry: the event is lost" if judge.rules.retries == 0 else "the provider retries it"
    received = "\n".join(f"  {i}. {done.describe()}" for i, done in enumerate(sent, 1))
    first_bad = next(done for done in sent if not done.accepted)
    return Finding(
        "failed",
        title=f"{what}: {first_bad.describe().split(':')[0]}",
        message=f"Expected: 2xx within {judge.deadline:g} s to each request ({lost})\nReceived:\n{received}",
        rule=rule,
        exchanges=tuple(sent),
    )


async def _counted(
    judge: Judge,
    deliveries: Sequence[Delivery],
    sent: tuple[Exchange, ...],
    *,
    allowed: int,
    at_least: int = 0,
    rule: str = "",
) -> Finding:
    """With a probe: each delivery's de-duplication key processed from ``at_least`` to ``allowed`` times."""
    for delivery in deliveries:
        reading = await judge.processed(delivery)
        if reading is None:
            continue
        if reading.processed is None:
            message = f"{reading.problem}\n{reading.query}"
            return Finding("error", title="the probe broke its contract", message=message, exchanges=sent)
        if not at_least <= reading.processed <= allowed:
            times = "never" if allowed == 0 else "at most once" if at_least == 0 else "exactly once"
            return Finding(
                "failed",
                title=f"{_status(delivery)} of invoice {delivery.invoice_id} processed {reading.processed} times",
                message=f"Expected: processed {times} (the probe's count of {_key(delivery)})\nReceived: "
                f'{{"processed": {reading.processed}}} from {reading.query}',
                rule=rule or judge.rules.idempotency_pointer,
                exchanges=sent,
            )
    return Finding("passed", exchanges=sent)


def _key(delivery: Delivery) -> str:
    return " ".join(f"{path}={value}" for path, value in delivery.key.items())


def _dedup_pointer(event: str | None) -> str:
    return f"/{DELIVERY_EXTENSION}/dedup_keys/{escape_pointer(event or '')}"


def _status(delivery: Delivery) -> str:
    return delivery.case.status or delivery.case.event


def _responses(case: EventCase) -> str:
    return f"/webhooks/{escape_pointer(case.event)}/post/responses"
