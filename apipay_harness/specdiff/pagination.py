"""The envelope a list answer wraps its ``data`` array in, and where it says which page this is.

Three envelopes are in use: ``{data, meta}`` (page numbers under ``meta``), flat ``{current_page, data,
total}`` and ``{data, links, meta}``. A change of envelope breaks a client when a pagination field the old
one offered (``meta.last_page``...) is no longer where it was; it is one change in the report, not one
per moved key.
"""

from __future__ import annotations

from dataclasses import dataclass

from apipay_harness.specdiff import changes as k
from apipay_harness.specdiff.compare import Site
from apipay_harness.specdiff.shapes import Shape

__all__ = ["Envelope", "compare_envelopes", "envelope"]

PAGE_KEYS = frozenset(
    {
        "meta",
        "links",
        "current_page",
        "last_page",
        "per_page",
        "total",
        "from",
        "to",
        "path",
        "first_page_url",
        "last_page_url",
        "next_page_url",
        "prev_page_url",
        "next_cursor",
        "prev_cursor",
    }
)
"""Top-level keys that belong to a list's envelope rather than to its items."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """The top-level keys of a list answer and the pagination fields it offers."""

    keys: tuple[str, ...]
    fields: frozenset[str]

    @property
    def label(self) -> str:
        """``{data, meta}``."""
        return "{" + ", ".join(self.keys) + "}"


def envelope(shape: Shape | None) -> Envelope | None:
    """The envelope of an answer that is an object with a ``data`` array, else None."""
    if shape is None or (shape.types is not None and "object" not in shape.types):
        return None
    data = shape.properties.get("data")
    if data is None or data.types is None or "array" not in data.types:
        return None
    keys = tuple(sorted(name for name in shape.properties if name == "data" or name in PAGE_KEYS))
    fields: set[str] = set()
    for name in keys:
        if name == "data":
            continue
        inner = shape.properties[name]
        if inner.properties:
            fields.update(f"{name}.{sub}" for sub in inner.properties)
        else:
            fields.add(name)
    return Envelope(keys, frozenset(fields))


def compare_envelopes(old: Shape | None, new: Shape | None, site: Site) -> frozenset[str]:
    """Record an envelope change; return the top-level keys the field rules should then leave alone."""
    before, after = envelope(old), envelope(new)
    if before is None or after is None or before.keys == after.keys:
        return frozenset()
    lost = sorted(before.fields - after.fields)
    if lost:
        site.emit(
            k.PAGINATION_ENVELOPE_CHANGED,
            "",
            f"{before.label} -> {after.label}; no longer there: {', '.join(lost)}",
        )
    else:
        site.emit(k.PAGINATION_ENVELOPE_EXTENDED, "", f"{before.label} -> {after.label}")
    return frozenset(set(before.keys) ^ set(after.keys)) - {"data"}
