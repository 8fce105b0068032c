"""What the suites do differently per API version where the spec cannot say it as data.

Statuses, transitions, page shapes, bounds, error bodies and rate-limit headers are read from each version's
spec. A rule the documents state only in prose (when a refund counts, which status a full refund leaves, how a
freshly created invoice becomes payable) is a field of ``Dialect``; each version of the registry has one module
(``DIALECT_MODULES``) holding its ``DIALECT``, and a test holds that map to the version registry.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from contracts.version import active_version

__all__ = ["DIALECT_MODULES", "Dialect", "dialect"]

DIALECT_MODULES: Mapping[str, str] = MappingProxyType(
    {
        "2026-02-13": "contracts.dialect_seed",
        "2.1": "contracts.dialect_21",
    }
)
"""The module holding each version's ``DIALECT``, by version name."""


@dataclass(frozen=True, slots=True)
class Dialect:
    """The prose rules of one API version (each field says the document sentence behind it)."""

    version: str
    """The version name these rules belong to."""


def dialect() -> Dialect:
    """The rules of the version this run speaks."""
    module = importlib.import_module(DIALECT_MODULES[active_version()])
    rules: Dialect = module.DIALECT
    return rules
