"""The reference's variant table is generated from the catalog, never copied by hand (as the fault table is)."""

from __future__ import annotations

from pathlib import Path

from apipay_harness.mock.variants import VARIANTS
from apipay_harness.selftest.variant_table import END_MARKER, START_MARKER, variant_table
from tests.cli_run import harness

DOC = Path(__file__).resolve().parents[2] / "docs" / "selftest.md"


def test_variant_table_has_one_row_per_variant_with_its_quote() -> None:
    rows = [line for line in variant_table().splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == list(VARIANTS)
    for row, variant in zip(rows, VARIANTS.values(), strict=True):
        assert variant.source in row and variant.quote.replace("|", "\\|") in row


def test_readme_variant_table_equals_the_generated_one() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert START_MARKER in text and END_MARKER in text, (
        f"docs/selftest.md needs the variant table between {START_MARKER} and {END_MARKER}: "
        "paste the output of `apipay-harness selftest --list-variants` there"
    )
    between = text.split(START_MARKER, 1)[1].split(END_MARKER, 1)[0]
    assert between.strip() == variant_table().strip(), "regenerate it with `apipay-harness selftest --list-variants`"


def test_selftest_list_variants_prints_the_generated_table(tmp_path: Path) -> None:
    done = harness(["selftest", "--list-variants"], cwd=tmp_path, timeout=30)
    assert done.code == 0, done.stderr
    assert done.stdout == variant_table()


def test_selftest_unknown_variant_exits_2_listing_valid_names(tmp_path: Path) -> None:
    done = harness(
        ["selftest", "--variant", "no_such_variant", "--report-dir", str(tmp_path)], cwd=tmp_path, timeout=30
    )
    assert done.code == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: unknown variant(s) no_such_variant; valid names: ")
    assert not (tmp_path / "selftest.json").exists()
