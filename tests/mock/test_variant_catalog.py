"""The variant catalog itself: one entry per variant, each quoting the provider's documents word for word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from apipay_harness.mock import variants
from apipay_harness.mock.variants import DOCS_VERSION, VARIANTS, Variant
from tests.provider_docs import provider_file

MOCK_DIR = Path(variants.__file__).parent


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_catalog_has_at_least_15_variants_each_with_one_sentence() -> None:
    assert len(VARIANTS) >= 15
    for variant in VARIANTS.values():
        assert variant.description.endswith(".") and "\n" not in variant.description, variant.name
        assert variant.source and variant.section and variant.quote, variant.name


def test_every_constant_of_the_module_is_a_registered_variant_and_back() -> None:
    constants = {name: value for name, value in vars(variants).items() if isinstance(value, Variant)}
    assert sorted(c.name for c in constants.values()) == sorted(VARIANTS)
    assert set(constants) <= set(variants.__all__)


def test_every_variant_is_consulted_somewhere_in_the_mock() -> None:
    """A variant nobody asks about would pass the selftest while changing nothing."""
    code = "\n".join(p.read_text(encoding="utf-8") for p in MOCK_DIR.glob("*.py") if p.name != "variants.py")
    constants = {value.name: name for name, value in vars(variants).items() if isinstance(value, Variant)}
    unused = [name for name, constant in constants.items() if not re.search(rf"\b{constant}\b", code)]
    assert not unused


def test_conflicts_are_checked_both_ways_and_never_with_itself() -> None:
    for variant in VARIANTS.values():
        assert not variant.conflicts_with(variant), variant.name
        for other in variant.conflicts:
            assert other.conflicts_with(variant) and other.name in VARIANTS


@pytest.mark.parametrize("variant", list(VARIANTS.values()), ids=list(VARIANTS))
def test_variant_quote_is_found_word_for_word_in_its_source(variant: Variant) -> None:
    source = provider_file(DOCS_VERSION, *variant.source.split("/"))
    assert _flat(variant.quote) in _flat(source.read_text(encoding="utf-8")), variant.name


def test_every_variant_has_a_test_showing_its_change_over_http() -> None:
    """tests/mock/test_variants.py switches each variant on by its constant and shows what it changes."""
    tests = (Path(__file__).parent / "test_variants.py").read_text(encoding="utf-8")
    constants = {value.name: name for name, value in vars(variants).items() if isinstance(value, Variant)}
    untested = [name for name, constant in constants.items() if f"v.{constant}" not in tests]
    assert not untested
