"""The fault tables of the docs, generated from the catalogs so they are never copied by hand and never drift."""

from __future__ import annotations

from apipay_harness.selftest.catalogs import catalogs

__all__ = ["END_MARKER", "START_MARKER", "end_marker", "fault_table", "start_marker"]

START_MARKER = "<!-- faults:start -->"
END_MARKER = "<!-- faults:end -->"


def _tag(version: str | None) -> str:
    own = catalogs(version)
    return "faults" if own.default else f"faults-{own.version}"


def start_marker(version: str | None = None) -> str:
    """Where a page's copy of ``version``'s fault table starts (the default version's is ``START_MARKER``)."""
    return f"<!-- {_tag(version)}:start -->"


def end_marker(version: str | None = None) -> str:
    """Where a page's copy of ``version``'s fault table ends (the default version's is ``END_MARKER``)."""
    return f"<!-- {_tag(version)}:end -->"


def fault_table(version: str | None = None) -> str:
    """One Markdown row per fault of ``version``'s mock (name, hook, what breaks), in catalog order."""
    own = catalogs(version)
    flag = own.version_flag
    lines = [
        f"{len(own.faults)} faults, each enabled with `apipay-harness mock{flag} --fault NAME` "
        f"and checked by `apipay-harness selftest{flag}` (its `selftest.md` says which suite catches each; "
        "bench/RESULTS.md has the latest full run).",
        "",
        "| fault | where it breaks | what breaks |",
        "|---|---|---|",
    ]
    for fault in own.faults.values():
        description = fault.description.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{fault.name}` | `{fault.hook}` | {description} |")
    return "\n".join(lines) + "\n"
