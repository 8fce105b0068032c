"""Every module of the package says what it exports: ``__all__`` lists exactly its public functions and classes."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import apipay_harness

FOUND_BY_NAME = {
    "apipay_harness.__main__": "runs the command line",
    "apipay_harness.cli": "click commands",
    "apipay_harness.contract.plugin": "pytest hooks",
    "apipay_harness.loadrun.locust_plugin": "Locust event listeners",
    "apipay_harness.mock.routes_catalog": "route handlers",
    "apipay_harness.mock.routes_control": "route handlers",
    "apipay_harness.mock.routes_invoices": "route handlers",
    "apipay_harness.mock.routes_refunds": "route handlers",
    "apipay_harness.receiver.checks": "registered checks, read through CHECKS",
}
"""Modules whose public functions a framework or a registry finds by itself: nobody imports them by name."""

MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages(apipay_harness.__path__, prefix="apipay_harness.")
    if info.name not in FOUND_BY_NAME
)


def test_the_walk_finds_the_packages() -> None:
    assert {"apipay_harness.core.spec", "apipay_harness.report.junit", "apipay_harness.fixture.plugin"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_module_all_lists_exactly_its_public_definitions(name: str) -> None:
    module = importlib.import_module(name)
    defined_here = {
        n
        for n, obj in vars(module).items()
        if not n.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == name
    }
    if not hasattr(module, "__all__"):
        assert module.__name__ == name and not defined_here, f"{name} defines {sorted(defined_here)} without __all__"
        return
    exported = set(module.__all__)
    assert all(hasattr(module, n) for n in exported)
    assert defined_here <= exported
