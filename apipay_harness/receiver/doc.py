"""The table of receiver checks in docs/receiver.md, generated from the checks' docstrings so it is never copied."""

from __future__ import annotations

from apipay_harness.receiver.checks import CHECKS

__all__ = ["END_MARKER", "START_MARKER", "check_table"]

START_MARKER = "<!-- receiver-checks:start -->"
END_MARKER = "<!-- receiver-checks:end -->"


def check_table() -> str:
    """One Markdown row per receiver check (suite, name, the rule it holds), in the order a run sends them."""
    lines = ["| suite | check | sent | the rule |", "|---|---|---|---|"]
    for check in CHECKS.values():
        runs = "per event and status" if check.per_event is not None else "once"
        summary = check.summary.replace("|", "\\|")
        lines.append(f"| {check.suite} | `{check.name}` | {runs} | {summary} |")
    return "\n".join(lines) + "\n"
