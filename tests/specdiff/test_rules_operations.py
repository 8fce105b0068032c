"""One test per operation-level rule: a breaking and a harmless example each, judged on tiny spec pairs."""

from __future__ import annotations

from typing import Any

import pytest

from apipay_harness.specdiff import KINDS
from tests.specdiff.specs import JSON, body_op, doc, kinds, ok, param_op, query

GET = {"get": {"responses": ok()}}
KEY = {"ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}


def secured(scheme: dict[str, Any], *, op_security: list[Any] | None = None) -> Any:
    op: dict[str, Any] = {"responses": ok()}
    if op_security is not None:
        op["security"] = op_security
    name = next(iter(scheme))
    return doc({"/x": {"get": op}}, components={"securitySchemes": scheme}, security=[{name: []}])


def webhook(section: str, schema: dict[str, Any]) -> Any:
    hook = {"post": {"requestBody": {"content": {JSON: {"schema": schema}}}, "responses": ok()}}
    return doc({}, **{section: {"invoice.paid": hook}})


CASES = [
    pytest.param(doc({"/x": GET}), doc({}), ["operation-removed"], id="operation-removed"),
    pytest.param(doc({}), doc({"/x": GET}), ["operation-added"], id="operation-added"),
    pytest.param(
        doc(param_op({"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}, path="/x/{id}")),
        doc(param_op({"name": "inv", "in": "path", "required": True, "schema": {"type": "integer"}}, path="/x/{inv}")),
        [],
        id="path-parameter-renamed-is-the-same-operation",
    ),
    pytest.param(
        doc({"/x": GET}),
        doc({"/x": {"get": {"deprecated": True, "responses": ok()}}}),
        ["operation-deprecated"],
        id="deprecated",
    ),
    pytest.param(webhook("webhooks", {"type": "object"}), doc({}), ["webhook-removed"], id="webhook-removed"),
    pytest.param(doc({}), webhook("x-webhooks", {"type": "object"}), ["webhook-added"], id="webhook-added"),
    pytest.param(
        webhook("webhooks", {"type": "object", "properties": {"status": {"enum": ["paid"]}}}),
        webhook("x-webhooks", {"type": "object", "properties": {"status": {"enum": ["paid", "error"]}}}),
        ["response-enum-value-added"],
        id="webhook-payload-is-judged-as-a-response",
    ),
    pytest.param(secured(KEY, op_security=[]), secured(KEY), ["security-added"], id="security-added"),
    pytest.param(secured(KEY), secured(KEY, op_security=[{}]), ["security-removed"], id="security-removed"),
    pytest.param(
        secured(KEY),
        secured({"Bearer": {"type": "http", "scheme": "bearer"}}),
        ["security-changed"],
        id="security-changed",
    ),
    pytest.param(
        secured(KEY),
        secured({"ApiKeyAuth": {"type": "apiKey", "in": "header", "name": "x-api-key"}}),
        [],
        id="security-scheme-renamed-is-the-same",
    ),
    pytest.param(
        doc(param_op(query("page", {"type": "integer"}))),
        doc(param_op()),
        ["parameter-removed"],
        id="parameter-removed",
    ),
    pytest.param(
        doc(param_op()),
        doc(param_op(query("page", {"type": "integer"}, required=True))),
        ["parameter-added-required"],
        id="parameter-added-required",
    ),
    pytest.param(
        doc(param_op()),
        doc(param_op(query("page", {"type": "integer"}))),
        ["parameter-added-optional"],
        id="parameter-added-optional",
    ),
    pytest.param(
        doc(param_op(query("page", {"type": "integer"}))),
        doc(param_op(query("page", {"type": "integer"}, required=True))),
        ["parameter-became-required"],
        id="parameter-became-required",
    ),
    pytest.param(
        doc(param_op(query("page", {"type": "integer"}, required=True))),
        doc(param_op(query("page", {"type": "integer"}))),
        ["parameter-became-optional"],
        id="parameter-became-optional",
    ),
    pytest.param(
        doc(param_op(query("ids", {"type": "array", "items": {"type": "integer"}}))),
        doc(param_op(query("ids", {"type": "array", "items": {"type": "integer"}}, explode=False))),
        ["parameter-style-changed"],
        id="parameter-style-changed",
    ),
    pytest.param(
        doc(param_op({"name": "X-Trace", "in": "header", "schema": {"type": "string"}})),
        doc(param_op({"name": "x-trace", "in": "header", "schema": {"type": "string"}})),
        [],
        id="header-names-ignore-case",
    ),
    pytest.param(
        doc(param_op(query("per_page", {"type": "integer", "default": 10}))),
        doc(param_op(query("per_page", {"type": "integer", "default": 20}))),
        ["request-default-changed"],
        id="request-default-changed",
    ),
    pytest.param(
        doc({"/x": {"post": {"responses": ok()}}}),
        doc(body_op({"type": "object"})),
        ["request-body-added-required"],
        id="request-body-added-required",
    ),
    pytest.param(
        doc({"/x": {"post": {"responses": ok()}}}),
        doc(body_op({"type": "object"}, required=False)),
        ["request-body-added-optional"],
        id="request-body-added-optional",
    ),
    pytest.param(
        doc(body_op({"type": "object"}, required=False)),
        doc(body_op({"type": "object"})),
        ["request-body-became-required"],
        id="request-body-became-required",
    ),
    pytest.param(
        doc(body_op({"type": "object"})),
        doc(body_op({"type": "object"}, required=False)),
        ["request-body-became-optional"],
        id="request-body-became-optional",
    ),
    pytest.param(
        doc(body_op({"type": "object"})),
        doc({"/x": {"post": {"responses": ok()}}}),
        ["request-body-removed"],
        id="request-body-removed",
    ),
    pytest.param(
        doc(body_op({"type": "object"})),
        doc(body_op({"type": "object"}, media="application/xml")),
        ["request-media-type-removed", "request-media-type-added"],
        id="request-media-type-replaced",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), CASES)
def test_operation_rule(old: Any, new: Any, expected: list[str]) -> None:
    assert kinds(old, new) == expected


def _multipart(types: str) -> Any:
    schema = {"type": "object", "properties": {"image": {"type": "string"}}}
    media = {"schema": schema, "encoding": {"image": {"contentType": types}}}
    return doc({"/x": {"post": {"requestBody": {"content": {"multipart/form-data": media}}, "responses": ok()}}})


def test_multipart_part_type_no_longer_accepted_breaks() -> None:
    assert kinds(_multipart("image/png, image/gif"), _multipart("image/png")) == ["request-media-type-removed"]
    assert KINDS["request-media-type-removed"].breaking


def test_multipart_part_type_added_is_harmless() -> None:
    assert kinds(_multipart("image/png"), _multipart("image/png, image/webp")) == []


def _filter(**schema: Any) -> Any:
    items = {"type": "string", "enum": ["active", "pending", "deleted"]}
    return doc(param_op(query("statuses[]", {"type": "array", "items": items, **schema})))


FILTERS = [
    pytest.param(
        doc(param_op()), _filter(default=["active"]), ["parameter-added-filtering"], id="defaults-to-a-subset"
    ),
    pytest.param(
        doc(param_op()),
        _filter(default=["active", "pending", "deleted"]),
        ["parameter-added-optional"],
        id="defaults-to-every-value",
    ),
    pytest.param(doc(param_op()), _filter(), ["parameter-added-optional"], id="no-default"),
    pytest.param(
        doc(param_op()),
        doc(
            param_op(
                query("date_field", {"type": "string", "enum": ["created_at", "paid_at"], "default": "created_at"})
            )
        ),
        ["parameter-added-optional"],
        id="a-single-value-mode-is-no-filter",
    ),
]


@pytest.mark.parametrize(("old", "new", "expected"), FILTERS)
def test_new_filter_with_a_narrowing_default(old: Any, new: Any, expected: list[str]) -> None:
    assert kinds(old, new) == expected
