"""One test per schema rule, request side and response side: a breaking and a harmless example each."""

from __future__ import annotations

from typing import Any

import pytest

from apipay_harness.specdiff import diff_documents
from tests.specdiff.specs import body_op, doc, kinds, response_op


def obj(required: list[str] | None = None, **props: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return schema


def request(old: Any, new: Any, *, version: str = "3.1.0", new_version: str | None = None) -> list[str]:
    return kinds(doc(body_op(obj(v=old)), version=version), doc(body_op(obj(v=new)), version=new_version or version))


def response(
    old: Any, new: Any, *, status: str = "200", version: str = "3.1.0", new_version: str | None = None
) -> list[str]:
    return kinds(
        doc(response_op(obj(v=old), status=status), version=version),
        doc(response_op(obj(v=new), status=status), version=new_version or version),
    )


NUM = {"type": "number"}
STR = {"type": "string"}
INT = {"type": "integer"}

REQUEST = [
    pytest.param(obj(a=STR), obj(), ["request-field-removed"], id="field-removed"),
    pytest.param(obj(), obj(["a"], a=STR), ["request-field-added-required"], id="field-added-required"),
    pytest.param(obj(), obj(a=STR), ["request-field-added-optional"], id="field-added-optional"),
    pytest.param(obj(a=STR), obj(["a"], a=STR), ["request-field-became-required"], id="field-became-required"),
    pytest.param(obj(["a"], a=STR), obj(a=STR), ["request-field-became-optional"], id="field-became-optional"),
    pytest.param(
        obj(a=STR), {**obj(a=STR), "additionalProperties": False}, ["request-extra-fields-refused"], id="closed"
    ),
    pytest.param(NUM, INT, ["request-type-narrowed"], id="number-to-integer"),
    pytest.param(INT, NUM, ["request-type-widened"], id="integer-to-number"),
    pytest.param({"type": ["string", "null"]}, STR, ["request-type-narrowed"], id="null-no-longer-accepted"),
    pytest.param(STR, {"type": ["string", "null"]}, ["request-type-widened"], id="null-now-accepted"),
    pytest.param({"enum": ["a", "b"]}, {"enum": ["a"]}, ["request-enum-value-removed"], id="enum-value-removed"),
    pytest.param({"enum": ["a"]}, {"enum": ["a", "b"]}, ["request-enum-value-added"], id="enum-value-added"),
    pytest.param({"enum": ["a", "b"]}, {"enum": ["b", "a"]}, [], id="enum-reordered"),
    pytest.param(STR, {"type": "string", "enum": ["a"]}, ["request-enum-added"], id="enum-added"),
    pytest.param({"type": "string", "enum": ["a"]}, STR, ["request-enum-removed"], id="enum-removed"),
    pytest.param({**NUM, "minimum": 0.01}, {**NUM, "minimum": 1}, ["request-bound-narrowed"], id="minimum-raised"),
    pytest.param({**NUM, "maximum": 100}, {**NUM, "maximum": 1000}, ["request-bound-widened"], id="maximum-raised"),
    pytest.param(
        {**NUM, "maximum": 100}, {**NUM, "exclusiveMaximum": 100}, ["request-bound-narrowed"], id="made-exclusive"
    ),
    pytest.param(NUM, {**NUM, "multipleOf": 1}, ["request-bound-narrowed"], id="multipleOf-added"),
    pytest.param(
        {**NUM, "multipleOf": 0.5}, {**NUM, "multipleOf": 0.25}, ["request-bound-widened"], id="multipleOf-divisor"
    ),
    pytest.param(
        {**STR, "maxLength": 50}, {**STR, "maxLength": 32}, ["request-bound-narrowed"], id="maxLength-lowered"
    ),
    pytest.param({**STR, "minLength": 1}, STR, ["request-bound-widened"], id="minLength-dropped"),
    pytest.param(
        {"type": "array", "maxItems": 50}, {"type": "array", "maxItems": 100}, ["request-bound-widened"], id="maxItems"
    ),
    pytest.param({"type": "array"}, {"type": "array", "minItems": 1}, ["request-bound-narrowed"], id="minItems-added"),
    pytest.param(STR, {**STR, "pattern": "^8[0-9]{10}$"}, ["request-format-narrowed"], id="pattern-added"),
    pytest.param(
        {**STR, "pattern": "^[0-9]+$"},
        {**STR, "pattern": "^[0-9]{1,5}$"},
        ["request-format-narrowed"],
        id="pattern-tighter",
    ),
    pytest.param(
        {**STR, "format": "date"},
        {**STR, "pattern": r"^\d{4}-\d{2}-\d{2}([ T]\d{2}(:\d{2})?)?$"},
        ["request-format-changed"],
        id="date-format-to-wider-pattern",
    ),
    pytest.param(
        {**STR, "pattern": r"^8\d{10}$"}, {**STR, "pattern": "^8[0-9]{10}$"}, [], id="same-pattern-spelled-apart"
    ),
    pytest.param(
        {**STR, "format": "date"}, {**STR, "format": "date-time"}, ["request-format-narrowed"], id="date-to-date-time"
    ),
    pytest.param(
        {"type": "array", "items": {"enum": ["a", "b"]}},
        {"type": "array", "items": {"enum": ["a"]}},
        ["request-enum-value-removed"],
        id="array-items-compared",
    ),
    pytest.param({**STR, "default": "a"}, {**STR, "default": "b"}, ["request-default-changed"], id="default-changed"),
    pytest.param(obj(id={**INT, "readOnly": True}), obj(), [], id="read-only-fields-are-not-sent"),
]


@pytest.mark.parametrize(("old", "new", "expected"), REQUEST)
def test_request_rule(old: Any, new: Any, expected: list[str]) -> None:
    assert request(old, new) == expected


RESPONSE = [
    pytest.param(obj(a=STR), obj(), ["response-field-removed"], id="field-removed"),
    pytest.param(obj(), obj(a=STR), ["response-field-added"], id="field-added"),
    pytest.param(obj(["a"], a=STR), obj(a=STR), ["response-field-became-optional"], id="field-became-optional"),
    pytest.param(obj(a=STR), obj(["a"], a=STR), ["response-field-became-required"], id="field-became-required"),
    pytest.param(STR, NUM, ["response-type-widened"], id="string-to-number"),
    pytest.param(STR, {"type": ["string", "null"]}, ["response-type-widened"], id="became-nullable"),
    pytest.param({"type": ["string", "null"]}, STR, ["response-type-narrowed"], id="no-longer-nullable"),
    pytest.param(NUM, INT, ["response-type-narrowed"], id="number-to-integer"),
    pytest.param(
        {"enum": ["pending"]}, {"enum": ["pending", "processing"]}, ["response-enum-value-added"], id="value-added"
    ),
    pytest.param(
        {"enum": ["paid", "refunded"]}, {"enum": ["paid"]}, ["response-enum-value-removed"], id="value-removed"
    ),
    pytest.param({**STR, "enum": ["pending"]}, STR, ["response-enum-removed"], id="enum-removed"),
    pytest.param(STR, {**STR, "enum": ["pending"]}, ["response-enum-added"], id="enum-added"),
    pytest.param({**INT, "maximum": 100}, {**INT, "maximum": 200}, ["response-bound-widened"], id="maximum-raised"),
    pytest.param({**INT, "maximum": 200}, {**INT, "maximum": 100}, ["response-bound-narrowed"], id="maximum-lowered"),
    pytest.param({**STR, "pattern": r"^\d+\.\d{2}$"}, STR, ["response-format-widened"], id="money-pattern-dropped"),
    pytest.param(
        {**STR, "pattern": r"^\d+\.\d{2}$"},
        {**STR, "pattern": r"^\d+\.\d{2}$", "format": "uuid"},
        ["response-format-changed"],
        id="tighter",
    ),
    pytest.param(obj(pw={**STR, "writeOnly": True}), obj(), [], id="write-only-fields-are-not-received"),
]


@pytest.mark.parametrize(("old", "new", "expected"), RESPONSE)
def test_response_rule(old: Any, new: Any, expected: list[str]) -> None:
    assert response(old, new) == expected


CODES = {"type": "string", "enum": ["invalid_amount"]}
MORE_CODES = {"type": "string", "enum": ["invalid_amount", "amount_must_be_whole_tenge"]}
ERRORS = [
    pytest.param("422", CODES, MORE_CODES, ["error-enum-changed"], id="new-error-code"),
    pytest.param("422", MORE_CODES, CODES, ["error-enum-changed"], id="error-code-gone"),
    pytest.param("200", CODES, MORE_CODES, ["response-enum-value-added"], id="same-change-in-a-success-body"),
]


@pytest.mark.parametrize(("status", "old", "new", "expected"), ERRORS)
def test_error_body_enums_are_open_sets(status: str, old: Any, new: Any, expected: list[str]) -> None:
    assert response(old, new, status=status) == expected


def test_error_body_field_removed_still_breaks() -> None:
    assert response(INT, None, status="429")[:1] == ["response-type-widened"]
    old = doc(response_op(obj(["retry_after"], retry_after=INT), status="429"))
    new = doc(response_op(obj(retry_after_seconds=INT), status="429"))
    assert kinds(old, new) == ["response-field-removed", "response-field-added"]


def test_openapi_30_nullable_equals_31_type_array() -> None:
    assert (
        request(
            {"type": "string", "nullable": True}, {"type": ["string", "null"]}, version="3.0.3", new_version="3.1.0"
        )
        == []
    )
    assert response({"type": "string", "nullable": True}, STR, version="3.0.3") == ["response-type-narrowed"]


def test_openapi_30_boolean_exclusive_minimum_equals_31_number() -> None:
    old = {"type": "number", "minimum": 0, "exclusiveMinimum": True}
    assert request(old, {"type": "number", "exclusiveMinimum": 0}, version="3.0.3", new_version="3.1.0") == []
    assert request(old, {"type": "number", "minimum": 0}, version="3.0.3", new_version="3.1.0") == [
        "request-bound-widened"
    ]


def test_nullable_by_one_of_equals_type_array() -> None:
    amount = {"type": "number", "minimum": 0.01}
    one_of = {"oneOf": [amount, {"type": "null"}]}
    assert request(one_of, {"type": ["number", "null"], "minimum": 0.01}) == []
    assert request(one_of, {"type": ["number", "null"], "minimum": 1}) == ["request-bound-narrowed"]


def test_all_of_merges_parts_and_nullable_all_of_ref_is_nullable() -> None:
    components = {"schemas": {"Base": obj(["id"], id=INT)}}
    old = doc(response_op({"allOf": [{"$ref": "#/components/schemas/Base"}, obj(name=STR)]}), components=components)
    same = doc(response_op(obj(["id"], id=INT, name=STR)))
    assert kinds(old, same) == []
    nullable = doc(
        response_op(obj(v={"allOf": [{"$ref": "#/components/schemas/Base"}], "nullable": True})),
        version="3.0.3",
        components=components,
    )
    plain = doc(response_op(obj(v={"$ref": "#/components/schemas/Base"})), version="3.0.3", components=components)
    assert kinds(plain, nullable) == ["response-type-widened"]


def test_any_of_branches_union_their_properties() -> None:
    union = {"anyOf": [obj(["a"], a=STR), obj(["b"], b=INT)]}
    assert kinds(doc(response_op(union)), doc(response_op(obj(a=STR, b=INT)))) == []
    narrower = {"anyOf": [obj(["a"], a=STR), obj(["a"], a=STR, b=INT)]}
    assert kinds(doc(response_op(union)), doc(response_op(narrower))) == ["response-field-became-required"]


def test_recursive_schema_is_cut_not_followed_forever() -> None:
    tree = {"schemas": {"Node": obj(children={"type": "array", "items": {"$ref": "#/components/schemas/Node"}})}}
    ref = {"$ref": "#/components/schemas/Node"}
    assert kinds(doc(response_op(ref), components=tree), doc(response_op(ref), components=tree)) == []


def _map(values: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": values}


MAPS = [
    pytest.param("request", _map(STR), _map(INT), ["request-type-narrowed"], id="request-map-values-narrowed"),
    pytest.param("request", _map(INT), _map(NUM), ["request-type-widened"], id="request-map-values-widened"),
    pytest.param(
        "response",
        _map({"type": "array", "items": STR}),
        _map({"type": "array", "items": {"type": "object"}}),
        ["response-type-widened"],
        id="error-messages-become-objects",
    ),
    pytest.param("response", _map(STR), _map(STR), [], id="same-map"),
]


@pytest.mark.parametrize(("side", "old", "new", "expected"), MAPS)
def test_map_values_are_compared(side: str, old: Any, new: Any, expected: list[str]) -> None:
    judged = request(old, new) if side == "request" else response(old, new)
    assert judged == expected
    changes = diff_documents(doc(response_op(obj(v=old))), doc(response_op(obj(v=new)))).changes
    assert all(c.path.startswith("v.*") for c in changes)
