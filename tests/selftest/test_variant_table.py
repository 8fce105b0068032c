"""The reference's variant tables are generated from the catalogs, never copied by hand (as the fault tables are)."""

from __future__ import annotations

from pathlib import Path

import pytest

from apipay_harness.core.versions import version_names
from apipay_harness.mock.v21.variants import VARIANTS_21
from apipay_harness.mock.variants import VARIANTS
from apipay_harness.selftest.catalogs import catalogs
from apipay_harness.selftest.variant_table import END_MARKER, START_MARKER, end_marker, start_marker, variant_table
from tests.cli_run import harness

DOC = Path(__file__).resolve().parents[2] / "docs" / "selftest.md"


def test_variant_table_has_one_row_per_variant_with_its_quote() -> None:
    rows = [line for line in variant_table().splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == list(VARIANTS)
    for row, variant in zip(rows, VARIANTS.values(), strict=True):
        assert variant.source in row and variant.quote.replace("|", "\\|") in row


def test_the_2_1_variant_table_writes_each_source_with_its_documents_date() -> None:
    rows = [line for line in variant_table("2.1").splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == list(VARIANTS_21)
    assert len({v.docs for v in VARIANTS_21.values()}) > 1  # several folders: each source says its own
    for row, variant in zip(rows, VARIANTS_21.values(), strict=True):
        assert f"`{variant.docs}/{variant.source}`" in row and variant.quote.replace("|", "\\|") in row
    assert (start_marker(), end_marker()) == (START_MARKER, END_MARKER)
    assert start_marker("2.1") == "<!-- variants-2.1:start -->"


@pytest.mark.parametrize("version", version_names())
def test_readme_variant_table_equals_the_generated_one(version: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    start, end = start_marker(version), end_marker(version)
    flag = "" if catalogs(version).default else f" --api-version {version}"
    assert start in text and end in text, (
        f"docs/selftest.md needs the {version} variant table between {start} and {end}: "
        f"paste the output of `apipay-harness selftest{flag} --list-variants` there"
    )
    between = text.split(start, 1)[1].split(end, 1)[0]
    assert between.strip() == variant_table(version).strip(), (
        f"regenerate it with `apipay-harness selftest{flag} --list-variants`"
    )


@pytest.mark.parametrize("version", version_names())
def test_selftest_list_variants_prints_the_generated_table(tmp_path: Path, version: str) -> None:
    done = harness(["selftest", "--api-version", version, "--list-variants"], cwd=tmp_path, timeout=30)
    assert done.code == 0, done.stderr
    assert done.stdout == variant_table(version)


def test_selftest_list_variants_without_a_version_prints_the_default_table(tmp_path: Path) -> None:
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


def test_selftest_a_seed_variant_is_unknown_to_the_2_1_selftest(tmp_path: Path) -> None:
    seed_only = next(name for name in VARIANTS if name not in VARIANTS_21)
    done = harness(
        ["selftest", "--api-version", "2.1", "--variant", seed_only, "--report-dir", str(tmp_path)],
        cwd=tmp_path,
        timeout=30,
    )
    assert done.code == 2
    lines = done.stderr.strip().splitlines()
    assert lines == [f"error: unknown variant(s) {seed_only}; valid names: {', '.join(VARIANTS_21)}"]
    assert not (tmp_path / "selftest.json").exists()
