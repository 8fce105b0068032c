"""The README's fault table, generated from the catalog's docstrings so it is never copied by hand (STYLE R12)."""

from __future__ import annotations

from apipay_harness.mock.faults import FAULTS

__all__ = ["END_MARKER", "START_MARKER", "fault_table"]

START_MARKER = "<!-- faults:start -->"
END_MARKER = "<!-- faults:end -->"


def fault_table() -> str:
    """One Markdown row per fault of the mock (name, hook, what breaks), in catalog order."""
    lines = [
        f"{len(FAULTS)} faults, each enabled with `apipay-harness mock --fault NAME` "
        "and checked by `apipay-harness selftest` (see bench/selftest_matrix.md for which suite catches each).",
        "",
        "| fault | where it breaks | what breaks |",
        "|---|---|---|",
    ]
    for fault in FAULTS.values():
        description = fault.description.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{fault.name}` | `{fault.hook}` | {description} |")
    return "\n".join(lines) + "\n"
