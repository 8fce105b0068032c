"""The README lists every limit of the mock with its default, as ``apipay_harness.mock.limits`` declares it."""

from __future__ import annotations

from pathlib import Path

from apipay_harness.mock import limits as mock_limits
from apipay_harness.mock.limits import LIMITS, limits_table

README = Path(__file__).resolve().parents[2] / "docs" / "mock.md"


def test_the_readme_table_of_limits_is_the_generated_one() -> None:
    text = README.read_text(encoding="utf-8")
    copy = text.split("<!-- limits:start -->\n", 1)[1].split("\n<!-- limits:end -->", 1)[0]
    assert copy == limits_table(), "regenerate it with apipay_harness.mock.limits.limits_table()"


def test_every_declared_bound_is_a_listed_limit() -> None:
    constants = {name for name in mock_limits.__all__ if name.isupper() and name != "LIMITS"}
    assert constants == {limit.name for limit in LIMITS}
    assert all(getattr(mock_limits, limit.name) == limit.value for limit in LIMITS)


def test_each_flag_default_is_the_declared_one() -> None:
    from click.testing import CliRunner

    from apipay_harness.cli import cli

    help_text = CliRunner().invoke(cli, ["mock", "--help"], terminal_width=200).output
    for limit in LIMITS:
        if limit.flag:
            assert limit.flag in help_text
            readme_row = next(
                line for line in README.read_text(encoding="utf-8").splitlines() if f"`{limit.flag} " in line
            )
            assert f"`{limit.value:g}`" in readme_row, readme_row
