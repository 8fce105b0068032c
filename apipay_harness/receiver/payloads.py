"""Realistic webhook deliveries built from the spec's event schemas, and the tampered copies of them.

A delivery is one invoice's story at one status: which fields it has, their types and the allowed statuses come
from the event's schema (and its example for fields the story does not set); the values follow the invoice (money
as two-decimal strings computed with ``Decimal``, ``paid_at`` only once it was paid). Every delivery built is
validated against its schema before it is sent, so the judge never sends what the spec forbids.

The bytes are compact UTF-8 JSON with non-ASCII text left as is (a Kazakh client name): a receiver that verifies a
re-serialised body instead of the bytes it received computes another signature.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from apipay_harness.core.errors import SpecError
from apipay_harness.core.spec import resolve
from apipay_harness.core.types import JSONObject
from apipay_harness.receiver.rules import EventCase, ReceiverRules

__all__ = ["INVOICE_AMOUNT", "Delivery", "PayloadBuilder", "encode"]

INVOICE_AMOUNT = Decimal("15000.00")
"""What every judged invoice costs; partial refunds are a third of it."""

_CENTS = Decimal("0.01")
_SPEC_URI = "urn:apipay:receiver-spec"
_CLIENT = "Айгерим Сейткали"
_ORDER_PREFIX = "apipay-harness-"
_FORMATS = FormatChecker(["date-time"])


def encode(data: Any) -> bytes:
    """The bytes a delivery carries: compact JSON, UTF-8, non-ASCII kept."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event as sent: its data, its exact bytes, and the invoice it is about."""

    case: EventCase
    data: JSONObject
    invoice_id: int | None
    key: dict[str, Any] = field(default_factory=dict)
    """The delivery's de-duplication key: each field path the spec names for its event, with its value here."""
    body: bytes = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "body", encode(self.data))

    def respaced(self) -> bytes:
        """The same JSON with other spacing (what a re-serialising framework might hand a handler)."""
        return json.dumps(self.data, ensure_ascii=False, indent=2).encode("utf-8")

    def reordered(self) -> bytes:
        """The same JSON, compact, with every object's keys in reverse order."""
        return encode(_reverse_keys(self.data))

    def altered(self) -> bytes:
        """The same bytes' layout with one field changed: the invoice's amount, or else the timestamp."""
        data = copy.deepcopy(self.data)
        if not _bump_money(data):
            data["timestamp"] = _iso(datetime.now(UTC) + timedelta(days=1))
        return encode(data)


class PayloadBuilder:
    """Builds valid deliveries of every event the rules list."""

    def __init__(self, rules: ReceiverRules) -> None:
        self.rules = rules
        resource = Resource.from_contents(rules.spec, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)

    def build(
        self,
        case: EventCase,
        *,
        invoice_id: int,
        refund_id: int | None = None,
        refund_status: str | None = None,
        now: datetime | None = None,
    ) -> Delivery:
        """A delivery of ``case`` valid against the event's schema, about invoice ``invoice_id`` (and its refund)."""
        moment = now or datetime.now(UTC)
        pointer = self.rules.body_schema_pointer(case.event)
        schema = resolve(self.rules.spec, {"$ref": f"#{pointer}"})
        example = _first_example(self.rules.operation(case.event))
        story = _Story(rules=self.rules, case=case, invoice_id=invoice_id, now=moment)
        data = _fill(self.rules.spec, schema, example, story, name="")
        if not isinstance(data, dict):
            raise SpecError(f"the schema of webhook {case.event} does not describe a JSON object")
        _tell_refund(data, refund_id, refund_status)
        validator = Draft202012Validator(
            {"$ref": f"{_SPEC_URI}#{pointer}"}, registry=self._registry, format_checker=_FORMATS
        )
        problems = [e.message[:200] for e in validator.iter_errors(data)]
        if problems:
            raise SpecError(f"cannot build a delivery of {case.label} that the spec accepts: {problems[0]}")
        invoice = data.get("invoice")
        sent_id = invoice.get("id") if isinstance(invoice, dict) else None
        about = sent_id if isinstance(sent_id, int) and not isinstance(sent_id, bool) else None
        key = {path: _dig(data, path) for path in self.rules.dedup_key(case.event)}
        return Delivery(case=case, data=data, invoice_id=about, key=key)


def _tell_refund(data: JSONObject, refund_id: int | None, status: str | None) -> None:
    """A refund the event carries is its own: its id, its status, and a third of the invoice (the story's refund)."""
    refund = data.get("refund")
    if refund_id is None or not isinstance(refund, dict):
        return
    if "id" in refund:
        refund["id"] = refund_id
    if status is not None and "status" in refund:
        refund["status"] = status
    if isinstance(refund.get("amount"), str):
        refund["amount"] = _money((INVOICE_AMOUNT / 3).quantize(_CENTS))


def _dig(data: Any, path: str) -> Any:
    """The value at a dotted field path (``refund.id``), or None where the delivery has no such field."""
    for part in path.split("."):
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


@dataclass(frozen=True, slots=True)
class _Story:
    """The invoice a delivery is about, at the status the delivery reports."""

    rules: ReceiverRules
    case: EventCase
    invoice_id: int
    now: datetime

    @property
    def paid(self) -> bool:
        return self.case.status in self.rules.money_taken

    def value(self, name: str, schema: JSONObject) -> tuple[bool, Any]:
        """(True, value) when the story decides the field called ``name``; (False, None) otherwise."""
        nullable = _nullable(schema)
        story: dict[str, Any] = {
            "id": self.invoice_id,
            "amount": _money(INVOICE_AMOUNT),
            "external_order_id": f"{_ORDER_PREFIX}{self.invoice_id}",
            "description": f"Оплата заказа {_ORDER_PREFIX}{self.invoice_id}",
            "timestamp": _iso(self.now),
        }
        if self.case.status is not None:
            story["status"] = self.case.status
        if self.paid or not nullable:
            story["paid_at"] = _iso(self.now - timedelta(seconds=5))
            story["client_name"] = _CLIENT
        else:
            story["paid_at"] = story["client_name"] = None
        refunded = INVOICE_AMOUNT
        if self.case.status in self.rules.refundable:
            refunded = (INVOICE_AMOUNT / 3).quantize(_CENTS)
        story["total_refunded"] = _money(refunded)
        if name in story:
            return True, story[name]
        return False, None


def _fill(spec: JSONObject, node: Any, example: Any, story: _Story, *, name: str) -> Any:
    schema = resolve(spec, node)
    if not isinstance(schema, dict):
        return example
    if "const" in schema:
        return schema["const"]
    decided, value = story.value(name, schema) if name else (False, None)
    if decided and _type_allows(spec, schema, value):
        return value
    kind = _main_type(schema)
    if kind == "object" or "properties" in schema:
        out: JSONObject = {}
        sample = example if isinstance(example, dict) else {}
        for key, sub in (schema.get("properties") or {}).items():
            out[str(key)] = _fill(spec, sub, sample.get(key), story, name=str(key))
        return out
    if example is not None:
        return copy.deepcopy(example)
    for branch in schema.get("oneOf") or schema.get("anyOf") or []:
        resolved = resolve(spec, branch)
        if isinstance(resolved, dict) and resolved.get("type") != "null":
            return _fill(spec, resolved, None, story, name=name)
    return _sample(schema, kind, story)


def _sample(schema: JSONObject, kind: str | None, story: _Story) -> Any:
    """A value of a field the story does not decide and the example does not show."""
    if schema.get("enum"):
        return next((v for v in schema["enum"] if v is not None), None)
    if schema.get("examples"):
        return schema["examples"][0]
    if kind == "string":
        return _iso(story.now) if schema.get("format") == "date-time" else "apipay-harness"
    if kind in ("integer", "number"):
        return int(schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    return None


_JSON_TYPES: dict[type, tuple[str, ...]] = {
    bool: ("boolean",),
    int: ("integer", "number"),
    str: ("string",),
    type(None): ("null",),
}


def _type_allows(spec: JSONObject, schema: JSONObject, value: Any) -> bool:
    """Whether the schema's declared type admits the story's value (a field the story names may be typed otherwise)."""
    kinds = _JSON_TYPES.get(type(value), ())
    declared = schema.get("type")
    if isinstance(declared, str):
        return declared in kinds
    if isinstance(declared, list):
        return any(k in kinds for k in declared)
    branches = [resolve(spec, b) for b in schema.get("oneOf") or schema.get("anyOf") or []]
    if branches:
        return any(isinstance(b, dict) and _type_allows(spec, b, value) for b in branches)
    return True


def _main_type(schema: JSONObject) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    return kind if isinstance(kind, str) else None


def _nullable(schema: JSONObject) -> bool:
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    return any(isinstance(b, dict) and b.get("type") == "null" for b in schema.get("oneOf") or [])


def _first_example(operation: JSONObject) -> Any:
    content = ((operation.get("requestBody") or {}).get("content") or {}).get("application/json") or {}
    for example in (content.get("examples") or {}).values():
        if isinstance(example, dict) and "value" in example:
            return example["value"]
    return content.get("example")


def _money(amount: Decimal) -> str:
    return str(amount.quantize(_CENTS))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _reverse_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reverse_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reverse_keys(v) for v in value]
    return value


def _bump_money(data: JSONObject) -> bool:
    """Raise the invoice's amount by 1000 (a tampered payment); False when the delivery has no amount."""
    invoice = data.get("invoice")
    if isinstance(invoice, dict) and isinstance(invoice.get("amount"), str):
        invoice["amount"] = _money(Decimal(invoice["amount"]) + 1000)
        return True
    return False
