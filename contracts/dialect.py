"""What the suites do differently per API version where the spec cannot say it as data.

Statuses, transitions, page shapes, bounds, error bodies and rate-limit headers are read from each version's
spec. A rule the documents state only in prose (when a refund counts, which status a full refund leaves, how a
freshly created invoice becomes payable) is a field of ``Dialect``; each version of the registry has one module
(``DIALECT_MODULES``) holding its ``DIALECT``, and a test holds that map to the version registry.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from contracts.version import active_version

__all__ = ["COUNTED", "DIALECT_MODULES", "READINGS", "RELEASED", "Dialect", "dialect", "frozen_map"]

DIALECT_MODULES: Mapping[str, str] = MappingProxyType(
    {
        "2026-02-13": "contracts.dialect_seed",
        "2.1": "contracts.dialect_21",
    }
)
"""The module holding each version's ``DIALECT``, by version name."""

COUNTED = "a failed refund still counts"
RELEASED = "a failed refund gives its amount back"
READINGS = (RELEASED, COUNTED)
"""The readings of a failed refund a version's documents may leave open (each target shows one of them)."""


def frozen_map(entries: Mapping[str, Iterable[str]]) -> Mapping[str, frozenset[str]]:
    """A read-only map of status to statuses, for a ``Dialect`` field."""
    return MappingProxyType({status: frozenset(after) for status, after in entries.items()})


@dataclass(frozen=True, slots=True)
class Dialect:
    """The prose rules of one API version (each field says the document sentence behind it)."""

    version: str
    """The version name these rules belong to."""

    # -- invoices and refunds (the oracle: lifecycle, transition table, concurrency) ------------------------------
    settles: Mapping[str, frozenset[str]] = field(default_factory=lambda: frozen_map({"cancelling": {"cancelled"}}))
    """Statuses of queued work the server leaves on its own soon, and where each may go.

    2026-02-13 invoices.md: cancel "may return 202 with status cancelling" (the cancellation completes later);
    the harness expects such work done once the clock moved ``SETTLE_SECONDS`` on (or a bounded poll saw it end).
    """
    drifts: Mapping[str, frozenset[str]] = field(default_factory=lambda: frozen_map({"pending": {"expired"}}))
    """Transitions the server may make on its own at any moment, without a deadline.

    2026-02-13 invoices.md: a pending invoice becomes ``expired`` on "Payment timeout".
    """
    refunds_queued: bool = False
    """Whether an accepted refund waits for its outcome before it counts in ``total_refunded``.

    2026-02-13 refunds.md answers 201 with the invoice's totals already including the refund.
    """
    failed_refund_readings: frozenset[str] = frozenset(READINGS)
    """The readings of a failed refund the documents allow (refunds.md lists ``failed`` and says no more)."""
    full_refund_status: str | None = "refunded"
    """The status a refund that leaves nothing to refund gives the invoice (None: the status stays).

    2026-02-13 invoices.md: "refunded — Fully refunded".
    """
    row_phone_prefixes: tuple[str, ...] = ()
    """Other leading digits a list row may write the payer's ``8XXXXXXXXXX`` number with (none in 2026-02-13)."""

    # -- the schema suite (schemathesis) ---------------------------------------------------------------------------
    quick_schema_phases: tuple[str, ...] = ("examples", "coverage", "fuzzing")
    """The schemathesis phases a ``--quick`` run of the schema suite runs per operation (a full run runs all three).

    Not a document sentence but a budget: a quick run is a CI gate. The seed keeps every phase, since its faults
    are proved in quick runs with them. A version may leave out ``coverage`` where its bounds suite sends every
    documented boundary of the same spec (edges, ``examples``, ``x-invalid-examples``), which that phase repeats.
    """


def dialect() -> Dialect:
    """The rules of the version this run speaks."""
    module = importlib.import_module(DIALECT_MODULES[active_version()])
    rules: Dialect = module.DIALECT
    return rules
