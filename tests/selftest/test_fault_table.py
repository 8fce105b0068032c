"""The reference's fault catalog is generated from the registry, never copied by hand, so it cannot drift from it."""

from __future__ import annotations

from pathlib import Path

from apipay_harness.mock.faults import FAULTS
from apipay_harness.selftest.fault_table import END_MARKER, START_MARKER, fault_table

DOC = Path(__file__).resolve().parents[2] / "docs" / "selftest.md"


def test_fault_catalog_has_at_least_30_faults_each_with_one_sentence() -> None:
    assert len(FAULTS) >= 30
    for fault in FAULTS.values():
        assert fault.description.endswith("."), fault.name
        assert "\n" not in fault.description, fault.name


def test_fault_table_has_one_row_per_fault() -> None:
    rows = [line for line in fault_table().splitlines() if line.startswith("| `")]
    assert [row.split("`")[1] for row in rows] == list(FAULTS)


def test_readme_fault_table_equals_the_generated_one() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert START_MARKER in text and END_MARKER in text, (
        f"docs/selftest.md needs the fault table between {START_MARKER} and {END_MARKER}: "
        "paste the output of `apipay-harness selftest --list-faults` there"
    )
    between = text.split(START_MARKER, 1)[1].split(END_MARKER, 1)[0]
    assert between.strip() == fault_table().strip(), "regenerate it with `apipay-harness selftest --list-faults`"
