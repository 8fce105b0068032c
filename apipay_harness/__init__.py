"""apipay-harness: contract tests, a stateful mock and load runs for the ApiPay.kz API."""

from __future__ import annotations

from apipay_harness.core.errors import HarnessError, SpecError, TargetUnreachable, UsageError

__version__ = "0.1.0"

__all__ = ["HarnessError", "SpecError", "TargetUnreachable", "UsageError", "__version__"]
