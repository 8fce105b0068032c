"""Checks of error answers against the spec: error bodies, their headers, and the countdown to a 429.

Every error body must match the schema its operation documents for that status, and every answer
must carry the headers its documented response marks required (the rate-limit headers, and on a
429 when to retry, where the version's spec says so); a rate-limited key sees
``X-RateLimit-Remaining`` count down to that 429.
"""

from __future__ import annotations

from typing import Any

import httpx
from jsonschema import Draft202012Validator

from apipay_harness.core.checks import DOCUMENTED_HEADERS_SENT, ERROR_BODY_MATCHES_SCHEMA, RATE_LIMIT_COUNTS_DOWN, Check
from apipay_harness.core.spec import escape_pointer, resolve
from apipay_harness.core.types import JSONObject
from contracts.checks import CheckContext
from contracts.violations import Violation, expected_received

__all__ = [
    "documented_headers",
    "documented_headers_sent",
    "documented_schema",
    "error_body_matches_schema",
    "rate_limit_counts_down",
    "response_pointer",
]

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


def documented_headers(spec: JSONObject, operation: str, status: int) -> dict[str, tuple[str, JSONObject]]:
    """The headers ``operation``'s answer ``status`` must carry: name → (pointer, schema), for each ``required`` one."""
    method, path = operation.split(" ", 1)
    raw = (spec["paths"][path][method.lower()].get("responses") or {}).get(str(status))
    if raw is None:
        return {}
    pointer = raw["$ref"][1:] if isinstance(raw, dict) and "$ref" in raw else response_pointer(operation, status)
    found = {}
    for name, header in (resolve(spec, raw).get("headers") or {}).items():
        declared = resolve(spec, header)
        if declared.get("required"):
            found[name] = (f"{pointer}/headers/{escape_pointer(name)}", declared.get("schema") or {})
    return found


def _header_value(schema: JSONObject, text: str) -> Any:
    """The header's text as the JSON value its schema speaks of (an integer header is judged as a number)."""
    kinds = schema.get("type")
    numeric = kinds in ("integer", "number") or (isinstance(kinds, list) and bool({"integer", "number"} & set(kinds)))
    digits = text.strip().removeprefix("-")
    if numeric and digits.isascii() and digits.isdigit():
        return int(text.strip())
    return text


def _validate(spec: JSONObject, schema: JSONObject, body: Any) -> list[str]:
    root = {**schema, "components": spec.get("components", {})}
    validator = Draft202012Validator(root)
    return [f"{'/'.join(map(str, e.absolute_path)) or 'body'}: {e.message}" for e in validator.iter_errors(body)][:5]


def _undocumented_status(
    ctx: CheckContext, check: Check, response: httpx.Response, *, title: str, expected: str
) -> Violation:
    """A violation of ``check``: the answer's status is none its operation documents."""
    status = response.status_code
    return Violation(
        operation=ctx.operation,
        check=check,
        title=title,
        message=expected_received(expected, f"{status} {response.text[:200]}"),
        rule=f"#{response_pointer(ctx.operation, status).rsplit('/', 1)[0]}",
    )


def error_body_matches_schema(ctx: CheckContext, response: httpx.Response, case: str) -> None:
    """An error answer's status is documented for its operation and its JSON body matches the documented schema."""
    status = response.status_code
    documented = documented_schema(ctx.spec, ctx.operation, status)
    if documented is None:
        raise _undocumented_status(
            ctx,
            ERROR_BODY_MATCHES_SCHEMA,
            response,
            title=f"{case}: status {status} is not documented for {ctx.operation}",
            expected="a documented error status",
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


def documented_headers_sent(ctx: CheckContext, response: httpx.Response, case: str) -> None:
    """The answer carries every header its documented response marks required, each a value of its schema.

    An answer of a status the operation does not document cannot be judged by its headers, so it fails
    here too rather than pass unjudged.
    """
    method, path = ctx.operation.split(" ", 1)
    if str(response.status_code) not in (ctx.spec["paths"][path][method.lower()].get("responses") or {}):
        raise _undocumented_status(
            ctx,
            DOCUMENTED_HEADERS_SENT,
            response,
            title=f"{case}: status {response.status_code} is not documented, so no header of it can be judged",
            expected="a documented status",
        )
    problems = []
    rule = f"#{response_pointer(ctx.operation, response.status_code)}/headers"
    for name, (pointer, schema) in documented_headers(ctx.spec, ctx.operation, response.status_code).items():
        text = response.headers.get(name)
        if text is None:
            problems.append(f"{name} missing")
            rule = f"#{pointer}"
        elif _validate(ctx.spec, schema, _header_value(schema, text)):
            problems.append(f"{name}: {text[:40]!r}")
            rule = f"#{pointer}"
    if problems:
        raise Violation(
            operation=ctx.operation,
            check=DOCUMENTED_HEADERS_SENT,
            title=f"{case}: the {response.status_code} answer lacks documented headers",
            message=expected_received(
                f"{', '.join(documented_headers(ctx.spec, ctx.operation, response.status_code))} as documented",
                "; ".join(problems),
            ),
            rule=rule,
        )
