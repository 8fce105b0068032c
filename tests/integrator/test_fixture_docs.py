"""docs/fixture.md stays true: its excerpts are the example modules' code, its first test runs, its faults exist."""

from __future__ import annotations

import re
import types
from pathlib import Path

from apipay_harness.fixture import ApiPayMock
from apipay_harness.mock.faults import FAULTS
from apipay_harness.mock.variants import VARIANTS

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "fixture.md"
_EXCERPT = re.compile(r"<!-- example: (\S+) -->\n```python\n(.*?)```", re.S)


def _blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_every_excerpt_is_copied_verbatim_from_its_module() -> None:
    excerpts = _EXCERPT.findall(DOC.read_text(encoding="utf-8"))
    assert len(excerpts) >= 5
    for path, code in excerpts:
        assert code in (ROOT / path).read_text(encoding="utf-8"), f"docs/fixture.md excerpt differs from {path}"


def test_the_first_test_of_the_docs_passes(apipay_mock: ApiPayMock) -> None:
    (code,) = [block for block in _blocks() if "def test_first_payment" in block]
    module = types.ModuleType("docs_fixture_first_test")
    exec(compile(code, str(DOC), "exec"), module.__dict__)  # the docs' own first test, run as written
    module.test_first_payment(apipay_mock)


def _first_cells_of_tables(section: str) -> list[set[str]]:
    """The names in backticks in the first column of each Markdown table of ``section``, table by table."""
    tables: list[set[str]] = []
    in_table = False
    for row in section.splitlines():
        if row.startswith("|") and not in_table:
            tables.append(set())
        if row.startswith("| `"):
            tables[-1].update(re.findall(r"`([a-z_]+)`", row.split("|")[1]))
        in_table = row.startswith("|")
    return tables


def test_faults_and_variants_the_docs_name_are_in_their_catalogs() -> None:
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Faults and variants", 1)[1].split("\n## ", 1)[0]
    faults, variants = _first_cells_of_tables(section)
    assert faults <= set(FAULTS), faults - set(FAULTS)
    assert variants <= set(VARIANTS), variants - set(VARIANTS)
    assert len(faults) >= 5 and len(variants) >= 5
