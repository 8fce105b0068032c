"""The diff as Markdown (fits a pull-request comment) and as JSON (for tools); both list every change."""

from __future__ import annotations

import json
from collections.abc import Sequence

from apipay_harness.specdiff import changes as k
from apipay_harness.specdiff.changes import Change
from apipay_harness.specdiff.diff import DiffReport, SpecInfo

__all__ = ["FORMATS", "render", "render_json", "render_markdown", "summary_line"]

JSON_VERSION = 1
"""Bumped when a field of the JSON report changes meaning or disappears."""


def summary_line(report: DiffReport) -> str:
    """One line: the verdict and the counts."""
    breaking, other = len(report.breaking), len(report.other)
    verdict = "BREAKING" if breaking else "compatible"
    return (
        f"{verdict}: {breaking} breaking change(s), {other} other change(s) "
        f"in {report.compared} operation(s) and webhook(s) present in both specs"
    )


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _title(change: Change) -> str:
    return f"{change.operation_id} ({_code(change.operation)})" if change.operation_id else _code(change.operation)


def _line(change: Change) -> str:
    place = change.where if change.where != "operation" else ""
    path = "items" + change.path[2:] if change.path.startswith("[]") else change.path
    field = f" {_code(path)}" if path else ""
    head = f"{place}{field}".strip()
    return f"- {head + ': ' if head else ''}{change.message} ({_code(change.kind.name)})"


def _grouped(changes: Sequence[Change]) -> list[str]:
    lines: list[str] = []
    added = [c for c in changes if c.kind in (k.OPERATION_ADDED, k.WEBHOOK_ADDED)]
    rest = [c for c in changes if c not in added]
    current = None
    for change in rest:
        title = _title(change)
        if title != current:
            lines += ["", f"### {title}", ""]
            current = title
        lines.append(_line(change))
    if added:
        lines += ["", f"### Added ({len(added)})", ""]
        lines += [f"- {_title(c)}" for c in added]
    return lines


def render_markdown(report: DiffReport) -> str:
    """The report as Markdown: the verdict, then breaking changes, then the others, grouped by operation."""
    lines = [
        "# API diff",
        "",
        f"- old: {_code(report.old.path)} ({report.old.title})",
        f"- new: {_code(report.new.path)} ({report.new.title})",
    ]
    if report.scope is not None:
        lines.append(f"- scope: the operations and webhooks of {_code(report.scope.path)}")
    lines += ["", f"**{summary_line(report)}**", "", "## Breaking changes"]
    lines += _grouped(report.breaking) if report.breaking else ["", "None."]
    lines += ["", "## Other changes"]
    lines += _grouped(report.other) if report.other else ["", "None."]
    return "\n".join(lines) + "\n"


def _spec(info: SpecInfo | None) -> dict[str, str] | None:
    return None if info is None else {"path": info.path, "title": info.title}


def render_json(report: DiffReport) -> str:
    """The report as JSON: ``verdict``, ``summary`` and one object per change."""
    document = {
        "version": JSON_VERSION,
        "old": _spec(report.old),
        "new": _spec(report.new),
        "scope": _spec(report.scope),
        "verdict": "breaking" if report.breaking else "compatible",
        "summary": {
            "breaking": len(report.breaking),
            "other": len(report.other),
            "compared": report.compared,
            "operations_added": sum(c.kind is k.OPERATION_ADDED for c in report.changes),
            "operations_removed": sum(c.kind is k.OPERATION_REMOVED for c in report.changes),
        },
        "changes": [
            {
                "operation": c.operation,
                "operation_id": c.operation_id,
                "where": c.where,
                "path": c.path,
                "kind": c.kind.name,
                "breaking": c.breaking,
                "message": c.message,
            }
            for c in report.changes
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


FORMATS = {"md": render_markdown, "json": render_json}
"""The report formats ``--format`` offers."""


def render(report: DiffReport, fmt: str) -> str:
    """The report in format ``fmt`` (a key of :data:`FORMATS`)."""
    return FORMATS[fmt](report)
