from __future__ import annotations

import importlib
import inspect

import pytest

MODULES = [
    "apipay_harness.core.redact",
    "apipay_harness.core.reproducer",
    "apipay_harness.report",
    "apipay_harness.report.summary",
    "apipay_harness.report.json_writer",
    "apipay_harness.report.markdown",
    "apipay_harness.report.html",
    "apipay_harness.report.junit",
]


@pytest.mark.parametrize("name", MODULES)
def test_module_all_lists_exactly_its_public_definitions(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(module.__all__)
    assert all(hasattr(module, n) for n in exported)
    defined_here = {
        n
        for n, obj in vars(module).items()
        if not n.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj)) and obj.__module__ == name
    }
    assert defined_here <= exported


def test_report_package_exports_writers_for() -> None:
    report = importlib.import_module("apipay_harness.report")
    assert "writers_for" in report.__all__
