"""Which version the mock speaks: chosen by ``--api-version`` (names from the registry), told by the control API."""

from __future__ import annotations

import subprocess
import sys

import httpx
import pytest

from apipay_harness.core.errors import HarnessError
from apipay_harness.core.versions import DEFAULT_VERSION, VERSIONS
from apipay_harness.mock import MockProcess, running_mock
from apipay_harness.mock.profile import PROFILE_MODULES
from tests.mock.inprocess import serving_mock


def test_every_version_of_the_registry_has_a_mock_profile() -> None:
    assert set(PROFILE_MODULES) == set(VERSIONS)


def test_control_status_names_the_version_served(mock: MockProcess) -> None:
    assert httpx.get(f"{mock.control_url}/status").json()["api_version"] == "2.1"


def test_default_mock_serves_the_default_version() -> None:
    with serving_mock() as served:
        assert httpx.get(f"{served.control_url}/status").json() == {
            "api_version": DEFAULT_VERSION,
            "faults": [],
            "variants": [],
        }


def test_no_control_api_serves_no_control_routes() -> None:
    with serving_mock(api_version="2.1", control_api=False) as served:
        assert httpx.get(f"{served.base_url}/status").status_code == 200
        for path in ("/status", "/reset", "/clock"):
            assert httpx.get(f"{served.control_url}{path}").status_code == 404
        assert httpx.post(f"{served.control_url}/invoices/1/pay").status_code == 404


def test_cli_unknown_version_exits_2_with_one_line_naming_the_valid_ones() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "apipay_harness", "mock", "--port", "0", "--api-version", "2.0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "2.0" in result.stderr and "2.1" in result.stderr and DEFAULT_VERSION in result.stderr


def test_each_version_takes_only_its_own_faults() -> None:
    with pytest.raises(HarnessError, match="unknown fault.*tenant_leak_get.*create_answers_pending"):
        with running_mock(api_version="2.1", faults=["tenant_leak_get"]):
            pass
    with pytest.raises(HarnessError, match="unknown fault.*create_answers_pending"):
        with running_mock(faults=["create_answers_pending"]):
            pass


def test_control_status_names_the_faults_switched_on() -> None:
    with serving_mock(api_version="2.1", faults=["create_answers_pending"]) as served:
        body = httpx.get(f"{served.control_url}/status").json()
    assert (body["api_version"], body["faults"]) == ("2.1", ["create_answers_pending"])
