"""The judge on receivers nobody here wrote: the provider's own examples, run straight from ../shared.

The examples are what integrators copy, so the judge must pass them. Each is started exactly as its usage line says
(``WEBHOOK_SECRET=... PORT=... python webhook_handler.py`` / ``node webhook-handler.js``) and never copied into the
project. ``APIPAY_PROVIDER_DIR`` points elsewhere than ``<checkout>/../shared/provider``; CI sets
``APIPAY_REQUIRE_PROVIDER_EXAMPLES=1`` so that a missing directory (or Node.js) fails instead of skipping. The PHP
example needs a PHP server this project does not install, so it is not run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from apipay_harness.receiver import ReceiverOptions, run_receiver
from tests.provider_docs import PROVIDER_DIR, require_provider
from tests.receiver.receivers import SECRET

_EXAMPLES = PROVIDER_DIR / "2026-02-13" / "examples"
_HANDLERS = {
    "python": _EXAMPLES / "python" / "webhook_handler.py",
    "javascript": _EXAMPLES / "javascript" / "webhook-handler.js",
}
_STARTUP_DEADLINE = 20.0


def _command(language: str) -> list[str]:
    path = _HANDLERS[language]
    if not path.is_file():
        require_provider(f"the provider's example handler is not at {path} (set APIPAY_PROVIDER_DIR)")
    if language == "python":
        return [sys.executable, str(path)]
    node = shutil.which("node")
    if node is None:
        require_provider("Node.js (node) is needed to run the provider's JavaScript example")
    return [str(node), str(path)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@contextmanager
def provider_handler(command: list[str], log: Path) -> Iterator[str]:
    """Run the provider's handler as its usage line says; yield its webhook URL once it accepts connections."""
    port = _free_port()
    env = {**os.environ, "WEBHOOK_SECRET": SECRET, "PORT": str(port), "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + _STARTUP_DEADLINE
            while not _accepts(port):
                if time.monotonic() > deadline:
                    raise AssertionError(f"the provider's handler did not listen within {_STARTUP_DEADLINE:g} s")
                try:  # waiting on the process paces the polling and notices at once if it died
                    code = process.wait(timeout=0.05)
                except subprocess.TimeoutExpired:
                    continue
                raise AssertionError(f"the provider's handler exited ({code}): {log.read_text()}")
            yield f"http://127.0.0.1:{port}/webhook"
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@pytest.mark.parametrize("language", list(_HANDLERS))
def test_provider_example_handler_passes_the_judge(tmp_path: Path, language: str) -> None:
    with provider_handler(_command(language), tmp_path / "handler.log") as url:
        outcome = run_receiver(ReceiverOptions(url=url, secret=SECRET, report_dir=tmp_path / "report"))
    assert outcome.exit_code == 0, [f"{p.check} [{p.operation}]: {p.title}" for p in outcome.problems]
    assert outcome.counts["passed"] > 0
    assert outcome.counts.get("failed", 0) == 0
    # It really handled the deliveries: its own log shows a paid invoice it would fulfil.
    assert "Payment received!" in (tmp_path / "handler.log").read_text(encoding="utf-8")
