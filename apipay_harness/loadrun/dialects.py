"""What a load run does differently per API version where the spec cannot say it as data: refunds.

Everything else that differs between versions (statuses and transitions, the first status, the amount's
step, page shapes, simulate-status, the fully-refunded flag) is read from each version's spec
(``steps.facts``). What a refund answer holds, when a refund counts and which status refunds leave are
rules of prose, so each version has one module here, named by ``DIALECT_MODULES``; a test holds that map
to the version registry.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Protocol

from apipay_harness.core.versions import get_version
from apipay_harness.loadrun.steps import Facts

__all__ = ["DIALECT_MODULES", "RefundRules", "refund_rules"]

DIALECT_MODULES: Mapping[str, str] = MappingProxyType(
    {
        "2026-02-13": "apipay_harness.loadrun.dialect_seed",
        "2.1": "apipay_harness.loadrun.dialect_21",
    }
)
"""The module holding each version's refund rules (its ``RULES``), by version name."""


class RefundRules(Protocol):
    """How one API version refunds."""

    @property
    def queued(self) -> bool:
        """Whether a 201 only queues the refund: it counts once it completes, and never if it fails."""
        ...

    def check_answer(
        self, body: Any, *, invoice_id: int, requested: Decimal | None, amount: Decimal, known: Facts
    ) -> str | None:
        """Why a 201 refund answer is inconsistent, or ``None``."""
        ...

    def status_after(self, amount: Decimal, counted: Sequence[Decimal]) -> str:
        """The status of a paid invoice of ``amount`` once the refunds ``counted`` took effect."""
        ...


def refund_rules(version: str | None = None) -> RefundRules:
    """The refund rules of ``version`` (None: the default); an unknown version is a ``UsageError``."""
    module: Any = importlib.import_module(DIALECT_MODULES[get_version(version).name])
    rules: RefundRules = module.RULES
    return rules
