"""The typed failure every contract check raises, so every report can say what broke where and why.

A ``Violation`` says which operation broke which check, the spec rule it broke and what
was expected against what was received. A plain ``assert`` in a suite is wrapped into one
by the plugin, taking its operation, check and rule from the test's ``contract`` marker.
The check is a declared one (``apipay_harness.core.checks``): an undeclared id raises at once,
so no report can name a check the registry does not know.
"""

from __future__ import annotations

from typing import Any

from apipay_harness.core.checks import Check, lookup

__all__ = ["SEVERITIES", "Violation", "expected_received"]

SEVERITIES = ("critical", "high", "medium", "low")


def expected_received(expected: Any, received: Any) -> str:
    """Format the two sides of a broken rule the way every report shows them."""
    return f"Expected: {expected}\nReceived: {received}"


class Violation(AssertionError):
    """A target broke a rule of the contract; its fields say which and how."""

    def __init__(
        self,
        *,
        operation: str = "",
        check: Check | str = "",
        title: str,
        message: str,
        rule: str = "",
        severity: str = "high",
        reproducible: bool = True,
    ) -> None:
        if severity not in SEVERITIES:
            raise ValueError(f"severity must be one of {SEVERITIES}, got {severity!r}")
        if check and lookup(str(check)) is None:
            raise ValueError(f"check {str(check)!r} is not declared in apipay_harness.core.checks")
        super().__init__(f"{title}\n{message}")
        self.operation = operation
        self.check = str(check)
        self.title = title
        self.message = message
        self.rule = rule
        self.severity = severity
        self.reproducible = reproducible

    @property
    def key(self) -> tuple[str, str, str]:
        """What two reports of the same break share, for deduplication."""
        return (self.operation, self.check, self.title)
