"""Errors that mean "could not run" (exit code 2).

    HarnessError
    ├── UsageError          bad arguments or clashing flags
    ├── SpecError           the spec is missing, unreadable or not OpenAPI 3.1
    └── TargetUnreachable   the server under test does not answer

Violations of the contract are not errors of the harness: they are results, reported
and mapped to exit code 1.
"""

from __future__ import annotations

__all__ = ["HarnessError", "SpecError", "TargetUnreachable", "UsageError"]


class HarnessError(Exception):
    """The harness could not run; the message says what to do next."""


class UsageError(HarnessError):
    """Bad or clashing command-line arguments."""


class SpecError(HarnessError):
    """The spec cannot be loaded or is not a valid OpenAPI 3.1 document."""


class TargetUnreachable(HarnessError):
    """The target did not answer within the deadline."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"target {url} is unreachable ({reason}); start it or set --base-url / APIPAY_BASE_URL")
        self.url = url
