"""Starting the mock as a subprocess on a free port, for suites, load runs and tests."""

from __future__ import annotations

import os
import re
import selectors
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO

import httpx

from apipay_harness.core.errors import HarnessError, TargetUnreachable
from apipay_harness.core.target import Target

__all__ = ["STOP_TIMEOUT", "MockProcess", "MockUrls", "running_mock"]

STOP_TIMEOUT = 5.0
_POLL = 0.05
_LINE = re.compile(r"listening on (http://\S+)/api/v1 ")


class MockUrls:
    """The URLs of a mock listening at ``root_url`` (``http://HOST:PORT``), however it was started."""

    root_url: str

    @property
    def base_url(self) -> str:
        """The API root, ``http://HOST:PORT/api/v1``."""
        return f"{self.root_url}/api/v1"

    @property
    def control_url(self) -> str:
        """The control API root, ``http://HOST:PORT/_control``."""
        return f"{self.root_url}/_control"


@dataclass
class MockProcess(MockUrls):
    """A mock running in a child process: where it listens and how to stop it."""

    root_url: str
    process: subprocess.Popen[bytes] = field(repr=False)

    @property
    def target(self) -> Target:
        """The mock as a ``Target`` with its default keys."""
        return Target.for_mock(self.root_url)

    @property
    def pid(self) -> int:
        """The child's process id."""
        return self.process.pid

    def stop(self) -> None:
        """Terminate the child, killing it if it does not exit within ``STOP_TIMEOUT``."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT)


def _command(
    *,
    faults: Sequence[str],
    variants: Sequence[str],
    cancel_mode: str,
    rate_limit: int | None,
    extra_args: Sequence[str],
    api_version: str | None = None,
) -> list[str]:
    cmd = [sys.executable, "-m", "apipay_harness", "mock", "--host", "127.0.0.1", "--port", "0"]
    if api_version is not None:
        cmd += ["--api-version", api_version]
    for name in faults:
        cmd += ["--fault", name]
    for name in variants:
        cmd += ["--variant", name]
    cmd += ["--cancel-mode", cancel_mode]
    if rate_limit is not None:
        cmd += ["--rate-limit", str(rate_limit)]
    return cmd + list(extra_args)


def _last_words(stderr: IO[bytes]) -> str:
    stderr.seek(0)
    lines = [line.strip() for line in stderr.read().decode(errors="replace").splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


def _read_first_line(process: subprocess.Popen[bytes], deadline: float) -> str | None:
    assert process.stdout is not None
    fd = process.stdout.fileno()
    os.set_blocking(fd, False)
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while b"\n" not in buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if not selector.select(timeout=min(left, 0.5)):
                continue
            chunk = os.read(fd, 4096)
            if not chunk:
                return None
            buffer += chunk
    return buffer.split(b"\n", 1)[0].decode(errors="replace")


def _wait_ready(mock: MockProcess, deadline: float) -> None:
    url = f"{mock.base_url}/status"
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if mock.process.poll() is not None:
                return
            try:
                if client.get(url).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(_POLL)
    raise TargetUnreachable(url, "the mock did not answer /status in time")


@contextmanager
def running_mock(
    *,
    faults: Sequence[str] = (),
    variants: Sequence[str] = (),
    cancel_mode: str = "async",
    rate_limit: int | None = None,
    extra_args: Sequence[str] = (),
    startup_timeout: float = 20.0,
    api_version: str | None = None,
) -> Iterator[MockProcess]:
    """Run ``apipay-harness mock --port 0`` for the ``with`` block; raise ``HarnessError`` if it cannot start.

    ``faults`` and ``variants`` are catalog names (``--fault`` / ``--variant``); a name the catalog
    does not know makes the child exit 2, reported here as a ``HarnessError`` that lists the valid ones.
    ``api_version`` is the version the mock speaks (None: the default).
    """
    cmd = _command(
        faults=faults,
        variants=variants,
        cancel_mode=cancel_mode,
        rate_limit=rate_limit,
        extra_args=extra_args,
        api_version=api_version,
    )
    deadline = time.monotonic() + startup_timeout
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, stdin=subprocess.DEVNULL)
        mock: MockProcess | None = None
        try:
            line = _read_first_line(process, deadline)
            found = _LINE.search(line or "")
            if found is None:
                try:
                    process.wait(timeout=max(0.5, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    raise HarnessError(f"the mock printed no listening line within {startup_timeout:g}s") from None
                raise HarnessError(f"the mock exited with code {process.returncode}: {_last_words(stderr)}")
            mock = MockProcess(found.group(1), process)
            _wait_ready(mock, deadline)
            if process.poll() is not None:
                raise HarnessError(f"the mock exited with code {process.returncode}: {_last_words(stderr)}")
            yield mock
        finally:
            if mock is not None:
                mock.stop()
            elif process.poll() is None:
                process.kill()
                process.wait(timeout=STOP_TIMEOUT)
            if process.stdout is not None:
                process.stdout.close()
