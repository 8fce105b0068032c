"""Every rule of the mock is killed by a test of tests/mock, not only by the contract suites.

The fault catalog is the set of mutants: for each fault, a mock is started with it (one mock per
fault, served in this process, reset before each killer) and every killer killers.py names for it must fail with an
``AssertionError``; against the clean mock each killer must pass. A fault without a killer, or a
killer that passes against its fault, is a rule tests/mock does not prove.
"""

from __future__ import annotations

import httpx
import pytest

from apipay_harness.mock import FAULTS, MockProcess
from tests.mock.killers import KILLERS, Killer, escaping

EVERY_KILLER = sorted({killer for killers in KILLERS.values() for killer in killers}, key=lambda k: k.name)


def test_every_fault_has_a_killer() -> None:
    catalog = set(FAULTS.values())
    assert sorted(f.name for f in catalog - set(KILLERS)) == [], "faults that no test of tests/mock is known to catch"
    assert sorted(f.name for f in set(KILLERS) - catalog) == [], "killers of faults the catalog no longer has"
    assert all(KILLERS.values())


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_each_killer_fails_against_its_fault(fault: str) -> None:
    killers = KILLERS.get(FAULTS[fault])
    assert killers, f"no test of tests/mock kills {fault}"
    escaped = escaping(fault, killers)
    assert escaped == [], f"passed against a mock with {fault}: {FAULTS[fault].description}"


@pytest.mark.parametrize("killer", EVERY_KILLER, ids=lambda killer: killer.name)
def test_each_killer_passes_against_the_clean_mock(
    killer: Killer, mock: MockProcess, api: httpx.Client, api2: httpx.Client, control: httpx.Client
) -> None:
    killer.run({"api": api, "api2": api2, "control": control, "mock": mock})
