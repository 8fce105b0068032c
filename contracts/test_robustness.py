"""Robustness: unusual text in any free-text field never makes the target answer 5xx.

A server must never answer 5xx to anything a client can send: a 5xx is its own bug. Schema-driven
generation rarely produces NUL bytes, terminal escapes or right-to-left marks, yet those are
what break database writes and log pipelines. Every free-text field of the spec (a string
with no pattern, enum or format) gets each unusual text, in a request otherwise taken from
the operation's own example; any answer but a 5xx is acceptable, and it must be JSON.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from apipay_harness.core.checks import UNUSUAL_TEXT_NOT_A_SERVER_ERROR
from apipay_harness.core.spec import Operation, operations, resolve
from apipay_harness.core.target import Target
from contracts.client import ApiClient
from contracts.version import active_spec
from contracts.violations import Violation, expected_received

_SPEC = active_spec()
UNUSUAL_TEXTS = (
    "\x00",
    "order\x00#1",
    "\x07\x1b[31mred\x1b[0m",
    "😀 𝄞 non-BMP",
    "\u202eRTL override",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "%00%ff",
    "\\",
)
_FIXED = ("pattern", "enum", "format", "const")


def _free_text_fields(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Paths of the string fields under ``node`` that take any text."""
    node = resolve(_SPEC, node)
    if not isinstance(node, dict):
        return
    types = node.get("type")
    takes_string = types == "string" or (isinstance(types, list) and "string" in types)
    if takes_string and path and not any(k in node for k in _FIXED):
        yield path
    for key, sub in (node.get("properties") or {}).items():
        yield from _free_text_fields(sub, (*path, key))
    if isinstance(node.get("items"), dict):
        yield from _free_text_fields(node["items"], (*path, 0))
    for sub in node.get("oneOf", []) + node.get("anyOf", []) + node.get("allOf", []):
        yield from _free_text_fields(sub, path)


def _holds(body: Any, path: tuple[str | int, ...]) -> bool:
    """Whether ``body`` has a container at ``path`` (a dict by key, a list by index) to put a field in."""
    node = body
    for part in path:
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
        else:
            return False
    return isinstance(node, dict | list)


def _example_body(op: Operation, field: tuple[str | int, ...]) -> Any:
    """The first of the operation's own examples that has the field's parent (a cart line, a catalog item).

    An operation's request schema may offer branches (a flat amount or a cart) that no single example
    shows together, so the example is chosen per field; a field no example can hold is a spec to fix.
    """
    media = op.definition["requestBody"]["content"]["application/json"]
    for example in media["examples"].values():
        value = resolve(_SPEC, example)["value"]
        if _holds(value, field[:-1]):
            return value
    raise LookupError(f"no example of {op.label} has a place for {'.'.join(map(str, field))}")


def _cases() -> Iterator[Any]:
    for op in operations(_SPEC):
        if any(p.get("in") == "path" for p in op.parameters):
            continue  # an unknown id answers 404 before any field is read
        for param in op.parameters:
            if param.get("in") == "query" and list(_free_text_fields(param.get("schema", {}), (param["name"],))):
                yield pytest.param(op, "query", (param["name"],), id=f"{op.label} query.{param['name']}")
        body = op.definition.get("requestBody", {}).get("content", {}).get("application/json")
        if body is None:
            continue
        for path in dict.fromkeys(_free_text_fields(body["schema"])):
            name = ".".join(map(str, path))
            yield pytest.param(op, "body", path, id=f"{op.label} body.{name}")


def _with(body: Any, path: tuple[str | int, ...], value: str) -> Any:
    body = copy.deepcopy(body)
    node = body
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return body


def _is_json(response: httpx.Response) -> bool:
    """Whether the answer says it is JSON and is."""
    if not response.headers.get("content-type", "").split(";")[0].strip().endswith("json"):
        return False
    try:
        response.json()
    except ValueError:
        return False
    return True


@pytest.mark.contract(check=UNUSUAL_TEXT_NOT_A_SERVER_ERROR)
@pytest.mark.parametrize(("operation", "location", "field"), list(_cases()))
def test_unusual_text_is_never_a_server_error(
    operation: Operation, location: str, field: tuple[str | int, ...], api: ApiClient, target: Target
) -> None:
    """Every unusual text in this field is answered with a JSON 2xx or 4xx, never a 5xx."""
    writes = operation.method != "get"
    if writes and target.profile == "production" and operation.operation_id != "createInvoice":
        pytest.skip(f"--profile production: {operation.label} would change a real account")
    texts = UNUSUAL_TEXTS[:2] if writes and target.profile == "production" else UNUSUAL_TEXTS
    name = ".".join(map(str, field))
    for text in texts:
        if location == "query":
            response = api.request(operation.method.upper(), operation.path, params={name: text})
        else:
            response = api.request(
                operation.method.upper(), operation.path, json=_with(_example_body(operation, field), field, text)
            )
        if response.status_code >= 500 or not _is_json(response):
            raise Violation(
                operation=operation.label,
                check=UNUSUAL_TEXT_NOT_A_SERVER_ERROR,
                title=f"{name}={text!r} was answered {response.status_code}",
                message=expected_received("a JSON 2xx or 4xx answer", f"{response.status_code} {response.text[:200]}"),
                rule=f"#{operation.pointer}/responses",
            )
