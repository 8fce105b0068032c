"""The embedded mock of the ApiPay API: a stateful ASGI app, its clock, faults, variants and a subprocess runner."""

from __future__ import annotations

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
