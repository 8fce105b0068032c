"""Checks on one edge value of a bounded field: accepted inside, refused as the spec says outside.

How a value outside a bound is refused is read from the spec: a ``422`` whose ``errors`` name the field by
default; a body whose ``error_code`` is the bound's ``x-error-codes`` entry also names it (the spec's 422 is
either shape); and under an object schema with ``x-outside-bounds-answer`` (catalog items of a batch) the
request succeeds with that status and the item is listed, by its index, in the list that note points at.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx

from apipay_harness.core.checks import EDGE_ACCEPTED, OUTSIDE_REJECTED
from apipay_harness.core.errors import SpecError
from apipay_harness.core.spec import BoundedField, pointer_target, resolve
from apipay_harness.core.types import JSONObject
from contracts.checks import CheckContext
from contracts.checks.edges import Edge
from contracts.violations import Violation, expected_received

__all__ = ["EdgeCase", "OtherRule", "Refusal", "edge_accepted", "names_field", "outside_rejected", "refusal_of"]

_VALIDATION_STATUS = 422


@dataclass(frozen=True, slots=True)
class Refusal:
    """How a conforming server refuses a value outside one field's bound."""

    status: int
    """The answer's status: 422, or the ``x-outside-bounds-answer`` status of a batch."""
    name: str
    """The field's key in an ``errors`` map (inside its item when the refusal is listed)."""
    codes: frozenset[str] = frozenset()
    """Error codes that name this refusal (``x-error-codes`` of the bound)."""
    listed_in: str | None = None
    """A JSON pointer into the answer: the list a refused batch item appears in (None: the request fails)."""
    index: int | None = None
    """The item's place in its batch, when the refusal is listed."""

    def describe(self) -> str:
        """What a refusal looks like, for a message."""
        codes = f" or error_code {'/'.join(sorted(self.codes))}" if self.codes else ""
        if self.listed_in is None:
            return f"{self.status} with errors[{self.name!r}]{codes}"
        return f"{self.status} with an entry index={self.index} in {self.listed_in} naming {self.name!r}{codes}"


@dataclass(frozen=True, slots=True)
class OtherRule:
    """Another documented rule an inside-edge request cannot help breaking, and the answer that rule gives.

    A cart line at the largest price makes a cart total that is not whole tenge; a refund of the largest
    refund amount is more than any invoice can hold. The bound itself is not what such an answer refuses.
    """

    status: int
    codes: frozenset[str]
    """The error codes of that rule (empty: any body of that status)."""
    why: str


@dataclass(frozen=True, slots=True)
class EdgeCase:
    """One edge value as sent: the value, how its refusal looks, and another rule it breaks, if any."""

    edge: Edge
    refusal: Refusal
    other_rule: OtherRule | None = None


def refusal_of(spec: JSONObject, field: BoundedField, keyword: str) -> Refusal:
    """How the spec says a value breaking ``keyword`` of ``field`` is refused."""
    codes = (field.schema.get("x-error-codes") or {}).get(keyword)
    code_set = frozenset([str(codes)] if codes else [])
    plain = Refusal(_VALIDATION_STATUS, field.field_name, code_set)
    if field.location != "body":
        return plain
    body = resolve(spec, field.operation.definition.get("requestBody") or {})
    node: Any = ((body.get("content") or {}).get("application/json") or {}).get("schema")
    for depth, part in enumerate(field.name):
        node = resolve(spec, node)
        if not isinstance(node, dict):
            return plain
        note = node.get("x-outside-bounds-answer")
        if isinstance(note, dict) and depth > 0 and isinstance(field.name[depth - 1], int):
            inner = ".".join(str(p) for p in field.name[depth:])
            return Refusal(int(note["status"]), inner, code_set, str(note["listed_in"]), int(field.name[depth - 1]))
        node = _child(spec, node, part)
    return plain


def _child(spec: JSONObject, node: JSONObject, part: str | int) -> Any:
    """The schema of ``part`` under ``node``: an array's items, or a property (also inside combinators)."""
    if isinstance(part, int):
        return node.get("items")
    if part in (node.get("properties") or {}):
        return node["properties"][part]
    for combinator in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(combinator) or []:
            found = _child(spec, resolve(spec, sub), part)
            if found is not None:
                return found
    return None


def _dotted(key: str) -> str:
    """A field's name with its path in dots: the docs show no nested name, so ``a[0][b]`` and ``a.0.b`` are one."""
    return re.sub(r"\[([^\]]+)\]", r".\1", key.replace("[]", ""))


def names_field(key: str, field_name: str) -> bool:
    """Whether a 422 ``errors`` key names the field (``cart_items.0.count`` or ``cart_items[0][count]``)."""
    norm = _dotted(key)
    wanted = _dotted(field_name)
    top = wanted.split(".")[0]
    return norm in (wanted, top) or norm.startswith(f"{top}.")


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _code_of(body: Any) -> set[str]:
    """The machine-readable reason(s) of an error body (``error_code``, and ``error`` where it is a code)."""
    if not isinstance(body, dict):
        return set()
    return {str(body[k]) for k in ("error_code", "error") if isinstance(body.get(k), str)}


def _names(body: Any, refusal: Refusal) -> bool:
    """Whether an error body (or a listed item) names the field: by its ``errors`` key or the bound's code."""
    if not isinstance(body, dict):
        return False
    errors = body.get("errors")
    keys = list(errors) if isinstance(errors, dict) else []
    return any(names_field(str(key), refusal.name) for key in keys) or bool(_code_of(body) & refusal.codes)


def _listed(response: httpx.Response, refusal: Refusal) -> list[Any]:
    """The answer's entries for the refused item (by its index) in the list the refusal is listed in."""
    assert refusal.listed_in is not None
    try:
        entries = pointer_target(_json(response) or {}, refusal.listed_in)
    except SpecError:  # an answer without the list lists nothing
        return []
    if not isinstance(entries, list):
        return []
    return [e for e in entries if isinstance(e, dict) and e.get("index") == refusal.index]


def _other_rule(response: httpx.Response, case: EdgeCase) -> bool:
    """Whether the answer is the other rule's refusal, and not one naming this field's bound."""
    rule = case.other_rule
    if rule is None or response.status_code != rule.status:
        return False
    body = _json(response)
    if rule.codes and not _code_of(body) & rule.codes:
        return False
    errors = body.get("errors") if isinstance(body, dict) else None
    return not (isinstance(errors, dict) and case.refusal.name in {_dotted(str(k)) for k in errors})


def edge_accepted(ctx: CheckContext, response: httpx.Response, case: EdgeCase) -> None:
    """A value on the inner side of a bound is accepted (2xx, and a batch item is not listed as refused)."""
    edge, refusal = case.edge, case.refusal
    if _other_rule(response, case):
        return
    listed = _listed(response, refusal) if refusal.listed_in is not None and response.is_success else []
    if not response.is_success or listed:
        other = f" (or {case.other_rule.status}: {case.other_rule.why})" if case.other_rule else ""
        received = f"{response.status_code} {response.text[:300]}"
        raise Violation(
            operation=ctx.operation,
            check=EDGE_ACCEPTED,
            title=f"{edge.field.field_name} = edge value rejected ({edge.label})",
            message=expected_received(f"2xx for {edge.field.field_name}={_short(edge.value)}{other}", received),
            rule=edge.rule,
        )


def outside_rejected(ctx: CheckContext, response: httpx.Response, case: EdgeCase) -> None:
    """A value just outside a bound is refused as the spec says (a 422, or the batch's listing), naming the field."""
    edge, refusal = case.edge, case.refusal
    title = f"{edge.field.field_name} = out-of-bound value not rejected ({edge.label})"
    expected = f"{refusal.describe()} for {edge.field.field_name}={_short(edge.value)}"
    not_refused = Violation(
        operation=ctx.operation,
        check=OUTSIDE_REJECTED,
        title=title,
        message=expected_received(expected, f"{response.status_code} {response.text[:300]}"),
        rule=edge.rule,
    )
    if response.status_code != refusal.status:
        raise not_refused
    if refusal.listed_in is not None:
        entries = _listed(response, refusal)
        if not entries:
            raise not_refused
        named = any(_names(entry, refusal) for entry in entries)
        received = f"listed as {entries[0]}"[:300]
    else:
        body = _json(response)
        named = _names(body, refusal)
        errors = body.get("errors") if isinstance(body, dict) else None
        received = f"errors keys {list(errors) if isinstance(errors, dict) else []}, codes {sorted(_code_of(body))}"
    if not named:
        raise Violation(
            operation=ctx.operation,
            check=OUTSIDE_REJECTED,
            title=f"the refusal of {edge.field.field_name} does not name the field ({edge.label})",
            message=expected_received(expected, received),
            rule=edge.rule,
            severity="medium",
        )


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}… ({len(text)} chars)"
