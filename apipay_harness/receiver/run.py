"""``apipay-harness receiver``: check the flags, the receiver and the report directory, run every check, report.

Exit codes: 0 every check passed; 1 a check failed (the receiver broke the documented contract); 2 the run could
not happen or could not finish (bad flags, unreachable URL, unwritable report directory, a probe that breaks its
contract, an interrupted run). The reports are written before any exit that follows a started run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

from apipay_harness.core.errors import HarnessError, UsageError
from apipay_harness.core.redact import Redactor
from apipay_harness.core.reproducer import curl
from apipay_harness.core.results import CheckResult, ResultWriter, RunInfo
from apipay_harness.core.spec import load_spec
from apipay_harness.receiver.checks import CHECKS, ReceiverCheck
from apipay_harness.receiver.exchange import Sender, ensure_reachable
from apipay_harness.receiver.judge import Finding, Judge, ReceiverStalled
from apipay_harness.receiver.probe import Probe
from apipay_harness.receiver.rules import EventCase, ReceiverRules, read_rules
from apipay_harness.receiver.signing import check_signature_shape
from apipay_harness.report import writers_for

__all__ = ["DEFAULT_REPORT_DIR", "FRAGMENT", "NOT_SENT", "ReceiverOptions", "ReceiverOutcome", "run_receiver"]

DEFAULT_REPORT_DIR = Path("reports")

NOT_SENT = "not sent"
"""The title of a check the run could not send (the receiver stopped answering, or the run was interrupted)."""

FRAGMENT = 8
"""No run of this many characters of the secret may appear in a report or in the output."""


@dataclass(frozen=True, slots=True)
class ReceiverOptions:
    """What ``apipay-harness receiver`` was asked to judge, and how."""

    url: str
    secret: str
    api_version: str | None = None
    probe_url: str | None = None
    report_dir: Path = DEFAULT_REPORT_DIR
    answer_within: Decimal | None = None
    """A stricter answer time than the spec's (for CI); None applies the documented one."""


@dataclass(slots=True)
class ReceiverOutcome:
    """What the command prints after the run."""

    exit_code: int
    target: str
    report_dir: Path
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[CheckResult] = field(default_factory=list)
    """Every failed or errored result, already redacted."""
    abort_reason: str = ""


def run_receiver(options: ReceiverOptions, *, listener: Callable[[CheckResult], None] | None = None) -> ReceiverOutcome:
    """Judge the receiver at ``options.url``; raises HarnessError (exit 2) before sending anything when it cannot."""
    _check_url(options.url, "--url")
    if options.probe_url is not None:
        _check_url(options.probe_url, "--probe-url")
    if not options.secret:
        raise UsageError("--secret is empty; give the webhook secret the receiver verifies signatures with")
    rules = read_rules(load_spec(version=options.api_version))
    check_signature_shape(rules.signature_schema)
    deadline = _deadline(rules, options.answer_within)
    _check_writable(options.report_dir)
    redactor = _redactor(options)
    return asyncio.run(_run(options, rules=rules, deadline=deadline, redactor=redactor, listener=listener))


async def _run(
    options: ReceiverOptions,
    *,
    rules: ReceiverRules,
    deadline: float,
    redactor: Redactor,
    listener: Callable[[CheckResult], None] | None,
) -> ReceiverOutcome:
    await ensure_reachable(options.url, flag="--url")
    probe = Probe(options.probe_url) if options.probe_url is not None else None
    sender = Sender(options.url, deadline=deadline)
    target = redactor.text(options.url)
    outcome = ReceiverOutcome(exit_code=0, target=target, report_dir=options.report_dir)
    try:
        if probe is not None:
            await _check_probe(probe)
        judge = Judge(rules=rules, sender=sender, probe=probe, secret=options.secret)
        writers = writers_for(options.report_dir)
        info = RunInfo(
            target=target,
            spec_version=rules.version,
            mode=_mode(rules, deadline, probe is not None),
            seed=None,
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        for writer in writers:
            writer.start(info)
        try:
            await _judge_all(judge, outcome, writers=writers, redactor=redactor, listener=listener)
        finally:
            for writer in writers:
                writer.finish()
    finally:
        await sender.aclose()
        if probe is not None:
            await probe.aclose()
    outcome.exit_code = 1 if outcome.counts.get("failed") else 2 if outcome.counts.get("error") else 0
    if outcome.exit_code == 2 and not outcome.abort_reason:
        outcome.abort_reason = "some checks could not be judged (see the report)"
    return outcome


async def _judge_all(
    judge: Judge,
    outcome: ReceiverOutcome,
    *,
    writers: list[ResultWriter],
    redactor: Redactor,
    listener: Callable[[CheckResult], None] | None,
) -> None:
    plan = [(check, case) for check in CHECKS.values() for case in _cases(judge.rules, check)]
    stopped = ""
    interrupted = False
    for check, case in plan:
        started = time.monotonic()
        if stopped:
            finding = Finding("error", title=NOT_SENT, message=stopped)
        else:
            try:
                finding = await _one(judge, check, case)
            except ReceiverStalled as exc:
                finding = Finding("error", title=NOT_SENT, message=f"the receiver stopped answering: {exc}")
            except asyncio.CancelledError:
                interrupted = True
                stopped = "the run was interrupted"
                finding = Finding("error", title=NOT_SENT, message=stopped)
        result = redactor.result(_result(check, case, finding, redactor, time.monotonic() - started))
        outcome.counts[result.verdict] = outcome.counts.get(result.verdict, 0) + 1
        if result.verdict in ("failed", "error"):
            outcome.problems.append(result)
        for writer in writers:
            writer.handle(result)
        if listener is not None:
            listener(result)
        if judge.stalled and not stopped:
            stopped = f"the receiver stopped answering: {judge.stalled}"
        outcome.abort_reason = stopped
    if interrupted:
        raise asyncio.CancelledError


async def _one(judge: Judge, check: ReceiverCheck, case: EventCase | None) -> Finding:
    if check.per_event is not None and case is not None:
        return await check.per_event(judge, case)
    if check.run_level is not None:
        return await check.run_level(judge)
    raise TypeError(f"receiver check {check.name} has nothing to run")


def _cases(rules: ReceiverRules, check: ReceiverCheck) -> list[EventCase | None]:
    return list(rules.cases) if check.per_event is not None else [None]


def _result(
    check: ReceiverCheck, case: EventCase | None, finding: Finding, redactor: Redactor, seconds: float
) -> CheckResult:
    bad = finding.verdict in ("failed", "error")
    reproducer = ""
    if bad and finding.exchanges:
        steps = []
        total = len(finding.exchanges)
        for i, done in enumerate(finding.exchanges, 1):
            steps.append(f"# {i} of {total}: {done.describe()}\n{curl(done.request, redactor=redactor)}")
        reproducer = "\n".join(steps)
    return CheckResult(
        suite=check.suite,
        operation=case.label if case is not None else "*",
        check=check.name,
        verdict=finding.verdict,
        cases=len(finding.exchanges),
        failures=sum(not done.accepted for done in finding.exchanges) if finding.verdict == "failed" else 0,
        title=finding.title,
        message=finding.message,
        rule=finding.rule,
        reproducer=reproducer,
        seconds=seconds,
        extra={"summary": check.summary, "answers": [done.describe() for done in finding.exchanges]},
    )


async def _check_probe(probe: Probe) -> None:
    """The probe must answer its contract before anything is sent, or the run is refused."""
    await ensure_reachable(probe.url, flag="--probe-url")
    reading = await probe.processed(event="apipay-harness.preflight", invoice_id=1, key={})
    if reading.processed is None:
        raise HarnessError(f"--probe-url does not follow the probe contract: {reading.problem}; see docs/receiver.md")


def _deadline(rules: ReceiverRules, stricter: Decimal | None) -> float:
    if stricter is None:
        return float(rules.answer_within)
    if not stricter.is_finite() or stricter <= 0 or stricter > rules.answer_within:
        raise UsageError(
            f"--answer-within may only lower the documented {rules.answer_within:f} s (a stricter CI gate), "
            f"got {stricter}"
        )
    return float(stricter)


def _mode(rules: ReceiverRules, deadline: float, probed: bool) -> str:
    documented = float(rules.answer_within)
    limit = f"answers within {deadline:g} s"
    if deadline < documented:
        limit += f" (stricter than the documented {documented:g} s)"
    judged = "answers and the probe's counts" if probed else "answers only (no --probe-url)"
    return f"receiver; {limit}; judged: {judged}"


def _check_url(url: str, flag: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(f"{flag} must be an http:// or https:// URL with a host, got {url!r}")
    try:
        parts.port  # noqa: B018 - reading it validates the port
    except ValueError:
        raise UsageError(f"{flag} has an invalid port: {url!r}") from None


def _check_writable(report_dir: Path) -> None:
    try:
        report_dir.mkdir(parents=True, exist_ok=True)
        marker = report_dir / ".apipay-harness-write-test"
        marker.write_text("", encoding="utf-8")
        marker.unlink()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(f"cannot write the report to {report_dir} ({reason}); choose another --report-dir") from None


def _redactor(options: ReceiverOptions) -> Redactor:
    """Redact the secret, every run of ``FRAGMENT`` of its characters, and passwords in the URLs."""
    secret = options.secret
    values = {secret} | {secret[i : i + FRAGMENT] for i in range(max(len(secret) - FRAGMENT + 1, 0))}
    for url in (options.url, options.probe_url):
        password = urlsplit(url).password if url else None
        if password:
            values.add(password)
    return Redactor(values)
