"""docs/writing-faults.md shows real code: each excerpt it attributes to a file is found there, verbatim.

A worked example that drifts from the code teaches the old way; so every ```python block whose info
string names a file must appear in that file as written, and the example's names must still exist.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from apipay_harness.mock.faults import FAULTS
from apipay_harness.mock.variants import VARIANTS
from tests.mock.killers import KILLERS

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "writing-faults.md"
EXCERPTS = re.findall(r"^```python (\S+)\n(.*?)^```$", DOC.read_text(encoding="utf-8"), re.M | re.S)


def test_the_page_attributes_excerpts_to_the_fault_the_killer_the_test_and_the_variant() -> None:
    assert {path for path, _ in EXCERPTS} >= {
        "apipay_harness/mock/faults.py",
        "apipay_harness/mock/routes_refunds.py",
        "tests/mock/killers.py",
        "tests/mock/test_refunds.py",
        "apipay_harness/mock/variants.py",
        "tests/mock/test_variants.py",
    }


@pytest.mark.parametrize(("path", "excerpt"), EXCERPTS, ids=[f"{p}:{i}" for i, (p, _) in enumerate(EXCERPTS)])
def test_each_excerpt_is_in_its_file_verbatim(path: str, excerpt: str) -> None:
    assert excerpt in (ROOT / path).read_text(encoding="utf-8"), f"docs/writing-faults.md quotes {path} wrongly"


def test_the_worked_examples_are_in_the_catalogs_with_a_killer() -> None:
    fault = FAULTS["refund_list_invoice_filter_ignored"]
    assert KILLERS[fault]
    assert "webhook_source_api" in VARIANTS
