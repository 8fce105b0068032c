"""``conformance.md``: a report short enough for a pull-request comment (GitHub caps comments at 65,536 chars)."""

from __future__ import annotations

import re

from apipay_harness.core.results import CheckResult, RunEnd
from apipay_harness.report.summary import Collector, Summary, count, describe, write_atomically

__all__ = ["MAX_CHARS", "MarkdownWriter", "render_markdown"]

MAX_CHARS = 60_000
"""Budget for the whole file, below GitHub's comment limit with room for a bot's own header."""

_MAX_BLOCK = 4_000
"""Longest message or reproducer shown for one failure; the rest is in conformance.html / .json."""

_ICON = {"passed": "✅", "failed": "❌", "error": "⚠️", "skipped": "⏭️", "interrupted": "⏹️"}


def _cell(text: str) -> str:
    """Text safe inside a table cell: no pipes breaking columns, no newlines breaking rows."""
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;")
    return " ".join(text.split())


def _code(text: str) -> str:
    """Inline code that survives backticks in ``text``."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{' '.join(text.split())}{pad}{fence}"


def _fenced(text: str, lang: str = "") -> str:
    """A fenced block that nothing in ``text`` can close early."""
    if len(text) > _MAX_BLOCK:
        text = text[:_MAX_BLOCK] + f"\n… ({len(text) - _MAX_BLOCK} more characters in conformance.html)"
    longest = max((len(m) for m in re.findall(r"`{3,}", text)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{lang}\n{text.rstrip()}\n{fence}"


def _header(summary: Summary) -> list[str]:
    info, totals = summary.info, summary.totals
    verdict = summary.verdict
    icon = _ICON["passed" if verdict == "passed" else verdict]
    seconds = summary.duration_seconds
    facts = [
        f"target {_code(info.target)}",
        f"spec {_code(info.spec_version)}",
        *([f"API {_code(info.api_version)}"] if info.api_version else []),
        f"mode {_code(info.mode)}",
        *([f"seed {_code(str(info.seed))}"] if info.seed is not None else []),
        f"profile {_code(info.profile)}",
    ]
    if info.control_mode == "sandbox":
        facts.append("paid through simulate-status (no control API)")
    elif not info.control:
        facts.append("no control API")
    if info.not_applicable:
        facts.append(f"{count(len(info.not_applicable), 'check')} not applicable to this API version")
    if seconds is not None:
        facts.append(f"{seconds:.1f} s")
    lines = [
        f"## {icon} ApiPay contract: **{verdict.upper()}**",
        "",
        f"{count(totals['checks'], 'check')}: {totals['passed']} passed, {totals['failed']} failed, "
        f"{count(totals['error'], 'error')}, {totals['skipped']} skipped · {count(totals['cases'], 'case')} run",
        "",
        " · ".join(facts),
        "",
    ]
    if summary.cut_short:
        lines += [f"> **{summary.cut_short}**", ""]
    if info.replay:
        lines += [f"Replay: {_code(info.replay)}", ""]
    return lines


def _matrix(summary: Summary) -> list[str]:
    lines = [
        "### Suites",
        "",
        "| suite | passed | failed | error | skipped | cases |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for suite, c in summary.suite_counts().items():
        failed = f"**{c['failed']}**" if c["failed"] else "0"
        lines.append(f"| {_cell(suite)} | {c['passed']} | {failed} | {c['error']} | {c['skipped']} | {c['cases']} |")
    return [*lines, ""]


def _problem(result: CheckResult) -> list[str]:
    head = f"#### {_ICON[result.verdict]} {_code(result.suite)} · {_code(result.check)} · {_code(result.operation)}"
    lines = [head, ""]
    if describe(result.check):
        lines += [f"**Expected of the target:** {_cell(describe(result.check))}", ""]
    if result.title:
        lines += [_cell(result.title), ""]
    if result.rule:
        lines += [f"**Rule:** {_code(result.rule)}", ""]
    if result.cases:
        lines += [f"{result.failures} of {result.cases} cases failed", ""]
    if result.message.strip():
        lines += [_fenced(result.message.strip(), "text"), ""]
    if result.reproducer.strip():
        repro = result.reproducer.strip()
        lang = "bash" if repro.startswith(("curl", "#")) else "text"
        lines += ["Reproducer:", "", _fenced(repro, lang), ""]
    return lines


def render_markdown(summary: Summary, *, max_chars: int = MAX_CHARS) -> str:
    """The report as Markdown within ``max_chars``; sections that do not fit are cut with a note."""
    head = "\n".join(_header(summary) + _matrix(summary))
    tail_lines: list[str] = []
    reasons = summary.skip_reasons()
    if reasons:
        tail_lines += ["### Skipped", ""]
        tail_lines += [f"- {_code(suite)} ({count(n, 'check')}): {_cell(reason)}" for suite, reason, n in reasons]
        tail_lines.append("")
    tail_lines.append("_Full report: conformance.html · machine-readable: conformance.json · CI: junit.xml_")
    tail = "\n".join(tail_lines)
    if len(head) + len(tail) > max_chars:
        tail = tail[: max(max_chars - len(head) - 200, 0)] + "\n\n_… skipped list cut to fit; see conformance.html_"
    problems = summary.with_verdict("failed", "error")
    body: list[str] = []
    if problems:
        budget = max_chars - len(head) - len(tail) - 300
        parts = [f"### Failures ({len(problems)})", ""]
        used = len(parts[0])
        shown = 0
        for result in problems:
            block = "\n".join(_problem(result))
            if used + len(block) > budget:
                break
            parts.append(block)
            used += len(block) + 1
            shown += 1
        if shown < len(problems):
            parts.append(
                f"_… {len(problems) - shown} more failures not shown to fit a PR comment; "
                "see conformance.html or conformance.json._\n"
            )
        body = parts
    return "\n".join([head, *body, tail]).rstrip() + "\n"


class MarkdownWriter(Collector):
    """Writes ``conformance.md`` at the end of the run."""

    def finish(self, end: RunEnd | None = None) -> None:
        """Write the report out."""
        write_atomically(self.path, render_markdown(self.summary(end)))
