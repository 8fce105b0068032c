"""The selftest's ordering plugin runs the cheapest suites first and keeps each module whole and in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from apipay_harness.selftest.order import pytest_collection_modifyitems


@dataclass
class _Marker:
    kwargs: dict[str, Any]
    args: tuple[Any, ...] = ()


@dataclass
class _Item:
    """Just what the plugin reads of a pytest item: its node id and its ``contract`` marker."""

    nodeid: str
    suite: str | None = None

    def get_closest_marker(self, name: str) -> _Marker | None:
        return None if self.suite is None or name != "contract" else _Marker({"suite": self.suite})


def _order(items: list[_Item]) -> list[str]:
    pytest_collection_modifyitems(items)  # type: ignore[arg-type]
    return [item.nodeid for item in items]


def test_order_puts_schema_after_auth_and_webhooks_before_lists() -> None:
    items = [
        _Item("test_lists.py::a", "lists"),
        _Item("test_schema.py::a", "schema"),
        _Item("test_webhooks.py::a", "webhooks"),
        _Item("test_auth_tenancy.py::a", "auth"),
    ]
    assert _order(items) == ["test_auth_tenancy.py::a", "test_webhooks.py::a", "test_lists.py::a", "test_schema.py::a"]


def test_order_keeps_a_module_whole_and_its_tests_in_order() -> None:
    items = [
        _Item("test_schema.py::one", "schema"),
        _Item("test_auth_tenancy.py::x", "auth"),
        _Item("test_schema.py::two", "schema"),
        _Item("test_auth_tenancy.py::y", "errors"),
    ]
    assert _order(items) == [
        "test_auth_tenancy.py::x",
        "test_auth_tenancy.py::y",
        "test_schema.py::one",
        "test_schema.py::two",
    ]


@pytest.mark.parametrize("suite", [None, "a_new_suite"], ids=["not-a-contract-test", "unknown-suite"])
def test_order_puts_unknown_suites_last_in_their_order(suite: str | None) -> None:
    items = [_Item("test_new.py::a", suite), _Item("test_schema.py::a", "schema"), _Item("test_new.py::b", suite)]
    assert _order(items) == ["test_schema.py::a", "test_new.py::a", "test_new.py::b"]
