"""Benchmark: what the ``apipay_mock`` fixture costs per test, against baselines measured in the same run (issue 13).

    python bench/fixture_overhead.py                  # 5 rounds, 200 tests per pytest run, 300 renewals per round
    python bench/fixture_overhead.py --rounds 1 --tests 50 --renewals 100    # a quick look

Two measurements, each interleaved round by round with its baselines, medians printed as Markdown:

1. Per test inside pytest. Generated test files of N tests, each run by its own ``pytest`` process; every test
   sends one ``GET /api/v1/status`` through one shared httpx client to a server started once per session:
   - ``bare``: a bare Starlette app served the same way (uvicorn with the mock's ``server_for`` settings, in a
     thread), the cost of any loopback server;
   - ``mock, no renewal`` (in-process, and subprocess): an ``ApiPayMock`` from a plain session fixture, never
     renewed: the baseline that differs from ``apipay_mock`` only by what the fixture does per test;
   - ``apipay_mock`` (in-process, and ``apipay_mock_mode = subprocess``): the fixture, a fresh mock per test.
   A test's time is its whole ``pytest_runtest_protocol`` (set-up, call, teardown, reporting); the first test
   of a session, which starts the server, is reported apart.
2. The renewal alone (what ``apipay_mock`` does before each test: a fresh mock built with the marker's faults),
   against one plain httpx round trip (``GET /api/v1/status``) to the same server, per mode.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from apipay_harness.fixture import MODES, ApiPayMock

_CONFTEST = """
import json
import threading
import time

import pytest
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from apipay_harness.fixture import ApiPayMock
from apipay_harness.mock.server import bind, server_for


async def status(request):
    return JSONResponse({"status": "ok"})


@pytest.fixture(scope="session")
def bare_url():
    sock = bind("127.0.0.1", 0)
    server = server_for(Starlette(routes=[Route("/api/v1/status", status)]), configure_logging=False)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/api/v1"
    server.should_exit = True
    thread.join()


@pytest.fixture(scope="session")
def mock_url(pytestconfig):
    with ApiPayMock(mode=pytestconfig.getini("apipay_mock_mode")) as mock:
        yield mock.base_url


TIMES = []


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    start = time.perf_counter()
    try:
        return (yield)
    finally:
        TIMES.append(time.perf_counter() - start)


def pytest_sessionfinish(session):
    with open("times.json", "w") as out:
        json.dump(TIMES, out)
"""

_HEAD = "import httpx\n\nCLIENT = httpx.Client()\n"
_TEST = """

def test_{n}({fixture}):
    assert CLIENT.get(f"{{{url}}}/status").status_code == 200
"""
# case: (fixture, expression giving the API root, mode)
_CASES: dict[str, tuple[str, str, str]] = {
    "bare": ("bare_url", "bare_url", "in-process"),
    "mock in-process, no renewal": ("mock_url", "mock_url", "in-process"),
    "apipay_mock in-process": ("apipay_mock", "apipay_mock.base_url", "in-process"),
    "mock subprocess, no renewal": ("mock_url", "mock_url", "subprocess"),
    "apipay_mock subprocess": ("apipay_mock", "apipay_mock.base_url", "subprocess"),
}
_BASELINE = {
    "apipay_mock in-process": "mock in-process, no renewal",
    "apipay_mock subprocess": "mock subprocess, no renewal",
}


def _write_suite(root: Path, case: str, tests: int) -> Path:
    """A user's project: pytest.ini, conftest and N tests of one case."""
    fixture, url, mode = _CASES[case]
    suite = root / case.replace(" ", "_").replace(",", "")
    suite.mkdir()
    ini = f"[pytest]\naddopts = -p no:cacheprovider -p no:randomly\napipay_mock_mode = {mode}\n"
    (suite / "pytest.ini").write_text(ini)
    (suite / "conftest.py").write_text(_CONFTEST)
    body = "".join(_TEST.format(n=n, fixture=fixture, url=url) for n in range(tests))
    (suite / "test_suite.py").write_text(_HEAD + body)
    return suite


def _pytest_times(suite: Path) -> list[float]:
    """Each test's whole run (set-up + call + teardown, pytest's reporting included), in file order."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "test_suite.py"],
        cwd=suite,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{suite.name}: pytest failed\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    times: list[float] = json.loads((suite / "times.json").read_text())
    return times


def _per_call(action: Callable[[], object], count: int) -> float:
    start = time.perf_counter()
    for _ in range(count):
        action()
    return (time.perf_counter() - start) / count


def _renewal_rounds(rounds: int, renewals: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {}
    mocks = {mode: ApiPayMock(mode=mode).start() for mode in MODES}
    clients = {mode: httpx.Client(base_url=mock.base_url) for mode, mock in mocks.items()}
    try:
        for _ in range(rounds):
            for mode, mock in mocks.items():
                client = clients[mode]
                trip = _per_call(lambda c=client: c.get("/status"), renewals)  # type: ignore[misc]
                results.setdefault(f"{mode} round trip", []).append(trip)
                results.setdefault(f"{mode} renewal", []).append(_per_call(mock.use, renewals))
    finally:
        for client in clients.values():
            client.close()
        for mock in mocks.values():
            mock.close()
    return results


def main() -> None:
    """Run both measurements and print the tables."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--tests", type=int, default=200)
    parser.add_argument("--renewals", type=int, default=300)
    args = parser.parse_args()

    per_test: dict[str, list[float]] = {c: [] for c in _CASES}
    first: dict[str, list[float]] = {c: [] for c in _CASES}
    with tempfile.TemporaryDirectory() as tmp:
        suites = {case: _write_suite(Path(tmp), case, args.tests) for case in _CASES}
        for _ in range(args.rounds):
            for case, suite in suites.items():
                times = _pytest_times(suite)
                first[case].append(times[0])
                per_test[case].append(statistics.median(times[1:]))
    renewals = _renewal_rounds(args.rounds, args.renewals)

    each = {case: statistics.median(values) for case, values in per_test.items()}
    print(f"### Per test inside pytest ({args.tests} tests per run, {args.rounds} runs per case, medians)\n")
    print(
        "| case | per test (ms) | runs' spread (ms) | ratio to its baseline | over it (ms) "
        "| first test, with server start (ms) |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for case in _CASES:
        base = _BASELINE.get(case)
        ratio = f"**{each[case] / each[base]:.2f}**" if base else "(baseline)"
        over = f"{(each[case] - each[base]) * 1000:+.2f}" if base else ""
        spread = f"{min(per_test[case]) * 1000:.2f}–{max(per_test[case]) * 1000:.2f}"
        start = statistics.median(first[case]) * 1000
        print(f"| {case} | {each[case] * 1000:.2f} | {spread} | {ratio} | {over} | {start:.0f} |")
    print(f"\n### Renewal alone ({args.renewals} per round, {args.rounds} rounds, medians)\n")
    print("| mode | renewal (ms) | httpx round trip (ms) | renewal ÷ round trip |")
    print("|---|---:|---:|---:|")
    for mode in MODES:
        renewal = statistics.median(renewals[f"{mode} renewal"])
        trip = statistics.median(renewals[f"{mode} round trip"])
        print(f"| {mode} | {renewal * 1000:.2f} | {trip * 1000:.2f} | **{renewal / trip:.2f}** |")


if __name__ == "__main__":
    main()
