"""What the spec says a webhook receiver must handle: the events, their statuses, the answer time, the signature.

Nothing here is restated from the provider's documents: every fact is read from the spec (``webhooks``, the
``x-status-transitions`` table on ``InvoiceStatus`` and the top-level ``x-webhook-delivery`` extension), so a new
API version brings its own events and limits with its own spec file.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from apipay_harness.core.errors import SpecError
from apipay_harness.core.spec import escape_pointer, resolve, status_transitions
from apipay_harness.core.types import JSONObject

__all__ = ["DEFAULT_DEDUP_KEY", "DELIVERY_EXTENSION", "EventCase", "ReceiverRules", "read_rules"]

DELIVERY_EXTENSION = "x-webhook-delivery"
"""The spec's top-level extension that says how webhooks are delivered (answer time, retries)."""

DEFAULT_DEDUP_KEY = ("invoice.id", "invoice.status")
"""What a receiver de-duplicates an event on when the spec's ``dedup_keys`` do not name the event."""


@dataclass(frozen=True, slots=True)
class EventCase:
    """One kind of delivery a receiver must accept: an event, and the invoice status it carries (if any)."""

    event: str
    status: str | None

    @property
    def label(self) -> str:
        """``invoice.status_changed paid``: the report's operation column."""
        return self.event if self.status is None else f"{self.event} {self.status}"


@dataclass(frozen=True, slots=True)
class ReceiverRules:
    """The documented contract of a webhook receiver, as one spec states it."""

    spec: JSONObject
    version: str
    cases: tuple[EventCase, ...]
    """Every event with every status the spec says it is sent for, in the spec's order."""
    chain: tuple[EventCase, ...]
    """The longest run of webhook-sending statuses one invoice can go through, in lifecycle order."""
    money_taken: frozenset[str]
    """Statuses an invoice can only have after it was paid (reachable from a refundable status)."""
    refundable: frozenset[str]
    answer_within: Decimal
    retries: int
    signature_header: str
    signature_schema: JSONObject
    signature_pointer: str
    idempotency_pointer: str
    """Where the spec says receivers must be idempotent (a webhook's description)."""
    dedup_keys: dict[str, tuple[str, ...]]
    """Per event, the dotted paths of the fields a receiver de-duplicates on (``refund.id``, ``refund.status``)."""

    def dedup_key(self, event: str) -> tuple[str, ...]:
        """The fields two deliveries of ``event`` share exactly when they report the same thing."""
        return self.dedup_keys.get(event, DEFAULT_DEDUP_KEY)

    def body_schema_pointer(self, event: str) -> str:
        """The JSON pointer of the schema a delivery of ``event`` must satisfy."""
        pointer = f"/webhooks/{escape_pointer(event)}/post/requestBody/content/application~1json/schema"
        node = _at(self.spec, pointer)
        if isinstance(node, dict) and isinstance(node.get("$ref"), str) and node["$ref"].startswith("#/"):
            return str(node["$ref"][1:])
        return pointer

    def operation(self, event: str) -> JSONObject:
        """The spec's ``webhooks/<event>/post`` object."""
        node = _at(self.spec, f"/webhooks/{escape_pointer(event)}/post")
        if not isinstance(node, dict):
            raise SpecError(f"the spec's webhooks/{event} has no post operation")
        return node

    @property
    def delivery_pointer(self) -> str:
        """Where the answer time is written in the spec (the rule a slow answer breaks)."""
        return f"/{DELIVERY_EXTENSION}/answer_within_seconds"


def read_rules(spec: JSONObject) -> ReceiverRules:
    """Read the receiver's contract from ``spec``; a spec that does not state it is a SpecError (exit 2)."""
    webhooks = spec.get("webhooks")
    if not isinstance(webhooks, dict) or not webhooks:
        raise SpecError("the spec declares no webhooks; there is nothing to judge a receiver against")
    transitions = status_transitions(spec)
    sent_for = {str(e): [str(s) for s in statuses] for e, statuses in (transitions.get("webhooks") or {}).items()}
    cases: list[EventCase] = []
    for event in webhooks:
        statuses = sent_for.get(str(event))
        if statuses:
            cases += [EventCase(str(event), status) for status in statuses]
        else:
            cases.append(EventCase(str(event), None))
    table = transitions.get("statuses") or {}
    refundable = frozenset(str(s) for s, facts in table.items() if isinstance(facts, dict) and facts.get("can_refund"))
    delivery = spec.get(DELIVERY_EXTENSION)
    if not isinstance(delivery, dict):
        raise SpecError(f"the spec has no top-level {DELIVERY_EXTENSION} (answer_within_seconds, retries)")
    answer_within = _positive_decimal(delivery.get("answer_within_seconds"), "answer_within_seconds")
    retries = delivery.get("retries")
    if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
        raise SpecError(f"{DELIVERY_EXTENSION}.retries must be a whole number of at least 0, found {retries!r}")
    header_pointer, header = _signature_parameter(spec, webhooks)
    return ReceiverRules(
        spec=spec,
        version=str((spec.get("info") or {}).get("version", "")),
        cases=tuple(cases),
        chain=_longest_chain(transitions, sent_for),
        money_taken=_reachable(table, refundable),
        refundable=refundable,
        answer_within=answer_within,
        retries=retries,
        signature_header=str(header["name"]),
        signature_schema=dict(header.get("schema") or {}),
        signature_pointer=header_pointer,
        idempotency_pointer=_idempotency_pointer(webhooks),
        dedup_keys=_dedup_keys(delivery.get("dedup_keys")),
    )


def _dedup_keys(raw: Any) -> dict[str, tuple[str, ...]]:
    """``dedup_keys``: event name → the dotted field paths of its de-duplication key (optional in a spec)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(paths, list) and paths and all(isinstance(p, str) and p for p in paths) for paths in raw.values()
    ):
        raise SpecError(f"{DELIVERY_EXTENSION}.dedup_keys must map each event to a list of field paths, found {raw!r}")
    return {str(event): tuple(paths) for event, paths in raw.items()}


def _at(spec: JSONObject, pointer: str) -> Any:
    node: Any = spec
    for token in pointer.lstrip("/").split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or token not in node:
            return None
        node = node[token]
    return node


def _positive_decimal(value: Any, name: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        number = Decimal(0)
    if isinstance(value, bool) or not number.is_finite() or number <= 0:
        raise SpecError(f"{DELIVERY_EXTENSION}.{name} must be a positive number of seconds, found {value!r}")
    return number


def _signature_parameter(spec: JSONObject, webhooks: JSONObject) -> tuple[str, JSONObject]:
    """The header every delivery is signed in: the one required header parameter all webhooks share."""
    found: dict[str, tuple[str, JSONObject]] = {}
    for event, item in webhooks.items():
        params = ((item or {}).get("post") or {}).get("parameters") or []
        for index, raw in enumerate(params):
            param = resolve(spec, raw)
            if isinstance(param, dict) and param.get("in") == "header" and param.get("required"):
                pointer = raw["$ref"][1:] if isinstance(raw, dict) and "$ref" in raw else ""
                pointer = pointer or f"/webhooks/{escape_pointer(str(event))}/post/parameters/{index}"
                found.setdefault(str(param.get("name", "")).lower(), (pointer, param))
    if len(found) != 1:
        raise SpecError(f"expected one required signature header shared by every webhook, found {sorted(found)}")
    return next(iter(found.values()))


def _idempotency_pointer(webhooks: JSONObject) -> str:
    for event, item in webhooks.items():
        description = str(((item or {}).get("post") or {}).get("description") or "")
        if "idempotent" in description.lower():
            return f"/webhooks/{escape_pointer(str(event))}/post/description"
    return "idempotent receivers (the docs' webhook response requirements)"


def _longest_chain(transitions: JSONObject, sent_for: dict[str, list[str]]) -> tuple[EventCase, ...]:
    """The longest path from the initial status through statuses that send a webhook (no status twice)."""
    table = transitions.get("statuses") or {}
    event_of = {status: event for event, statuses in sent_for.items() for status in statuses}
    best: list[str] = []

    def walk(status: str, path: list[str]) -> None:
        nonlocal best
        sending = [s for s in path if s in event_of]
        if len(sending) > len(best):
            best = sending
        for nxt in (table.get(status) or {}).get("successors") or []:
            if nxt not in path:
                walk(str(nxt), [*path, str(nxt)])

    initial = transitions.get("initial")
    if isinstance(initial, str):
        walk(initial, [initial])
    return tuple(EventCase(event_of[s], s) for s in best)


def _reachable(table: JSONObject, start: frozenset[str]) -> frozenset[str]:
    seen = set(start)
    todo = list(start)
    while todo:
        for nxt in (table.get(todo.pop()) or {}).get("successors") or []:
            if nxt not in seen:
                seen.add(str(nxt))
                todo.append(str(nxt))
    return frozenset(seen)
