"""The embedded mock of the ApiPay API: a stateful ASGI app, its clock, faults, variants and a subprocess runner.

The names below are loaded on first use, so that importing a light module of this package (``limits``,
``faults``, ``variants``) does not start the whole app's imports (starlette, uvicorn, the spec's validators).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apipay_harness.mock.app import create_app
    from apipay_harness.mock.clock import Clock
    from apipay_harness.mock.faults import FAULTS, Fault
    from apipay_harness.mock.process import MockProcess, running_mock
    from apipay_harness.mock.store import Settings
    from apipay_harness.mock.variants import VARIANTS, Variant

__all__ = [
    "FAULTS",
    "VARIANTS",
    "Clock",
    "Fault",
    "MockProcess",
    "Settings",
    "Variant",
    "create_app",
    "running_mock",
]

_HOMES = {
    "create_app": "app",
    "Clock": "clock",
    "FAULTS": "faults",
    "Fault": "faults",
    "MockProcess": "process",
    "running_mock": "process",
    "Settings": "store",
    "VARIANTS": "variants",
    "Variant": "variants",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
