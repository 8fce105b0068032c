"""Every API version has its suites' prose rules, and each module holds the rules of the version it is named for."""

from __future__ import annotations

import importlib

from apipay_harness.core.versions import VERSIONS
from contracts.dialect import DIALECT_MODULES, Dialect


def test_every_version_has_one_dialect_module_holding_its_own_rules() -> None:
    assert set(DIALECT_MODULES) == set(VERSIONS)
    for name, module_name in DIALECT_MODULES.items():
        rules = importlib.import_module(module_name).DIALECT
        assert isinstance(rules, Dialect) and rules.version == name
