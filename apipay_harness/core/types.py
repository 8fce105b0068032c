"""Type aliases shared across the harness."""

from __future__ import annotations

from typing import Any, TypeAlias

__all__ = ["JSON", "JSONObject"]

JSON: TypeAlias = Any
"""A decoded JSON value (money inside it is kept as str or Decimal, never float)."""

JSONObject: TypeAlias = dict[str, Any]
