"""Helpers for the contract-command tests: run the CLI in a child process, and a recording control proxy."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from apipay_harness.core.checks import lookup
from apipay_harness.mock import MockProcess, running_mock
from tests.cli_run import Done, harness

REPORT_FILES = ("conformance.json", "conformance.md", "conformance.html", "junit.xml")
MOCK_KEYS = ("test-key", "test-key-2", "unverified-key", "limited-key")


def run_probe(probe: Path, *args: str) -> str:
    """Run a collection probe beside this file in a child process (a fresh pytest) and return what it printed."""
    done = subprocess.run(
        [sys.executable, str(probe), *args],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=240,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:] + done.stdout[-2000:]
    return done.stdout


def undeclared(results: list[dict[str, object]]) -> list[tuple[object, object]]:
    """The (suite, check) pairs of a report's results whose check the registry does not declare for that suite."""
    wrong = []
    for result in results:
        declared = lookup(str(result["check"]))
        if declared is None or declared.suite != result["suite"]:
            wrong.append((result["suite"], result["check"]))
    return wrong


def target_args(mock: MockProcess, *, control: str | None = None) -> list[str]:
    """The flags that point the command at ``mock`` with all its keys."""
    return [
        "--base-url",
        mock.base_url,
        "--control-url",
        control or mock.control_url,
        "--api-key",
        "test-key",
        "--api-key-2",
        "test-key-2",
        "--unverified-key",
        "unverified-key",
        "--rate-limited-key",
        "limited-key",
    ]


@pytest.fixture
def fault_mock(request: pytest.FixtureRequest) -> Iterator[MockProcess]:
    """A mock started with the fault named by the test's ``fault`` parameter."""
    with running_mock(faults=[request.param]) as mock:
        yield mock


@dataclass
class RecordingProxy:
    """Forwards every request to the control API and keeps the request bodies it saw (to learn made-up secrets)."""

    upstream: str
    url: str = ""
    bodies: list[bytes] = field(default_factory=list)


@contextmanager
def recording_proxy(upstream: str) -> Iterator[RecordingProxy]:
    """A loopback proxy in front of the control API at ``upstream`` for the ``with`` block."""
    proxy = RecordingProxy(upstream=upstream.rstrip("/"))
    client = httpx.Client(timeout=30)

    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            proxy.bodies.append(body)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
            answer = client.request(self.command, proxy.upstream + self.path, content=body, headers=headers)
            self.send_response(answer.status_code)
            for name, value in answer.headers.items():
                if name.lower() not in ("content-length", "transfer-encoding", "connection", "content-encoding"):
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.content)))
            self.end_headers()
            self.wfile.write(answer.content)

        do_GET = do_POST = _forward

        def log_message(self, format: str, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    proxy.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        client.close()


@pytest.fixture(scope="session")
def cli() -> Callable[..., Done]:
    """Run ``python -m apipay_harness ARGS`` in a directory: ``cli(args, cwd=path)``."""
    return harness


@pytest.fixture(scope="session")
def args_for() -> Callable[..., list[str]]:
    """The flags pointing the command at a mock: ``args_for(mock, control=None)``."""
    return target_args


@pytest.fixture(scope="session")
def control_recorder() -> Callable[[str], AbstractContextManager[RecordingProxy]]:
    """``with control_recorder(control_url) as proxy`` records what the run sends to the control API."""
    return recording_proxy
