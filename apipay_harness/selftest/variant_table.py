"""The variant tables of docs/selftest.md, generated from the catalogs so they are never copied by hand.

Each row names a variant, says what the mock does differently and quotes the document it rests on.
"""

from __future__ import annotations

from apipay_harness.selftest.catalogs import catalogs

__all__ = ["END_MARKER", "START_MARKER", "end_marker", "start_marker", "variant_table"]

START_MARKER = "<!-- variants:start -->"
END_MARKER = "<!-- variants:end -->"


def _tag(version: str | None) -> str:
    own = catalogs(version)
    return "variants" if own.default else f"variants-{own.version}"


def start_marker(version: str | None = None) -> str:
    """Where a page's copy of ``version``'s variant table starts (the default version's is ``START_MARKER``)."""
    return f"<!-- {_tag(version)}:start -->"


def end_marker(version: str | None = None) -> str:
    """Where a page's copy of ``version``'s variant table ends (the default version's is ``END_MARKER``)."""
    return f"<!-- {_tag(version)}:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def variant_table(version: str | None = None) -> str:
    """One Markdown row per variant of ``version``'s mock (name, what changes, the words it rests on and where).

    Rows are in catalog order. When every source is in one folder of the provider's documents the heading names
    it; otherwise each source is written with its folder.
    """
    own = catalogs(version)
    flag = own.version_flag
    folders = list(dict.fromkeys(variant.docs for variant in own.variants.values()))
    where = (
        f"sources are in the provider's documents of {folders[0]} (`shared/provider/{folders[0]}/`)."
        if len(folders) == 1
        else "each source is a path under `shared/provider/`, in the provider's documents of that date."
    )
    lines = [
        f"{len(own.variants)} variants, each enabled with `apipay-harness mock{flag} --variant NAME` and passed by "
        f"`apipay-harness selftest{flag}`; {where}",
        "",
        "| variant | what the mock does | rests on | source | cannot hold with |",
        "|---|---|---|---|---|",
    ]
    for variant in own.variants.values():
        others = [o.name for o in own.variants.values() if o is not variant and variant.conflicts_with(o)]
        conflicts = ", ".join(f"`{name}`" for name in others) or "-"
        source = variant.source if len(folders) == 1 else f"{variant.docs}/{variant.source}"
        lines.append(
            f"| `{variant.name}` | {_cell(variant.description)} | {_cell(variant.quote)} "
            f"| `{source}`, {_cell(variant.section)} | {conflicts} |"
        )
    return "\n".join(lines) + "\n"
