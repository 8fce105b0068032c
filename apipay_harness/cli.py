"""The ``apipay-harness`` command line: parse, build what the command needs, call in, return a code.

Exit codes (DESIGN §3.1): 0 conforms, 1 violations found, 2 could not run.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from apipay_harness.errors import HarnessError

__all__ = ["main", "run"]

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_CANNOT_RUN = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="apipay-harness")
def cli() -> None:
    """Contract tests, a stateful mock and load runs for the ApiPay.kz payments API."""


@cli.command()
@click.argument("spec", required=False, type=click.Path(dir_okay=False))
def lint(spec: str | None) -> int:
    """Validate SPEC (default: the shipped spec) as OpenAPI 3.1, its examples and the house rules."""
    from apipay_harness.lint import lint_spec

    report = lint_spec(spec)
    for problem in report.problems:
        click.echo(str(problem))
    if report.problems:
        click.echo(f"{len(report.problems)} problem(s) found", err=True)
        return EXIT_VIOLATIONS
    click.echo(f"ok: {report.operations} operations, {report.examples} examples checked")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code; never raises for a user's mistake."""
    try:
        result = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return EXIT_CANNOT_RUN
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
