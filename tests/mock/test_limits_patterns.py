r"""Every ``pattern`` of the spec keeps its ECMA-262 meaning in the mock (ASCII ``\d``, ``$`` only at the end)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from apipay_harness.core.spec import load_spec
from apipay_harness.core.versions import VERSIONS
from apipay_harness.mock.ecma import ecma_regex

_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _patterns(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            yield node
        for value in node.values():
            yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


SCHEMAS = {
    (version, schema["pattern"]): schema for version in VERSIONS for schema in _patterns(load_spec(version=version))
}


def test_every_spec_has_patterns_to_check() -> None:
    for version in VERSIONS:
        assert {p for v, p in SCHEMAS if v == version} >= {"^8\\d{10}$", "^\\d+\\.\\d{2}$"}, version


@pytest.mark.parametrize("schema", SCHEMAS.values(), ids=[f"{v}:{p}" for v, p in SCHEMAS])
def test_every_spec_pattern_keeps_its_examples_and_refuses_lookalikes(schema: dict[str, Any]) -> None:
    regex = ecma_regex(schema["pattern"])  # every pattern of every spec translates, or this fails
    examples = [e for e in schema.get("examples", []) if isinstance(e, str)]
    for example in examples:
        assert regex.search(example), example
    for invalid in schema.get("x-invalid-examples", []):
        assert not regex.search(invalid), invalid
    for example in examples:
        if schema["pattern"].endswith("$"):
            for end in ("\n", "\r\n", "\u2028"):
                assert not regex.search(example + end), repr(example + end)
        if "\\d" in schema["pattern"] and any(c.isdigit() for c in example):
            for table in (_ARABIC_INDIC, _FULLWIDTH):
                assert not regex.search(example.translate(table)), example.translate(table)


@pytest.mark.parametrize(
    ("pattern", "text", "matches"),
    [
        (r"^\d$", "٣", False),
        (r"^\d$", "3", True),
        (r"^\D$", "٣", True),
        (r"^\w+$", "é", False),
        (r"^\W$", "é", True),
        (r"^\s$", "\u00a0", True),
        (r"^\s$", "\u3000", True),
        (r"^\S$", "\ufeff", False),
        (r"^[\d\s]+$", "1 2\u00a03", True),
        (r"^[\d]+$", "１", False),
        (r"^a.b$", "a\rb", False),
        (r"^a.b$", "a\u2028b", False),
        (r"^a.b$", "a\u0085b", True),
        (r"^ab$", "ab\n", False),
        (r"^ab$", "\nab", False),
        (r"a\bé", "aé", True),
        (r"^(?<x>a)b$", "ab", True),
        (r"^(?<=a)b", "b", False),
        (r"^\u0041\x42$", "AB", True),
        (r"^[$.]+$", "$.", True),
        (r"^\$\.$", "$.", True),
    ],
)
def test_ecma_constructs_mean_what_they_mean_in_ecma(pattern: str, text: str, matches: bool) -> None:
    assert bool(ecma_regex(pattern).search(text)) is matches


@pytest.mark.parametrize("pattern", [r"\p{L}", r"[]", r"[^]", r"\k<a>", "a\\", r"[a", r"\cA", r"[\D]", r"\u{41}"])
def test_constructs_it_does_not_translate_fail_at_start_up(pattern: str) -> None:
    with pytest.raises(ValueError, match="pattern"):
        ecma_regex(pattern)
