"""The mock's own status rules: which invoice statuses each action is allowed from.

One declaration that the store's guards read and that the fault catalog turns into one
fault per forbidden (action, status) pair, so a new status or action grows both at once.
The mock keeps its own copy of these rules instead of reading the suites' oracle: the two
share no code, so a mistake in one cannot hide the same mistake in the other.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

__all__ = [
    "ACTIONS",
    "CANCEL",
    "EXPIRE",
    "PAY",
    "REFUNDABLE",
    "REFUND_FULL",
    "REFUND_PARTIAL",
    "STATUSES",
    "Action",
    "allowed_fault",
    "forbidden_pairs",
]

STATUSES = ("pending", "cancelling", "paid", "cancelled", "expired", "partially_refunded", "refunded")
"""Every status an invoice of the mock can be in."""


@dataclass(frozen=True, slots=True)
class Action:
    """One thing a merchant, a customer or time does to an invoice, and the statuses it is allowed from."""

    name: str
    allowed_from: frozenset[str]
    hook: str
    """Where in the mock the guard of this action sits (the hook its faults change)."""
    doing: str
    """The action in words, for the sentence of each of its faults."""
    outcome: str
    """What the faulty mock then does, in words."""
    done: str
    """The status word the rule speaks of ("only pending invoices may be *cancelled*")."""

    def fault_sentence(self, status: str) -> str:
        """The one sentence of the fault that lets this action through from ``status``."""
        allowed = " or ".join(s.replace("_", " ") for s in STATUSES if s in self.allowed_from)
        words = status.replace("_", " ")
        what = f"{'an' if words[0] in 'aeiou' else 'a'} {words} invoice"
        return f"{self.doing} {what} {self.outcome}, though only {allowed} invoices may be {self.done}."


REFUNDABLE = frozenset({"paid", "partially_refunded"})
"""The statuses a refund is allowed from."""
_PENDING = frozenset({"pending"})
CANCEL = Action(
    "cancel",
    _PENDING,
    "invoice.cancel.guard",
    "``POST /invoices/{id}/cancel`` of",
    "is accepted and cancels it (queued or at once)",
    "cancelled",
)
REFUND_FULL = Action(
    "refund_full",
    REFUNDABLE,
    "refund.guard",
    "A refund without amount of",
    "is accepted and refunds what is left (the whole amount again once nothing is)",
    "refunded",
)
REFUND_PARTIAL = Action(
    "refund_partial",
    REFUNDABLE,
    "refund.guard",
    "A refund of part of the amount of",
    "is accepted and recorded",
    "refunded",
)
PAY = Action(
    "pay",
    _PENDING,
    "control.pay.guard",
    "The control API's pay of",
    "is accepted and makes it paid",
    "paid",
)
EXPIRE = Action(
    "expire",
    _PENDING,
    "control.expire.guard",
    "The control API's expire of",
    "is accepted and makes it expired",
    "expired",
)
ACTIONS: Mapping[str, Action] = MappingProxyType(
    {a.name: a for a in (CANCEL, REFUND_FULL, REFUND_PARTIAL, PAY, EXPIRE)}
)
"""Each action the mock guards by status, by name."""


def allowed_fault(action: str, status: str) -> str:
    """The name of the fault that lets ``action`` through from ``status``, which the rules forbid."""
    return f"{action}_{status}_allowed"


def forbidden_pairs() -> Iterator[tuple[Action, str]]:
    """Every (action, status) pair the rules forbid, action by action in declaration order."""
    for action in ACTIONS.values():
        for status in STATUSES:
            if status not in action.allowed_from:
                yield action, status
