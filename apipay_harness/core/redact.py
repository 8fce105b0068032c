"""Redaction of secrets: the one place that decides what a report or a terminal may never show.

What is redacted:

- the VALUES of known secrets (API keys, webhook secrets), wherever they appear in text, also in their
  URL-encoded and JSON-escaped forms;
- any PIECE of ``FRAGMENT`` (8) or more characters of such a value: text that was cut (a message quoting
  the first 200 characters of an answer) can hold half a key, and half a key is still a leak. The mock's
  published keys (``whole_only``) are redacted whole only: pieces of them are ordinary words ("verified");
- the value of any field, header or query parameter whose NAME is sensitive: one of ``SENSITIVE_NAMES``
  exactly, or containing one of ``SENSITIVE_MARKERS`` (``token``, ``key``, ``secret``, ``password``), unless
  it is one of the few well-known harmless names in ``HARMLESS_NAMES``.

Every redacted value becomes ``REDACTED``. The contract run applies a ``Redactor`` when it records a
result, so report writers never see a secret.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import fields, replace
from typing import Any
from urllib.parse import quote, quote_plus

from apipay_harness.core.results import CheckResult

__all__ = [
    "FRAGMENT",
    "HARMLESS_NAMES",
    "REDACTED",
    "SENSITIVE_MARKERS",
    "SENSITIVE_NAMES",
    "Redactor",
    "is_sensitive_name",
]

REDACTED = "[redacted]"

# Fields whose values are the harness's own words (a verdict, a suite, a check name, an operation of the spec):
# they never carry a secret, and redacting a short key inside them ("skipped" -> "s[redacted]ipped") breaks reports.
_VOCABULARY_FIELDS = frozenset({"suite", "operation", "check", "verdict"})

SENSITIVE_NAMES = frozenset(
    {
        "x-api-key",
        "api-key",
        "api-key-2",
        "apikey",
        "authorization",
        "proxy-authorization",
        "cookie",
        "set-cookie",
        "secret",
        "webhook-secret",
        "x-webhook-secret",
        "client-secret",
        "password",
        "access-token",
        "refresh-token",
    }
)
"""Header and field names (lower case, ``_`` written as ``-``) whose value is always a secret."""

SENSITIVE_MARKERS = ("token", "key", "secret", "password", "passwd")
"""A name containing one of these is treated as holding a secret."""

HARMLESS_NAMES = frozenset({"idempotency-key", "x-idempotency-key"})
"""Names that contain a marker but carry no secret; kept readable."""

_MIN_TEXT_SECRET = 1

FRAGMENT = 8
"""A piece of a secret this long or longer is redacted wherever it appears."""

# A ``name: value`` / ``name=value`` opening inside free text (a header line, a query parameter, a JSON member),
# and the value that follows it.
_NAME = re.compile(r"""(?P<q>["']?)(?P<name>[A-Za-z][\w-]*)(?P=q)\s*[:=]\s*""")
_VALUE = re.compile(
    r"""\[redacted\]|\[[A-Za-z]+\]|"(?:[^"\\]|\\.)*"|'[^']*'|(?:(?:bearer|basic|token|digest)\s+)?[^\s'"&,;}\]\)]+""",
    re.IGNORECASE,
)


def is_sensitive_name(name: str) -> bool:
    """Whether a header, field or parameter called ``name`` holds a secret."""
    norm = name.strip().lower().replace("_", "-")
    if norm in HARMLESS_NAMES:
        return False
    return norm in SENSITIVE_NAMES or any(marker in norm for marker in SENSITIVE_MARKERS)


def _forms(secret: str) -> set[str]:
    """The spellings under which a secret can reach text: raw, URL-encoded, JSON-escaped."""
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret), json.dumps(secret)[1:-1]}
    forms.add(json.dumps(secret, ensure_ascii=False)[1:-1])
    return {f for f in forms if f}


class Redactor:
    """Removes secrets from the text and data a contract run records.

    **secrets** – values to redact wherever they (or a piece of ``FRAGMENT`` or more characters of them) appear.
    **whole_only** – *(optional)* values that, when they are among the secrets, are redacted only whole.
    """

    def __init__(self, secrets: Iterable[str] = (), *, whole_only: Iterable[str] = ()) -> None:
        self._values: frozenset[str] = frozenset()
        self._whole_only = frozenset(whole_only)
        self._pattern: re.Pattern[str] | None = None
        self._pieces: re.Pattern[str] | None = None
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        """Also redact these values from now on (a webhook secret a suite made up during the run)."""
        values = self._values | {s for s in secrets if isinstance(s, str) and len(s) >= _MIN_TEXT_SECRET}
        if values == self._values:
            return
        spellings: set[str] = set()
        pieces: set[str] = set()
        for value in values:
            forms = _forms(value)
            spellings |= forms
            if value not in self._whole_only:
                pieces |= {form[i : i + FRAGMENT] for form in forms for i in range(len(form) - FRAGMENT + 1)}
        # Longest first, so ``test-key-2`` goes before ``test-key`` eats its prefix.
        ordered = sorted(spellings, key=lambda s: (-len(s), s))
        self._values = frozenset(values)
        self._pattern = re.compile("|".join(re.escape(s) for s in ordered))
        # A lookahead finds every (overlapping) start of a piece; the covered spans are then merged.
        self._pieces = re.compile("(?=(" + "|".join(re.escape(p) for p in sorted(pieces)) + "))") if pieces else None

    def __repr__(self) -> str:
        return f"Redactor(<{len(self._values)} secrets>)"

    def text(self, text: str) -> str:
        """Return ``text`` with every known secret value and every sensitive ``name: value`` pair redacted."""
        if not text:
            return text
        if self._pattern is not None:
            text = self._pattern.sub(REDACTED, text)
        if self._pieces is not None:
            text = _redact_spans(text, self._pieces)
        return _redact_pairs(text)

    def excerpt(self, text: str, limit: int) -> str:
        """The first ``limit`` characters of ``text``, redacted BEFORE the cut so no piece of a secret survives."""
        return self.text(text)[:limit]

    def value(self, obj: Any) -> Any:
        """Return a copy of JSON-like ``obj`` with sensitive fields and secret values redacted at any depth."""
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, bytes | bytearray):
            return self.text(bytes(obj).decode("utf-8", "replace")).encode("utf-8")
        if isinstance(obj, Mapping):
            return {k: self._field(str(k), v) for k, v in obj.items()}
        if isinstance(obj, list | tuple | set | frozenset):
            items = [self.value(v) for v in obj]
            return items if isinstance(obj, list | set | frozenset) else tuple(items)
        return obj

    def headers(self, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Redact a header list, keeping order and repeated names."""
        return [(name, REDACTED if is_sensitive_name(name) else self.text(value)) for name, value in headers]

    def result(self, result: CheckResult) -> CheckResult:
        """Return ``result`` with every text field (and ``extra``) redacted: the single point before the writers."""
        changes: dict[str, Any] = {}
        for f in fields(result):
            current = getattr(result, f.name)
            if isinstance(current, str) and f.name not in _VOCABULARY_FIELDS:
                changes[f.name] = self.text(current)
        changes["extra"] = self.value(result.extra)
        return replace(result, **changes)

    def _field(self, name: str, value: Any) -> Any:
        if value is not None and is_sensitive_name(name) and not isinstance(value, Mapping | list | tuple):
            return REDACTED
        return self.value(value)


def _redact_spans(text: str, pieces: re.Pattern[str]) -> str:
    """Replace every run of characters covered by a piece of a secret with one ``REDACTED``."""
    spans: list[list[int]] = []
    for match in pieces.finditer(text):
        start, end = match.start(), match.start() + len(match.group(1))
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out += [text[pos:start], REDACTED]
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _redact_pairs(text: str) -> str:
    """Redact the value after every sensitive ``name:`` / ``name=`` in ``text``."""
    out: list[str] = []
    pos = 0
    for name in _NAME.finditer(text):
        if name.start() < pos or not is_sensitive_name(name.group("name")):
            continue
        value = _VALUE.match(text, name.end())
        if value is None or value.group(0) == REDACTED:
            continue
        quote_char = value.group(0)[0] if value.group(0)[:1] in ("'", '"') else ""
        out.append(text[pos : name.end()])
        out.append(f"{quote_char}{REDACTED}{quote_char}")
        pos = value.end()
    out.append(text[pos:])
    return "".join(out)
