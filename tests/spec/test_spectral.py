"""Spectral's `spectral:oas` ruleset finds no errors in the spec of any API version."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from apipay_harness.core.versions import get_version, version_names

_ROOT = Path(__file__).resolve().parents[2]


def _spectral_command() -> list[str]:
    installed = os.environ.get("SPECTRAL_BIN")
    if installed:
        return [installed]
    npx = shutil.which("npx")
    if npx is None:
        if os.environ.get("APIPAY_REQUIRE_SPECTRAL") == "1":
            pytest.fail("npx is required (APIPAY_REQUIRE_SPECTRAL=1) but was not found")
        pytest.skip("npx is not installed: Spectral cannot run here (CI installs it)")
    return [npx, "--yes", "@stoplight/spectral-cli@6"]


@pytest.mark.parametrize("version", version_names())
def test_spectral_oas_ruleset_reports_no_errors(version: str) -> None:
    done = subprocess.run(
        [
            *_spectral_command(),
            "lint",
            "--ruleset",
            str(_ROOT / ".spectral.yaml"),
            "--fail-severity",
            "error",
            str(get_version(version).spec_path),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No results with a severity of 'error'" in done.stdout
