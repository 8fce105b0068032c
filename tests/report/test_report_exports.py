from __future__ import annotations

import importlib


def test_report_package_exports_writers_for() -> None:
    report = importlib.import_module("apipay_harness.report")
    assert "writers_for" in report.__all__
