"""Where the provider's own documents disagree, as the spec records it (``x-provider-disagreements``).

Each record names the reading the spec follows, the other reading, the documents behind each,
where in the spec the choice is written, and how the spec accepts the other reading. Mock
variants cite a record by its id; the README's table is rendered from the records, so the
spec stays the one place they are written.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from apipay_harness.core.errors import SpecError
from apipay_harness.core.spec import pointer_target
from apipay_harness.core.types import JSONObject

__all__ = ["DISAGREEMENTS_EXTENSION", "Disagreement", "disagreement_problems", "markdown_table", "read_disagreements"]

DISAGREEMENTS_EXTENSION = "x-provider-disagreements"
_TEXT_FIELDS = ("id", "followed", "other", "accepted")
_LIST_FIELDS = ("where", "sources")


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One point the provider's documents answer two ways, and what the spec does about it."""

    id: str
    where: tuple[str, ...]
    """JSON pointers into the spec where the choice is written."""
    followed: str
    other: str
    sources: tuple[str, ...]
    accepted: str
    """How the spec accepts the other reading (or why a client cannot tell them apart)."""


def read_disagreements(spec: JSONObject) -> list[Disagreement]:
    """The spec's records, in its order; a malformed list is a SpecError (``lint`` says exactly what is wrong)."""
    problems = list(disagreement_problems(spec))
    if problems:
        pointer, message = problems[0]
        raise SpecError(f"{pointer}: {message}")
    return [
        Disagreement(
            id=str(entry["id"]),
            where=tuple(entry["where"]),
            followed=str(entry["followed"]),
            other=str(entry["other"]),
            sources=tuple(entry["sources"]),
            accepted=str(entry["accepted"]),
        )
        for entry in spec.get(DISAGREEMENTS_EXTENSION) or []
    ]


def disagreement_problems(spec: JSONObject) -> Iterator[tuple[str, str]]:
    """(pointer, message) for each malformed record: a missing field, a repeated id, a pointer to nothing."""
    entries = spec.get(DISAGREEMENTS_EXTENSION)
    where = f"/{DISAGREEMENTS_EXTENSION}"
    if entries is None:
        return
    if not isinstance(entries, list):
        yield where, "must be a list of records"
        return
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        at = f"{where}/{i}"
        if not isinstance(entry, dict):
            yield at, "must be a mapping"
            continue
        yield from _field_problems(entry, at)
        ident = entry.get("id")
        if isinstance(ident, str):
            if ident in seen:
                yield f"{at}/id", f"id {ident!r} is used twice"
            seen.add(ident)
        pointers = entry.get("where")
        for j, pointer in enumerate(pointers if isinstance(pointers, list) else []):
            if not _resolves(spec, pointer):
                yield f"{at}/where/{j}", f"{pointer!r} points to nothing in the spec"


def _field_problems(entry: JSONObject, at: str) -> Iterator[tuple[str, str]]:
    for key in _TEXT_FIELDS:
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            yield f"{at}/{key}", f"{key} must be a non-empty string"
    for key in _LIST_FIELDS:
        value = entry.get(key)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v for v in value):
            yield f"{at}/{key}", f"{key} must be a non-empty list of strings"


def _resolves(spec: JSONObject, pointer: Any) -> bool:
    if not isinstance(pointer, str):
        return False
    try:
        pointer_target(spec, pointer)
    except SpecError:
        return False
    return True


def markdown_table(disagreements: list[Disagreement]) -> str:
    """The records as a Markdown table (the README's copy is this, regenerated)."""
    lines = [
        "| id | the spec follows | the other reading | how the other is accepted |",
        "|---|---|---|---|",
    ]
    for d in disagreements:
        cells = [f"`{d.id}`", d.followed, d.other, d.accepted]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")
