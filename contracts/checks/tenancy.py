"""Checks on who may see what: 401 without a valid key, 403 unverified, nothing of another organization's.

A list's rows are found where the spec documents them (the array of its 200 answer, through each mode
the answer may take), so one judge reads a seed page (``data`` + ``meta``), a flat 2.1 page or a catalog mode.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import httpx

from apipay_harness.core.checks import (
    FOREIGN_CATALOG_ITEM_NOT_LISTED,
    FOREIGN_INVOICE_NOT_FOUND,
    FOREIGN_INVOICE_NOT_LISTED,
    FOREIGN_RESOURCE_REFUSED,
    FOREIGN_WEBHOOK_REFUSED,
    UNAUTHENTICATED_REJECTED,
    UNVERIFIED_FORBIDDEN,
    Check,
)
from apipay_harness.core.spec import resolve
from apipay_harness.core.types import JSONObject
from contracts.checks import CheckContext
from contracts.violations import Violation, expected_received

__all__ = [
    "foreign_catalog_item_not_listed",
    "foreign_invoice_not_found",
    "foreign_invoice_not_listed",
    "foreign_resource_refused",
    "foreign_webhook_refused",
    "list_rows",
    "unauthenticated_rejected",
    "unverified_forbidden",
]


def _rule(ctx: CheckContext, status: int) -> str:
    method, path = ctx.operation.split(" ", 1)
    return f"#/paths/{path.replace('~', '~0').replace('/', '~1')}/{method.lower()}/responses/{status}"


def _expect_status(ctx: CheckContext, response: httpx.Response, *, status: int, name: Check, title: str) -> None:
    if response.status_code != status:
        raise Violation(
            operation=ctx.operation,
            check=name,
            title=title,
            message=expected_received(status, f"{response.status_code} {response.text[:200]}"),
            rule=_rule(ctx, status),
            severity="critical",
        )


def unauthenticated_rejected(ctx: CheckContext, response: httpx.Response, case: str) -> None:
    """A request without a key, or with a wrong one, is answered 401."""
    _expect_status(
        ctx, response, status=401, name=UNAUTHENTICATED_REJECTED, title=f"not rejected with 401 (sent {case})"
    )


def unverified_forbidden(ctx: CheckContext, response: httpx.Response, case: str) -> None:
    """A verified key is required: an unverified organization's key is answered 403."""
    _expect_status(ctx, response, status=403, name=UNVERIFIED_FORBIDDEN, title=f"not forbidden with 403 (sent {case})")


def foreign_invoice_not_found(ctx: CheckContext, response: httpx.Response, case: int) -> None:
    """Another organization's invoice does not exist for this key: 404, never 403 or its data."""
    _expect_status(
        ctx,
        response,
        status=404,
        name=FOREIGN_INVOICE_NOT_FOUND,
        title=f"another organization's invoice {case} is not 404",
    )


def _array_fields(spec: JSONObject, node: Any) -> list[str]:
    """The array properties of a list answer's schema, through each of its alternatives (a list may have modes)."""
    schema = resolve(spec, node)
    if not isinstance(schema, dict):
        return []
    names = []
    for name, prop in (schema.get("properties") or {}).items():
        kind = resolve(spec, prop).get("type")
        if kind == "array" or (isinstance(kind, list) and "array" in kind):
            names.append(name)
    for sub in schema.get("anyOf", []) + schema.get("oneOf", []) + schema.get("allOf", []):
        names.extend(_array_fields(spec, sub))
    return list(dict.fromkeys(names))


def list_rows(spec: JSONObject, operation: str, body: Any) -> list[Any] | None:
    """The rows of a list answer: the array property the spec documents for the 200 answer (None: not there)."""
    method, path = operation.split(" ", 1)
    answer = resolve(spec, spec["paths"][path][method.lower()]["responses"]["200"])
    names = _array_fields(spec, answer["content"]["application/json"]["schema"])
    if not names:
        raise LookupError(f"the spec documents no list in the 200 answer of {operation}")
    for name in names:
        rows = body.get(name) if isinstance(body, dict) else None
        if isinstance(rows, list):
            return rows
    return None


def _not_listed(
    ctx: CheckContext,
    response: httpx.Response,
    foreign: set[int],
    *,
    name: Check,
    field: Callable[[Any], Any],
    what: str,
) -> None:
    try:
        body = response.json() if response.status_code == 200 else None
    except ValueError:
        body = None
    rows = list_rows(ctx.spec, ctx.operation, body)
    ids = {field(row) for row in rows or () if isinstance(row, dict)}
    leaked = sorted(foreign & ids)
    if response.status_code != 200 or rows is None or leaked:
        raise Violation(
            operation=ctx.operation,
            check=name,
            title=f"another organization's {what} shows up in a list" if leaked else "the list could not be read",
            message=expected_received(
                f"200 with the documented list, without {what}s {sorted(foreign)}",
                f"{response.status_code}, {'no documented list' if rows is None else leaked}",
            ),
            rule=name.rule,
            severity="critical",
        )


def foreign_invoice_not_listed(ctx: CheckContext, response: httpx.Response, case: Iterable[int]) -> None:
    """A list answered to one organization holds none of another organization's invoices (or their refunds)."""
    _not_listed(
        ctx,
        response,
        set(case),
        name=FOREIGN_INVOICE_NOT_LISTED,
        field=lambda row: row.get("invoice_id", row.get("id")),
        what="invoice",
    )


def foreign_catalog_item_not_listed(ctx: CheckContext, response: httpx.Response, case: Iterable[int]) -> None:
    """The catalog answered to one organization holds none of another organization's items."""
    _not_listed(
        ctx,
        response,
        set(case),
        name=FOREIGN_CATALOG_ITEM_NOT_LISTED,
        field=lambda row: row.get("id"),
        what="catalog item",
    )


def _refused(ctx: CheckContext, response: httpx.Response, case: str, check: Check) -> None:
    """The answer is a 4xx the operation documents (401 aside: the key is valid); a 2xx is the leak."""
    method, path = ctx.operation.split(" ", 1)
    documented = {int(code) for code in ctx.spec["paths"][path][method.lower()]["responses"] if code.startswith("4")}
    allowed = sorted(documented - {401})
    if response.status_code not in allowed:
        raise Violation(
            operation=ctx.operation,
            check=check,
            title=f"{case} was not refused",
            message=expected_received(" or ".join(map(str, allowed)), f"{response.status_code} {response.text[:200]}"),
            rule=check.rule,
            severity="critical",
        )


def foreign_resource_refused(ctx: CheckContext, response: httpx.Response, case: str) -> None:
    """Acting on another organization's catalog item is refused with a documented 4xx, never done.

    The docs name no status for this, so any 4xx the operation documents is accepted.
    """
    _refused(ctx, response, case, FOREIGN_RESOURCE_REFUSED)


def foreign_webhook_refused(ctx: CheckContext, response: httpx.Response, case: str) -> None:
    """An invoice naming another organization's webhook is refused with a documented 4xx, never created."""
    _refused(ctx, response, case, FOREIGN_WEBHOOK_REFUSED)
