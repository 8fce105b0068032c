"""``apipay-harness contract`` builds and checks its target once: one ``GET /status`` per run, not one per layer.

A counting proxy on loopback stands in front of a real mock and writes down every request line; the run selects
checks that never ask for ``/status`` themselves, so every ``GET /status`` the proxy saw is the preflight's.
"""

from __future__ import annotations

from pathlib import Path

from apipay_harness.mock import running_mock
from tests.cli_run import harness
from tests.forwarding_proxy import forwarding_proxy


def test_a_contract_run_sends_get_status_once(tmp_path: Path) -> None:
    with running_mock() as mock, forwarding_proxy(mock.root_url) as forwarded:
        proxy, seen = forwarded.url, forwarded.seen
        done = harness(
            [
                "contract",
                "--quick",
                "-k",
                "test_auth",
                "--base-url",
                f"{proxy}/api/v1",
                "--api-key",
                "test-key",
                "--api-key-2",
                "test-key-2",
                "--control-url",
                mock.control_url,
                "--report-dir",
                "out",
            ],
            cwd=tmp_path,
            timeout=240,
        )
    assert done.code == 0, done.stdout + done.stderr[-2000:]
    assert any(line.startswith("POST /api/v1/invoices") for line in seen), "the suites ran through the proxy"
    assert seen.count("GET /api/v1/status") == 1, seen[:20]
    assert seen[0] == "GET /api/v1/status"
