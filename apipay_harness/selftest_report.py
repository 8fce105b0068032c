"""The selftest's detection matrix: as terminal text, as ``selftest.md`` and as ``selftest.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from apipay_harness.selftest import RunOutcome, SelftestResult

__all__ = ["SCHEMA_VERSION", "render_json", "render_markdown", "render_text", "write_reports"]

SCHEMA_VERSION = 1
"""Bumped whenever a field of ``selftest.json`` is removed or changes meaning."""

_LABELS = {
    "passed": "passed",
    "false_alarm": "FALSE ALARM",
    "caught": "caught",
    "escaped": "ESCAPED",
    "error": "ERROR",
}


def _caught_by(run: RunOutcome) -> str:
    if run.status in ("escaped", "passed"):
        return "-"
    if run.status == "error" or (run.status == "false_alarm" and not run.check):
        return run.detail or "-"
    where = f"{run.suite}/{run.check}" if run.check else "(unnamed)"
    if run.operation and run.operation != "*":
        where += f" on {run.operation}"
    return where


def _rows(result: SelftestResult) -> list[tuple[str, str, str, str]]:
    runs = [result.clean, *result.faults]
    return [(run.fault or "(clean mock)", _LABELS[run.status], _caught_by(run), f"{run.seconds:.1f}") for run in runs]


def _verdict(result: SelftestResult) -> str:
    median = result.median_seconds_to_detect()
    median_text = "-" if median is None else f"{median:.1f}s"
    clean = "clean run passed" if result.clean.ok else f"clean run {_LABELS[result.clean.status].lower()}"
    return (
        f"{result.caught}/{len(result.faults)} faults caught, {clean}; "
        f"median {median_text} to detect; {result.seconds:.0f}s wall with {result.jobs} job(s)"
    )


def render_text(result: SelftestResult) -> str:
    """The matrix as aligned plain text for the terminal, ending with the one-line verdict."""
    header = ("fault", "result", "caught by (suite/check)", "seconds")
    rows = [header, *_rows(result)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [
        f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]:>7}".rstrip() for row in rows
    ]
    return "\n".join([*lines, "", _verdict(result)])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(result: SelftestResult) -> str:
    """``selftest.md``: the verdict, then one row per run (fits a PR comment)."""
    lines = [
        "# apipay-harness selftest",
        "",
        f"**{_verdict(result)}**",
        "",
        "| fault | result | caught by (suite/check) | seconds | what breaks |",
        "|---|---|---|---:|---|",
    ]
    runs = [result.clean, *result.faults]
    for run, (name, label, where, seconds) in zip(runs, _rows(result), strict=True):
        lines.append(f"| `{name}` | {label} | {_cell(where)} | {seconds} | {_cell(run.description)} |")
    return "\n".join(lines) + "\n"


def render_json(result: SelftestResult) -> dict[str, Any]:
    """``selftest.json``: everything the matrix shows, as plain data."""
    return {
        "schema_version": SCHEMA_VERSION,
        "exit_code": result.exit_code,
        "faults_total": len(result.faults),
        "faults_caught": result.caught,
        "clean": result.clean.to_dict(),
        "faults": [run.to_dict() for run in result.faults],
        "wall_seconds": result.seconds,
        "median_seconds_to_detect": result.median_seconds_to_detect(),
        "jobs": result.jobs,
        "seed": result.seed,
    }


def write_reports(result: SelftestResult, report_dir: Path) -> tuple[Path, Path]:
    """Write ``selftest.json`` and ``selftest.md`` into ``report_dir``; return their paths."""
    report_dir.mkdir(parents=True, exist_ok=True)
    json_path = report_dir / "selftest.json"
    md_path = report_dir / "selftest.md"
    json_path.write_text(json.dumps(render_json(result), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(render_markdown(result), encoding="utf-8")
    return json_path, md_path
