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
    malformed            the re-read body is not an invoice with money strings

An invoice whose outcome is uncertain (a request cut off mid-flight) is held only to the
invariants (not lost, not over-refunded, not stuck), never to an exact status or total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from apipay_harness.loadrun.records import Ledger
from apipay_harness.loadrun.steps import parse_money

__all__ = ["DEFAULT_CANCEL_DEADLINE", "AuditReport", "Reread", "Violation", "audit"]

DEFAULT_CANCEL_DEADLINE = 30.0
"""Seconds after an accepted cancel by which an invoice must have left ``cancelling``."""


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
) -> AuditReport:
    """Judge every ledger against its re-read invoice."""
    report = AuditReport()
    for invoice_id in sorted(ledgers):
        ledger = ledgers[invoice_id]
        if ledger.amount is None:
            continue  # never confirmed created: nothing to hold the server to
        report.checked += 1
        report.uncertain += int(ledger.uncertain)
        report.violations.extend(_judge(ledger, rereads.get(invoice_id), cancel_deadline=cancel_deadline))
    return report


def _judge(ledger: Ledger, reread: Reread | None, *, cancel_deadline: float) -> list[Violation]:
    """The violations of one invoice."""
    found: list[Violation] = []
    amount = ledger.amount
    assert amount is not None

    def add(kind: str, message: str) -> None:
        found.append(Violation(invoice_id=ledger.invoice_id, kind=kind, message=message))

    if ledger.refunded > amount:
        parts = " + ".join(str(r) for r in ledger.refunds)
        add("over_refund", f"accepted refunds total {ledger.refunded} ({parts}), above the amount {amount}")
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
    if status == "cancelling" and ledger.cancelled_at is not None:
        late = reread.read_at - ledger.cancelled_at
        if late > cancel_deadline:
            add(
                "stuck_cancelling",
                f"still cancelling {late:.1f}s after the cancel was accepted (deadline {cancel_deadline:g}s)",
            )
    if server_amount != amount:
        add("amount_mismatch", f"Expected: amount {amount}\nReceived: amount {server_amount}")
    if ledger.uncertain:
        return found
    expected = ledger.expected_status()
    allowed = _allowed_statuses(ledger, expected)
    if status not in allowed and not (status == "cancelling" and "cancelled" in allowed):
        add("status_mismatch", f"Expected: status {' or '.join(sorted(allowed))}\nReceived: status {status}")
    if total != ledger.refunded:
        add("refund_total_mismatch", f"Expected: total_refunded {ledger.refunded}\nReceived: total_refunded {total}")
    return found


def _allowed_statuses(ledger: Ledger, expected: str) -> set[str]:
    """The statuses a correct server may show; an untouched pending invoice may have expired on its own."""
    if expected == "pending":
        return {"pending", "expired"}
    return {expected}
