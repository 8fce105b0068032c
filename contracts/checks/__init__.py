"""Judges of one answer, shared by the suites that send the requests.

Each judge is ``def <name>(ctx: CheckContext, response: httpx.Response, case: Any) -> None`` and raises
a ``Violation`` naming its check (a constant of ``apipay_harness.core.checks``, where every check id
is declared) when the response breaks the rule. Topics:

- ``contracts.checks.schema``  — error bodies against the spec's schemas, 429 details;
- ``contracts.checks.bounds``  — the edges of bounded fields;
- ``contracts.checks.tenancy`` — 401/403 on every operation, other organizations' invoices, refunds, items, webhooks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from apipay_harness.core.types import JSONObject

__all__ = ["CheckContext", "Judge"]

Judge = Callable[["CheckContext", httpx.Response, Any], None]
"""A judge of one answer: returns when the answer keeps its rule, raises a ``Violation`` otherwise."""


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What a judge needs besides the response: the spec and the operation it judges."""

    spec: JSONObject
    operation: str
    """``METHOD /path`` as the spec writes it."""
