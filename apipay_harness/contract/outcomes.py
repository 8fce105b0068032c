"""Turning one contract test's outcome into the ``CheckResult``s the report shows.

A test carries ``@pytest.mark.contract(check=…, operation=…)``, the check being one declared in
``apipay_harness.core.checks`` (which also gives its suite; a plain ``suite=``/``check=`` pair of
strings still works for tests outside ``contracts/``). A raised ``Violation`` overrides the marker's
fields; a plain ``AssertionError`` becomes a failure with the marker's, and the rule its check enforces
when the failure names none; any other exception is an ``error`` (the harness or the target broke in a
way no check names); a skip keeps its one reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from apipay_harness.core.checks import Check, lookup
from apipay_harness.core.results import CheckResult, Verdict

__all__ = ["Outcome", "TestIdentity", "identity_of", "outcome_of", "suite_of"]


@dataclass(frozen=True, slots=True)
class TestIdentity:
    """Which suite, check and operation a contract test stands for, from its marker."""

    __test__ = False

    suite: str
    check: str
    operation: str


def suite_of(item: pytest.Item) -> str | None:
    """The suite of ``item``'s ``contract`` marker (its declared check's, unless the marker names one itself)."""
    marker = item.get_closest_marker("contract")
    if marker is None:
        return None
    declared = marker.kwargs.get("check")
    default_suite = declared.suite if isinstance(declared, Check) else "contract"
    return str(marker.kwargs.get("suite") or (marker.args[0] if marker.args else default_suite))


def identity_of(item: pytest.Item) -> TestIdentity | None:
    """Read the ``contract`` marker of ``item``; ``None`` for a test that is not a contract check."""
    marker = item.get_closest_marker("contract")
    suite = suite_of(item)
    if marker is None or suite is None:
        return None
    kwargs: dict[str, Any] = dict(marker.kwargs)
    declared = kwargs.get("check")
    name = getattr(item, "originalname", None) or item.name
    check = str(declared or name.removeprefix("test_"))
    operation = str(kwargs.get("operation") or "*")
    return TestIdentity(suite=suite, check=check, operation=operation)


@dataclass(slots=True)
class Outcome:
    """What happened to one test across its setup, call and teardown."""

    verdict: Verdict = "passed"
    title: str = ""
    message: str = ""
    rule: str = ""
    operation: str = ""
    check: str = ""
    severity: str = ""
    notes: list[str] = field(default_factory=list)

    def to_result(self, ident: TestIdentity, *, reproducer: str, seconds: float) -> CheckResult:
        """Build the result, the outcome's own fields winning over the marker's."""
        failed = self.verdict == "failed"
        extra: dict[str, Any] = {"severity": self.severity} if self.severity else {}
        check = self.check or ident.check
        rule = self.rule
        if failed and not rule:
            declared = lookup(check)
            rule = declared.rule if declared is not None else ""
        return CheckResult(
            suite=ident.suite,
            operation=self.operation or ident.operation,
            check=check,
            verdict=self.verdict,
            cases=0 if self.verdict == "skipped" else 1,
            failures=1 if failed else 0,
            title=self.title,
            message=self.message,
            rule=rule,
            reproducer=reproducer if self.verdict in ("failed", "error") else "",
            seconds=round(seconds, 3),
            extra=extra,
        )


def outcome_of(excinfo: pytest.ExceptionInfo[BaseException] | None, *, when: str) -> Outcome:
    """Classify one phase's exception (``None``: the phase passed)."""
    if excinfo is None:
        return Outcome()
    exc = excinfo.value
    if isinstance(exc, pytest.skip.Exception):
        return Outcome(verdict="skipped", message=str(exc.msg) if hasattr(exc, "msg") else str(exc))
    notes = [str(n) for n in getattr(exc, "__notes__", []) or []]
    if when == "call" and isinstance(exc, AssertionError):
        title = str(getattr(exc, "title", "") or _first_line(exc))
        message = str(getattr(exc, "message", "") or _rest(exc))
        return Outcome(
            verdict="failed",
            title=title,
            message=message,
            rule=str(getattr(exc, "rule", "") or ""),
            operation=str(getattr(exc, "operation", "") or ""),
            check=str(getattr(exc, "check", "") or ""),
            severity=str(getattr(exc, "severity", "") or "high"),
            notes=notes,
        )
    phase = "" if when == "call" else f" during {when}"
    return Outcome(
        verdict="error",
        title=f"{type(exc).__name__}{phase}",
        message=_first_line(exc) if str(exc) else type(exc).__name__,
        notes=notes,
    )


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _rest(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return "\n".join(lines[1:]).strip() or (lines[0] if lines else "")
