r"""Whether a change of ``pattern`` or ``format`` lets through, or shuts out, some string: found, not guessed.

Two regular expressions cannot in general be compared for the languages they match, so the diff looks
for a witness: a string one side allows and the other rejects. Candidates are the schema's own examples,
typical values of its format, and strings Hypothesis draws from its pattern (deterministically, so two
runs of the diff agree). A witness makes a change breaking and is shown in the report; no witness after
the search means the change is reported as not breaking.

Patterns are read with ECMA-262's ASCII classes (``\d`` is ``[0-9]``), as JSON Schema means them.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Callable, Iterator
from functools import lru_cache

from hypothesis import HealthCheck, find, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException, NoSuchExample

from apipay_harness.specdiff.shapes import Shape

__all__ = ["normalise_pattern", "string_witness"]

_PROBE = settings(
    max_examples=200, database=None, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck)
)
_PLAIN = ("x", "order_123", "Hello, world", "0", "2026-01-31", "87001234567", "")
_FORMAT_SAMPLES = {
    "date": ("2026-01-31", "2024-02-29"),
    "date-time": ("2026-01-31T12:00:00Z", "2026-01-31T12:00:00+05:00", "2026-01-31T12:00:00.123456+00:00"),
    "uuid": ("9b2f8c1e-3d4a-4f6b-8e7d-1a2b3c4d5e6f",),
    "email": ("someone@example.com",),
}
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$", re.ASCII)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


def _is_date(value: str) -> bool:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _is_date_time(value: str) -> bool:
    if not _DATE_TIME.match(value):
        return False
    try:
        dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36


_FORMAT_CHECKS: dict[str, Callable[[str], bool]] = {
    "date": _is_date,
    "date-time": _is_date_time,
    "uuid": _is_uuid,
    "email": lambda value: bool(_EMAIL.match(value)),
}
"""The formats whose values are checked; any other format is an annotation that restricts nothing."""


def normalise_pattern(pattern: str) -> str:
    r"""The pattern with ``\d`` spelled ``[0-9]``, so that equal patterns compare equal."""
    return pattern.replace(r"\d", "[0-9]")


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern, re.ASCII)
    except re.error:
        return None


def _form_allows(patterns: frozenset[str], formats: frozenset[str], value: str) -> bool:
    for pattern in patterns:
        compiled = _compiled(pattern)
        if compiled is not None and compiled.search(value) is None:
            return False
    return all(_FORMAT_CHECKS[name](value) for name in formats if name in _FORMAT_CHECKS)


def _allows(shape: Shape, value: str) -> bool:
    if shape.min_length is not None and len(value) < shape.min_length:
        return False
    if shape.max_length is not None and len(value) > shape.max_length:
        return False
    if shape.enum is not None and value not in shape.enum:
        return False
    return _form_allows(shape.patterns, shape.formats, value)


def _candidates(shape: Shape) -> Iterator[str]:
    yield from (e for e in shape.examples if isinstance(e, str))
    for name in sorted(shape.formats):
        yield from _FORMAT_SAMPLES.get(name, ())
    if not shape.patterns and not (shape.formats & _FORMAT_CHECKS.keys()):
        yield from _PLAIN


def string_witness(source: Shape, target: Shape) -> str | None:
    """A string ``source`` allows whose pattern/format ``target`` rejects, or None if none was found."""
    if not target.patterns and not (target.formats & _FORMAT_CHECKS.keys()):
        return None
    for value in _candidates(source):
        if _allows(source, value) and not _form_allows(target.patterns, target.formats, value):
            return value
    for pattern in sorted(source.patterns):
        witness = _drawn_witness(pattern, source, target)
        if witness is not None:
            return witness
    return None


def _drawn_witness(pattern: str, source: Shape, target: Shape) -> str | None:
    compiled = _compiled(pattern)
    if compiled is None:
        return None
    return _search(
        compiled.pattern,
        source.min_length,
        source.max_length,
        tuple(sorted(source.patterns)),
        tuple(sorted(source.formats)),
        tuple(sorted(target.patterns)),
        tuple(sorted(target.formats)),
    )


@lru_cache(maxsize=512)
def _search(
    pattern: str,
    min_length: int | None,
    max_length: int | None,
    source_patterns: tuple[str, ...],
    source_formats: tuple[str, ...],
    target_patterns: tuple[str, ...],
    target_formats: tuple[str, ...],
) -> str | None:
    source = Shape(
        min_length=min_length,
        max_length=max_length,
        patterns=frozenset(source_patterns),
        formats=frozenset(source_formats),
    )
    patterns, formats = frozenset(target_patterns), frozenset(target_formats)

    def is_witness(value: str) -> bool:
        return _allows(source, value) and not _form_allows(patterns, formats, value)

    try:
        return str(find(st.from_regex(re.compile(pattern, re.ASCII)), is_witness, settings=_PROBE))
    except NoSuchExample:
        return None
    except (HypothesisException, re.error, ValueError):
        return None
