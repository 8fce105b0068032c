"""Every answer of the 2.1 mock's API checked against the 2.1 spec: a documented status of its operation,
the documented body and the required headers. The v21 clients run it on each response they receive."""

from __future__ import annotations

import functools
from typing import Any

import httpx
import jsonschema

from apipay_harness.core.spec import Operation, operations, resolve
from tests.mock.v21.helpers import spec21

_PREFIX = "/api/v1"


@functools.cache
def _table() -> list[tuple[str, tuple[str | None, ...], Operation]]:
    return [
        (op.method.upper(), tuple(None if s.startswith("{") else s for s in op.path.split("/")), op)
        for op in operations(spec21())
    ]


def operation_of(method: str, path: str) -> Operation | None:
    """The operation a request went to (HEAD is GET's), or None."""
    segments = path.removeprefix(_PREFIX).split("/")
    method = "GET" if method == "HEAD" else method
    for verb, template, op in _table():
        if verb == method and len(template) == len(segments):
            if all(t is None or t == s for t, s in zip(template, segments, strict=True)):
                return op
    return None


def _validate(body: Any, schema: Any, where: str) -> None:
    spec = spec21()
    wrapped = {**schema, "components": spec["components"]} if isinstance(schema, dict) else schema
    validator = jsonschema.Draft202012Validator(wrapped, format_checker=jsonschema.FormatChecker())
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if error is not None:
        raise AssertionError(f"{where}: {error.message} at {error.json_path}: {body}")


def check_documented(response: httpx.Response) -> None:
    """Fail unless the answer is one its operation documents (status, JSON body, required headers)."""
    request = response.request
    op = operation_of(request.method, request.url.path)
    where = f"{request.method} {request.url.path} -> {response.status_code}"
    assert op is not None, f"{where}: no such operation in the 2.1 spec"
    responses = op.definition["responses"]
    documented = responses.get(str(response.status_code)) or responses.get("default")
    assert documented is not None, f"{where}: status not documented ({', '.join(responses)})"
    documented = resolve(spec21(), documented)
    for name, header in (documented.get("headers") or {}).items():
        header = resolve(spec21(), header)
        if header.get("required"):
            assert name.lower() in response.headers, f"{where}: no {name} header"
    media = (documented.get("content") or {}).get("application/json")
    if media is None or request.method == "HEAD":
        return
    response.read()
    _validate(response.json(), resolve(spec21(), media["schema"]), where)
