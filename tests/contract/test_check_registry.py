"""The check registry holds every check id a report can name, and every check it declares is used.

A report's ids come from three places: the ``contract`` marker of each suite test (its own result:
passed, skipped, or a plain assertion), the ``check=`` of a ``Violation`` a suite raises, and the ids a
test records itself (the schema suite's schemathesis checks, the bounds suite's instances). The first is
walked by collecting the suites as the contract command does; the other two by reading the suites'
source, where a check may only be named by a registry constant, never by a string.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from apipay_harness.contract import schema_engine
from apipay_harness.core import checks
from apipay_harness.core.checks import (
    CHECKS,
    END_MARKER,
    SCHEMATHESIS_CHECKS,
    START_MARKER,
    SUITE_ORDER,
    SUITES,
    Check,
    check_table,
    lookup,
    schemathesis_check,
)
from contracts.violations import Violation
from tests.contract.conftest import run_probe

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("order_probe.py")
SUITE_SOURCES = sorted((ROOT / "contracts").rglob("*.py"))
CONSTANTS = {name: value for name, value in vars(checks).items() if isinstance(value, Check)}


@pytest.fixture(scope="module")
def collected() -> list[tuple[str, str, str]]:
    """(node id, suite, check) of every contract test, collected in a child process."""
    row = run_probe(PROBE, json.dumps([[]])).splitlines()[0]
    return [(nodeid, suite, check) for nodeid, _, suite, check in json.loads(row)]


def _trees() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(), filename=str(path))) for path in SUITE_SOURCES]


def _check_arguments(tree: ast.Module) -> list[ast.expr]:
    """What every call names as its check: ``check=…``, and the first argument of a suite's ``_fail``."""
    found: list[ast.expr] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            found += [kw.value for kw in node.keywords if kw.arg == "check"]
            if isinstance(node.func, ast.Name) and node.func.id == "_fail" and node.args:
                found.append(node.args[0])
    return found


def _constants_used(tree: ast.Module) -> set[str]:
    """The registry constants a module reads (its import alone does not count)."""
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id in CONSTANTS}


def test_every_contract_test_names_a_declared_check_of_its_own_suite(collected: list[tuple[str, str, str]]) -> None:
    assert len(collected) > 200
    wrong = [
        (nodeid, suite, check)
        for nodeid, suite, check in collected
        if check not in CHECKS or CHECKS[check].suite != suite
    ]
    assert wrong == []


def test_every_suite_module_is_declared_with_its_suite(collected: list[tuple[str, str, str]]) -> None:
    declared = {module: {suite.name} for suite in SUITES for module in suite.modules}
    seen: dict[str, set[str]] = {}
    for nodeid, suite, _ in collected:
        seen.setdefault(nodeid.split("::", 1)[0], set()).add(suite)
    assert seen == declared


def test_no_suite_names_a_check_by_a_string() -> None:
    literals = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path, tree in _trees()
        for node in _check_arguments(tree)
        if isinstance(node, ast.Constant | ast.JoinedStr | ast.BinOp)
    ]
    assert literals == []


def test_every_declared_check_is_used_by_a_suite(collected: list[tuple[str, str, str]]) -> None:
    used = {CONSTANTS[name].id for _, tree in _trees() for name in _constants_used(tree)}
    used |= {check for _, _, check in collected}
    # The schema suite records each schemathesis check the engine ran, in both of its phases, by name.
    assert schema_engine.CHECKS == SCHEMATHESIS_CHECKS
    schema_suite = (ROOT / "contracts" / "test_schema.py").read_text()
    assert "schemathesis_check(name, stateful=stateful)" in schema_suite and "stateful=True" in schema_suite
    used |= {schemathesis_check(name, stateful=phase).id for name in SCHEMATHESIS_CHECKS for phase in (False, True)}
    assert sorted(set(CHECKS) - used) == []


def test_every_declared_check_has_a_rule_and_one_line_of_description() -> None:
    assert list(dict.fromkeys(c.suite for c in CHECKS.values())) == list(SUITE_ORDER)
    for check in CHECKS.values():
        assert check.rule and check.description and "\n" not in check.description, check.id
        assert not check.description.endswith("."), check.id


def test_an_instance_resolves_to_its_check_and_an_unknown_id_to_nothing() -> None:
    assert lookup("edge_accepted[body.amount maximum]") is checks.EDGE_ACCEPTED
    assert lookup("stateful:not_a_server_error") is schemathesis_check("not_a_server_error", stateful=True)
    assert lookup("refund_total_within_amount") is None
    assert lookup("edge_accepted[") is None


def test_a_violation_of_an_undeclared_check_is_refused() -> None:
    with pytest.raises(ValueError, match="not declared"):
        Violation(check="refund_total_within_amount", title="t", message="m")
    assert Violation(check=checks.SORTING, title="t", message="m").check == "sorting"


def test_declaring_a_check_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        checks._declare("sorting", "lists", "#/x", "again")


def test_docs_suites_holds_the_generated_check_table() -> None:
    page = (ROOT / "docs" / "suites.md").read_text()
    assert START_MARKER in page and END_MARKER in page, "docs/suites.md lost its check-table markers"
    between = page.split(START_MARKER, 1)[1].split(END_MARKER, 1)[0]
    assert between.strip() == check_table().strip(), (
        "regenerate it: python -c 'from apipay_harness.core.checks import check_table; print(check_table())'"
    )


def test_writing_checks_worked_example_matches_the_code() -> None:
    page = (ROOT / "docs" / "writing-checks.md").read_text()
    blocks = page.split("```python\n")[1:]
    assert len(blocks) >= 3
    sources = "\n".join(path.read_text() for path in [ROOT / "apipay_harness" / "core" / "checks.py", *SUITE_SOURCES])
    stale = [block.split("```", 1)[0] for block in blocks if block.split("```", 1)[0] not in sources]
    assert stale == [], "docs/writing-checks.md quotes code that is no longer in the registry or the suites"
    selected = [word.split()[0] for word in page.split("contract --quick -k ")[1:]]
    assert selected and all(word in CHECKS for word in selected)
