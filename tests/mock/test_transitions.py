"""Every (status, action) pair of the spec's transition table, tried on the mock.

For each invoice status of ``x-status-transitions`` and each action a client or the control API
can take, an invoice is brought to that status and the action tried: an allowed action moves it to
the successor the table names, a forbidden one is refused and leaves the status as it was. The
pairs come from the spec, so a status or action added there is tried here without a new test.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from apipay_harness.core.spec import load_spec, status_transitions
from apipay_harness.mock.rules import ACTIONS as MOCK_ACTIONS
from apipay_harness.mock.rules import STATUSES as MOCK_STATUSES
from tests.mock.helpers import assert_schema, create

TABLE = status_transitions(load_spec())["statuses"]
STATUSES = tuple(TABLE)

# action -> (is it allowed from this status?, the status it leads to)
RULES: dict[str, tuple[Callable[[str], bool], frozenset[str]]] = {
    "cancel": (lambda status: bool(TABLE[status]["can_cancel"]), frozenset({"cancelling", "cancelled"})),
    "refund_full": (lambda status: bool(TABLE[status]["can_refund"]), frozenset({"refunded"})),
    "refund_partial": (lambda status: bool(TABLE[status]["can_refund"]), frozenset({"partially_refunded"})),
    "pay": (lambda status: "paid" in TABLE[status]["successors"], frozenset({"paid"})),
    "expire": (lambda status: "expired" in TABLE[status]["successors"], frozenset({"expired"})),
}
ACTIONS = tuple(RULES)
CANCEL_SETTLED = 60.0
"""Clock seconds after which any async cancel has completed (the mock's delay is a few seconds)."""


def _status(api: httpx.Client, invoice_id: int) -> str:
    status: str = api.get(f"/invoices/{invoice_id}").json()["status"]
    return status


_CANCELLING_TRIES = 5
"""A queued cancel completes a few clock seconds later, and the clock runs with real time: on a loaded machine the
``cancelling`` window can pass before the action is tried, so that status is reached afresh until it holds."""


def _reach(api: httpx.Client, control: httpx.Client, status: str) -> int:
    """A new invoice of 10000.00 brought to ``status`` by the shortest way the table allows."""
    for _ in range(_CANCELLING_TRIES if status == "cancelling" else 1):
        invoice_id = _reach_once(api, control, status)
        if _status(api, invoice_id) == status:
            return invoice_id
    raise AssertionError(f"setup could not reach {status}")


def _reach_once(api: httpx.Client, control: httpx.Client, status: str) -> int:
    invoice_id: int = create(api)["id"]
    steps: dict[str, list[Callable[[], httpx.Response]]] = {
        "pending": [],
        "cancelling": [lambda: api.post(f"/invoices/{invoice_id}/cancel")],
        "cancelled": [
            lambda: api.post(f"/invoices/{invoice_id}/cancel"),
            lambda: control.post("/clock/advance", json={"seconds": CANCEL_SETTLED}),
        ],
        "paid": [lambda: control.post(f"/invoices/{invoice_id}/pay")],
        "expired": [lambda: control.post(f"/invoices/{invoice_id}/expire")],
        "partially_refunded": [
            lambda: control.post(f"/invoices/{invoice_id}/pay"),
            lambda: api.post(f"/invoices/{invoice_id}/refund", json={"amount": 1}),
        ],
        "refunded": [
            lambda: control.post(f"/invoices/{invoice_id}/pay"),
            lambda: api.post(f"/invoices/{invoice_id}/refund"),
        ],
    }
    for step in steps[status]:
        response = step()
        assert response.is_success, f"setup of {status}: {response.request.url} answered {response.status_code}"
    return invoice_id


def _act(api: httpx.Client, control: httpx.Client, invoice_id: int, action: str) -> httpx.Response:
    if action == "cancel":
        return api.post(f"/invoices/{invoice_id}/cancel")
    if action == "refund_full":
        return api.post(f"/invoices/{invoice_id}/refund")
    if action == "refund_partial":
        return api.post(f"/invoices/{invoice_id}/refund", json={"amount": 1})
    return control.post(f"/invoices/{invoice_id}/{action}")


def test_transition_table_names_every_action_and_status() -> None:
    assert set(STATUSES) >= {"pending", "cancelling", "paid", "cancelled", "expired", "partially_refunded", "refunded"}
    for status in STATUSES:
        assert set(TABLE[status]) >= {"can_cancel", "can_refund", "successors"}, status


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("status", STATUSES)
def test_invoice_action_follows_the_transition_table(
    api: httpx.Client, control: httpx.Client, status: str, action: str
) -> None:
    invoice_id = _reach(api, control, status)
    response = _act(api, control, invoice_id, action)
    allowed, leads_to = RULES[action]
    after = _status(api, invoice_id)
    if allowed(status):
        assert response.is_success, f"{action} from {status} answered {response.status_code}: {response.text}"
        assert after in leads_to & set(TABLE[status]["successors"]), f"{action} from {status} left the invoice {after}"
    else:
        refused = 409 if action in ("pay", "expire") else 400
        assert response.status_code == refused, (
            f"{action} from {status} answered {response.status_code}, not {refused}: {response.text}"
        )
        if refused == 400:
            assert_schema(response.json(), "Error")
        settled = {"cancelled"} if status == "cancelling" else set()  # the queued cancel may complete meanwhile
        assert after in {status} | settled, f"a refused {action} moved the invoice from {status} to {after}"


def test_mock_rules_forbid_exactly_what_the_spec_table_forbids() -> None:
    """The mock keeps its own rules (``mock/rules.py``); they must say what the spec's transition table says."""
    assert set(MOCK_STATUSES) == set(STATUSES)
    assert set(MOCK_ACTIONS) == set(ACTIONS)
    for name, action in MOCK_ACTIONS.items():
        allowed, _ = RULES[name]
        assert action.allowed_from == {s for s in STATUSES if allowed(s)}, name
