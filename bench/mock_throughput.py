"""Benchmark: the mock against a bare ASGI app under the same server settings (issue 3).

    python bench/mock_throughput.py            # 3 x 15 s per case, wrk -c50, server on core 0, wrk on core 1
    python bench/mock_throughput.py --duration 5 --runs 1   # a quick look

Cases: bare GET (fixed JSON body: the ceiling), mock GET /api/v1/invoices/{id}, bare POST that parses
and echoes the same body, mock POST /api/v1/invoices. Medians of the runs are printed as a Markdown table,
followed by the memory per stored invoice measured in-process with tracemalloc over 100k invoices.
Needs wrk (Debian package ``wrk``) and taskset; not part of CI.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

import httpx
import msgspec

ROOT = Path(__file__).resolve().parent.parent
BODY = {
    "amount": 10000,
    "phone_number": "87001234567",
    "description": "Payment for order #123",
    "external_order_id": "order_123",
}
FIXED = msgspec.json.encode(
    {
        "id": 42,
        "amount": "10000.00",
        "status": "pending",
        "description": "Payment for order #123",
        "external_order_id": "order_123",
        "phone_number": "87001234567",
        "created_at": "2025-01-31T12:00:00Z",
    }
)
SERVER_CORE = "0"
LOAD_CORE = "1"


async def bare_get(scope, receive, send):  # type: ignore[no-untyped-def]
    """A fixed JSON body for every request: the ceiling."""
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": FIXED})


_decoder = msgspec.json.Decoder(float_hook=Decimal)


async def bare_echo(scope, receive, send):  # type: ignore[no-untyped-def]
    """Parses the JSON body (money as Decimal) and echoes it: the POST ceiling."""
    if scope["type"] != "http":
        return
    chunks = []
    more = True
    while more:
        message = await receive()
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    value = _decoder.decode(b"".join(chunks))
    body = msgspec.json.encode(value)
    await send({"type": "http.response.start", "status": 201, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


def serve_bare(kind: str, port: int) -> None:
    import uvicorn

    app = bare_get if kind == "get" else bare_echo
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        loop="uvloop",
        http="httptools",
        access_log=False,
        log_level="warning",
        lifespan="off",
        server_header=False,
        proxy_headers=False,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_up(url: str) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise SystemExit(f"server at {url} did not come up")


def _start(cmd: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(["taskset", "-c", SERVER_CORE, *cmd], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)


def _wrk(url: str, *, duration: int, post: bool) -> tuple[float, float]:
    cmd = ["taskset", "-c", LOAD_CORE, "wrk", "-t1", "-c50", f"-d{duration}s", "--latency", "-H", "X-API-Key: test-key"]
    script = None
    if post:
        script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
        body = json.dumps(BODY).replace('"', '\\"')
        script.write(f'wrk.method = "POST"\nwrk.body = "{body}"\nwrk.headers["Content-Type"] = "application/json"\n')
        script.close()
        cmd += ["-s", script.name]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    if script is not None:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p99_text = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    assert p99_text is not None, out
    p99 = float(p99_text.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99_text.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} non-2xx answers\n{out}")
    return rps, p99


def _start_bare(kind: str) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    proc = _start([sys.executable, __file__, "serve-bare", kind, str(port)])
    url = f"http://127.0.0.1:{port}/"
    _wait_up(url)
    return proc, url


def _start_mock() -> tuple[subprocess.Popen[bytes], str]:
    proc = _start([sys.executable, "-m", "apipay_harness", "mock", "--host", "127.0.0.1", "--port", "0"])
    assert proc.stdout is not None
    line = proc.stdout.readline().decode()
    root = re.search(r"(http://\S+)/api/v1", line).group(1)  # type: ignore[union-attr]
    _wait_up(f"{root}/api/v1/status")
    return proc, root


def run_cases(*, runs: int, duration: int) -> dict[str, tuple[float, float]]:
    """Median (rps, p99 ms) per case; the cases are interleaved run by run so load drift hits them alike."""
    procs: list[subprocess.Popen[bytes]] = []
    try:
        bare_get_proc, bare_get_url = _start_bare("get")
        procs.append(bare_get_proc)
        bare_echo_proc, bare_echo_url = _start_bare("echo")
        procs.append(bare_echo_proc)
        mock_proc, root = _start_mock()
        procs.append(mock_proc)
        invoice = httpx.post(f"{root}/api/v1/invoices", json=BODY, headers={"X-API-Key": "test-key"}).json()
        cases = {
            "bare_get": (bare_get_url, False),
            "mock_get": (f"{root}/api/v1/invoices/{invoice['id']}", False),
            "bare_post": (bare_echo_url, True),
            "mock_post": (f"{root}/api/v1/invoices", True),
        }
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
        for _ in range(runs):
            for name, (url, post) in cases.items():
                results[name].append(_wrk(url, duration=duration, post=post))
        return {
            name: (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows))
            for name, rows in results.items()
        }
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


def _scope(method: str, path: str, body: bytes) -> dict[str, object]:
    headers = [(b"host", b"bench"), (b"x-api-key", b"test-key")]
    if body:
        headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
    }


async def _per_call(app, method: str, path: str, body: bytes, *, calls: int = 3000, repeats: int = 5) -> float:  # type: ignore[no-untyped-def]
    async def receive():  # type: ignore[no-untyped-def]
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):  # type: ignore[no-untyped-def]
        return None

    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            await app(_scope(method, path, body), receive, send)
        best = min(best, (time.perf_counter() - start) / calls)
    return best * 1e6


def in_process() -> dict[str, float]:
    """Best-of-5 µs per request calling each ASGI app directly: the app's own cost, free of server and load noise."""
    from apipay_harness.mock.app import create_app

    mock = create_app()
    raw = json.dumps(BODY).encode()

    async def measure() -> dict[str, float]:
        await _per_call(mock, "POST", "/api/v1/invoices", raw, calls=1, repeats=1)
        return {
            "bare_get": await _per_call(bare_get, "GET", "/", b""),
            "mock_get": await _per_call(mock, "GET", "/api/v1/invoices/1", b""),
            "bare_post": await _per_call(bare_echo, "POST", "/", raw),
            "mock_post": await _per_call(mock, "POST", "/api/v1/invoices", raw),
        }

    import asyncio

    return asyncio.run(measure())


def memory_per_invoice(count: int = 100_000) -> float:
    """Bytes of Python heap per stored invoice, created through the store as the API does."""
    from apipay_harness.mock.faults import Faults
    from apipay_harness.mock.fixtures import load_fixtures
    from apipay_harness.mock.store import Settings, Store

    store = Store(fixtures=load_fixtures(), settings=Settings(), faults=Faults())
    org = store.keys["test-key"]
    bodies = [dict(BODY, amount=Decimal(i % 1000 + 1), external_order_id=f"order_{i}") for i in range(count)]
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for body in bodies:
        store.create_invoice(org, body)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return (after - before) / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    load_before = os.getloadavg()[0]
    results = run_cases(runs=args.runs, duration=args.duration)
    load_after = os.getloadavg()[0]
    bare_get_result, bare_echo_result = results["bare_get"], results["bare_post"]
    mock = {"get": results["mock_get"], "post": results["mock_post"]}
    ratio_get = mock["get"][0] / bare_get_result[0]
    ratio_post = mock["post"][0] / bare_echo_result[0]
    cores = f"server on core {SERVER_CORE}, wrk on core {LOAD_CORE}"
    print(f"wrk -t1 -c50 -d{args.duration}s --latency, {args.runs} interleaved runs, medians; {cores}")
    print(f"1-minute load average: {load_before:.2f} before, {load_after:.2f} after ({os.cpu_count()} cores)")
    print("| case | rps | p99 ms | ratio | target |")
    print("|---|---|---|---|---|")
    rows = [
        ("bare GET (fixed JSON)", bare_get_result, "1.00", ""),
        ("mock GET /invoices/{id}", mock["get"], f"{ratio_get:.2f}", "≥ 0.45, p99 ≤ 5 ms"),
        ("bare POST (parse + echo)", bare_echo_result, "1.00", ""),
        ("mock POST /invoices", mock["post"], f"{ratio_post:.2f}", "≥ 0.35, p99 ≤ 5 ms"),
    ]
    for name, (rps, p99), ratio, target in rows:
        print(f"| {name} | {rps:.0f} | {p99:.2f} | {ratio} | {target} |")
    costs = in_process()
    print(
        "in-process cost per request (best of 5 x 3000 calls, µs): "
        + ", ".join(f"{name} {value:.1f}" for name, value in costs.items())
    )
    if not args.skip_memory:
        print(f"memory per stored invoice (100k, tracemalloc): {memory_per_invoice():.0f} bytes (target ≤ 4096)")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "serve-bare":
        serve_bare(sys.argv[2], int(sys.argv[3]))
    else:
        sys.path.insert(0, str(ROOT))
        main()
