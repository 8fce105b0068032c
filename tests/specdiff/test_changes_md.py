"""The BREAKs CHANGES.md marks for our operations: the diff reports each, breaking, on both pairs of specs."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from apipay_harness.specdiff import DiffReport, diff_documents, diff_files
from tests.provider_docs import provider_file
from tests.specdiff.expected import BREAKS, Expected
from tests.specdiff.seed21 import seed, seed_with_breaks

REPO = Path(__file__).parents[2]
NEW_DATE = "2026-08-24"


def provider_spec(date: str) -> Path:
    """The provider's own spec of ``date``, read in place from the shared documents."""
    return provider_file(date, "openapi.yaml")


@cache
def provider_diff(old: str) -> DiffReport:
    return diff_files(provider_spec(old), provider_spec(NEW_DATE))


@cache
def our_diff() -> DiffReport:
    return diff_documents(seed(), seed_with_breaks())


OURS_OLD = REPO / "openapi" / "apipay.yaml"
OURS_NEW = REPO / "openapi" / "apipay-2.1.yaml"
SHOWN_BY_PROVIDER = [b for b in BREAKS if b.provider_old is not None]
PROSE_ONLY = [b for b in BREAKS if b.provider_old is None]


@cache
def shipped_diff() -> DiffReport:
    return diff_files(OURS_OLD, OURS_NEW)


@pytest.mark.parametrize("expected", BREAKS, ids=[b.name for b in BREAKS])
def test_our_shipped_specs_report_the_break(expected: Expected) -> None:
    assert expected.found_in(shipped_diff().changes), expected


@pytest.mark.parametrize("expected", SHOWN_BY_PROVIDER, ids=[b.name for b in SHOWN_BY_PROVIDER])
def test_provider_files_report_the_break_with_the_same_verdict(expected: Expected) -> None:
    assert expected.provider_old is not None
    assert expected.found_in(provider_diff(expected.provider_old).changes), expected


@pytest.mark.parametrize("expected", PROSE_ONLY, ids=[b.name for b in PROSE_ONLY])
def test_what_the_provider_files_state_only_in_prose_is_not_claimed(expected: Expected) -> None:
    """The verdicts differ only where the provider's files carry no data to judge; each says why."""
    assert expected.why
    assert not expected.found_in(provider_diff("2026-02-13").changes), expected.why


@pytest.mark.parametrize("expected", SHOWN_BY_PROVIDER, ids=[b.name for b in SHOWN_BY_PROVIDER])
def test_seed_with_the_breaks_applied_reports_the_break(expected: Expected) -> None:
    assert expected.found_in(our_diff().changes), expected


def test_the_february_provider_spec_documents_no_list_envelope() -> None:
    """Why two BREAKs are checked against April: February's lists have no body schema to compare."""
    for path in ("GET /invoices", "GET /refunds"):
        kinds = [
            c.kind.name
            for c in provider_diff("2026-02-13").changes
            if c.operation == path and c.where.startswith("response 200")
        ]
        assert kinds == ["response-body-documented"], path


@pytest.mark.parametrize("old", ["2026-02-13", "2026-04-08"])
def test_provider_pairs_break(old: str) -> None:
    report = provider_diff(old)
    assert report.breaking
    assert report.compared >= 15


def test_a_spec_against_itself_has_no_change() -> None:
    for path in (provider_spec(NEW_DATE), provider_spec("2026-02-13")):
        assert diff_files(path, path).changes == ()
    assert diff_documents(seed(), seed()).changes == ()


GOLDEN = Path(__file__).parent / "data" / "golden"


def _lines(report: DiffReport) -> str:
    return "".join(f"{c.operation} | {c.where} | {c.path} | {c.kind.name} | {c.message}\n" for c in report.breaking)


SCOPED = {
    "provider-2026-02-13": lambda: diff_files(provider_spec("2026-02-13"), provider_spec(NEW_DATE), scope=SEED),
    "provider-2026-04-08": lambda: diff_files(provider_spec("2026-04-08"), provider_spec(NEW_DATE), scope=SEED),
    "seed-with-breaks": our_diff,
}
SEED = REPO / "openapi" / "apipay.yaml"


@pytest.mark.parametrize("name", sorted(SCOPED))
def test_breaking_list_is_the_reviewed_one(name: str) -> None:
    """Every breaking verdict on these pairs was read and judged right once; a new or lost one must be too."""
    assert _lines(SCOPED[name]()) == (GOLDEN / f"{name}.breaking.txt").read_text(encoding="utf-8")
