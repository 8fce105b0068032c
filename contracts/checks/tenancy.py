"""Checks on who may see what: 401 without a valid key, 403 unverified, 404 for another organization's invoice."""

from __future__ import annotations

from collections.abc import Iterable

import httpx

from contracts.checks import CheckContext, check
from contracts.violations import Violation, expected_received

__all__ = [
    "foreign_invoice_not_found",
    "foreign_invoice_not_listed",
    "unauthenticated_rejected",
    "unverified_forbidden",
]


def _rule(ctx: CheckContext, status: int) -> str:
    method, path = ctx.operation.split(" ", 1)
    return f"#/paths/{path.replace('~', '~0').replace('/', '~1')}/{method.lower()}/responses/{status}"


def _expect_status(ctx: CheckContext, response: httpx.Response, *, status: int, name: str, title: str) -> None:
    if response.status_code != status:
        raise Violation(
            operation=ctx.operation,
            check=name,
            title=title,
            message=expected_received(status, f"{response.status_code} {response.text[:200]}"),
            rule=_rule(ctx, status),
            severity="critical",
        )


@check
def unauthenticated_rejected(ctx: CheckContext, response: httpx.Response, case: str) -> None:
    """A request without a key, or with a wrong one, is answered 401."""
    _expect_status(
        ctx, response, status=401, name="unauthenticated_rejected", title=f"not rejected with 401 (sent {case})"
    )


@check
def unverified_forbidden(ctx: CheckContext, response: httpx.Response, case: str) -> None:
    """A verified key is required: an unverified organization's key is answered 403."""
    _expect_status(
        ctx, response, status=403, name="unverified_forbidden", title=f"not forbidden with 403 (sent {case})"
    )


@check
def foreign_invoice_not_found(ctx: CheckContext, response: httpx.Response, case: int) -> None:
    """Another organization's invoice does not exist for this key: 404, never 403 or its data."""
    _expect_status(
        ctx,
        response,
        status=404,
        name="foreign_invoice_not_found",
        title=f"another organization's invoice {case} is not 404",
    )


@check
def foreign_invoice_not_listed(ctx: CheckContext, response: httpx.Response, case: Iterable[int]) -> None:
    """A list answered to one organization holds none of another organization's ids."""
    foreign = set(case)
    body = response.json() if response.status_code == 200 else {}
    rows = body.get("data") or body.get("invoices") or body.get("refunds") or []
    ids = {row.get("invoice_id", row.get("id")) for row in rows if isinstance(row, dict)}
    leaked = sorted(foreign & ids)
    if response.status_code != 200 or leaked:
        raise Violation(
            operation=ctx.operation,
            check="foreign_invoice_not_listed",
            title="another organization's invoice shows up in a list" if leaked else "the list could not be read",
            message=expected_received(f"200 without invoices {sorted(foreign)}", f"{response.status_code}, {leaked}"),
            rule="tenancy: an organization's lists and totals hold only its own invoices",
            severity="critical",
        )
