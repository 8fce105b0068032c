"""The variant table of docs/selftest.md, generated from the catalog so it is never copied by hand.

Each row names a variant, says what the mock does differently and quotes the document it rests on.
"""

from __future__ import annotations

from apipay_harness.mock.variants import DOCS_VERSION, VARIANTS

__all__ = ["END_MARKER", "START_MARKER", "variant_table"]

START_MARKER = "<!-- variants:start -->"
END_MARKER = "<!-- variants:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def variant_table() -> str:
    """One Markdown row per variant (name, what changes, the words it rests on and where), in catalog order."""
    lines = [
        f"{len(VARIANTS)} variants, each enabled with `apipay-harness mock --variant NAME` and passed by "
        "`apipay-harness selftest`; sources are in the provider's documents of "
        f"{DOCS_VERSION} (`shared/provider/{DOCS_VERSION}/`).",
        "",
        "| variant | what the mock does | rests on | source | cannot hold with |",
        "|---|---|---|---|---|",
    ]
    for variant in VARIANTS.values():
        others = [o.name for o in VARIANTS.values() if o is not variant and variant.conflicts_with(o)]
        conflicts = ", ".join(f"`{name}`" for name in others) or "-"
        lines.append(
            f"| `{variant.name}` | {_cell(variant.description)} | {_cell(variant.quote)} "
            f"| `{variant.source}`, {_cell(variant.section)} | {conflicts} |"
        )
    return "\n".join(lines) + "\n"
