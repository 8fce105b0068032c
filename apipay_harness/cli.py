"""The ``apipay-harness`` command line: parse, build what the command needs, call in, return a code.

Exit codes (DESIGN §3.1): 0 conforms, 1 violations found, 2 could not run.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Iterator, Sequence
from typing import Any

import click

from apipay_harness.core.errors import HarnessError, UsageError
from apipay_harness.core.exit_codes import EXIT_CANNOT_RUN, EXIT_INTERRUPTED, EXIT_OK, EXIT_VIOLATIONS
from apipay_harness.core.target import Profile
from apipay_harness.core.versions import DEFAULT_VERSION, version_names
from apipay_harness.mock.limits import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_INVOICES,
)

__all__ = ["main", "run"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="apipay-harness")
def cli() -> None:
    """Contract tests, a stateful mock and load runs for the ApiPay.kz payments API."""


def api_version_option(command: Any) -> Any:
    """``--api-version V``: which version of the provider's API to speak (names from the version registry)."""
    return click.option(
        "--api-version",
        metavar="V",
        default=None,
        help=f"API version: {', '.join(version_names())} [default: {DEFAULT_VERSION}].",
    )(command)


@cli.command()
@click.argument("spec", required=False, type=click.Path(dir_okay=False))
@api_version_option
def lint(spec: str | None, api_version: str | None) -> int:
    """Validate SPEC (default: the shipped spec of --api-version) as OpenAPI 3.1, its examples and the house rules."""
    from apipay_harness.lint.checker import lint_spec

    if spec is not None and api_version is not None:
        raise UsageError(f"give SPEC or --api-version, not both (got SPEC {spec} and --api-version {api_version})")
    report = lint_spec(spec, version=api_version)
    for problem in report.problems:
        click.echo(str(problem))
    if report.problems:
        click.echo(f"{len(report.problems)} problem(s) found", err=True)
        return EXIT_VIOLATIONS
    click.echo(f"ok: {report.operations} operations, {report.examples} examples checked")
    return EXIT_OK


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="0 picks a free port.")
@click.option("--fault", "faults", multiple=True, metavar="NAME", help="Break the contract in a named way (repeat).")
@click.option(
    "--variant", "variants", multiple=True, metavar="NAME", help="Behave in another way the docs allow (repeat)."
)
@click.option("--cancel-mode", type=click.Choice(["sync", "async"]), default="async", show_default=True)
@click.option("--rate-limit", type=click.IntRange(min=1), default=None, help="Enforce N requests per minute per key.")
@click.option("--cancel-delay", type=click.FloatRange(min=0), default=2.0, show_default=True, help="Clock seconds.")
@click.option("--refund-delay", type=click.FloatRange(min=0), default=5.0, show_default=True, help="Clock seconds.")
@click.option("--expire-after", type=click.FloatRange(min=0), default=3600.0, show_default=True, help="Clock seconds.")
@click.option(
    "--max-invoices",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_INVOICES,
    show_default=True,
    help="Invoices (and refunds) kept; past it the oldest settled are forgotten, else creates get 429.",
)
@click.option(
    "--header-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_HEADER_TIMEOUT,
    show_default=True,
    help="Real seconds a connection has to send a whole request head.",
)
@click.option(
    "--body-timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_BODY_TIMEOUT,
    show_default=True,
    help="Real seconds a request has to send its whole body after its head.",
)
@click.option(
    "--max-connections",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_CONNECTIONS,
    show_default=True,
    help="Open connections; past it the one that waited longest is closed.",
)
def mock(
    *,
    host: str,
    port: int,
    faults: tuple[str, ...],
    variants: tuple[str, ...],
    cancel_mode: str,
    rate_limit: int | None,
    cancel_delay: float,
    refund_delay: float,
    expire_after: float,
    max_invoices: int,
    header_timeout: float,
    body_timeout: float,
    max_connections: int,
) -> int:
    """Serve the stateful mock at http://HOST:PORT/api/v1 (control API at /_control)."""
    from apipay_harness.mock.app import create_app
    from apipay_harness.mock.connections import ConnectionLimits
    from apipay_harness.mock.server import bind, listening_line, serve
    from apipay_harness.mock.store import Settings

    settings = Settings(
        cancel_mode=cancel_mode,
        cancel_delay=cancel_delay,
        refund_delay=refund_delay,
        expire_after=expire_after,
        rate_limit=rate_limit,
        max_invoices=max_invoices,
    )
    limits = ConnectionLimits(header_timeout=header_timeout, body_timeout=body_timeout, max_connections=max_connections)
    app = create_app(settings=settings, faults=faults, variants=variants)
    sock = bind(host, port)
    click.echo(listening_line(sock))
    sys.stdout.flush()
    serve(app, sock, limits=limits)
    return EXIT_OK


@cli.command()
@click.option("--base-url", metavar="URL", help="API root of the target [env APIPAY_BASE_URL]; default: the mock.")
@click.option("--api-key", metavar="K", help="Organization 1's API key [env APIPAY_API_KEY].")
@click.option("--api-key-2", metavar="K2", help="A second organization's key, for tenancy [env APIPAY_API_KEY_2].")
@click.option("--unverified-key", metavar="K", help="A key of an unverified organization (403 checks).")
@click.option("--rate-limited-key", metavar="K", help="A key with a small per-minute limit (429 checks).")
@click.option("--control-url", metavar="URL", help="The target's control API [env APIPAY_CONTROL_URL].")
@click.option("--no-control", is_flag=True, help="The target has no control API: skip what needs it.")
@click.option("--profile", type=click.Choice(["sandbox", "production"]), default="sandbox", show_default=True)
@click.option("--report-dir", type=click.Path(file_okay=False), default="reports", show_default=True)
@click.option("--quick", is_flag=True, help="Fewer examples, shorter state machines: for CI gates.")
@click.option("-k", "keyword", metavar="EXPR", help="Only the checks matching EXPR (pytest -k).")
@click.option(
    "--seed", type=int, default=None, help="Replay a run [default: a fresh one, printed with the replay command]."
)
def contract(
    *,
    base_url: str | None,
    api_key: str | None,
    api_key_2: str | None,
    unverified_key: str | None,
    rate_limited_key: str | None,
    control_url: str | None,
    no_control: bool,
    profile: Profile,
    report_dir: str,
    quick: bool,
    keyword: str | None,
    seed: int | None,
) -> int:
    """Run the contract suites against a target (default: a freshly started mock) and write the report."""
    from pathlib import Path

    from rich.console import Console

    from apipay_harness.contract.command import run_contract
    from apipay_harness.contract.progress import TerminalProgress
    from apipay_harness.contract.run import RunOptions

    if control_url and no_control:
        raise UsageError("--control-url and --no-control contradict each other; give one of them")
    options = RunOptions(
        base_url=base_url,
        api_key=api_key,
        api_key_2=api_key_2,
        unverified_key=unverified_key,
        rate_limited_key=rate_limited_key,
        control_url=control_url,
        no_control=no_control,
        profile=profile,
        quick=quick,
        seed=seed,
    )
    progress = TerminalProgress(Console(file=sys.stderr))  # bound now: the run captures sys.stderr
    try:
        outcome = run_contract(options, keyword=keyword, report_dir=Path(report_dir), progress=progress)
    finally:
        progress.close()
    if outcome.started:
        counts = outcome.counts
        click.echo(
            f"{outcome.target}: {counts.get('passed', 0)} passed, {counts.get('failed', 0)} failed, "
            f"{counts.get('error', 0)} errors, {counts.get('skipped', 0)} skipped; report in {outcome.report_dir}/"
        )
        click.echo(f"seed {outcome.seed}; replay: {outcome.replay}")
    for problem in outcome.cleanup_problems:
        click.echo(f"cleanup: {problem}", err=True)
    if outcome.exit_code == EXIT_INTERRUPTED:
        click.echo(
            f"interrupted: the run was cut short after {outcome.finished} of {outcome.planned} contract tests; "
            f"the report in {outcome.report_dir}/ lists the checks that ran",
            err=True,
        )
    elif outcome.exit_code == EXIT_CANNOT_RUN:
        reason = outcome.abort_reason or outcome.cut_short or "the contract run could not complete"
        click.echo(f"error: {reason}", err=True)
    return outcome.exit_code


@cli.command()
@click.option("--base-url", metavar="URL", help="API root of the target [env APIPAY_BASE_URL]; default: the mock.")
@click.option("--api-key", metavar="K", help="The API key the users send [env APIPAY_API_KEY].")
@click.option("--control-url", metavar="URL", help="The target's control API [env APIPAY_CONTROL_URL].")
@click.option("--no-control", is_flag=True, help="No control API: payment steps give way to create -> cancel.")
@click.option("--profile", type=click.Choice(["sandbox", "production"]), default="sandbox", show_default=True)
@click.option("--users", type=int, default=20, show_default=True, help="Concurrent users.")
@click.option("--spawn-rate", type=float, default=10.0, show_default=True, help="Users started per second.")
@click.option("--run-time", default="60s", show_default=True, help="Stop after this long (30s, 2m, 1h30m).")
@click.option("--workers", type=int, default=None, help="Local worker processes [default: one per core; 0: none].")
@click.option("--scenario", default="mixed", show_default=True, help="mixed, lifecycle, reader or baseline.")
@click.option("--max-p95-ms", type=float, default=500.0, show_default=True, help="p95 limit for every endpoint.")
@click.option("--max-fail-ratio", type=float, default=0.01, show_default=True, help="Failed / all requests.")
@click.option("--min-rps", type=float, default=1.0, show_default=True, help="Requests per second, at least.")
@click.option("--max-requests", type=int, default=0, show_default=True, help="Hard cap on requests (0: none).")
@click.option("--report-dir", type=click.Path(file_okay=False), default="reports", show_default=True)
@click.option("--remote-workers", type=int, default=0, help="Also wait for N workers joining from other machines.")
@click.option("--master-bind-host", default="127.0.0.1", show_default=True, help="Interface the master listens on.")
@click.option("--master-port", type=int, default=None, help="The master's port [default: 5557 with remote workers].")
@click.option(
    "--progress-every",
    type=click.FloatRange(min=1),
    default=10.0,
    show_default=True,
    help="Seconds between progress lines when not on a terminal (a terminal gets one live line).",
)
def load(
    *,
    base_url: str | None,
    api_key: str | None,
    control_url: str | None,
    no_control: bool,
    profile: Profile,
    users: int,
    spawn_rate: float,
    run_time: str,
    workers: int | None,
    scenario: str,
    max_p95_ms: float,
    max_fail_ratio: float,
    min_rps: float,
    max_requests: int,
    report_dir: str,
    remote_workers: int,
    master_bind_host: str,
    master_port: int | None,
    progress_every: float,
) -> int:
    """Headless Locust run (master + workers) with thresholds and a post-run audit (default: against the mock)."""
    from pathlib import Path

    from rich.console import Console

    from apipay_harness.contract.progress import LoadProgressLine
    from apipay_harness.core.target import Target
    from apipay_harness.loadrun.runner import LoadOptions, run_load
    from apipay_harness.loadrun.thresholds import Thresholds

    if profile == "production":
        raise UsageError("load runs are refused with --profile production: they would flood a real account")
    target = Target.from_options(base_url=base_url, api_key=api_key, control_url=control_url, no_control=no_control)
    try:
        thresholds = Thresholds(max_p95_ms=max_p95_ms, max_fail_ratio=max_fail_ratio, min_rps=min_rps)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    options = LoadOptions(
        report_dir=Path(report_dir),
        users=users,
        spawn_rate=spawn_rate,
        run_time=run_time,
        workers=workers,
        scenario=scenario,
        thresholds=thresholds,
        max_requests=max_requests,
        no_control=no_control,
        remote_workers=remote_workers,
        master_bind_host=master_bind_host,
        master_port=master_port,
    )
    if remote_workers:
        from apipay_harness.core.resources import load_dir
        from apipay_harness.loadrun.runner import DEFAULT_MASTER_PORT

        click.echo(
            f"waiting for {remote_workers} remote worker(s): locust -f {load_dir() / 'locustfile.py'} --worker "
            f"--master-host <this host> --master-port {master_port or DEFAULT_MASTER_PORT}"
        )
    display = LoadProgressLine(Console(file=sys.stderr), every=progress_every)
    try:
        outcome = run_load(target, options, progress=display)
    finally:
        display.close()
    summary = outcome.summary.to_dict()
    totals = summary["totals"]
    click.echo(
        f"{summary['target']}: {totals.get('requests', 0)} requests, {totals.get('failures', 0)} failed, "
        f"{totals.get('rps', 0):.1f} req/s; audit {summary['audit']['checked']} invoices; report in {report_dir}/"
    )
    for note in summary["notes"]:
        click.echo(f"note: {note}")
    for breach in outcome.summary.breaches:
        click.echo(f"threshold broken: {breach.message}")
    for kind, count in sorted(outcome.summary.audit.counts().items()):
        click.echo(f"audit: {count} invoice(s) {kind}")
    click.echo(f"verdict: {summary['verdict']}")
    return outcome.exit_code


@cli.command()
@click.option("--fault", "faults", multiple=True, metavar="NAME", help="Run only this fault (repeat); default: all.")
@click.option(
    "--variant", "variants", multiple=True, metavar="NAME", help="Run only this variant (repeat); default: all."
)
@click.option(
    "--variants-together",
    is_flag=True,
    help="Also run the whole variant catalog at once, one run per compatible group (always on by default).",
)
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Runs at once [default: the CPU count].")
@click.option("--report-dir", type=click.Path(file_okay=False), default="reports", show_default=True)
@click.option("--seed", type=int, default=None, help="Hypothesis seed of every run [default: a fixed one, 20260213].")
@click.option("--run-timeout", type=click.FloatRange(min=1), default=600.0, show_default=True, help="Seconds per run.")
@click.option("-k", "keyword", metavar="EXPR", help="Only the contract checks matching EXPR, in every run (pytest -k).")
@click.option("--list-faults", is_flag=True, help="Print the fault catalog as a Markdown table and exit.")
@click.option("--list-variants", is_flag=True, help="Print the variant catalog as a Markdown table and exit.")
def selftest(
    *,
    faults: tuple[str, ...],
    variants: tuple[str, ...],
    variants_together: bool,
    jobs: int | None,
    report_dir: str,
    seed: int | None,
    run_timeout: float,
    keyword: str | None,
    list_faults: bool,
    list_variants: bool,
) -> int:
    """Run the suites against the clean mock, once per fault and once per variant; print the matrix.

    With no --fault, --variant or --variants-together everything runs; naming some runs only those.
    """
    from pathlib import Path

    from apipay_harness.selftest.report import render_text, write_reports
    from apipay_harness.selftest.runner import RunOutcome, check_fault_names, check_variant_names, run_selftest

    if list_faults:
        from apipay_harness.selftest.fault_table import fault_table

        click.echo(fault_table(), nl=False)
        return EXIT_OK
    if list_variants:
        from apipay_harness.selftest.variant_table import variant_table

        click.echo(variant_table(), nl=False)
        return EXIT_OK
    from apipay_harness.core.preflight import check_report_dir

    everything = not (faults or variants or variants_together)
    fault_names = check_fault_names(faults) if faults or everything else []
    variant_names = check_variant_names(variants) if variants or everything else []
    together = variants_together or everything
    check_report_dir(Path(report_dir))
    click.echo(
        f"selftest: clean run + {len(fault_names)} fault(s) + {len(variant_names)} variant(s)"
        + (" + the variants together" if together else ""),
        err=True,
    )

    def progress(run: RunOutcome) -> None:
        click.echo(f"  {run.label or run.fault or '(clean mock)'}: {run.status} in {run.seconds:.1f}s", err=True)

    result = run_selftest(
        faults=fault_names,
        variants=variant_names,
        together=together,
        jobs=jobs,
        report_dir=Path(report_dir),
        seed=seed,
        run_timeout=run_timeout,
        keyword=keyword,
        listener=progress,
    )
    json_path, md_path = write_reports(result, Path(report_dir))
    click.echo(render_text(result))
    click.echo(f"report: {json_path} and {md_path}")
    if result.clean.status == "error":
        click.echo(f"error: the clean run could not run: {result.clean.detail}", err=True)
    return result.exit_code


@cli.command()
@click.option("--url", metavar="URL", help="The webhook endpoint to judge (http:// or https://); required.")
@click.option("--secret", metavar="S", help="The webhook secret the endpoint verifies signatures with; required.")
@click.option("--api-version", metavar="V", default=None, help="Whose webhooks apply [default: the shipped spec's].")
@click.option("--probe-url", metavar="URL", help="Where the endpoint says how often it processed an event.")
@click.option("--answer-within", metavar="SECONDS", help="Lower the documented answer time (a stricter CI gate).")
@click.option("--report-dir", type=click.Path(file_okay=False), default="reports", show_default=True)
@click.option("--list-checks", is_flag=True, help="Print the checks as a Markdown table and exit.")
def receiver(
    *,
    url: str | None,
    secret: str | None,
    api_version: str | None,
    probe_url: str | None,
    answer_within: str | None,
    report_dir: str,
    list_checks: bool,
) -> int:
    """Judge a webhook endpoint against the documented contract (signatures, answers, idempotency)."""
    from decimal import Decimal, InvalidOperation
    from pathlib import Path

    from apipay_harness.receiver import NOT_SENT, ReceiverOptions, run_receiver

    if list_checks:
        from apipay_harness.receiver.doc import check_table

        click.echo(check_table(), nl=False)
        return EXIT_OK
    if url is None or secret is None:
        raise UsageError(f"{'--url' if url is None else '--secret'} is required: receiver --url URL --secret S")
    try:
        within = None if answer_within is None else Decimal(answer_within)
    except InvalidOperation:
        raise UsageError(f"--answer-within must be a number of seconds, got {answer_within!r}") from None
    options = ReceiverOptions(
        url=url,
        secret=secret,
        api_version=api_version,
        probe_url=probe_url,
        report_dir=Path(report_dir),
        answer_within=within,
    )
    outcome = run_receiver(options)
    unsent = [p for p in outcome.problems if p.verdict == "error" and p.title == NOT_SENT]
    for problem in outcome.problems:
        if problem not in unsent:
            click.echo(f"{problem.verdict}: {problem.check} [{problem.operation}]: {problem.title}")
    if unsent:
        click.echo(f"error: {len(unsent)} check(s) not sent: {outcome.abort_reason}")
    counts = outcome.counts
    click.echo(
        f"{outcome.target}: {counts.get('passed', 0)} passed, {counts.get('failed', 0)} failed, "
        f"{counts.get('error', 0)} errors, {counts.get('skipped', 0)} skipped; report in {outcome.report_dir}/"
    )
    if outcome.exit_code == EXIT_CANNOT_RUN:
        click.echo(f"error: {outcome.abort_reason}", err=True)
    return outcome.exit_code


@cli.command()
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option(
    "--format", "fmt", type=click.Choice(["md", "json"]), default="md", show_default=True, help="Report format."
)
@click.option("--output", metavar="PATH", type=click.Path(dir_okay=False), help="Write the report here, not to stdout.")
@click.option(
    "--only-operations",
    "scope",
    metavar="SPEC",
    type=click.Path(dir_okay=False),
    help="Report only the operations and webhooks that spec SPEC has.",
)
def diff(*, old: str, new: str, fmt: str, output: str | None, scope: str | None) -> int:
    """What changed from spec OLD to spec NEW for a client, each change breaking or not; exit 1 if any breaks."""
    from pathlib import Path

    from apipay_harness.specdiff import diff_files
    from apipay_harness.specdiff.render import render, summary_line

    with _scratch_for_hypothesis():
        report = diff_files(old, new, scope=scope)
    text = render(report, fmt)
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write --output {output}: {exc.strerror or exc}") from None
        click.echo(f"{summary_line(report)}; report in {output}")
    return EXIT_VIOLATIONS if report.breaking else EXIT_OK


@contextlib.contextmanager
def _scratch_for_hypothesis() -> Iterator[None]:
    """Point Hypothesis' cache (the diff draws strings from patterns) at a temporary directory, not the cwd."""
    if "HYPOTHESIS_STORAGE_DIRECTORY" in os.environ:
        yield
        return
    with tempfile.TemporaryDirectory(prefix="apipay-diff-") as scratch:
        os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = scratch
        try:
            yield
        finally:
            del os.environ["HYPOTHESIS_STORAGE_DIRECTORY"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code; never raises for a user's mistake."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        click.echo("interrupted: stopped before the run began (no report written)", err=True)
        return EXIT_INTERRUPTED
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        return EXIT_CANNOT_RUN
    except HarnessError as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_CANNOT_RUN
    return int(result) if isinstance(result, int) else EXIT_OK


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
