"""The mock's status rules, pair by pair: every forbidden (action, status) pair is refused, every allowed one accepted.

Each forbidden pair also has a fault in the catalog (``<action>_<status>_allowed``) that lets it
through; the refusal test of a pair is the test that kills that fault, and a mock with all of
those faults on shows each fault does what its sentence says. The cancel delay is long, so a
``cancelling`` invoice stays so until the test moves the clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from apipay_harness.mock import MockProcess, running_mock
from apipay_harness.mock.rules import ACTIONS, STATUSES, allowed_fault, forbidden_pairs
from apipay_harness.spec import load_spec
from tests.mock.helpers import PHONE

_CANCEL_DELAY = 600
_FORBIDDEN = [(action.name, status) for action, status in forbidden_pairs()]
_ALLOWED = [(name, s) for name, action in ACTIONS.items() for s in STATUSES if s in action.allowed_from]
_REFUSAL = {"cancel": 400, "refund_full": 400, "refund_partial": 400, "pay": 409, "expire": 409}


def _ids(pairs: list[tuple[str, str]]) -> list[str]:
    return [f"{action}-{status}" for action, status in pairs]


@pytest.fixture(scope="module", params=["clean", "faulty"])
def slow_cancel(request: pytest.FixtureRequest) -> Iterator[tuple[str, MockProcess]]:
    """A mock whose queued cancels wait for the clock: clean, or with every transition fault on."""
    faults = [allowed_fault(a, s) for a, s in _FORBIDDEN] if request.param == "faulty" else []
    with running_mock(faults=faults, extra_args=["--cancel-delay", str(_CANCEL_DELAY)]) as mock:
        yield request.param, mock


@pytest.fixture(scope="module")
def clients(slow_cancel: tuple[str, MockProcess]) -> Iterator[tuple[httpx.Client, httpx.Client]]:
    _, mock = slow_cancel
    with (
        httpx.Client(base_url=mock.base_url, headers={"X-API-Key": "test-key"}, timeout=10) as api,
        httpx.Client(base_url=mock.control_url, timeout=10) as control,
    ):
        yield api, control


def _reach(api: httpx.Client, control: httpx.Client, status: str) -> int:
    """A fresh invoice of 100.00 in ``status``, by the allowed actions only."""
    response = api.post("/invoices", json={"amount": 100, "phone_number": PHONE})
    assert response.status_code == 201, response.text
    invoice = int(response.json()["id"])
    steps: dict[str, list[tuple[str, dict[str, Any] | None]]] = {
        "pending": [],
        "cancelling": [("cancel", None)],
        "cancelled": [("cancel", None), ("advance", None)],
        "paid": [("pay", None)],
        "expired": [("expire", None)],
        "partially_refunded": [("pay", None), ("refund", {"amount": 30})],
        "refunded": [("pay", None), ("refund", {})],
    }
    for step, body in steps[status]:
        if step == "advance":
            answer = control.post("/clock/advance", json={"seconds": _CANCEL_DELAY + 1})
        elif step in ("pay", "expire"):
            answer = control.post(f"/invoices/{invoice}/{step}")
        else:
            answer = api.post(f"/invoices/{invoice}/{step}", json=body)
        assert answer.is_success, f"reaching {status}: {step} answered {answer.status_code} {answer.text}"
    assert _status(api, invoice) == status
    return invoice


def _status(api: httpx.Client, invoice: int) -> str:
    return str(api.get(f"/invoices/{invoice}").json()["status"])


def _act(api: httpx.Client, control: httpx.Client, action: str, invoice: int) -> httpx.Response:
    if action in ("pay", "expire"):
        return control.post(f"/invoices/{invoice}/{action}")
    if action == "cancel":
        return api.post(f"/invoices/{invoice}/cancel")
    return api.post(f"/invoices/{invoice}/refund", json={} if action == "refund_full" else {"amount": 10})


@pytest.mark.parametrize(("action", "status"), _FORBIDDEN, ids=_ids(_FORBIDDEN))
def test_forbidden_action_is_refused_and_changes_nothing(
    clients: tuple[httpx.Client, httpx.Client], slow_cancel: tuple[str, MockProcess], action: str, status: str
) -> None:
    api, control = clients
    invoice = _reach(api, control, status)
    answer = _act(api, control, action, invoice)
    if slow_cancel[0] == "clean":
        assert answer.status_code == _REFUSAL[action], answer.text
        assert _status(api, invoice) == status
    else:  # the fault of exactly this pair lets it through
        assert answer.is_success, f"{allowed_fault(action, status)} did not let {action} through: {answer.text}"


@pytest.mark.parametrize(("action", "status"), _ALLOWED, ids=_ids(_ALLOWED))
def test_allowed_action_is_accepted(clients: tuple[httpx.Client, httpx.Client], action: str, status: str) -> None:
    api, control = clients
    invoice = _reach(api, control, status)
    answer = _act(api, control, action, invoice)
    assert answer.is_success, answer.text
    assert _status(api, invoice) != status or action == "refund_partial"


def test_mock_rules_forbid_exactly_what_the_spec_table_forbids() -> None:
    """The mock keeps its own rules; they must say what the spec's x-status-transitions says."""
    table = load_spec()["components"]["schemas"]["InvoiceStatus"]["x-status-transitions"]["statuses"]
    spec_allows = {
        "cancel": lambda rule: rule["can_cancel"],
        "refund_full": lambda rule: rule["can_refund"],
        "refund_partial": lambda rule: rule["can_refund"],
        "pay": lambda rule: "paid" in rule["successors"],
        "expire": lambda rule: "expired" in rule["successors"],
    }
    assert set(STATUSES) == set(table)
    assert set(ACTIONS) == set(spec_allows)
    for name, action in ACTIONS.items():
        assert action.allowed_from == {s for s, rule in table.items() if spec_allows[name](rule)}, name
