"""The API-version registry and loading a spec by version."""

from __future__ import annotations

import pytest

from apipay_harness.core.errors import UsageError
from apipay_harness.core.spec import load_spec
from apipay_harness.core.versions import DEFAULT_VERSION, get_version, version_names


def test_versions_default_is_the_seed_and_listed_first() -> None:
    assert DEFAULT_VERSION == "2026-02-13"
    assert version_names() == ("2026-02-13", "2.1")
    assert get_version() is get_version(DEFAULT_VERSION)


@pytest.mark.parametrize("version", version_names())
def test_versions_spec_file_states_its_own_version(version: str) -> None:
    spec_path = get_version(version).spec_path
    assert spec_path.parent.name == "openapi"
    assert spec_path.is_file()
    assert load_spec(version=version)["info"]["version"] == version


def test_versions_unknown_name_is_a_usage_error_listing_the_valid_ones() -> None:
    with pytest.raises(UsageError, match=r"^unknown API version '2\.0'; valid versions: 2026-02-13 \(default\), 2\.1$"):
        get_version("2.0")
    with pytest.raises(UsageError, match="unknown API version '2.0'"):
        load_spec(version="2.0")


def test_load_spec_refuses_a_file_and_a_version_together() -> None:
    with pytest.raises(UsageError, match="not both"):
        load_spec(get_version("2.1").spec_path, version="2.1")


def test_load_spec_gives_each_caller_its_own_copy() -> None:
    first = load_spec(version="2.1")
    first["paths"].clear()
    first["components"]["schemas"]["InvoiceStatus"]["enum"].append("refunded")
    second = load_spec(version="2.1")
    assert "/invoices" in second["paths"]
    assert "refunded" not in second["components"]["schemas"]["InvoiceStatus"]["enum"]


def test_load_spec_by_path_reads_that_file() -> None:
    path = get_version("2.1").spec_path
    assert load_spec(path) == load_spec(version="2.1")
    assert load_spec() == load_spec(version=DEFAULT_VERSION) != load_spec(version="2.1")
