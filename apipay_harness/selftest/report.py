"""The selftest's matrix: faults (caught?) and variants (passed?), as terminal text, ``selftest.md`` and ``.json``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from apipay_harness.selftest.runner import RunOutcome, SelftestResult

__all__ = ["SCHEMA_VERSION", "render_json", "render_markdown", "render_text", "write_reports"]

SCHEMA_VERSION = 1
"""Bumped whenever a field of ``selftest.json`` is removed or changes meaning (added fields do not bump it)."""

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


def _label(run: RunOutcome) -> str:
    return run.label or run.fault or "(clean mock)"


def _rows(runs: list[RunOutcome]) -> list[tuple[str, str, str, str]]:
    return [(_label(run), _LABELS[run.status], _caught_by(run), f"{run.seconds:.1f}") for run in runs]


def _verdict(result: SelftestResult) -> str:
    median = result.median_seconds_to_detect()
    median_text = "-" if median is None else f"{median:.1f}s"
    clean = "clean run passed" if result.clean.ok else f"clean run {_LABELS[result.clean.status].lower()}"
    variants = ""
    if result.variants:
        passed = sum(1 for run in result.variants if run.ok)
        variants = f"; {passed}/{len(result.variants)} variant runs passed"
    return (
        f"{result.caught}/{len(result.faults)} faults caught, {clean}{variants}; "
        f"{result.false_alarms} false alarm(s); median {median_text} to detect; "
        f"{result.seconds:.0f}s wall with {result.jobs} job(s)"
    )


def _seed_line(result: SelftestResult) -> str:
    return f"seed {result.seed}; replay: {result.replay}" if result.replay else f"seed {result.seed}"


def _table(header: tuple[str, str, str, str], rows: list[tuple[str, str, str, str]]) -> list[str]:
    rows = [header, *rows]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [
        f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]:>7}".rstrip() for row in rows
    ]


def render_text(result: SelftestResult) -> str:
    """The matrix as aligned plain text for the terminal (faults, then variants), ending with the verdict and seed."""
    lines = _table(("fault", "result", "caught by (suite/check)", "seconds"), _rows([result.clean, *result.faults]))
    if result.variants:
        header = ("variant", "result", "false alarm in (suite/check)", "seconds")
        lines += ["", *_table(header, _rows(result.variants))]
    return "\n".join([*lines, "", _verdict(result), _seed_line(result)])


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_markdown(result: SelftestResult) -> str:
    """``selftest.md``: the verdict, then one row per run (fits a PR comment)."""
    lines = [
        "# apipay-harness selftest",
        "",
        f"**{_verdict(result)}**",
        "",
        f"Seed `{result.seed}`" + (f" · replay: `{result.replay}`" if result.replay else ""),
        "",
        "| fault | result | caught by (suite/check) | seconds | what breaks |",
        "|---|---|---|---:|---|",
    ]
    runs = [result.clean, *result.faults]
    for run, (name, label, where, seconds) in zip(runs, _rows(runs), strict=True):
        lines.append(f"| `{name}` | {label} | {_cell(where)} | {seconds} | {_cell(run.description)} |")
    if result.variants:
        lines += [
            "",
            "| variant | result | false alarm in (suite/check) | seconds | what it changes |",
            "|---|---|---|---:|---|",
        ]
        for run, (name, label, where, seconds) in zip(result.variants, _rows(result.variants), strict=True):
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
        "variants_total": len(result.variants),
        "variants_passed": sum(1 for run in result.variants if run.ok),
        "false_alarms": result.false_alarms,
        "variants": [run.to_dict() for run in result.variants],
        "wall_seconds": result.seconds,
        "median_seconds_to_detect": result.median_seconds_to_detect(),
        "jobs": result.jobs,
        "seed": result.seed,
        "replay": result.replay,
        "api_version": result.api_version,
    }


def write_reports(result: SelftestResult, report_dir: Path) -> tuple[Path, Path]:
    """Write ``selftest.json`` and ``selftest.md`` into ``report_dir``; return their paths."""
    report_dir.mkdir(parents=True, exist_ok=True)
    json_path = report_dir / "selftest.json"
    md_path = report_dir / "selftest.md"
    json_path.write_text(json.dumps(render_json(result), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(render_markdown(result), encoding="utf-8")
    return json_path, md_path
