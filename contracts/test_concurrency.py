"""Concurrency suite: parallel refunds on one invoice, a cancel racing a payment, parallel creates.

Requests are lined up on a barrier and sent from separate threads with separate
connections, so they reach the target together. The rules are the sequential ones: refunds
never add up past the amount and the totals equal the refunds accepted; of a cancel and a
payment exactly one wins; every created invoice gets its own id.
"""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any, TypeVar

import httpx
import pytest

from apipay_harness.core.checks import (
    CANCEL_OR_PAY_WINS,
    NO_SERVER_ERROR_UNDER_LOAD,
    PARALLEL_CANCELS_ONE_WINS,
    PARALLEL_CREATES_UNIQUE,
    PARALLEL_REFUNDS_WITHIN_AMOUNT,
)
from apipay_harness.core.spec import SIMULATE_STATUS_PATH
from apipay_harness.core.target import Target
from contracts.client import ApiClient
from contracts.control import Control, Sandbox
from contracts.model_driver import POLL_SECONDS, SETTLE_SECONDS, Driver, polls
from contracts.model_schemas import SchemaBook, decode_json, encode_json, error_statuses
from contracts.oracle import REFUND_RULE, Oracle, money
from contracts.violations import Violation, expected_received

_T = TypeVar("_T")
_PARALLEL = {"quick": 20, "default": 40}
_RACES = {"quick": 4, "default": 15}
_JSON = {"Content-Type": "application/json"}
_RATE_LIMITED = 429
"""A real target limits each key to 60 requests a minute: a 429 is a documented refusal, never an acceptance."""
_CANCEL_RULE = "#/components/schemas/InvoiceStatus/x-status-transitions/statuses/pending/successors"
_PENDING_CANCEL_RULE = "#/components/schemas/InvoiceStatus/x-status-transitions/statuses/cancelling/can_cancel"
_CANCEL_PATH = "/invoices/{id}/cancel"


def _together(count: int, work: Callable[[int, httpx.Client], _T], *, base_url: str, key: str) -> list[_T]:
    """Run ``work(i, client)`` for ``count`` values of i at once, each with its own connection, after a barrier."""
    barrier = threading.Barrier(count)
    tls = ssl.create_default_context()  # one context for every connection: loading CA roots per client is slow

    def run(index: int) -> _T:
        with httpx.Client(base_url=base_url, headers={"X-API-Key": key}, timeout=30.0, verify=tls) as client:
            client.get("/status")  # open the connection before the start line
            barrier.wait(timeout=30)
            return work(index, client)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@pytest.fixture(autouse=True)
def _no_load_in_production(target: Target) -> None:
    """Racing requests are load, which the production profile forbids (they also bypass the invoice cap)."""
    if target.profile == "production":
        pytest.skip("--profile production: no load on a real account (parallel refunds, races, parallel creates)")


@pytest.fixture
def driver(api: ApiClient, spec: dict[str, Any], request: pytest.FixtureRequest) -> Driver:
    """A fresh oracle over the session's client, with the control API (or the sandbox) when the test asks for it."""
    control, sandbox = request.getfixturevalue("moves") if "moves" in request.fixturenames else (None, None)
    return Driver(api=api, oracle=Oracle.from_spec(spec), book=SchemaBook(spec), control=control, sandbox=sandbox)


@pytest.fixture
def parallel(run_mode: str) -> int:
    """How many requests race at once."""
    return _PARALLEL.get(run_mode, _PARALLEL["default"])


def _limited(responses: list[httpx.Response]) -> int:
    """How many answers were the rate limit's 429."""
    return sum(1 for r in responses if r.status_code == _RATE_LIMITED)


def _no_server_errors(responses: list[httpx.Response], operation: str) -> None:
    broken = [r for r in responses if r.status_code >= 500]
    if broken:
        raise Violation(
            operation=operation,
            check=NO_SERVER_ERROR_UNDER_LOAD,
            title=f"{len(broken)} of {len(responses)} parallel requests answered 5xx",
            message=expected_received("no 5xx", f"{broken[0].status_code} {broken[0].text[:200]}"),
            rule="#/paths",
        )


@pytest.mark.contract(check=PARALLEL_REFUNDS_WITHIN_AMOUNT, operation="POST /invoices/{id}/refund")
def test_concurrency_parallel_refunds_never_exceed_amount(
    moves: tuple[Control | None, Sandbox | None], driver: Driver, target: Target, spec: dict[str, Any], parallel: int
) -> None:
    """Refunds racing on one invoice add up to at most its amount, and the totals equal the refunds accepted."""
    amount = driver.amount("100.00")
    invoice = driver.create(amount=amount, description="concurrency refunds")
    driver.pay(invoice)
    each = Decimal("10.00")
    responses = _together(
        parallel,
        lambda _, c: c.post(f"/invoices/{invoice}/refund", content=encode_json({"amount": each}), headers=_JSON),
        base_url=target.base_url,
        key=target.api_key,
    )
    _no_server_errors(responses, "POST /invoices/{id}/refund")
    refused_ok = error_statuses(spec, "post", "/invoices/{id}/refund") | {_RATE_LIMITED}
    odd = [r for r in responses if r.status_code != 201 and r.status_code not in refused_ok]
    accepted = [decode_json(r.content)["refund"] for r in responses if r.status_code == 201]
    accepted_sum = sum((money(r["amount"]) for r in accepted), Decimal("0.00"))
    if driver.oracle.rules.refunds_queued:  # queued refunds count once they complete: bring each to its end
        _end_queued(driver, invoice, accepted)
    body = decode_json(driver.api.get(f"/invoices/{invoice}/refunds").content)
    total = money(body["invoice"]["total_refunded"])
    listed = sorted(int(r["id"]) for r in body["refunds"])
    failed = sum((money(r["amount"]) for r in body["refunds"] if r.get("status") == "failed"), Decimal("0.00"))
    standing = accepted_sum - failed  # the docs leave open whether a failed refund still counts: judge both ways
    problems = []
    if odd:
        problems.append(f"{len(odd)} answers neither 201 nor a documented refusal, e.g. {odd[0].status_code}")
    if standing > amount:
        problems.append(f"accepted refunds add up to {accepted_sum} ({failed} failed), more than the amount {amount}")
    if total not in (accepted_sum, standing):
        problems.append(
            f"total_refunded is {total} but the accepted refunds add up to {accepted_sum} ({failed} failed)"
        )
    if listed != sorted(int(r["id"]) for r in accepted):
        problems.append(f"the invoice lists {len(listed)} refunds but {len(accepted)} were accepted")
    if problems:
        raise Violation(
            operation="POST /invoices/{id}/refund",
            check=PARALLEL_REFUNDS_WITHIN_AMOUNT,
            title=f"{parallel} parallel refunds of {each} on a {amount} invoice broke the refund sum",
            message=expected_received(
                f"at most {amount} accepted, totals equal to the accepted refunds", "; ".join(problems)
            ),
            rule=REFUND_RULE,
        )


def _end_queued(driver: Driver, invoice: int, accepted: list[dict[str, Any]]) -> None:
    """Bring each accepted queued refund to its end (the control API's finish, or a bounded poll)."""
    control = driver.control
    if control is not None:
        for refund in accepted:
            control.finish_refund(int(refund["id"]))  # 409 when it ended on the server's clock first: as good
        return
    final = driver.oracle.final_refund
    wanted = {int(r["id"]) for r in accepted}
    for _ in polls(POLL_SECONDS):  # only the server ends them: read until every one is final, within the deadline
        listed = decode_json(driver.api.get(f"/invoices/{invoice}/refunds").content).get("refunds") or []
        if all(r.get("status") in final for r in listed if r.get("id") in wanted):
            return


def _cancel_or_pay(invoice: int, control: Control | None) -> Callable[[int, httpx.Client], httpx.Response]:
    """The racers: the merchant's cancel (first) and the customer's payment (second, simulated without control)."""

    def step(index: int, client: httpx.Client) -> httpx.Response:
        if index == 0:
            return client.post(f"/invoices/{invoice}/cancel")
        if control is not None:
            return control.pay(invoice)
        return client.post(SIMULATE_STATUS_PATH.format(id=invoice), json={"status": "paid"})

    return step


@pytest.mark.contract(check=CANCEL_OR_PAY_WINS, operation="POST /invoices/{id}/cancel")
def test_concurrency_cancel_racing_payment_has_one_winner(
    moves: tuple[Control | None, Sandbox | None], driver: Driver, target: Target, run_mode: str
) -> None:
    """A cancel and a payment sent together: exactly one wins and the invoice ends in the winner's status."""
    for _ in range(_RACES.get(run_mode, _RACES["default"])):
        invoice = driver.create(amount=driver.amount("20.00"), description="concurrency race")
        racers = _cancel_or_pay(invoice, driver.control)
        cancel, pay = _together(2, racers, base_url=target.base_url, key=target.api_key)
        _no_server_errors([cancel, pay], "POST /invoices/{id}/cancel")
        cancel_won, pay_won = cancel.status_code in (200, 202), pay.status_code == 200
        if cancel_won:
            driver.oracle.cancelled(invoice, queued=cancel.status_code == 202)
        late = cancel_won and driver.oracle.expect_pay(invoice).allowed  # the table lets a payment follow a cancel
        late = late and driver.control is not None  # simulate-status pays only a pending invoice
        if cancel_won == pay_won and not (pay_won and late):
            raise Violation(
                operation="POST /invoices/{id}/cancel",
                check=CANCEL_OR_PAY_WINS,
                title=f"a cancel and a payment of pending invoice {invoice} sent together: "
                + ("both won" if cancel_won else "neither won"),
                message=expected_received(
                    "exactly one of them accepted" + (" (or the cancel, then a late payment)" if late else ""),
                    f"cancel {cancel.status_code}, payment {pay.status_code}",
                ),
                rule=_CANCEL_RULE,
            )
        if pay_won:
            driver.oracle.paid(invoice)
        driver.advance(SETTLE_SECONDS)
        driver.check(invoice)


@pytest.mark.contract(check=PARALLEL_CREATES_UNIQUE, operation="POST /invoices")
def test_concurrency_parallel_creates_get_unique_ids(driver: Driver, target: Target, parallel: int) -> None:
    """Invoices created together each get their own id and keep their own amount."""
    amounts = [driver.amount(Decimal(100 + i) + Decimal("0.25")) for i in range(parallel)]
    responses = _together(
        parallel,
        lambda i, c: c.post(
            "/invoices", content=encode_json({"amount": amounts[i], "phone_number": "87001234567"}), headers=_JSON
        ),
        base_url=target.base_url,
        key=target.api_key,
    )
    _no_server_errors(responses, "POST /invoices")
    created = {i: decode_json(r.content) for i, r in enumerate(responses) if r.status_code == 201}
    bodies = list(created.values())
    ids = [int(b["id"]) for b in bodies]
    stored = {i: money(decode_json(driver.api.get(f"/invoices/{i}").content)["amount"]) for i in set(ids)}
    wrong = [i for i, b in created.items() if not amounts[i] == money(b["amount"]) == stored.get(int(b["id"]))]
    if len(bodies) + _limited(responses) != parallel or len(set(ids)) != len(ids) or wrong:
        raise Violation(
            operation="POST /invoices",
            check=PARALLEL_CREATES_UNIQUE,
            title=f"{parallel} invoices created together did not each get their own id",
            message=expected_received(
                f"{parallel} answers 201 (or 429) with distinct ids, each invoice stored with its own amount",
                f"{len(bodies)} created, {len(set(ids))} distinct ids, {len(wrong)} stored with another amount",
            ),
            rule="#/paths/~1invoices/post/responses/201",
        )


@pytest.mark.contract(check=PARALLEL_CANCELS_ONE_WINS, operation="POST /invoices/{id}/cancel")
def test_concurrency_parallel_cancels_accept_exactly_one(driver: Driver, target: Target, parallel: int) -> None:
    """Cancels racing on one new invoice: exactly one is accepted, the others refused; no control API needed.

    The invoice is in the table's first status (``pending``, or a ``processing`` delivery): both may be cancelled.
    """
    invoice = driver.create(amount=driver.amount("30.00"), description="concurrency cancels", settle=False)
    responses = _together(
        parallel, lambda _, c: c.post(f"/invoices/{invoice}/cancel"), base_url=target.base_url, key=target.api_key
    )
    _no_server_errors(responses, "POST /invoices/{id}/cancel")
    accepted = [r for r in responses if r.status_code in (200, 202)]
    refused = [r for r in responses if r.status_code in error_statuses(driver.book.spec, "post", _CANCEL_PATH)]
    if len(accepted) != 1 or len(accepted) + len(refused) + _limited(responses) != parallel:
        raise Violation(
            operation="POST /invoices/{id}/cancel",
            check=PARALLEL_CANCELS_ONE_WINS,
            title=f"{parallel} cancels of pending invoice {invoice} sent together: {len(accepted)} accepted",
            message=expected_received(
                "exactly one 200/202, the others a documented refusal",
                ", ".join(sorted({str(r.status_code) for r in responses})),
            ),
            rule=_PENDING_CANCEL_RULE,
        )
    driver.oracle.cancelled(invoice, queued=accepted[0].status_code == 202)
    driver.check(invoice)
