"""The documents that describe the diff say what the code does."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import apipay_harness.specdiff as specdiff
from apipay_harness.specdiff import rule_table

REPO = Path(__file__).parents[2]


def test_docs_rule_table_is_the_generated_one() -> None:
    text = (REPO / "docs" / "diff.md").read_text(encoding="utf-8")
    start, end = text.index("<!-- rules:start -->\n"), text.index("<!-- rules:end -->")
    assert text[start + len("<!-- rules:start -->\n") : end] == rule_table()


def test_readme_lists_the_command() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "| `apipay-harness diff OLD NEW` |" in readme


def test_every_module_exports_what_it_names() -> None:
    for info in pkgutil.iter_modules(specdiff.__path__):
        module = importlib.import_module(f"apipay_harness.specdiff.{info.name}")
        assert module.__all__, info.name
        assert [name for name in module.__all__ if not hasattr(module, name)] == [], info.name
    assert [name for name in specdiff.__all__ if not hasattr(specdiff, name)] == []
