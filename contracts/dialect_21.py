"""The prose rules of the provider's spec 2.1.0 (2026-08-24) and its llms.txt."""

from __future__ import annotations

from contracts.dialect import Dialect

__all__ = ["DIALECT"]

DIALECT = Dialect(version="2.1")
