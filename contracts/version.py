"""The API version this contract run speaks, known before any suite module is imported.

Suites build their parameters (operations, bounded fields, transitions) from the spec at import time, so the
run's ``--api-version`` is set here once by the conftest's ``pytest_configure``, before collection, and every
suite reads its spec through ``active_spec``.
"""

from __future__ import annotations

from apipay_harness.core.spec import load_spec
from apipay_harness.core.types import JSONObject
from apipay_harness.core.versions import get_version

__all__ = ["active_spec", "active_version", "use_version"]

_ACTIVE: list[str] = [get_version().name]


def use_version(name: str | None) -> None:
    """Make ``name`` (None: the default) the version every suite of this run speaks."""
    _ACTIVE[0] = get_version(name).name


def active_version() -> str:
    """The version name of this run."""
    return _ACTIVE[0]


def active_spec() -> JSONObject:
    """A copy of this run's spec, as a plain dict."""
    return load_spec(version=_ACTIVE[0])
