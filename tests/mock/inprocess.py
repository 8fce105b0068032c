"""The mock app served in this process by uvicorn on a free loopback port, for tests that start many mocks.

A child process (``running_mock``) pays for a Python start and every import each time; this pays only
for ``create_app``. The app, the protocol (JSON 400s) and the listening socket are the ones the
``apipay-harness mock`` command uses; only the process differs.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn

from apipay_harness.mock import create_app
from apipay_harness.mock.process import MockUrls
from apipay_harness.mock.server import JSONBadRequestProtocol, bind
from tests.mock.helpers import wait_for

STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class ServedMock(MockUrls):
    """Where an in-process mock listens: the same URLs a ``MockProcess`` gives."""

    root_url: str


@contextmanager
def serving_mock(
    *,
    faults: Sequence[str] = (),
    variants: Sequence[str] = (),
    api_version: str | None = None,
    control_api: bool = True,
) -> Iterator[ServedMock]:
    """Serve ``create_app(faults=..., variants=..., api_version=..., control_api=...)`` on a free loopback port."""
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(faults=faults, variants=variants, api_version=api_version, control_api=control_api),
        loop="uvloop",
        http=JSONBadRequestProtocol,
        access_log=False,
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=2,
        server_header=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name=f"mock-{port}", daemon=True)
    thread.start()
    try:
        wait_for(lambda: server.started or not thread.is_alive())
        assert thread.is_alive(), "the in-process mock stopped while starting"
        yield ServedMock(f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=STOP_TIMEOUT)
        sock.close()
    assert not thread.is_alive(), f"the in-process mock did not stop within {STOP_TIMEOUT:g}s"
