"""The 2.1 spec records where the provider's documents disagree, and the README shows exactly those records."""

from __future__ import annotations

from pathlib import Path

import pytest

from apipay_harness.core.errors import SpecError
from apipay_harness.core.spec import load_spec
from apipay_harness.lint.disagreements import markdown_table, read_disagreements

_README = Path(__file__).resolve().parents[2] / "docs" / "spec.md"
_START, _END = "<!-- disagreements:start -->\n", "<!-- disagreements:end -->"
REQUIRED_BY_CHANGES = {
    "not-found-body",
    "unauthorized-body",
    "validation-message",
    "available-for-refund-type-webhook",
    "discount-percentage-type-webhook",
    "error-code-enum-incomplete",
    "sandbox-invoice-limit",
    "rate-limit-message",
    "general-rate-limit",
    "upload-image-daily-cap",
    "invoice-list-search-fields",
    "invoice-created-phone-key",
    "invoice-list-phone-format",
}
"""The disagreements ../shared/provider/CHANGES.md names for the operations covered."""


def test_disagreements_cover_those_changes_names() -> None:
    ids = {d.id for d in read_disagreements(load_spec(version="2.1"))}
    assert REQUIRED_BY_CHANGES <= ids


def test_disagreements_readme_table_is_the_generated_one() -> None:
    text = _README.read_text(encoding="utf-8")
    assert text.count(_START) == 1 and text.count(_END) == 1
    shown = text.split(_START, 1)[1].split(_END, 1)[0]
    assert shown == markdown_table(read_disagreements(load_spec(version="2.1")))


def test_disagreements_seed_spec_records_none() -> None:
    assert read_disagreements(load_spec()) == []


def test_disagreements_malformed_record_is_a_spec_error() -> None:
    spec = load_spec(version="2.1")
    spec["x-provider-disagreements"][0]["where"] = ["/nowhere"]
    with pytest.raises(SpecError, match=r"^/x-provider-disagreements/0/where/0: '/nowhere' points to nothing"):
        read_disagreements(spec)
