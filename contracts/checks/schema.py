"""Checks of error answers against the spec: error bodies, and the countdown to a 429.

Every error body must match the schema its operation documents for that status; a
rate-limited key sees ``X-RateLimit-Remaining`` count down to a 429 that says when to retry.
"""

from __future__ import annotations

from typing import Any

import httpx
from jsonschema import Draft202012Validator

from apipay_harness.core.checks import ERROR_BODY_MATCHES_SCHEMA, RATE_LIMIT_COUNTS_DOWN
from apipay_harness.core.spec import escape_pointer, resolve
from apipay_harness.core.types import JSONObject
from contracts.checks import CheckContext
from contracts.violations import Violation, expected_received

__all__ = ["documented_schema", "error_body_matches_schema", "rate_limit_counts_down", "response_pointer"]

REMAINING = "X-RateLimit-Remaining"


def response_pointer(operation: str, status: int) -> str:
    """The JSON pointer of ``operation``'s documented answer ``status``."""
    method, path = operation.split(" ", 1)
    return f"/paths/{escape_pointer(path)}/{method.lower()}/responses/{status}"


def documented_schema(spec: JSONObject, operation: str, status: int) -> tuple[str, JSONObject] | None:
    """(pointer, JSON schema) of the body ``operation`` documents for ``status``; ``None`` when undocumented."""
    method, path = operation.split(" ", 1)
    responses = spec["paths"][path][method.lower()].get("responses") or {}
    raw = responses.get(str(status))
    if raw is None:
        return None
    pointer = raw["$ref"][1:] if isinstance(raw, dict) and "$ref" in raw else response_pointer(operation, status)
    media = (resolve(spec, raw).get("content") or {}).get("application/json") or {}
    schema = media.get("schema")
    if schema is None:
        return None
    return f"{pointer}/content/application~1json/schema", schema


def _validate(spec: JSONObject, schema: JSONObject, body: Any) -> list[str]:
    root = {**schema, "components": spec.get("components", {})}
    validator = Draft202012Validator(root)
    return [f"{'/'.join(map(str, e.absolute_path)) or 'body'}: {e.message}" for e in validator.iter_errors(body)][:5]


def error_body_matches_schema(ctx: CheckContext, response: httpx.Response, case: str) -> None:
    """An error answer's status is documented for its operation and its JSON body matches the documented schema."""
    status = response.status_code
    documented = documented_schema(ctx.spec, ctx.operation, status)
    if documented is None:
        raise Violation(
            operation=ctx.operation,
            check=ERROR_BODY_MATCHES_SCHEMA,
            title=f"{case}: status {status} is not documented for {ctx.operation}",
            message=expected_received("a documented error status", f"{status} {response.text[:200]}"),
            rule=f"#{response_pointer(ctx.operation, status).rsplit('/', 1)[0]}",
        )
    pointer, schema = documented
    try:
        body = response.json()
    except ValueError:
        body = response.text
    problems = _validate(ctx.spec, schema, body)
    if problems:
        raise Violation(
            operation=ctx.operation,
            check=ERROR_BODY_MATCHES_SCHEMA,
            title=f"{case}: the {status} body does not match its schema",
            message=expected_received(f"a body matching #{pointer}", "; ".join(problems) + f" in {str(body)[:200]}"),
            rule=f"#{pointer}",
        )


def rate_limit_counts_down(ctx: CheckContext, response: httpx.Response, case: list[httpx.Response]) -> None:
    """Before the 429 (``response``), each answer's ``X-RateLimit-Remaining`` is lower than the one before."""
    seen = [r.headers.get(REMAINING) for r in case]
    numbers = [int(v) for v in seen if v is not None and v.lstrip("-").isdigit()]
    if len(numbers) != len(seen) or any(b >= a for a, b in zip(numbers, numbers[1:], strict=False)):
        raise Violation(
            operation=ctx.operation,
            check=RATE_LIMIT_COUNTS_DOWN,
            title=f"{REMAINING} does not count down before the 429",
            message=expected_received("a strictly decreasing integer on every answer", seen),
            rule="#/components/headers/RateLimitRemaining",
        )
    if response.status_code != 429:
        raise Violation(
            operation=ctx.operation,
            check=RATE_LIMIT_COUNTS_DOWN,
            title="the rate-limited key was never answered 429",
            message=expected_received(f"429 after {len(case)} requests", response.status_code),
            rule="#/components/responses/TooManyRequests",
        )
