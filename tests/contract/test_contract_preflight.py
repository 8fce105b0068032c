"""An operator's mistake is exit 2 with one line on stderr, before any suite starts; never a list of violations.

Each mistake is made against a real server on loopback: a mock with a wrong key, the mock's root instead of its
API root, a web server that is not ApiPay, the API root given as the control URL, a report directory that cannot
be created. ``contract``, ``load`` and ``selftest`` share the checks (``apipay_harness.core.preflight``).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from apipay_harness.mock import MockProcess, running_mock
from tests.cli_run import Done, harness


@pytest.fixture(scope="module")
def mock() -> Iterator[MockProcess]:
    with running_mock() as started:
        yield started


@contextmanager
def web_server() -> Iterator[str]:
    """A web server that is not ApiPay: every GET answers 200 with an HTML page."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            body = b"<html><body>Welcome to nginx!</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v1"
    finally:
        server.shutdown()
        server.server_close()


def _one_line_exit_2(done: Done, *needles: str) -> str:
    """The run exited 2 with exactly one line on stderr (containing ``needles``), no traceback, no report."""
    assert done.code == 2, done.stdout + done.stderr[-2000:]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stdout + done.stderr and "INTERNALERROR" not in done.stdout + done.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _contract(args: list[str], cwd: Path) -> Done:
    return harness(["contract", "--quick", *args], cwd=cwd, timeout=120)


def test_contract_wrong_api_key_is_exit_2_naming_the_flag(mock: MockProcess, tmp_path: Path) -> None:
    done = _contract(["--base-url", mock.base_url, "--api-key", "not-a-key", "--no-control"], tmp_path)
    _one_line_exit_2(done, "--api-key", "401")
    assert not (tmp_path / "reports" / "conformance.json").exists()


def test_contract_wrong_second_key_is_exit_2_naming_the_flag(mock: MockProcess, tmp_path: Path) -> None:
    args = ["--base-url", mock.base_url, "--api-key", "test-key", "--api-key-2", "typo-key-2", "--no-control"]
    _one_line_exit_2(_contract(args, tmp_path), "--api-key-2", "401")


def test_contract_second_key_equal_to_the_first_is_exit_2(mock: MockProcess, tmp_path: Path) -> None:
    args = ["--base-url", mock.base_url, "--api-key", "test-key", "--api-key-2", "test-key", "--no-control"]
    _one_line_exit_2(_contract(args, tmp_path), "--api-key-2", "second organization")


def test_contract_unknown_unverified_key_is_exit_2(mock: MockProcess, tmp_path: Path) -> None:
    args = ["--base-url", mock.base_url, "--api-key", "test-key", "--unverified-key", "no-such-key", "--no-control"]
    _one_line_exit_2(_contract(args, tmp_path), "--unverified-key", "401")


def test_contract_base_url_without_api_root_suggests_it(mock: MockProcess, tmp_path: Path) -> None:
    done = _contract(["--base-url", mock.root_url, "--api-key", "test-key", "--no-control"], tmp_path)
    _one_line_exit_2(done, "404", f"--base-url {mock.root_url}/api/v1")


def test_contract_against_a_server_that_is_not_apipay_is_exit_2(tmp_path: Path) -> None:
    with web_server() as url:
        done = _contract(["--base-url", url, "--api-key", "k", "--no-control"], tmp_path)
    _one_line_exit_2(done, "does not look like an ApiPay API", "text/html")


def test_contract_control_url_that_is_not_a_control_api_is_exit_2(mock: MockProcess, tmp_path: Path) -> None:
    args = ["--base-url", mock.base_url, "--api-key", "test-key", "--control-url", mock.base_url]
    _one_line_exit_2(_contract(args, tmp_path), "is not a control API", "--no-control")


def test_contract_report_dir_that_cannot_be_created_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    done = _contract(["--report-dir", "a-file/reports", "-k", "test_errors"], tmp_path)
    _one_line_exit_2(done, "cannot write the report directory a-file/reports")


def test_load_report_dir_that_cannot_be_created_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    done = harness(["load", "--run-time", "2s", "--report-dir", "a-file/out"], cwd=tmp_path, timeout=120)
    _one_line_exit_2(done, "cannot write the report directory a-file/out")


def test_load_shares_the_preflight_for_a_server_that_is_not_apipay(tmp_path: Path) -> None:
    with web_server() as url:
        done = harness(["load", "--base-url", url, "--api-key", "k", "--run-time", "2s"], cwd=tmp_path, timeout=120)
    _one_line_exit_2(done, "does not look like an ApiPay API")


def test_selftest_report_dir_that_cannot_be_created_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("not a directory")
    done = harness(["selftest", "--fault", "tenant_leak_get", "--report-dir", "a-file/out"], cwd=tmp_path, timeout=120)
    _one_line_exit_2(done, "cannot write the report directory a-file/out")
