"""Where the shipped specs, contract suites and locustfiles live (which spec is which: the version registry).

In a source checkout they sit at the top of the repository; in a wheel they are carried
as package data under ``apipay_harness/_data`` (see ``pyproject.toml``).
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["contracts_dir", "data_dir", "load_dir"]

_PACKAGE = Path(__file__).resolve().parent.parent


def data_dir(name: str) -> Path:
    """Return the directory holding the shipped ``name`` (openapi, contracts or load)."""
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / name


def contracts_dir() -> Path:
    """Return the directory of the contract suites."""
    return data_dir("contracts")


def load_dir() -> Path:
    """Return the directory of the locustfiles."""
    return data_dir("load")
