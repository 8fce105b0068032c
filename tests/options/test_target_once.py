"""``apipay-harness contract`` builds and checks its target once: one ``GET /status`` per run, not one per layer.

A counting proxy on loopback stands in front of a real mock and writes down every request line; the run selects
checks that never ask for ``/status`` themselves, so every ``GET /status`` the proxy saw is the preflight's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from apipay_harness.mock import running_mock
from tests.cli_run import harness


@contextmanager
def counting_proxy(upstream: str) -> Iterator[tuple[str, list[str]]]:
    """``(url, seen)``: a loopback proxy to ``upstream`` and the ``METHOD /path`` of each request it forwarded."""
    seen: list[str] = []
    client = httpx.Client(timeout=30)

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen.append(f"{self.command} {self.path.split('?')[0]}")
            skip = ("host", "content-length", "connection")
            headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
            answer = client.request(self.command, upstream + self.path, content=body, headers=headers)
            self.send_response(answer.status_code)
            for name, value in answer.headers.items():
                if name.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _forward

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's signature
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        client.close()


def test_a_contract_run_sends_get_status_once(tmp_path: Path) -> None:
    with running_mock() as mock, counting_proxy(mock.root_url) as (proxy, seen):
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
