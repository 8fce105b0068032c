"""What the bounds and lists suites read from the 2.1 spec, and how their judges treat each form of answer.

The judges are given answers of each documented form and of the forms a broken server would give: a
refused catalog item listed in ``rejected[]``, a 422 for it (the February answer), a 202 that lists nothing,
an accepted item listed as refused; a fractional amount refused by its error code; the flat and the meta
page shapes; Almaty's calendar.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from apipay_harness.core.spec import BoundedField, bounded_fields, load_spec
from contracts.checks import CheckContext
from contracts.checks.bounds import EdgeCase, OtherRule, edge_accepted, outside_rejected, refusal_of
from contracts.checks.edges import Edge, broken_keyword, edges_of
from contracts.invoice_amounts import AmountRule
from contracts.list_params import filter_values, parameter_pointer, zone_offsets
from contracts.model_pages import page_shape
from contracts.violations import Violation

SPEC_21 = load_spec(version="2.1")
SPEC_SEED = load_spec()


def _field(spec: dict[str, Any], label: str, name: str) -> BoundedField:
    return next(f for f in bounded_fields(spec) if f.operation.label == label and f.field_name == name)


def _edge(field: BoundedField, label: str) -> Edge:
    return next(e for e in edges_of(field) if e.label == label)


def _answer(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, json=body, request=httpx.Request("POST", "http://target/api/v1/catalog"))


def _case(spec: dict[str, Any], label: str, name: str, edge_label: str, other: OtherRule | None = None) -> EdgeCase:
    field = _field(spec, label, name)
    edge = _edge(field, edge_label)
    return EdgeCase(edge, refusal_of(spec, field, edge.keyword), other)


CTX = CheckContext(spec=SPEC_21, operation="POST /catalog")
BARCODE_OUT = ("POST /catalog", "items.0.barcode", "maxLength+1")
BARCODE_IN = ("POST /catalog", "items.0.barcode", "maxLength")


def test_a_batch_item_is_refused_by_being_listed_in_rejected_as_the_spec_notes() -> None:
    refusal = _case(SPEC_21, *BARCODE_OUT).refusal
    assert (refusal.status, refusal.listed_in, refusal.index, refusal.name) == (202, "/rejected", 0, "barcode")
    assert refusal.codes == {"barcode_too_long"}


def test_a_listed_refusal_naming_the_field_or_its_code_passes() -> None:
    case = _case(SPEC_21, *BARCODE_OUT)
    by_errors = {
        "data": [],
        "rejected": [{"index": 0, "error_code": "catalog_item_invalid", "errors": {"barcode": ["x"]}}],
    }
    by_code = {"data": [], "rejected": [{"index": 0, "error_code": "barcode_too_long", "error_message": "x"}]}
    outside_rejected(CTX, _answer(202, by_errors), case)
    outside_rejected(CTX, _answer(202, by_code), case)


@pytest.mark.parametrize(
    "answer",
    [
        _answer(422, {"message": "Validation failed", "errors": {"items.0.barcode": ["too long"]}}),
        _answer(202, {"data": [{"id": 1}], "rejected": []}),
        _answer(
            202,
            {"data": [], "rejected": [{"index": 1, "error_code": "catalog_item_invalid", "errors": {"barcode": []}}]},
        ),
    ],
    ids=["a 422 for the whole batch", "the item created", "another item listed"],
)
def test_a_batch_item_over_its_bound_not_listed_as_refused_fails(answer: httpx.Response) -> None:
    with pytest.raises(Violation):
        outside_rejected(CTX, answer, _case(SPEC_21, *BARCODE_OUT))


def test_a_listed_refusal_that_names_another_field_fails_as_not_naming_it() -> None:
    answer = _answer(
        202, {"data": [], "rejected": [{"index": 0, "error_code": "catalog_item_invalid", "errors": {"name": []}}]}
    )
    with pytest.raises(Violation, match="does not name the field"):
        outside_rejected(CTX, answer, _case(SPEC_21, *BARCODE_OUT))


def test_an_inside_value_listed_as_refused_is_not_accepted() -> None:
    refused = _answer(202, {"data": [], "rejected": [{"index": 0, "error_code": "catalog_item_invalid", "errors": {}}]})
    with pytest.raises(Violation):
        edge_accepted(CTX, refused, _case(SPEC_21, *BARCODE_IN))
    edge_accepted(CTX, _answer(202, {"data": [{"id": 7}], "rejected": []}), _case(SPEC_21, *BARCODE_IN))


def test_a_fractional_amount_is_refused_by_multiple_of_and_its_error_code_names_the_field() -> None:
    field = _field(SPEC_21, "POST /invoices", "amount")
    fraction = next(e for e in edges_of(field) if e.value == Decimal("10.5") or e.value == 10.5)
    assert fraction.keyword == "multipleOf" and not fraction.accepted
    case = EdgeCase(fraction, refusal_of(SPEC_21, field, fraction.keyword))
    coded = {"error": "amount_must_be_whole_tenge", "error_code": "amount_must_be_whole_tenge", "message": "m"}
    outside_rejected(CTX, _answer(422, coded), case)
    with pytest.raises(Violation):
        outside_rejected(CTX, _answer(422, {"error_code": "validation_error", "message": "m"}), case)


def test_the_amount_steps_are_whole_tenge_on_2_1_and_kopecks_on_the_seed() -> None:
    labels = {e.label for e in edges_of(_field(SPEC_21, "POST /invoices", "amount"))}
    assert {"minimum-1", "maximum+1"} <= labels
    assert (AmountRule.of(SPEC_21).at_least(Decimal("0.01")), AmountRule.of(SPEC_21).at_most(Decimal("9.50"))) == (1, 9)
    assert AmountRule.of(SPEC_SEED).at_most(Decimal("9.50")) == Decimal("9.50")


def test_another_rules_answer_is_accepted_only_with_its_code_and_never_naming_the_field() -> None:
    case = _case(
        SPEC_21,
        "POST /invoices",
        "cart_items.0.price",
        "maximum",
        OtherRule(422, frozenset({"amount_must_be_whole_tenge"}), "x"),
    )
    ctx = CheckContext(spec=SPEC_21, operation="POST /invoices")
    edge_accepted(ctx, _answer(422, {"error_code": "amount_must_be_whole_tenge", "message": "m"}), case)
    with pytest.raises(Violation):
        edge_accepted(
            ctx, _answer(422, {"message": "Validation failed", "errors": {"cart_items.0.price": ["max"]}}), case
        )


def test_broken_keyword_names_the_bound_a_value_breaks() -> None:
    schema = {"minimum": 1, "maximum": 99, "multipleOf": 1, "maxLength": 3, "enum": ["a"]}
    assert [broken_keyword(schema, v) for v in (0, 100, Decimal("10.5"), 5)] == [
        "minimum",
        "maximum",
        "multipleOf",
        None,
    ]
    assert (broken_keyword({"maxLength": 3}, "abcd"), broken_keyword({"enum": ["a"]}, "b")) == ("maxLength", "enum")


def test_page_shapes_are_flat_on_2_1_and_meta_on_the_seed() -> None:
    flat = page_shape(SPEC_21, "/invoices")
    assert (flat.rows, dict(flat.counts), flat.holder) == (
        "data",
        {"current_page": "current_page", "total": "total"},
        None,
    )
    assert flat.counts_of({"current_page": 2, "data": [], "total": 5}) == {"current_page": 2, "total": 5}
    meta = page_shape(SPEC_SEED, "/invoices")
    assert (meta.holder, set(meta.counts), meta.rule) == (
        "meta",
        {"current_page", "per_page", "total", "last_page"},
        "#/components/schemas/PageMeta",
    )


def test_list_filters_and_zones_are_read_from_each_spec() -> None:
    assert "error" not in filter_values(SPEC_21, "/invoices", "status[]")
    assert parameter_pointer(SPEC_21, "/invoices", "date_to") == "#/components/parameters/DateTo"
    noon = [datetime(2026, 8, 24, 12, tzinfo=UTC)]
    assert zone_offsets(SPEC_21, "/invoices", "date_from", noon) == (300,)
    assert zone_offsets(SPEC_SEED, "/invoices", "date_from", noon) is None
