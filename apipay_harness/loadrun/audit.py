"""The post-run audit: each touched invoice, re-read after the run, must match what its accepted answers imply.

Violations, by kind:

    lost                 the invoice was created but re-reading it answers 404
    unreadable           re-reading it answers neither 200 nor 404 (a 5xx, a 429 after waiting, no answer)
    over_refund          the accepted refunds add up to more than the invoice amount
    server_over_refund   the server itself shows ``total_refunded`` above ``amount``
    stuck_cancelling     still ``cancelling`` after the cancel deadline passed
    status_mismatch      the final status is not the one the accepted answers imply
    amount_mismatch      the amount differs from the one the create answer gave
    refund_total_mismatch  ``total_refunded`` differs from the sum of accepted refunds
    fully_refunded_mismatch  the version's fully-refunded flag (2.1's ``is_fully_refunded``) contradicts
                         the invoice's own ``total_refunded`` and ``amount``
    malformed            the re-read body is not an invoice with money strings

An invoice whose outcome is uncertain (a request cut off mid-flight) is held only to the
invariants (not lost, not over-refunded, not stuck), never to an exact status or total.

The rules are the API version's: its statuses and transitions come from its spec (``steps.facts``), so
an invoice may show any status the server reaches by itself from the one its answers imply (2.1's
``processing`` settling to ``pending`` or ``error``, a ``pending`` one expiring); whether a refund counts
once accepted or once completed, and which status refunds leave, are its refund rules (``dialects``). A
queued refund that failed never counts; one whose outcome never came may or may not have.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from apipay_harness.loadrun.dialects import RefundRules, refund_rules
from apipay_harness.loadrun.records import Ledger
from apipay_harness.loadrun.steps import Facts, facts, parse_money

__all__ = ["DEFAULT_CANCEL_DEADLINE", "AuditReport", "Reread", "Violation", "audit"]

DEFAULT_CANCEL_DEADLINE = 30.0
"""Seconds after an accepted cancel by which an invoice must have left ``cancelling``."""
_CLIENT_CAUSED = frozenset({"paid", "cancelling", "cancelled", "partially_refunded", "refunded"})
"""Statuses only a load user's own request brings (a payment, a cancel, a refund); the server may reach any
other successor by itself, so an invoice may show it even though no answer said so."""
_MAX_OPEN_REFUNDS = 8
"""Refunds of one invoice whose outcome never came, past which its totals are not enumerated (held as uncertain)."""


@dataclass(frozen=True, slots=True)
class Reread:
    """One invoice as the audit read it back after the run."""

    status_code: int
    body: Any
    read_at: float
    """Wall-clock seconds when it was read."""


@dataclass(frozen=True, slots=True)
class Violation:
    """One invoice whose re-read state contradicts what the load users were told."""

    invoice_id: int
    kind: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form for JSON."""
        return asdict(self)


@dataclass(slots=True)
class AuditReport:
    """The audit's verdict over every touched invoice."""

    checked: int = 0
    uncertain: int = 0
    violations: list[Violation] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Whether no invoice contradicts its accepted answers."""
        return not self.violations

    def counts(self) -> dict[str, int]:
        """Violations per kind."""
        counts: dict[str, int] = {}
        for violation in self.violations:
            counts[violation.kind] = counts.get(violation.kind, 0) + 1
        return counts

    def to_dict(self, *, limit: int = 200) -> dict[str, Any]:
        """Plain-data form for ``load-summary.json`` (at most ``limit`` violations listed)."""
        return {
            "clean": self.clean,
            "checked": self.checked,
            "uncertain": self.uncertain,
            "violation_counts": self.counts(),
            "violations": [v.to_dict() for v in self.violations[:limit]],
            "violations_omitted": max(0, len(self.violations) - limit),
        }


def audit(
    ledgers: Mapping[int, Ledger],
    rereads: Mapping[int, Reread],
    *,
    cancel_deadline: float = DEFAULT_CANCEL_DEADLINE,
    api_version: str | None = None,
) -> AuditReport:
    """Judge every ledger against its re-read invoice, under the rules of ``api_version`` (None: the default)."""
    rules = _Rules(facts(api_version), refund_rules(api_version))
    report = AuditReport()
    for invoice_id in sorted(ledgers):
        ledger = ledgers[invoice_id]
        if ledger.amount is None:
            continue  # never confirmed created: nothing to hold the server to
        report.checked += 1
        report.uncertain += int(ledger.uncertain)
        report.violations.extend(_judge(ledger, rereads.get(invoice_id), cancel_deadline=cancel_deadline, rules=rules))
    return report


@dataclass(frozen=True, slots=True)
class _Rules:
    known: Facts
    refunds: RefundRules


def _judge(ledger: Ledger, reread: Reread | None, *, cancel_deadline: float, rules: _Rules) -> list[Violation]:
    """The violations of one invoice."""
    found: list[Violation] = []
    amount = ledger.amount
    assert amount is not None

    def add(kind: str, message: str) -> None:
        found.append(Violation(invoice_id=ledger.invoice_id, kind=kind, message=message))

    live = [a for a, key in zip(ledger.refunds, ledger.refund_ids, strict=True) if ledger.outcomes.get(key) != "failed"]
    accepted = sum(live, Decimal("0"))
    if accepted > amount:
        parts = " + ".join(str(r) for r in live)
        add("over_refund", f"accepted refunds total {accepted} ({parts}), above the amount {amount}")
    if reread is None or reread.status_code == 404:
        code = "never re-read" if reread is None else "re-read answered 404"
        add("lost", f"created with amount {amount}, but {code}")
        return found
    if reread.status_code != 200:
        what = "no answer" if reread.status_code == 0 else f"{reread.status_code}"
        add("unreadable", f"re-reading it got {what}: {str(reread.body)[:200]}")
        return found
    body = reread.body
    try:
        status = body["status"]
        server_amount = parse_money(body["amount"])
        total = parse_money(body.get("total_refunded", "0.00"))
    except (KeyError, TypeError, ValueError) as exc:
        add("malformed", f"re-read body is not an invoice with money strings: {exc!r}")
        return found
    if total > server_amount:
        add("server_over_refund", f"server shows total_refunded {total} above amount {server_amount}")
    flag = rules.known.fully_refunded_flag
    if flag is not None and body.get(flag) is not (total > 0 and total >= server_amount):
        add(
            "fully_refunded_mismatch",
            f"Expected: {flag} {total > 0 and total >= server_amount} (total_refunded {total} of {server_amount})\n"
            f"Received: {flag} {body.get(flag)!r}",
        )
    if status == "cancelling" and ledger.cancelled_at is not None:
        late = reread.read_at - ledger.cancelled_at
        if late > cancel_deadline:
            add(
                "stuck_cancelling",
                f"still cancelling {late:.1f}s after the cancel was accepted (deadline {cancel_deadline:g}s)",
            )
    if server_amount != amount:
        add("amount_mismatch", f"Expected: amount {amount}\nReceived: amount {server_amount}")
    outcomes = _possible_refunds(ledger, rules.refunds)
    if ledger.uncertain or outcomes is None:
        return found
    allowed = _allowed_statuses(ledger, rules, outcomes)
    if status not in allowed and not (status == "cancelling" and ledger.cancelled_at is not None):
        add("status_mismatch", f"Expected: status {' or '.join(sorted(allowed))}\nReceived: status {status}")
    totals = {sum(counted, Decimal("0")) for counted in outcomes}
    if total not in totals:
        expected = " or ".join(str(t) for t in sorted(totals))
        add("refund_total_mismatch", f"Expected: total_refunded {expected}\nReceived: total_refunded {total}")
    return found


def _possible_refunds(ledger: Ledger, refunds: RefundRules) -> list[list[Decimal]] | None:
    """Every set of refunds that may count: those that surely do, plus any of those whose outcome never came.

    ``None`` when too many outcomes are open to enumerate (the invoice is then held only to the invariants).
    """
    pairs = list(zip(ledger.refunds, ledger.refund_ids, strict=True))
    if not refunds.queued:
        return [[a for a, _ in pairs]]
    done = [a for a, key in pairs if ledger.outcomes.get(key) == "completed"]
    open_ = [a for a, key in pairs if key not in ledger.outcomes]
    if len(open_) > _MAX_OPEN_REFUNDS:
        return None
    subsets = itertools.chain.from_iterable(itertools.combinations(open_, n) for n in range(len(open_) + 1))
    return [done + list(subset) for subset in subsets]


def _allowed_statuses(ledger: Ledger, rules: _Rules, outcomes: Iterable[list[Decimal]]) -> set[str]:
    """The statuses a correct server may show: those the answers imply, and what it reaches from them by itself."""
    amount = ledger.amount
    assert amount is not None
    if ledger.expired:
        implied = {"expired"}
    elif ledger.cancelled_at is not None:
        # Where a refused queued cancel may lead (2.1: back to pending, or error); cancelling itself is let
        # through by the caller, as how long it may last is the stuck_cancelling check's.
        queued = _drift({"cancelling"}, rules.known.successors) if ledger.cancel_queued else set()
        implied = {"cancelled", *queued} - {"cancelling"}
    elif ledger.paid:
        implied = {rules.refunds.status_after(amount, counted) for counted in outcomes}
    else:
        implied = {rules.known.initial}
    return _drift(implied, rules.known.successors)


def _drift(statuses: Collection[str], successors: Mapping[str, frozenset[str]]) -> set[str]:
    """``statuses`` and every status the server may reach from them without a client's request."""
    reached = set(statuses)
    todo = list(statuses)
    while todo:
        for after in successors.get(todo.pop(), frozenset()):
            if after not in _CLIENT_CAUSED and after not in reached:
                reached.add(after)
                todo.append(after)
    return reached
