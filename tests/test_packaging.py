"""A non-editable install carries the spec, the contract suites and the locustfiles."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(_ROOT)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    (built,) = out.glob("apipay_harness-*.whl")
    return built


def test_wheel_ships_spec_contracts_and_load_as_package_data(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "apipay_harness/_data/openapi/apipay.yaml" in names
    assert any(n.startswith("apipay_harness/_data/contracts/") for n in names)
    assert any(n.startswith("apipay_harness/_data/load/") for n in names)


def test_installed_wheel_lints_its_shipped_spec_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site), str(wheel)],
        check=True,
        timeout=300,
        capture_output=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import apipay_harness.core.versions as v, sys; print(v.get_version().spec_path); "
            "from apipay_harness.cli import main; sys.exit(main(['lint']))",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    spec_path, summary = done.stdout.splitlines()[:2]
    assert spec_path == str(site / "apipay_harness" / "_data" / "openapi" / "apipay.yaml")
    assert summary.startswith("ok: 15 operations")
