"""2.1 webhook delivery: failed attempts retried on the documented schedule, on the mock's clock.

``x-webhook-delivery`` of the 2.1 spec says it all: a receiver answers within ``answer_within_seconds``;
a 5xx, a 429 or no answer is retried after ``retry_delays_seconds`` (``retries`` in all after the first),
except where an override matches (the sandbox's ``invoice.status_changed``: 2 retries after 5 s and
15 s); any other answer counts as delivered. The waits are clock seconds: the store queues each retry on
its work queue, so ``POST /_control/clock/advance`` brings it, and no test sleeps for it. Redirects and the
circuit breaker are not modelled (the mock's receivers are the suites' own).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apipay_harness.core.types import JSONObject
from apipay_harness.mock.faults import Faults
from apipay_harness.mock.webhooks import Dispatcher

__all__ = ["DeliveryPolicy", "RetryingDispatcher", "read_policy"]

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """When a delivery counts as failed and how long to wait before each retry, by event."""

    answer_within: float
    delays: tuple[float, ...]
    """Clock seconds before retry 1, 2, ... (its length is the number of retries)."""
    overrides: tuple[tuple[bool, frozenset[str], tuple[float, ...]], ...]
    """(is_sandbox, events, delays) of each override, first match wins."""
    retry_statuses: frozenset[int]
    retry_from: int
    """Statuses from this one up are retried (5xx)."""
    retry_no_answer: bool

    def delays_for(self, event: str, *, sandbox: bool) -> tuple[float, ...]:
        """The retry delays of one event's deliveries."""
        for is_sandbox, events, delays in self.overrides:
            if is_sandbox == sandbox and event in events:
                return delays
        return self.delays

    def failed(self, record: Record) -> bool:
        """Whether the attempt asks for a retry: a 5xx, a listed status, or no answer at all."""
        status = record.get("status_code")
        if status is None:
            return self.retry_no_answer
        return int(status) >= self.retry_from or int(status) in self.retry_statuses


def read_policy(spec: JSONObject) -> DeliveryPolicy:
    """The policy of the spec's ``x-webhook-delivery`` (a missing key fails at start-up)."""
    data = spec["x-webhook-delivery"]
    delays = tuple(float(d) for d in data["retry_delays_seconds"])
    assert len(delays) == int(data["retries"]), "x-webhook-delivery: one delay per retry"
    overrides = []
    for override in data.get("overrides", ()):
        when = override["when"]
        own = tuple(float(d) for d in override["retry_delays_seconds"])
        assert len(own) == int(override["retries"]), "x-webhook-delivery override: one delay per retry"
        overrides.append((bool(when["is_sandbox"]), frozenset(when["events"]), own))
    retry_on = data["retry_on"]
    return DeliveryPolicy(
        answer_within=float(data["answer_within_seconds"]),
        delays=delays,
        overrides=tuple(overrides),
        retry_statuses=frozenset(int(s) for s in retry_on["statuses"]),
        retry_from=int(retry_on["status_at_least"]),
        retry_no_answer=bool(retry_on["no_answer"]),
    )


class RetryingDispatcher(Dispatcher):
    """The seed's dispatcher, telling the store when an attempt has ended (so it can queue the retry)."""

    def __init__(self, *, faults: Faults, policy: DeliveryPolicy) -> None:
        super().__init__(faults=faults, timeout=policy.answer_within)
        self.policy = policy
        self._ended: dict[int, Callable[[Record], None]] = {}

    def attempt(
        self, *, url: str, secret: str, payload: dict[str, Any], attempt: int, ended: Callable[[Record], None]
    ) -> None:
        """Send one attempt and call ``ended`` with its record when it has an answer or none."""
        record = self.send(url=url, secret=secret, payload=payload)
        record["attempt"] = attempt
        if record["error"] is not None:  # not sent at all (no loop, too many under way): it failed now
            ended(record)
        else:
            self._ended[id(record)] = ended

    async def _deliver(self, record: Record, body: bytes, delay: float) -> None:
        try:
            await super()._deliver(record, body, delay)
        finally:
            ended = self._ended.pop(id(record), None)
            if ended is not None:
                ended(record)

    def clear(self) -> None:
        """Forget the records and the attempts still waiting for their end."""
        super().clear()
        self._ended.clear()
