"""The pure parts of the contract run: edge values, field naming, the production guard, outcome classification."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from apipay_harness.contract.guard import Guard, is_destructive
from apipay_harness.contract.outcomes import TestIdentity, outcome_of
from apipay_harness.core.checks import SORTING
from apipay_harness.core.spec import bounded_fields, load_spec
from contracts.checks.bounds import names_field
from contracts.checks.edges import edges_of, step_of
from contracts.violations import Violation

SPEC = load_spec()


def _field(label: str, name: str):  # type: ignore[no-untyped-def]
    return next(f for f in bounded_fields(SPEC) if f.operation.label == label and f.field_name == name)


def test_step_of_number_is_one_unit_of_the_last_decimal() -> None:
    assert (step_of(99999999.99, "number"), step_of(5, "integer"), step_of(0.5, "number")) == (
        Decimal("0.01"),
        Decimal(1),
        Decimal("0.1"),
    )


def test_edges_of_amount_are_the_bounds_and_one_kopeck_outside() -> None:
    schema = _field("POST /invoices", "amount").schema
    edges = {e.label: (e.value, e.accepted) for e in edges_of(_field("POST /invoices", "amount"))}
    assert edges["maximum"] == (Decimal(str(schema["maximum"])), True)
    assert edges["maximum+0.01"] == (Decimal(str(schema["maximum"])) + Decimal("0.01"), False)
    assert edges["minimum-0.01"] == (Decimal(str(schema["minimum"])) - Decimal("0.01"), False)


def test_edges_of_enum_accept_every_member_and_reject_the_invalid_example() -> None:
    field = _field("GET /invoices", "sort_by")
    edges = edges_of(field)
    assert {e.value for e in edges if e.accepted} == set(field.schema["enum"])
    assert [e.value for e in edges if not e.accepted] == field.schema["x-invalid-examples"][:1]


def test_edges_of_pattern_take_both_sides_from_the_spec_examples() -> None:
    field = _field("POST /invoices", "phone_number")
    edges = edges_of(field)
    assert [e.value for e in edges if not e.accepted] == field.schema["x-invalid-examples"]
    assert all(e.rule.endswith("/pattern") for e in edges)


def test_edge_id_is_readable() -> None:
    labels = [e.id for e in edges_of(_field("POST /invoices", "amount"))]
    assert "POST /invoices body.amount maximum+0.01" in labels


def test_names_field_accepts_laravel_style_keys_only_for_that_field() -> None:
    assert names_field("cart_items.0.count", "cart_items.0.count")
    assert names_field("status.0", "status[].0")
    assert not names_field("description", "amount")


def test_names_field_accepts_bracketed_nested_names() -> None:
    """The docs show no nested field's name, so ``cart_items[0][count]`` names it as well as the dotted form."""
    assert names_field("cart_items[0][count]", "cart_items.0.count")
    assert names_field("status[][0]", "status[].0")
    assert not names_field("items[0][name]", "cart_items.0.count")


def test_is_destructive_covers_refunds_and_catalog_changes_only() -> None:
    assert is_destructive("POST", "/api/v1/invoices/7/refund")
    assert is_destructive("PATCH", "/api/v1/catalog/7")
    assert not is_destructive("POST", "/api/v1/invoices/7/cancel")
    assert not is_destructive("GET", "/api/v1/catalog")


def test_guard_skips_past_the_production_invoice_cap() -> None:
    guard = Guard(production=True, cap=1)
    request = httpx.Request("POST", "http://127.0.0.1:9/api/v1/invoices")
    guard.before(request)
    with pytest.raises(pytest.skip.Exception, match="cap of 1"):
        guard.before(request)


def test_outcome_of_violation_keeps_its_rule_and_check() -> None:
    try:
        raise Violation(operation="GET /x", check=SORTING, title="t", message="Expected: 1\nReceived: 2", rule="#/r")
    except Violation:
        outcome = outcome_of(pytest.ExceptionInfo.from_current(), when="call")
    assert (outcome.verdict, outcome.rule, outcome.check, outcome.operation) == ("failed", "#/r", "sorting", "GET /x")


def test_a_plain_assertion_fails_with_the_rule_its_declared_check_enforces() -> None:
    try:
        raise AssertionError("rows out of order\nExpected: 1, 2\nReceived: 2, 1")
    except AssertionError:
        outcome = outcome_of(pytest.ExceptionInfo.from_current(), when="call")
    ident = TestIdentity(suite="lists", check="sorting", operation="GET /invoices")
    result = outcome.to_result(ident, reproducer="", seconds=0.1)
    assert (result.verdict, result.check, result.rule) == ("failed", "sorting", SORTING.rule)


def test_outcome_of_non_assertion_is_an_error() -> None:
    try:
        raise httpx.ConnectError("refused")
    except httpx.ConnectError:
        outcome = outcome_of(pytest.ExceptionInfo.from_current(), when="call")
    assert (outcome.verdict, outcome.title) == ("error", "ConnectError")


def test_plugin_is_inert_without_contract_tests(tmp_path: Path) -> None:
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert True\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", str(tmp_path), "-q", "-p", "no:cacheprovider", "--report-dir", "rep"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout
    assert not (tmp_path / "rep").exists()


@pytest.mark.parametrize(
    "module",
    [
        "apipay_harness.contract.command",
        "apipay_harness.contract.guard",
        "apipay_harness.contract.outcomes",
        "apipay_harness.contract.run",
        "apipay_harness.contract.progress",
        "apipay_harness.contract.plugin",
        "apipay_harness.contract.schema_engine",
        "apipay_harness.core.checks",
        "contracts.checks",
        "contracts.checks.bounds",
        "contracts.checks.edges",
        "contracts.checks.sample",
        "contracts.checks.schema",
        "contracts.checks.tenancy",
        "contracts.client",
        "contracts.control",
        "contracts.violations",
    ],
)
def test_module_all_names_what_it_defines(module: str) -> None:
    import importlib

    loaded = importlib.import_module(module)
    assert [name for name in loaded.__all__ if not hasattr(loaded, name)] == []


def test_progress_on_a_terminal_names_the_running_check_and_settles_each_suite() -> None:
    import io

    from rich.console import Console

    from apipay_harness.contract.progress import TerminalProgress
    from apipay_harness.core.results import CheckResult

    out = io.StringIO()
    progress = TerminalProgress(Console(file=out, force_terminal=True, width=100))
    progress.started("bounds", "test_bounds_edge_value[amount]")
    progress(CheckResult(suite="bounds", operation="*", check="c", verdict="failed", cases=1, failures=1))
    progress.started("errors", "test_errors_body_matches_schema[401]")
    progress(CheckResult(suite="errors", operation="*", check="c", verdict="passed", cases=2))
    progress.close()
    text = out.getvalue()
    assert "test_bounds_edge_value[amount]" in text and "1 failure(s) so far" in text
    assert "bounds: 1 cases, 1 failed" in text and "errors: 2 cases, 0 failed" in text


def test_progress_prints_one_line_for_a_suite_whose_tests_are_spread_over_the_run() -> None:
    import io

    from rich.console import Console

    from apipay_harness.contract.progress import TerminalProgress
    from apipay_harness.core.results import CheckResult

    out = io.StringIO()
    progress = TerminalProgress(Console(file=out, force_terminal=False, width=100))
    progress.planned({"errors": 2, "lifecycle": 1})
    for suite in ("errors", "lifecycle", "errors"):  # as test_errors_*, test_lifecycle_*, test_robustness_* run
        progress.started(suite, f"test_{suite}")
        progress(CheckResult(suite=suite, operation="*", check="c", verdict="passed", cases=1))
        progress.finished(suite)
    after_run = out.getvalue()
    progress.close()
    lines = out.getvalue().splitlines()
    assert [line.split(":")[0] for line in lines] == ["lifecycle", "errors"]
    assert "errors: 2 cases, 0 failed" in after_run  # printed when its last test finished, not at close


def test_progress_of_a_run_cut_short_says_which_suites_did_not_finish() -> None:
    import io

    from rich.console import Console

    from apipay_harness.contract.progress import TerminalProgress

    out = io.StringIO()
    progress = TerminalProgress(Console(file=out, force_terminal=False, width=120))
    progress.planned({"bounds": 3})
    progress.started("bounds", "test_bounds_edge_value[amount]")
    progress.finished("bounds")
    progress.close()
    assert "bounds: 0 cases, 0 failed" in out.getvalue() and "cut short after 1 of 3 tests" in out.getvalue()
