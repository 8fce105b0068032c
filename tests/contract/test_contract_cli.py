"""``apipay-harness contract`` end to end: against the embedded mock, a separately started one, nothing at all."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from apipay_harness.core.resources import contracts_dir
from apipay_harness.mock import running_mock
from tests.contract.conftest import undeclared

REPORT_FILES = ("conformance.json", "conformance.md", "conformance.html", "junit.xml")
MOCK_KEYS = ("test-key", "test-key-2", "unverified-key", "limited-key")
# The suites that create invoices through the guarded client (the schema suite only reads under production).
_CORE_SUITES = "test_bounds or test_auth or test_tenancy or test_errors or test_rate_limit"


@pytest.fixture(scope="module")
def embedded_run(tmp_path_factory: pytest.TempPathFactory, cli: Any) -> tuple[Any, Path]:
    """One quick run against the embedded mock, with no other arguments (report in ./reports)."""
    cwd = tmp_path_factory.mktemp("embedded")
    return cli(["contract", "--quick"], cwd=cwd), cwd / "reports"


@pytest.fixture(scope="module")
def sync_run(
    tmp_path_factory: pytest.TempPathFactory, cli: Any, args_for: Any, control_recorder: Any
) -> Iterator[tuple[Any, Path, list[str]]]:
    """One quick run against a mock started separately (--cancel-mode sync), its control API behind a proxy."""
    cwd = tmp_path_factory.mktemp("sync")
    with running_mock(cancel_mode="sync") as mock, control_recorder(mock.control_url) as proxy:
        done = cli(["contract", "--quick", *args_for(mock, control=proxy.url), "--report-dir", "out"], cwd=cwd)
        secrets = [
            str(json.loads(body)["secret"]) for body in proxy.bodies if body.startswith(b"{") and b'"secret"' in body
        ]
        yield done, cwd / "out", secrets


def test_contract_embedded_mock_exits_0(embedded_run: tuple[Any, Path]) -> None:
    done, _ = embedded_run
    assert done.code == 0, done.stdout + done.stderr[-3000:]


def test_contract_embedded_mock_writes_the_four_report_files(embedded_run: tuple[Any, Path]) -> None:
    _, reports = embedded_run
    assert sorted(p.name for p in reports.iterdir() if p.name in REPORT_FILES) == sorted(REPORT_FILES)


def test_contract_report_covers_every_core_suite(embedded_run: tuple[Any, Path]) -> None:
    _, reports = embedded_run
    results = json.loads((reports / "conformance.json").read_text())["checks"]
    assert undeclared(results) == []
    suites = {r["suite"] for r in results if r["verdict"] == "passed"}
    assert {"schema", "bounds", "auth", "errors"} <= suites


def test_contract_embedded_run_leaves_no_hypothesis_directory_in_the_cwd(embedded_run: tuple[Any, Path]) -> None:
    _, reports = embedded_run
    assert sorted(p.name for p in reports.parent.iterdir()) == ["reports"]


def test_contract_prints_the_seed_and_a_replay_command_without_keys(embedded_run: tuple[Any, Path]) -> None:
    done, reports = embedded_run
    report = json.loads((reports / "conformance.json").read_text())
    seed = report["seed"]
    assert isinstance(seed, int) and report["replay"] == f"apipay-harness contract --seed {seed} --quick"
    assert f"seed {seed}; replay: apipay-harness contract --seed {seed} --quick" in done.stdout
    assert not any(key in done.stdout for key in MOCK_KEYS)


def test_contract_prints_one_line_per_suite_with_the_time_its_tests_took(embedded_run: tuple[Any, Path]) -> None:
    done, reports = embedded_run
    lines = [line for line in done.stderr.splitlines() if re.match(r"^\w+: \d+ cases", line)]
    suites = [line.split(":")[0] for line in lines]
    assert len(suites) == len(set(suites)), lines  # a suite whose tests are spread over the run: still one line
    took = {line.split(":")[0]: float(re.findall(r"\(([\d.]+) s\)", line)[-1]) for line in lines}
    results = json.loads((reports / "conformance.json").read_text())["checks"]
    assert undeclared(results) == []
    for suite, shown in took.items():
        recorded = sum(r["seconds"] for r in results if r["suite"] == suite)
        assert abs(shown - recorded) <= max(1.0, 0.25 * recorded), (suite, shown, recorded)


def test_contract_junit_records_a_real_duration_for_every_schema_case(embedded_run: tuple[Any, Path]) -> None:
    import xml.etree.ElementTree as ET

    _, reports = embedded_run
    cases = ET.parse(reports / "junit.xml").getroot().findall(".//testsuite[@name='schema']/testcase")
    assert cases and all(float(case.get("time", "0")) > 0 for case in cases)


def test_contract_separate_sync_mock_exits_0(sync_run: tuple[Any, Path, list[str]]) -> None:
    done, reports, _ = sync_run
    assert done.code == 0, done.stdout + done.stderr[-3000:]
    assert sorted(p.name for p in reports.iterdir() if p.name in REPORT_FILES) == sorted(REPORT_FILES)


def test_contract_report_holds_no_key_or_webhook_secret(sync_run: tuple[Any, Path, list[str]]) -> None:
    _, reports, secrets = sync_run
    assert secrets, "the webhook suite registered no webhook through the control API"
    texts = {p.name: p.read_text(errors="replace") for p in reports.rglob("*") if p.is_file()}
    for secret in (*MOCK_KEYS, *secrets):
        leaks = [name for name, text in texts.items() if re.search(re.escape(secret) + r"(?![\w-])", text)]
        assert not leaks, f"{secret[:4]}… appears in {leaks}"


def test_contract_unreachable_target_exits_2_with_one_line(tmp_path: Path, cli: Any) -> None:
    done = cli(["contract", "--base-url", "http://127.0.0.1:9", "--api-key", "k"], cwd=tmp_path, timeout=30)
    assert done.code == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_contract_unreachable_control_api_exits_2_with_one_line(tmp_path: Path, cli: Any) -> None:
    with running_mock() as mock:
        args = ["contract", "--base-url", mock.base_url, "--api-key", "test-key", "--control-url", "http://127.0.0.1:9"]
        done = cli(args, cwd=tmp_path, timeout=30)
    assert done.code == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "--control-url" in done.stderr


def test_contract_control_url_with_no_control_exits_2_naming_both_flags(tmp_path: Path, cli: Any) -> None:
    done = cli(["contract", "--control-url", "http://127.0.0.1:9/_control", "--no-control"], cwd=tmp_path)
    assert done.code == 2
    assert "--control-url" in done.stderr and "--no-control" in done.stderr


def test_contract_no_control_skips_with_one_reason(tmp_path: Path, cli: Any) -> None:
    done = cli(
        ["contract", "--quick", "--no-control", "-k", "test_tenancy_foreign_refunds or refund and edge_value"],
        cwd=tmp_path,
    )
    assert done.code == 0, done.stdout + done.stderr[-2000:]
    results = json.loads((tmp_path / "reports" / "conformance.json").read_text())["checks"]
    assert undeclared(results) == []
    skipped = [r for r in results if r["verdict"] == "skipped"]
    assert skipped and all("no control API" in r["message"] for r in skipped)
    assert "no control API" in (tmp_path / "reports" / "conformance.md").read_text()


def test_contract_production_profile_caps_and_cleans_up(tmp_path: Path, cli: Any, args_for: Any) -> None:
    with running_mock() as mock:
        done = cli(
            ["contract", "--quick", "--profile", "production", *args_for(mock), "-k", _CORE_SUITES],
            cwd=tmp_path,
        )
        assert done.code == 0, done.stdout + done.stderr[-2000:]
        with httpx.Client(base_url=mock.base_url, timeout=10) as client:
            counts = [
                client.get("/invoices", params=params, headers={"X-API-Key": key}).json()["meta"]["total"]
                for key in ("test-key", "test-key-2")
                for params in ({"per_page": 1}, {"per_page": 1, "status[]": "pending"})
            ]
    created, pending = counts[0] + counts[2], counts[1] + counts[3]
    assert (pending, 0 < created <= 20) == (0, True)
    results = json.loads((tmp_path / "reports" / "conformance.json").read_text())["checks"]
    assert undeclared(results) == []
    probe = [r for r in results if r["check"] == "rate_limit_counts_down"]
    assert probe and probe[0]["verdict"] == "skipped" and "production" in probe[0]["message"]


def test_contract_suites_run_under_plain_pytest(tmp_path: Path, args_for: Any) -> None:
    import subprocess
    import sys

    with running_mock() as mock:
        done = subprocess.run(
            [sys.executable, "-m", "pytest", str(contracts_dir()), *args_for(mock), "-k", "test_bounds", "-q"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=240,
        )
    assert done.returncode == 0, done.stdout[-3000:]
    assert re.search(r"\d+ passed", done.stdout)


def test_contract_on_a_terminal_shows_live_progress_and_keeps_its_output(tmp_path: Path) -> None:
    import shutil
    import subprocess
    import sys

    script = shutil.which("script")
    assert script, "util-linux `script` (Debian bsdutils) is needed to give the command a terminal"
    command = f"{sys.executable} -m apipay_harness contract --quick -k test_errors --report-dir r"
    subprocess.run([script, "-qec", command, str(tmp_path / "typescript")], cwd=tmp_path, timeout=120, check=True)
    screen = (tmp_path / "typescript").read_text(errors="replace")
    assert "running errors:" in screen and "test_errors_body_matches_schema[" in screen
    assert re.search(r"errors: \d+ cases, 0 failed", screen)
    assert "(embedded mock):" in screen and "lost sys.stderr" not in screen
