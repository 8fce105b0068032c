"""The registry of named contract checks (STYLE R8).

Each check is ``def <name>(ctx: CheckContext, response: httpx.Response, case: Any) -> None``,
registered with ``@check``; it raises a ``Violation`` when the response breaks its rule.
Its name is the id the report matrix, JUnit and ``-k`` use. Topics:

- ``contracts.checks.schema``  — error bodies against the spec's schemas, 429 details;
- ``contracts.checks.bounds``  — the edges of bounded fields;
- ``contracts.checks.tenancy`` — 401/403 on every operation, other organizations' invoices, refunds, items, webhooks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

from apipay_harness.core.types import JSONObject

__all__ = ["REGISTRY", "CheckContext", "CheckFunction", "Registry", "check"]

CheckFunction = Callable[["CheckContext", httpx.Response, Any], None]


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What a check needs besides the response: the spec and the operation it judges."""

    spec: JSONObject
    operation: str
    """``METHOD /path`` as the spec writes it."""


class Registry:
    """Checks by name; registering a name twice is a mistake and raises."""

    def __init__(self) -> None:
        self._checks: dict[str, CheckFunction] = {}

    def register(self, function: CheckFunction) -> CheckFunction:
        """Add ``function`` under its ``__name__``."""
        name = function.__name__
        if name in self._checks:
            raise ValueError(f"check {name!r} is registered twice")
        self._checks[name] = function
        return function

    def __getitem__(self, name: str) -> CheckFunction:
        return self._checks[name]

    def __contains__(self, name: object) -> bool:
        return name in self._checks

    def __iter__(self) -> Iterator[str]:
        return iter(sorted(self._checks))


REGISTRY = Registry()


def check(function: CheckFunction) -> CheckFunction:
    """Register a check in the shared registry."""
    return REGISTRY.register(function)
