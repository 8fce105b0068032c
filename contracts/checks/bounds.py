"""Checks on one edge value of a bounded field: accepted inside, rejected with 422 naming the field outside."""

from __future__ import annotations

import re

import httpx

from apipay_harness.core.checks import EDGE_ACCEPTED, OUTSIDE_REJECTED
from contracts.checks import CheckContext
from contracts.checks.edges import Edge
from contracts.violations import Violation, expected_received

__all__ = ["edge_accepted", "names_field", "outside_rejected"]


def _dotted(key: str) -> str:
    """A field's name with its path in dots: the docs show no nested name, so ``a[0][b]`` and ``a.0.b`` are one."""
    return re.sub(r"\[([^\]]+)\]", r".\1", key.replace("[]", ""))


def names_field(key: str, field_name: str) -> bool:
    """Whether a 422 ``errors`` key names the field (``cart_items.0.count`` or ``cart_items[0][count]``)."""
    norm = _dotted(key)
    wanted = _dotted(field_name)
    top = wanted.split(".")[0]
    return norm in (wanted, top) or norm.startswith(f"{top}.")


def edge_accepted(ctx: CheckContext, response: httpx.Response, case: Edge) -> None:
    """A value on the inner side of a bound is accepted (2xx)."""
    if not response.is_success:
        raise Violation(
            operation=ctx.operation,
            check=EDGE_ACCEPTED,
            title=f"{case.field.field_name} = edge value rejected ({case.label})",
            message=expected_received(
                f"2xx for {case.field.field_name}={_short(case.value)}",
                f"{response.status_code} {response.text[:300]}",
            ),
            rule=case.rule,
        )


def outside_rejected(ctx: CheckContext, response: httpx.Response, case: Edge) -> None:
    """A value just outside a bound is answered 422 with an ``errors`` entry naming the field."""
    title = f"{case.field.field_name} = out-of-bound value not rejected ({case.label})"
    expected = f"422 with errors[{case.field.field_name!r}] for {case.field.field_name}={_short(case.value)}"
    if response.status_code != 422:
        raise Violation(
            operation=ctx.operation,
            check=OUTSIDE_REJECTED,
            title=title,
            message=expected_received(expected, f"{response.status_code} {response.text[:300]}"),
            rule=case.rule,
        )
    try:
        errors = response.json().get("errors")
    except (ValueError, AttributeError):
        errors = None
    keys = list(errors) if isinstance(errors, dict) else []
    if not any(names_field(str(key), case.field.field_name) for key in keys):
        raise Violation(
            operation=ctx.operation,
            check=OUTSIDE_REJECTED,
            title=f"422 for {case.field.field_name} does not name the field ({case.label})",
            message=expected_received(expected, f"errors keys {keys}"),
            rule=case.rule,
            severity="medium",
        )


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}… ({len(text)} chars)"
