"""The prose rules of the provider's documents of 2026-02-13 (the default version)."""

from __future__ import annotations

from contracts.dialect import Dialect

__all__ = ["DIALECT"]

DIALECT = Dialect(version="2026-02-13")
