"""How a selftest's runs add up to its exit code, median and matrix, without running any suite."""

from __future__ import annotations

import pytest

from apipay_harness.core.errors import UsageError
from apipay_harness.mock.faults import FAULTS
from apipay_harness.selftest.report import render_markdown, render_text
from apipay_harness.selftest.runner import RunOutcome, SelftestResult, Status, check_fault_names


def _run(fault: str | None, status: Status, seconds: float = 1.0, **extra: str) -> RunOutcome:
    return RunOutcome(fault=fault, status=status, seconds=seconds, exit_code=1, **extra)


def test_result_all_caught_and_clean_passed_exits_0() -> None:
    result = SelftestResult(clean=_run(None, "passed"), faults=[_run("a", "caught"), _run("b", "caught")])
    assert result.exit_code == 0


@pytest.mark.parametrize("status", ["escaped", "error"])
def test_result_fault_not_caught_exits_1(status: Status) -> None:
    result = SelftestResult(clean=_run(None, "passed"), faults=[_run("a", "caught"), _run("b", status)])
    assert result.exit_code == 1


def test_result_false_alarm_exits_1_even_when_all_caught() -> None:
    result = SelftestResult(clean=_run(None, "false_alarm"), faults=[_run("a", "caught")])
    assert result.exit_code == 1


def test_result_clean_run_that_could_not_run_exits_2() -> None:
    result = SelftestResult(clean=_run(None, "error", detail="mock: it did not start"), faults=[_run("a", "caught")])
    assert result.exit_code == 2


def test_result_median_counts_caught_runs_only() -> None:
    faults = [_run("a", "caught", 4.0), _run("b", "caught", 10.0), _run("c", "escaped", 99.0), _run("d", "caught", 6)]
    assert SelftestResult(clean=_run(None, "passed"), faults=faults).median_seconds_to_detect() == 6.0


def test_result_median_of_even_count_is_the_mean_of_the_middle_two() -> None:
    faults = [_run("a", "caught", 4.0), _run("b", "caught", 10.0)]
    assert SelftestResult(clean=_run(None, "passed"), faults=faults).median_seconds_to_detect() == 7.0


def test_matrix_shows_suite_check_and_operation_of_the_catch() -> None:
    caught = _run("a", "caught", suite="lifecycle", check="refunds_add_up_to_amount", operation="POST /x")
    text = render_text(SelftestResult(clean=_run(None, "passed"), faults=[caught]))
    row = next(line for line in text.splitlines() if line.startswith("a "))
    assert "lifecycle/refunds_add_up_to_amount on POST /x" in row


def test_matrix_markdown_escapes_pipes_in_cells() -> None:
    odd = _run("a", "caught", suite="s", check="x|y")
    text = render_markdown(SelftestResult(clean=_run(None, "passed"), faults=[odd]))
    assert "s/x\\|y" in text


def test_check_fault_names_defaults_to_the_whole_catalog() -> None:
    assert check_fault_names([]) == sorted(FAULTS)


def test_check_fault_names_rejects_unknown_names() -> None:
    with pytest.raises(UsageError, match="unknown fault"):
        check_fault_names(["phone_pattern_off_by_one", "bogus"])


def _variant_run(name: str, status: Status, **extra: str) -> RunOutcome:
    return RunOutcome(fault=None, status=status, seconds=2.0, exit_code=0, variants=(name,), label=name, **extra)


def test_result_variant_false_alarm_exits_1_and_is_counted() -> None:
    result = SelftestResult(
        clean=_run(None, "passed"),
        faults=[_run("a", "caught")],
        variants=[_variant_run("v1", "passed"), _variant_run("v2", "false_alarm", suite="lists", check="sorting")],
    )
    assert (result.exit_code, result.false_alarms) == (1, 1)


def test_result_every_variant_passed_exits_0() -> None:
    result = SelftestResult(clean=_run(None, "passed"), variants=[_variant_run("v1", "passed")])
    assert (result.exit_code, result.false_alarms) == (0, 0)


def test_result_variant_that_could_not_run_exits_1() -> None:
    result = SelftestResult(clean=_run(None, "passed"), variants=[_variant_run("v1", "error", detail="timed out")])
    assert result.exit_code == 1


def test_matrix_shows_variants_beside_the_faults_with_the_false_alarm() -> None:
    result = SelftestResult(
        clean=_run(None, "passed"),
        faults=[_run("a", "caught", suite="s", check="c")],
        variants=[_variant_run("v1", "passed"), _variant_run("v2", "false_alarm", suite="lists", check="sorting")],
    )
    text = render_text(result)
    assert "variant" in text.splitlines()[4]
    row = next(line for line in text.splitlines() if line.startswith("v2 "))
    assert "FALSE ALARM" in row and "lists/sorting" in row
    assert "1/1 faults caught, clean run passed; 1/2 variant runs passed; 1 false alarm(s)" in text
    markdown = render_markdown(result)
    assert "| variant | result | false alarm in (suite/check) |" in markdown
    assert "| `v2` | FALSE ALARM | lists/sorting |" in markdown
