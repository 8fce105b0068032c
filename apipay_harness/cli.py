"""The ``apipay-harness`` command line: parse, build what the command needs, call in, return a code.

Exit codes: 0 conforms, 1 violations found, 2 could not run (an operator's mistake, one line on stderr),
130 interrupted. Scripts and CI gates branch on them, so they never change meaning.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import click

from apipay_harness.contract.options import CONTRACT_OPTIONS, RunOptions
from apipay_harness.core.errors import HarnessError, UsageError
from apipay_harness.core.exit_codes import EXIT_CANNOT_RUN, EXIT_INTERRUPTED, EXIT_OK, EXIT_VIOLATIONS
from apipay_harness.core.options import (
    API_KEY,
    API_VERSION,
    BASE_URL,
    CONTROL_URL,
    NO_CONTROL,
    PROFILE,
    REPORT_DIR,
    Option,
)
from apipay_harness.mock.limits import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    DEFAULT_MAX_INVOICES,
)

if TYPE_CHECKING:
    from apipay_harness.loadrun.runner import LoadOptions, LoadOutcome

__all__ = ["main", "run"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="apipay-harness")
def cli() -> None:
    """Contract tests, a stateful mock and load runs for the ApiPay.kz payments API."""


def click_option(option: Option) -> Callable[[Any], Any]:
    """The click flag of one declared option: its flag, type, default and help as the declaration says."""
    kwargs: dict[str, Any] = {"help": option.full_help, "show_default": option.show_default}
    if option.kind == "flag":
        kwargs["is_flag"] = True
    elif option.kind == "int":
        kwargs["type"] = int
    elif option.kind == "choice":
        kwargs["type"] = click.Choice(option.choices)
    elif option.kind == "path":
        kwargs["type"] = click.Path(file_okay=False)
    if option.default is not None:
        kwargs["default"] = option.default
    if option.metavar:
        kwargs["metavar"] = option.metavar
    return click.option(option.flag, option.name, **kwargs)


def with_options(*options: Option) -> Callable[[Any], Any]:
    """Decorate a command with the click flags of ``options``, listed in ``--help`` in their order."""

    def decorate(command: Any) -> Any:
        for option in reversed(options):
            command = click_option(option)(command)
        return command

    return decorate


def api_version_option(command: Any) -> Any:
    """``--api-version V``: which version of the provider's API to speak (``core.options.API_VERSION``)."""
    return click_option(API_VERSION)(command)


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
@api_version_option
@click.option("--no-control-api", is_flag=True, help="Serve no /_control (as a provider's sandbox has none).")
def mock(
    *,
    api_version: str | None,
    no_control_api: bool,
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
    app = create_app(
        settings=settings, faults=faults, variants=variants, api_version=api_version, control_api=not no_control_api
    )
    sock = bind(host, port)
    click.echo(listening_line(sock))
    sys.stdout.flush()
    serve(app, sock, limits=limits)
    return EXIT_OK


@cli.command()
@with_options(*CONTRACT_OPTIONS)
def contract(**values: Any) -> int:
    """Run the contract suites against a target (default: a freshly started mock) and write the report."""
    from rich.console import Console

    from apipay_harness.contract.command import run_contract
    from apipay_harness.contract.progress import TerminalProgress

    options = RunOptions.from_values(values)
    progress = TerminalProgress(Console(file=sys.stderr))  # bound now: the run captures sys.stderr
    try:
        outcome = run_contract(options, progress=progress)
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


LOAD_TARGET_OPTIONS = (
    BASE_URL,
    replace(API_KEY, help="The API key the users send."),
    CONTROL_URL,
    replace(NO_CONTROL, help="No control API: payment steps give way to create -> cancel."),
    PROFILE,
)
"""The target options ``load`` shares with ``contract`` (same flags, variables and checks; its own help)."""


@cli.command()
@with_options(*LOAD_TARGET_OPTIONS, API_VERSION)
@click.option("--users", type=int, default=20, show_default=True, help="Concurrent users.")
@click.option("--spawn-rate", type=float, default=10.0, show_default=True, help="Users started per second.")
@click.option("--run-time", default="60s", show_default=True, help="Stop after this long (30s, 2m, 1h30m).")
@click.option("--workers", type=int, default=None, help="Local worker processes [default: one per core; 0: none].")
@click.option("--scenario", default="mixed", show_default=True, help="mixed, lifecycle, reader or baseline.")
@click.option("--max-p95-ms", type=float, default=500.0, show_default=True, help="p95 limit for every endpoint.")
@click.option("--max-fail-ratio", type=float, default=0.01, show_default=True, help="Failed / all requests.")
@click.option("--min-rps", type=float, default=1.0, show_default=True, help="Requests per second, at least.")
@click.option("--max-requests", type=int, default=0, show_default=True, help="Hard cap on requests (0: none).")
@with_options(REPORT_DIR)
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
def load(**values: Any) -> int:
    """Headless Locust run (master + workers) with thresholds and a post-run audit (default: against the mock)."""
    from rich.console import Console

    from apipay_harness.contract.progress import LoadProgressLine
    from apipay_harness.core.target import Target
    from apipay_harness.loadrun.runner import run_load

    if values["profile"] == "production":
        raise UsageError("load runs are refused with --profile production: they would flood a real account")
    target = Target.from_options(
        base_url=values["base_url"],
        api_key=values["api_key"],
        control_url=values["control_url"],
        no_control=values["no_control"],
    )
    options = _load_options(values)
    if options.remote_workers:
        _say_how_workers_join(options.remote_workers, options.master_port)
    display = LoadProgressLine(Console(file=sys.stderr), every=values["progress_every"])
    try:
        outcome = run_load(target, options, progress=display)
    finally:
        display.close()
    _print_load_outcome(outcome, values["report_dir"])
    return outcome.exit_code


def _load_options(values: dict[str, Any]) -> LoadOptions:
    """The runner's options from the command's flags; thresholds that make no sense are exit 2."""
    from pathlib import Path

    from apipay_harness.core.versions import get_version
    from apipay_harness.loadrun.runner import LoadOptions
    from apipay_harness.loadrun.thresholds import Thresholds

    try:
        thresholds = Thresholds(
            max_p95_ms=values["max_p95_ms"], max_fail_ratio=values["max_fail_ratio"], min_rps=values["min_rps"]
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    return LoadOptions(
        report_dir=Path(values["report_dir"]),
        users=values["users"],
        spawn_rate=values["spawn_rate"],
        run_time=values["run_time"],
        workers=values["workers"],
        scenario=values["scenario"],
        thresholds=thresholds,
        max_requests=values["max_requests"],
        no_control=values["no_control"],
        remote_workers=values["remote_workers"],
        master_bind_host=values["master_bind_host"],
        master_port=values["master_port"],
        api_version=get_version(values.get("api_version")).name,
    )


def _say_how_workers_join(remote_workers: int, master_port: int | None) -> None:
    from apipay_harness.core.resources import load_dir
    from apipay_harness.loadrun.runner import DEFAULT_MASTER_PORT

    click.echo(
        f"waiting for {remote_workers} remote worker(s): locust -f {load_dir() / 'locustfile.py'} --worker "
        f"--master-host <this host> --master-port {master_port or DEFAULT_MASTER_PORT}"
    )


def _print_load_outcome(outcome: LoadOutcome, report_dir: str) -> None:
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
@with_options(REPORT_DIR)
@click.option("--seed", type=int, default=None, help="Hypothesis seed of every run [default: a fixed one, 20260213].")
@click.option("--run-timeout", type=click.FloatRange(min=1), default=600.0, show_default=True, help="Seconds per run.")
@click.option("-k", "keyword", metavar="EXPR", help="Only the contract checks matching EXPR, in every run (pytest -k).")
@click.option("--list-faults", is_flag=True, help="Print the fault catalog as a Markdown table and exit.")
@click.option("--list-variants", is_flag=True, help="Print the variant catalog as a Markdown table and exit.")
@api_version_option
def selftest(
    *,
    api_version: str | None,
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

    With no --fault, --variant or --variants-together everything runs; naming some runs only those. The mock
    speaks --api-version and the faults and variants are that version's catalogs.
    """
    from pathlib import Path

    from apipay_harness.selftest.report import render_text, write_reports
    from apipay_harness.selftest.runner import RunOutcome, check_fault_names, check_variant_names, run_selftest

    if list_faults:
        from apipay_harness.selftest.fault_table import fault_table

        click.echo(fault_table(api_version), nl=False)
        return EXIT_OK
    if list_variants:
        from apipay_harness.selftest.variant_table import variant_table

        click.echo(variant_table(api_version), nl=False)
        return EXIT_OK
    from apipay_harness.core.preflight import check_report_dir

    everything = not (faults or variants or variants_together)
    fault_names = check_fault_names(faults, api_version=api_version) if faults or everything else []
    variant_names = check_variant_names(variants, api_version=api_version) if variants or everything else []
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
        api_version=api_version,
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
@api_version_option
@click.option("--probe-url", metavar="URL", help="Where the endpoint says how often it processed an event.")
@click.option("--answer-within", metavar="SECONDS", help="Lower the documented answer time (a stricter CI gate).")
@with_options(REPORT_DIR)
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
