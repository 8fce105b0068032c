"""Against mocks that behave in other ways the documents allow, ``apipay-harness contract --quick`` exits 0.

First the two behaviours an independent server showed, which the suites once failed: the refund
answer's ``invoice`` exactly as refunds.md shows it, and an ``amount`` beside ``cart_items``
ignored as the provider's spec says. Then every variant of the catalog at once (one run per
group of variants that can hold together). A failure here is a false alarm of the suites.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from apipay_harness.mock import MockProcess, running_mock
from apipay_harness.mock import variants as v
from apipay_harness.mock.variants import VARIANTS, compatible_groups

GROUPS = [tuple(variant.name for variant in group) for group in compatible_groups(list(VARIANTS.values()))]


def _contract(mock: MockProcess, tmp_path: Path, cli: Any, args_for: Any) -> None:
    done = cli(["contract", "--quick", *args_for(mock), "--report-dir", "out"], cwd=tmp_path, timeout=600)
    assert done.code == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 failed, 0 errors" in done.stdout


def _run(variants: Sequence[str], tmp_path: Path, cli: Any, args_for: Any) -> None:
    with running_mock(variants=variants) as mock:
        _contract(mock, tmp_path, cli, args_for)


def test_contract_passes_the_refund_answer_as_refunds_md_shows_it(tmp_path: Path, cli: Any, args_for: Any) -> None:
    with running_mock(variants=[v.REFUND_ANSWER_AS_DOCUMENTED.name]) as mock:
        api = httpx.Client(base_url=mock.base_url, headers={"X-API-Key": "test-key"})
        with api, httpx.Client(base_url=mock.control_url) as control:
            invoice = api.post("/invoices", json={"amount": 50, "phone_number": "87001234567"}).json()
            control.post(f"/invoices/{invoice['id']}/pay").raise_for_status()
            answer = api.post(f"/invoices/{invoice['id']}/refund", json={}).json()
        assert "is_fully_refunded" not in answer["invoice"]  # the behaviour under test is really there
        _contract(mock, tmp_path, cli, args_for)


def test_contract_passes_an_amount_beside_cart_items_ignored(tmp_path: Path, cli: Any, args_for: Any) -> None:
    """The mock's default is the provider's reading: amount 0 beside cart_items is ignored, the invoice created."""
    with running_mock() as mock:
        body = {"amount": 0, "phone_number": "87001234567", "cart_items": [{"catalog_item_id": 101, "count": 1}]}
        created = httpx.post(f"{mock.base_url}/invoices", json=body, headers={"X-API-Key": "test-key"})
        assert created.status_code == 201, created.text
        _contract(mock, tmp_path, cli, args_for)


@pytest.mark.parametrize("group", GROUPS, ids=[f"together-{n}" for n in range(1, len(GROUPS) + 1)])
def test_contract_passes_every_variant_at_once(group: tuple[str, ...], tmp_path: Path, cli: Any, args_for: Any) -> None:
    assert len(group) >= len(VARIANTS) - 1
    _run(group, tmp_path, cli, args_for)
