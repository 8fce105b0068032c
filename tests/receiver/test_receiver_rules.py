"""The receiver's contract is read from the spec, never restated: change the spec and the judge follows."""

from __future__ import annotations

import copy
import importlib
import inspect
import json
from decimal import Decimal
from typing import Any

import pytest

from apipay_harness.core.errors import SpecError
from apipay_harness.core.spec import load_spec
from apipay_harness.receiver.checks import CHECKS, ReceiverCheck, _register
from apipay_harness.receiver.payloads import PayloadBuilder
from apipay_harness.receiver.rules import EventCase, read_rules

MODULES = [
    "apipay_harness.receiver",
    "apipay_harness.receiver.rules",
    "apipay_harness.receiver.payloads",
    "apipay_harness.receiver.signing",
    "apipay_harness.receiver.exchange",
    "apipay_harness.receiver.probe",
    "apipay_harness.receiver.judge",
    "apipay_harness.receiver.checks",
    "apipay_harness.receiver.doc",
    "apipay_harness.receiver.run",
]


@pytest.mark.parametrize("name", MODULES)
def test_module_all_lists_exactly_its_public_definitions(name: str) -> None:
    module = importlib.import_module(name)
    assert all(hasattr(module, n) for n in module.__all__)
    defined_here = {
        n
        for n, obj in vars(module).items()
        if not n.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == name
    }
    registered_checks = set(CHECKS)  # reached through the CHECKS registry, by the name that is also their id
    assert defined_here - registered_checks <= set(module.__all__)


def test_answer_time_and_retries_come_from_the_spec() -> None:
    spec = copy.deepcopy(load_spec())
    spec["x-webhook-delivery"] = {"answer_within_seconds": 7, "retries": 3}
    rules = read_rules(spec)
    assert rules.answer_within == Decimal(7)
    assert rules.retries == 3


@pytest.mark.parametrize(
    "delivery",
    [None, {"retries": 0}, {"answer_within_seconds": 0, "retries": 0}, {"answer_within_seconds": 30, "retries": -1}],
    ids=["absent", "no-answer-time", "zero-seconds", "negative-retries"],
)
def test_spec_without_usable_delivery_terms_cannot_judge(delivery: dict[str, Any] | None) -> None:
    spec = copy.deepcopy(load_spec())
    spec.pop("x-webhook-delivery", None)
    if delivery is not None:
        spec["x-webhook-delivery"] = delivery
    with pytest.raises(SpecError, match="x-webhook-delivery"):
        read_rules(spec)


def test_a_status_the_spec_adds_to_an_event_is_sent() -> None:
    spec = copy.deepcopy(load_spec())
    event = spec["components"]["schemas"]["InvoiceStatusChangedEvent"]["properties"]["invoice"]["properties"]
    event["status"]["enum"].append("partially_refunded")
    transitions = spec["components"]["schemas"]["InvoiceStatus"]["x-status-transitions"]["webhooks"]
    transitions["invoice.status_changed"].append("partially_refunded")
    rules = read_rules(spec)
    assert EventCase("invoice.status_changed", "partially_refunded") in rules.cases
    delivery = PayloadBuilder(rules).build(EventCase("invoice.status_changed", "partially_refunded"), invoice_id=7)
    assert delivery.data["invoice"]["status"] == "partially_refunded"


def test_a_field_the_spec_types_otherwise_is_not_forced_to_the_story_value() -> None:
    spec = copy.deepcopy(load_spec())
    test_event = spec["components"]["schemas"]["WebhookTestEvent"]["properties"]
    test_event["invoice"] = {"type": "object", "properties": {"id": {"type": "null"}, "status": {"const": "test"}}}
    delivery = PayloadBuilder(read_rules(spec)).build(EventCase("webhook.test", None), invoice_id=9)
    assert delivery.data["invoice"] == {"id": None, "status": "test"}
    assert delivery.invoice_id is None


def test_every_delivery_is_valid_against_its_schema_with_decimal_money() -> None:
    rules = read_rules(load_spec())
    builder = PayloadBuilder(rules)
    for case in rules.cases:
        data = json.loads(builder.build(case, invoice_id=42).body, parse_float=Decimal)
        invoice = data.get("invoice") or {}
        for field in ("amount", "total_refunded"):
            if field in invoice:
                assert isinstance(invoice[field], str)
                assert Decimal(invoice[field]).as_tuple().exponent == -2


def test_partial_refund_is_less_than_the_amount_and_full_refund_equals_it() -> None:
    rules = read_rules(load_spec())
    builder = PayloadBuilder(rules)
    partial, full = (builder.build(case, invoice_id=1).data["invoice"] for case in rules.chain[1:])
    assert Decimal(partial["total_refunded"]) < Decimal(partial["amount"])
    assert Decimal(full["total_refunded"]) == Decimal(full["amount"])


def test_a_delivery_the_spec_would_reject_is_never_built() -> None:
    spec = copy.deepcopy(load_spec())
    spec["components"]["schemas"]["Money"]["pattern"] = "^\\d+$"
    with pytest.raises(SpecError, match="cannot build a delivery"):
        PayloadBuilder(read_rules(spec)).build(EventCase("invoice.status_changed", "paid"), invoice_id=1)


def test_check_names_are_registered_once() -> None:
    check = next(iter(CHECKS.values()))
    with pytest.raises(ValueError, match="registered twice"):
        _register(ReceiverCheck(check.name, check.suite, check.summary, run_level=check.run_level))
