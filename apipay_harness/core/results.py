"""The result stream a contract run emits and every report writer reads (one input, so formats never disagree).

A run is: one ``RunInfo`` (what was judged), then a ``CheckResult`` per
(suite, operation, check), then the writers' ``finish`` with a ``RunEnd`` (complete, or cut
short and why). Results are redacted when they are recorded (``apipay_harness.core.redact``), so
writers never see a secret.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

__all__ = ["CheckResult", "ResultWriter", "RunEnd", "RunInfo", "Verdict"]

Verdict = Literal["passed", "failed", "skipped", "error"]


@dataclass(frozen=True, slots=True)
class RunInfo:
    """What a contract run judged and how."""

    target: str
    """The base URL judged (``embedded mock`` is said in ``mode``)."""
    spec_version: str
    mode: str
    """``quick`` or ``default``."""
    seed: int | None
    """The seed the run used (a contract run draws a fresh one when none was given), so it can be replayed;
    ``None`` only for a run that draws nothing at random, whose reports then leave the seed out."""
    started_at: str
    profile: str = "sandbox"
    control: bool = True
    replay: str = ""
    """The command that replays this run (the same seed and selection; never a key)."""
    api_version: str = ""
    """The provider's API version the run spoke (``2026-02-13``, ``2.1``); empty when unknown."""
    not_applicable: tuple[str, ...] = ()
    """The checks left out because this API version's documents do not have their rule."""
    control_mode: str = "api"
    """How invoices were paid and expired: ``api`` (a control API) or ``sandbox`` (the API's simulate-status)."""


@dataclass(frozen=True, slots=True)
class RunEnd:
    """How a run ended: complete, or cut short (why, and how many of the selected contract tests finished)."""

    cut_short: str = ""
    """Empty when the run completed; else why it stopped early (Ctrl-C, the target out of bounds, -x)."""
    planned: int = 0
    """Contract tests selected for the run."""
    finished: int = 0
    """Contract tests that finished before the end."""

    @property
    def complete(self) -> bool:
        """Whether every selected check ran."""
        return not self.cut_short


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The verdict of one check of one suite on one operation, with what it takes to reproduce a failure."""

    suite: str
    """``schema``, ``bounds``, ``lifecycle``, ``auth``, ``lists``, ``webhooks``, ``concurrency`` or ``errors``."""
    operation: str
    """``METHOD /path`` as in the spec, or ``*`` for a check over several operations."""
    check: str
    """The id of a check declared in ``apipay_harness.core.checks`` (``refunds_add_up_to_amount``)."""
    verdict: Verdict
    cases: int = 0
    failures: int = 0
    title: str = ""
    message: str = ""
    """``Expected: …\\nReceived: …`` for a failure; the reason for a skip."""
    rule: str = ""
    """The spec rule broken, as a JSON pointer into the spec or a named rule."""
    reproducer: str = ""
    """A curl command (or a hypothesis step program plus curl) that replays the failure."""
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form for JSON."""
        return asdict(self)


class ResultWriter(Protocol):
    """A report format: it sees the run start, each result, and the end."""

    def start(self, info: RunInfo) -> None:
        """Begin a report for this run."""

    def handle(self, result: CheckResult) -> None:
        """Take one result."""

    def finish(self, end: RunEnd | None = None) -> None:
        """Write the report out, saying whether the run was complete."""
