"""The fault table of the docs, generated from the catalog so it is never copied by hand and never drifts from it."""

from __future__ import annotations

from apipay_harness.mock.faults import FAULTS

__all__ = ["END_MARKER", "START_MARKER", "fault_table"]

START_MARKER = "<!-- faults:start -->"
END_MARKER = "<!-- faults:end -->"


def fault_table() -> str:
    """One Markdown row per fault of the mock (name, hook, what breaks), in catalog order."""
    lines = [
        f"{len(FAULTS)} faults, each enabled with `apipay-harness mock --fault NAME` "
        "and checked by `apipay-harness selftest` (its `selftest.md` says which suite catches each; "
        "bench/RESULTS.md has the latest full run).",
        "",
        "| fault | where it breaks | what breaks |",
        "|---|---|---|",
    ]
    for fault in FAULTS.values():
        description = fault.description.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{fault.name}` | `{fault.hook}` | {description} |")
    return "\n".join(lines) + "\n"
