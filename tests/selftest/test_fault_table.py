"""The reference's fault catalogs are generated from the registries, never copied by hand, so they cannot drift.

docs/selftest.md holds one table per API version, each between its own markers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from apipay_harness.core.versions import version_names
from apipay_harness.mock.faults import FAULTS
from apipay_harness.mock.v21.faults import FAULTS_21
from apipay_harness.selftest.catalogs import catalogs
from apipay_harness.selftest.fault_table import END_MARKER, START_MARKER, end_marker, fault_table, start_marker
from tests.cli_run import harness

DOC = Path(__file__).resolve().parents[2] / "docs" / "selftest.md"


def test_fault_catalog_has_at_least_30_faults_each_with_one_sentence() -> None:
    assert len(FAULTS) >= 30
    for fault in [*FAULTS.values(), *FAULTS_21.values()]:
        assert fault.description.endswith("."), fault.name
        assert "\n" not in fault.description, fault.name


@pytest.mark.parametrize("version", version_names())
def test_fault_table_has_one_row_per_fault_of_the_versions_catalog(version: str) -> None:
    rows = [line for line in fault_table(version).splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == list(catalogs(version).faults)


def test_the_2_1_table_is_the_2_1_catalog_and_names_the_flag() -> None:
    table = fault_table("2.1")
    assert [row.split("`")[1] for row in table.splitlines() if row.startswith("| `")] == list(FAULTS_21)
    assert "`apipay-harness mock --api-version 2.1 --fault NAME`" in table
    assert "--api-version" not in fault_table()


def test_the_default_versions_markers_are_the_pages_first_ones() -> None:
    assert (start_marker(), end_marker()) == (START_MARKER, END_MARKER)
    assert start_marker("2.1") == "<!-- faults-2.1:start -->"


@pytest.mark.parametrize("version", version_names())
def test_readme_fault_table_equals_the_generated_one(version: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    start, end = start_marker(version), end_marker(version)
    flag = "" if catalogs(version).default else f" --api-version {version}"
    assert start in text and end in text, (
        f"docs/selftest.md needs the {version} fault table between {start} and {end}: "
        f"paste the output of `apipay-harness selftest{flag} --list-faults` there"
    )
    between = text.split(start, 1)[1].split(end, 1)[0]
    assert between.strip() == fault_table(version).strip(), (
        f"regenerate it with `apipay-harness selftest{flag} --list-faults`"
    )


def test_selftest_list_faults_with_api_version_prints_that_versions_table(tmp_path: Path) -> None:
    done = harness(["selftest", "--api-version", "2.1", "--list-faults"], cwd=tmp_path, timeout=30)
    assert done.code == 0, done.stderr
    assert done.stdout == fault_table("2.1")
