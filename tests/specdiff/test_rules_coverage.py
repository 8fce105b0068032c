"""Every kind of change the diff knows is produced by at least one of the rule tests: no rule goes untested."""

from __future__ import annotations

from typing import Any

from apipay_harness.specdiff import KINDS
from tests.specdiff import test_rules_operations, test_rules_responses, test_rules_schemas


def _expected(params: list[Any]) -> set[str]:
    return {kind for param in params for kind in param.values[-1]}


def test_every_kind_has_a_rule_test() -> None:
    covered = (
        _expected(test_rules_operations.CASES)
        | _expected(test_rules_operations.FILTERS)
        | _expected(test_rules_schemas.REQUEST)
        | _expected(test_rules_schemas.RESPONSE)
        | _expected(test_rules_schemas.ERRORS)
        | _expected(test_rules_responses.CASES)
        | _expected(test_rules_responses.STATUS_CASES)
        | _expected(test_rules_responses.DELIVERY_CASES)
    )
    assert sorted(set(KINDS) - covered) == []
    assert sorted(covered - set(KINDS)) == []
