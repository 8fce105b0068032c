"""Every rule of the 2.1 mock is killed by a test of tests/mock/v21 (the seed's test_killers.py, with the version).

For each fault of the 2.1 catalog a 2.1 mock is served in this process with it, and every killer
``killers.py`` names for it must fail with an ``AssertionError``; against the clean 2.1 mock each passes.
"""

from __future__ import annotations

import httpx
import pytest

from apipay_harness.mock import MockProcess
from apipay_harness.mock.v21.faults import FAULTS_21
from tests.mock.killers import Killer, escaping
from tests.mock.v21.killers import KILLERS_21, VERSION

EVERY_KILLER = sorted({killer for killers in KILLERS_21.values() for killer in killers}, key=lambda k: k.name)


def test_every_2_1_fault_has_a_killer() -> None:
    assert sorted(set(FAULTS_21) - set(KILLERS_21)) == [], "2.1 faults no test of tests/mock/v21 is known to catch"
    assert sorted(set(KILLERS_21) - set(FAULTS_21)) == [], "killers of faults the 2.1 catalog no longer has"
    assert all(KILLERS_21.values())
    assert all(FAULTS_21[name].versions == (VERSION,) for name in FAULTS_21)


@pytest.mark.parametrize("fault", sorted(FAULTS_21))
def test_each_killer_fails_against_its_2_1_fault(fault: str) -> None:
    escaped = escaping(fault, KILLERS_21[fault], api_version=VERSION)
    assert escaped == [], f"passed against a 2.1 mock with {fault}: {FAULTS_21[fault].description}"


@pytest.mark.parametrize("killer", EVERY_KILLER, ids=lambda killer: killer.name)
def test_each_killer_passes_against_the_clean_2_1_mock(
    killer: Killer, mock: MockProcess, api: httpx.Client, api2: httpx.Client, control: httpx.Client
) -> None:
    killer.run({"api": api, "api2": api2, "control": control, "mock": mock})
