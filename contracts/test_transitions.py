"""Transition table suite: every (status, action) pair of the spec's ``x-status-transitions``, pinned, on every run.

For each status of the table and each action (cancel, a refund without amount, a partial
refund, and the control API's pay and expire) one check reaches the status on a fresh
invoice along the table's own successors, tries the action and judges the answer with the
oracle: a pair the table forbids must be refused with a documented 4xx and change nothing;
a pair it allows must be accepted and lead where the table says. The statuses, their
successors and what each allows are read from the spec, never written here, so every
forbidden pair is caught on every run, ``--quick`` included; the lifecycle suite's state
machine still explores the sequences no table lists.

``cancelling`` exists only on a server that queues cancels: where the target cancels at
once, its pairs are reported as not reachable on this target (skipped with that reason).
Where the table's first status is a queued delivery (``processing``), ``settle`` and
``settle_error`` are the control API's answers to it (without one, ``pending`` is awaited by
polling and ``error`` is out of reach); under ``--control sandbox`` payments and expiries go
through simulate-status, which acts only where its ``x-status-effect`` says.
A server moves some statuses on by itself (a queued cancel completes); a refusal is only
counted once the invoice is seen still in the status the pair is about, so a refusal that
may have been judged in the next status is tried again on a fresh invoice.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from apipay_harness.core.checks import TRANSITION_TABLE
from apipay_harness.core.target import Target
from contracts.client import ApiClient
from contracts.control import SETTLES_FROM, Control, Sandbox
from contracts.model_driver import NEEDS_CONTROL, SETTLE_SECONDS, Driver
from contracts.model_schemas import SchemaBook
from contracts.model_transitions import TransitionTable
from contracts.oracle import CENT, ENTERED_BY, Expectation, Oracle
from contracts.version import active_spec

_TABLE = TransitionTable.from_spec(active_spec())
_MERCHANT = frozenset({"cancel", "refund_full", "refund_partial"})
"""Requests a merchant can send whatever the table says (their answer is judged from every status)."""
_LED_TO = frozenset(s for rule in _TABLE.statuses.values() for s in rule.successors)
_ACTIONS = sorted({ENTERED_BY[s] for s in _LED_TO if s in ENTERED_BY} | _MERCHANT)
"""The actions tried from every status: the merchant's, and each one leading into a status the table leads to."""
_OPERATIONS = {
    "cancel": "POST /invoices/{id}/cancel",
    "refund_full": "POST /invoices/{id}/refund",
    "refund_partial": "POST /invoices/{id}/refund",
    "pay": "POST /_control/invoices/{id}/pay",
    "expire": "POST /_control/invoices/{id}/expire",
    "settle": "POST /_control/invoices/{id}/settle",
    "settle_error": "POST /_control/invoices/{id}/settle",
}
_NEEDS_CONTROL = frozenset({"pay", "expire"})
_SETTLES = {"settle": "pending", "settle_error": "error"}
"""The control API's settle actions and the outcome each asks for."""
_AMOUNT = Decimal("100.00")
_PART = Decimal("0.4")
"""A partial refund takes this share of the amount: less than what is left after one partial refund."""
_MAX_STEPS = 8
_TRIES = 3
"""Fresh invoices tried before a refusal that could not be pinned to its status is reported as not judged."""

PAIRS = [
    pytest.param(
        status,
        action,
        id=f"{status}-{action}",
        marks=pytest.mark.contract(check=TRANSITION_TABLE, operation=_OPERATIONS[action]),
    )
    for status in _TABLE.statuses
    for action in _ACTIONS
]


@pytest.fixture(autouse=True)
def _not_in_production(target: Target) -> None:
    """Every pair needs a fresh invoice and most need refunds: a real account must not see either."""
    if target.profile == "production":
        pytest.skip("--profile production: the table's pairs need refunds and more invoices than the cap allows")


class Walker:
    """Moves fresh invoices along the table on one target and tries actions on them, judged by the oracle."""

    def __init__(self, driver: Driver, *, no_control: str | None) -> None:
        self.driver = driver
        self.no_control = no_control if driver.sandbox is None else None
        """Why payments, expiries and the clock are out of reach (None with a control API or the sandbox)."""

    def _need_control(self) -> None:
        if self.no_control is not None:
            pytest.skip(self.no_control)

    def part(self, invoice: int) -> Decimal:
        """The amount of a partial refund of ``invoice``."""
        return (self.driver.oracle.invoices[invoice].amount * _PART).quantize(CENT)

    def expectation(self, invoice: int, action: str) -> Expectation:
        """What the oracle, reading the table, says ``action`` must do to the invoice now."""
        oracle = self.driver.oracle
        sandbox = self.driver.sandbox
        status = oracle.invoices[invoice].status
        if sandbox is not None and action in _NEEDS_CONTROL and status not in sandbox.acts_on:
            return Expectation(allowed=False, rule=oracle.table.pointer(), reason=f"{action} through simulate-status")
        if action == "cancel":
            return oracle.expect_cancel(invoice)
        if action == "pay":
            return oracle.expect_pay(invoice)
        if action == "expire":
            return oracle.expect_expire(invoice)
        if action in _SETTLES:
            return oracle.expect_settle(invoice, _SETTLES[action], settles_from=SETTLES_FROM)
        return oracle.expect_refund(invoice, None if action == "refund_full" else self.part(invoice))

    def act(self, invoice: int, action: str) -> None:
        """Send ``action``; the driver judges the answer against the oracle's expectation."""
        driver = self.driver
        if action in _NEEDS_CONTROL:
            self._need_control()
        if action in _SETTLES:
            if driver.control is None:
                pytest.skip(NEEDS_CONTROL.format(what="Kaspi answering a delivery on request"))
            driver.settle(invoice, _SETTLES[action])
        elif action == "cancel":
            driver.cancel(invoice)
        elif action == "pay":
            driver.pay(invoice)
        elif action == "expire":
            driver.expire(invoice)
        else:
            driver.refund(invoice, None if action == "refund_full" else self.part(invoice), reason="table")

    def usable(self, current: str, new: str) -> bool:
        """Whether this walker can lead an invoice from ``current`` to ``new`` (simulate-status acts on few)."""
        sandbox = self.driver.sandbox
        if sandbox is None:
            return True
        if self._simulated(current, new):
            return True
        return ENTERED_BY.get(new) not in _NEEDS_CONTROL | {"settle_error"} or current in sandbox.acts_on

    def _simulated(self, current: str, new: str) -> bool:
        """Whether the sandbox leads ``current`` to ``new`` where only the control API otherwise would (an error)."""
        sandbox = self.driver.sandbox
        return (
            sandbox is not None
            and ENTERED_BY.get(new) == "settle_error"
            and current in sandbox.acts_on
            and new in sandbox.leads_to
        )

    def reach(self, status: str) -> int:
        """A fresh invoice in ``status``, moved there along the table by allowed actions (or the server's clock)."""
        driver = self.driver
        invoice = driver.create(amount=driver.amount(_AMOUNT), description="transition table", settle=False)
        for _ in range(_MAX_STEPS):
            current = driver.oracle.invoices[invoice].status
            if current == status:
                return invoice
            path = _path(current, status, self.usable)
            if path is None:
                pytest.skip(
                    f"not reachable on this target: {status} (invoice {invoice} went to {current} instead, "
                    f"and no chain of successors in the table leads from there to {status})"
                )
            action = ENTERED_BY[path[1]]
            if self._simulated(current, path[1]):
                driver.simulate(invoice, path[1])
            elif action in _SETTLES and driver.control is None:  # only the server's own clock settles it
                if _SETTLES[action] != "pending":
                    pytest.skip(NEEDS_CONTROL.format(what=f"Kaspi answering a delivery with {_SETTLES[action]}"))
                driver.wait_settled([invoice])
            elif self.expectation(invoice, action).allowed:
                self.act(invoice, action)
                driver.refunds_ended(invoice)  # a queued refund moves the status once it ended
            else:  # no request leads there: the server gets there on its own clock
                self._need_control()
                driver.advance(SETTLE_SECONDS)
            driver.check(invoice)
        pytest.skip(f"not reachable on this target: {status} after {_MAX_STEPS} steps")


@pytest.fixture
def walker(api: ApiClient, spec: dict[str, Any], request: pytest.FixtureRequest, sandbox: Sandbox | None) -> Walker:
    """A fresh oracle over the session's client, with the control API (or the sandbox) when the target has one."""
    control: Control | None = None
    reason = None
    try:
        control = request.getfixturevalue("control")
    except pytest.skip.Exception as exc:
        reason = str(exc.msg)
    oracle = Oracle.from_spec(spec)
    driver = Driver(api=api, oracle=oracle, book=SchemaBook(spec), control=control, sandbox=sandbox)
    return Walker(driver, no_control=reason)


def _path(start: str, goal: str, usable: Callable[[str, str], bool]) -> list[str] | None:
    """The shortest chain of statuses from ``start`` to ``goal`` along the table's successors ``usable`` allows."""
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        status = queue.popleft()
        if status == goal:
            chain = [status]
            while (before := previous[chain[-1]]) is not None:
                chain.append(before)
            return chain[::-1]
        for successor in sorted(_TABLE.rule(status).successors):
            if successor not in previous and usable(status, successor):
                previous[successor] = status
                queue.append(successor)
    return None


@pytest.mark.parametrize(("status", "action"), PAIRS)
def test_transition_table_pair(walker: Walker, status: str, action: str) -> None:
    """The action from the status is refused (changing nothing) or accepted exactly as the table says."""
    if action in _SETTLES and walker.driver.control is None:
        pytest.skip(NEEDS_CONTROL.format(what="Kaspi answering a delivery on request"))
    for _ in range(_TRIES):
        invoice = walker.reach(status)
        allowed = walker.expectation(invoice, action).allowed
        walker.act(invoice, action)
        walker.driver.check(invoice)
        if allowed or walker.driver.oracle.invoices[invoice].status == status:
            return
    pytest.skip(f"not judged: {status} moved on by itself before the {action} could be judged, {_TRIES} times")
