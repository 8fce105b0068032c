r"""The spec's ``pattern`` keywords, written in ECMA-262 syntax, compiled into Python regexes that match the same.

JSON Schema patterns are ECMA-262 regexes. Python's ``re`` reads the same text differently: ``\d`` and ``\w``
also match Arabic-Indic or fullwidth digits and letters, ``$`` also matches before a final newline, and ``.``
matches ``\r`` and the Unicode line separators. ``"8٧٠٠١٢٣٤٥٦٧"`` and ``"87001234567\n"`` would pass the
phone pattern ``^8\d{10}$``. ``ecma_regex`` rewrites each construct to its ECMA meaning and refuses, at
start-up, any construct it does not translate, so a pattern is never read with the wrong meaning.
"""

from __future__ import annotations

import re

__all__ = ["ecma_regex"]

_WHITESPACE = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
r"""ECMA-262 ``\s``: WhiteSpace and LineTerminator, including the Unicode spaces Python's ASCII mode leaves out."""
_WORD = "A-Za-z0-9_"
_LINE_TERMINATORS = "\\n\\r\\u2028\\u2029"

_CLASS_ESCAPES = {"d": "0-9", "w": _WORD, "s": _WHITESPACE}
_ESCAPES = {
    "d": "[0-9]",
    "D": "[^0-9]",
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
    "s": f"[{_WHITESPACE}]",
    "S": f"[^{_WHITESPACE}]",
}
_SAME_ESCAPES = set("bBnrtfv0123456789")
r"""Escapes Python reads as ECMA does (``\b`` and ``\B`` once ``re.ASCII`` makes word characters ASCII)."""


def _escape(pattern: str, at: int, in_class: bool) -> tuple[str, int]:
    """The Python text for the escape that starts at ``pattern[at]`` (a backslash) and the index after it."""
    if at + 1 >= len(pattern):
        raise ValueError(f"pattern {pattern!r} ends with a lone backslash")
    char = pattern[at + 1]
    if in_class and char in _CLASS_ESCAPES:
        return _CLASS_ESCAPES[char], at + 2
    if not in_class and char in _ESCAPES:
        return _ESCAPES[char], at + 2
    if char == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", pattern[at + 2 : at + 6]):
        return pattern[at : at + 6], at + 6
    if char == "x" and re.fullmatch(r"[0-9A-Fa-f]{2}", pattern[at + 2 : at + 4]):
        return pattern[at : at + 4], at + 4
    if char in _SAME_ESCAPES or not char.isalnum():
        return pattern[at : at + 2], at + 2
    raise ValueError(f"pattern {pattern!r}: the escape \\{char} is not translated from ECMA-262")


def ecma_regex(pattern: str) -> re.Pattern[str]:
    """Compile an ECMA-262 ``pattern`` (no flags) into a Python regex with the same matches, for ``search``."""
    out: list[str] = []
    at = 0
    in_class = False
    while at < len(pattern):
        char = pattern[at]
        if char == "\\":
            text, at = _escape(pattern, at, in_class)
            out.append(text)
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
        elif char == "[":
            negated = pattern.startswith("[^", at)
            if pattern.startswith("]", at + 1 + negated):
                raise ValueError(f"pattern {pattern!r}: an empty class [] means another thing in Python")
            in_class = True
            out.append(pattern[at : at + 1 + negated])
            at += negated
        elif char == "$":
            out.append(r"\Z")
        elif char == ".":
            out.append(f"[^{_LINE_TERMINATORS}]")
        elif pattern.startswith("(?<", at) and pattern[at + 3 : at + 4] not in ("=", "!"):
            out.append("(?P<")
            at += 2
        else:
            out.append(char)
        at += 1
    if in_class:
        raise ValueError(f"pattern {pattern!r} leaves a character class open")
    return re.compile("".join(out), re.ASCII)
