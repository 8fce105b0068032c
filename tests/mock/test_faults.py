from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from apipay_harness.errors import UsageError
from apipay_harness.mock import FAULTS, MockProcess, running_mock
from apipay_harness.mock.faults import Faults
from tests.mock.helpers import PHONE

CORE = ["phone_pattern_off_by_one", "refund_sum_unchecked", "tenant_leak_get", "list_status_filter_ignored"]


@pytest.fixture(scope="module")
def faulty() -> Iterator[MockProcess]:
    with running_mock(faults=CORE) as mock:
        yield mock


@pytest.fixture(scope="module")
def clients(faulty: MockProcess) -> Iterator[tuple[httpx.Client, httpx.Client, httpx.Client]]:
    with (
        httpx.Client(base_url=faulty.base_url, headers={"X-API-Key": "test-key"}) as api,
        httpx.Client(base_url=faulty.base_url, headers={"X-API-Key": "test-key-2"}) as api2,
        httpx.Client(base_url=faulty.control_url) as control,
    ):
        yield api, api2, control


def test_every_fault_has_a_description_and_a_hook() -> None:
    assert len(FAULTS) >= 6
    for fault in FAULTS.values():
        assert fault.description.endswith(".") and fault.hook


def test_unknown_fault_is_a_usage_error_listing_names() -> None:
    with pytest.raises(UsageError, match="tenant_leak_get"):
        Faults(["nope"])


@pytest.mark.parametrize("phone", ["8700123456", "870012345678"])
def test_phone_pattern_fault_accepts_off_by_one_numbers(clients: tuple[httpx.Client, ...], phone: str) -> None:
    api = clients[0]
    assert api.post("/invoices", json={"amount": 1, "phone_number": phone}).status_code == 201


def test_refund_sum_fault_lets_refunds_exceed_the_amount(clients: tuple[httpx.Client, ...]) -> None:
    api, _, control = clients
    invoice = api.post("/invoices", json={"amount": 100, "phone_number": PHONE}).json()
    control.post(f"/invoices/{invoice['id']}/pay")
    assert api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 150}).status_code == 201


def test_tenant_leak_fault_shows_another_organizations_invoice(clients: tuple[httpx.Client, ...]) -> None:
    api, api2, _ = clients
    invoice = api.post("/invoices", json={"amount": 1, "phone_number": PHONE}).json()
    assert api2.get(f"/invoices/{invoice['id']}").status_code == 200


def test_list_status_fault_ignores_the_filter(clients: tuple[httpx.Client, ...]) -> None:
    api = clients[0]
    api.post("/invoices", json={"amount": 1, "phone_number": PHONE})
    statuses = {i["status"] for i in api.get("/invoices?status[]=paid").json()["data"]}
    assert "pending" in statuses


@pytest.mark.parametrize("phone", ["8700123456", "870012345678"])
def test_clean_mock_rejects_off_by_one_phones(api: httpx.Client, phone: str) -> None:
    assert api.post("/invoices", json={"amount": 1, "phone_number": phone}).status_code == 422
