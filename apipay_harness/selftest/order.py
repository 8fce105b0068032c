"""A pytest plugin the selftest loads into each contract run: the cheapest suites run first.

A faulty run stops at its first failure, so the seconds it takes to detect a fault are the
seconds spent in the suites before the one that catches it. Running the quick suites
(a few seconds each in ``--quick``) before the slow ones (the schema suite's thousands of
cases, the rate-limit and list checks that wait on the clock) cuts that time without
changing what any suite checks. Tests keep their order within a module; modules stay whole,
so module-scoped fixtures are built once. Suites not named here run last, in their order.
"""

from __future__ import annotations

import pytest

from apipay_harness.contract.outcomes import suite_of

__all__ = ["SUITE_ORDER", "pytest_collection_modifyitems"]

SUITE_ORDER = ("auth", "bounds", "concurrency", "lifecycle", "webhooks", "lists", "errors", "schema")
"""Suites from the fastest to the slowest in a clean ``--quick`` run on the reference machine (bench/RESULTS.md)."""


def _suite(item: pytest.Item) -> str:
    return suite_of(item) or ""


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Reorder whole modules by the rank of their first contract suite."""
    module_rank: dict[str, int] = {}
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        if module not in module_rank:
            suite = _suite(item)
            module_rank[module] = SUITE_ORDER.index(suite) if suite in SUITE_ORDER else len(SUITE_ORDER)
    position = {id(item): index for index, item in enumerate(items)}
    items.sort(key=lambda item: (module_rank[item.nodeid.split("::", 1)[0]], position[id(item)]))
