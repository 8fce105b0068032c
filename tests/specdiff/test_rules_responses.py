"""One test per answer-level rule (status codes, bodies, headers, pagination) and per status-machine rule."""

from __future__ import annotations

from typing import Any

import pytest

from tests.specdiff.specs import JSON, doc, kinds, response_op


def answers(**by_status: Any) -> Any:
    """``GET /x`` with the given answers: a schema, ``None`` for no body, or a full response object."""
    responses = {}
    for status, value in by_status.items():
        code = status.lstrip("s")
        if isinstance(value, dict) and "description" in value:
            responses[code] = value
        elif value is None:
            responses[code] = {"description": code}
        else:
            responses[code] = {"description": code, "content": {JSON: {"schema": value}}}
    return doc({"/x": {"get": {"responses": responses}}})


OBJ = {"type": "object", "properties": {"id": {"type": "integer"}}}
ITEMS = {"type": "array", "items": OBJ}
INT = {"type": "integer"}
META = {"type": "object", "properties": {"current_page": INT, "last_page": INT, "total": INT}}
LINKS = {"type": "object", "properties": {"next": {"type": ["string", "null"]}}}
NESTED = {"type": "object", "properties": {"data": ITEMS, "meta": META}}
FLAT = {"type": "object", "properties": {"current_page": INT, "data": ITEMS, "total": INT}}
WITH_LINKS = {"type": "object", "properties": {"data": ITEMS, "links": LINKS, "meta": META}}
RATE = {"X-RateLimit-Remaining": {"schema": INT}}

CASES = [
    pytest.param(
        answers(s200=OBJ), answers(s202=OBJ), ["success-status-added", "success-status-removed"], id="200-to-202"
    ),
    pytest.param(answers(s200=OBJ), answers(s200=OBJ, s202=OBJ), ["success-status-added"], id="202-added"),
    pytest.param(answers(s200=OBJ, s202=OBJ), answers(s200=OBJ), ["success-status-removed"], id="202-removed"),
    pytest.param(answers(s200=OBJ), answers(s200=OBJ, s409=OBJ), ["error-status-added"], id="error-added"),
    pytest.param(answers(s200=OBJ, s503=None), answers(s200=OBJ), ["error-status-removed"], id="error-removed"),
    pytest.param(answers(s200=None), answers(s200=OBJ), ["response-body-documented"], id="body-documented"),
    pytest.param(answers(s200=OBJ), answers(s200=None), ["response-body-removed"], id="body-removed"),
    pytest.param(
        answers(s200=OBJ),
        answers(s200={"description": "x", "content": {"text/csv": {"schema": {"type": "string"}}}}),
        ["response-media-type-removed", "response-media-type-added", "response-type-widened"],
        id="json-to-csv",
    ),
    pytest.param(
        doc(response_op(OBJ, headers=RATE)), doc(response_op(OBJ)), ["response-header-removed"], id="header-removed"
    ),
    pytest.param(
        doc(response_op(OBJ)), doc(response_op(OBJ, headers=RATE)), ["response-header-added"], id="header-added"
    ),
    pytest.param(answers(s200=NESTED), answers(s200=FLAT), ["pagination-envelope-changed"], id="meta-to-flat"),
    pytest.param(
        answers(s200=NESTED), answers(s200=WITH_LINKS), ["pagination-envelope-extended"], id="meta-to-links-meta"
    ),
    pytest.param(answers(s200=FLAT), answers(s200=FLAT), [], id="same-envelope"),
    pytest.param(answers(s200=None), answers(s200=FLAT), ["response-body-documented"], id="undocumented-list-now-flat"),
]


@pytest.mark.parametrize(("old", "new", "expected"), CASES)
def test_answer_rule(old: Any, new: Any, expected: list[str]) -> None:
    assert kinds(old, new) == expected


def test_envelope_change_still_compares_the_items() -> None:
    old = {
        "type": "object",
        "properties": {"data": {"type": "array", "items": {"type": "object", "properties": {"a": INT}}}, "meta": META},
    }
    new = {"type": "object", "properties": {"data": {"type": "array", "items": {"type": "object"}}, "total": INT}}
    assert kinds(answers(s200=old), answers(s200=new)) == ["pagination-envelope-changed", "response-field-removed"]


def machine(**table: Any) -> Any:
    status = {"type": "string", "enum": list(table.get("statuses", {})), "x-status-transitions": table}
    return doc({}, components={"schemas": {"InvoiceStatus": status}})


BASE = {
    "initial": "pending",
    "statuses": {
        "pending": {"successors": ["paid", "cancelled"], "can_cancel": True},
        "paid": {"successors": ["refunded"], "can_cancel": False},
        "cancelled": {"successors": [], "can_cancel": False},
        "refunded": {"successors": [], "can_cancel": False},
    },
    "webhooks": {"invoice.status_changed": ["paid", "cancelled"]},
}


def changed(**edits: Any) -> dict[str, Any]:
    table = {**BASE, "statuses": {name: dict(rule) for name, rule in BASE["statuses"].items()}}
    for name, rule in edits.pop("statuses", {}).items():
        if rule is None:
            del table["statuses"][name]
        else:
            table["statuses"][name] = rule
    table.update(edits)
    return table


STATUS_CASES = [
    pytest.param(
        changed(statuses={"processing": {"successors": [], "can_cancel": True}}), ["status-added"], id="status-added"
    ),
    pytest.param(
        changed(statuses={"refunded": None, "paid": {"successors": [], "can_cancel": False}}),
        ["status-removed", "transition-removed"],
        id="status-removed",
    ),
    pytest.param(
        changed(statuses={"cancelled": {"successors": ["paid"], "can_cancel": False}}),
        ["transition-added"],
        id="reopen",
    ),
    pytest.param(
        changed(statuses={"pending": {"successors": ["paid"], "can_cancel": True}}),
        ["transition-removed"],
        id="transition-removed",
    ),
    pytest.param(changed(initial="paid"), ["initial-status-changed"], id="initial"),
    pytest.param(
        changed(statuses={"pending": {"successors": ["paid", "cancelled"], "can_cancel": False}}),
        ["action-withdrawn"],
        id="cancel-withdrawn",
    ),
    pytest.param(
        changed(statuses={"paid": {"successors": ["refunded"], "can_cancel": True}}),
        ["action-allowed"],
        id="cancel-allowed",
    ),
    pytest.param(
        changed(webhooks={"invoice.status_changed": ["paid", "cancelled", "pending"]}),
        ["webhook-status-added"],
        id="webhook-status-added",
    ),
    pytest.param(
        changed(webhooks={"invoice.status_changed": ["paid"]}), ["webhook-status-removed"], id="webhook-status-removed"
    ),
    pytest.param(changed(webhooks={"invoice.status_changed": ["cancelled", "paid"]}), [], id="same-machine-reordered"),
]


@pytest.mark.parametrize(("new", "expected"), STATUS_CASES)
def test_status_machine_rule(new: dict[str, Any], expected: list[str]) -> None:
    assert kinds(machine(**BASE), machine(**new)) == expected


def delivery(answer: int, retries: int) -> Any:
    return doc({}, **{"x-webhook-delivery": {"answer_within_seconds": answer, "retries": retries}})


DELIVERY_CASES = [
    pytest.param(delivery(30, 0), delivery(5, 0), ["delivery-deadline-shortened"], id="answer-sooner"),
    pytest.param(delivery(5, 0), delivery(30, 0), ["delivery-deadline-lengthened"], id="answer-later"),
    pytest.param(delivery(30, 0), delivery(30, 10), ["delivery-retries-started"], id="now-retried"),
    pytest.param(delivery(30, 10), delivery(30, 0), ["delivery-retries-stopped"], id="no-longer-retried"),
    pytest.param(delivery(30, 10), delivery(30, 11), ["delivery-retries-changed"], id="retried-more"),
    pytest.param(delivery(30, 10), doc({}), [], id="unstated-is-not-compared"),
]


@pytest.mark.parametrize(("old", "new", "expected"), DELIVERY_CASES)
def test_webhook_delivery_rule(old: Any, new: Any, expected: list[str]) -> None:
    assert kinds(old, new) == expected
