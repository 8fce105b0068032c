"""The embedded mock of the ApiPay API: a stateful ASGI app, its clock, faults and a subprocess runner."""

from __future__ import annotations

from apipay_harness.mock.app import create_app
from apipay_harness.mock.clock import Clock
from apipay_harness.mock.faults import FAULTS, Fault
from apipay_harness.mock.process import MockProcess, running_mock
from apipay_harness.mock.store import Settings

__all__ = ["FAULTS", "Clock", "Fault", "MockProcess", "Settings", "create_app", "running_mock"]
