"""Soak benchmark: the mock at full speed for 10 minutes under a store cap, its resident memory sampled throughout.

    python bench/soak_mock.py                               # 600 s, --max-invoices 50000, 16 connections
    python bench/soak_mock.py --duration 30 --max-invoices 5000   # a quick look

The mock runs as a user runs it (``apipay-harness mock``, async cancel, pending invoices expiring after 30 clock
seconds) with a cap low enough that the run passes it many times over. A load loop in this process keeps
``--connections`` keep-alive connections busy, each repeating four lifecycles: create -> cancel; create -> pay ->
full refund; create -> pay -> partial refund -> refund of the rest; create and leave pending (it expires). Every
invoice settles, so past the cap the oldest settled ones are forgotten.

Its own baseline: the mock's resident memory (RSS, psutil) at start, and once the store first holds
``--max-invoices`` invoices (warm). The figures: RSS growth per 10,000 invoices created after warm-up (about 0
when the cap holds), RSS at the end over RSS when warm (about 1.0), and what the store would have cost without
the cap (warm-up cost per invoice x invoices created). Not part of CI: the machine running it should be told.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import msgspec
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from apipay_harness.mock import running_mock  # noqa: E402

MIB = 1024 * 1024
CREATE = msgspec.json.encode({"amount": 1000, "phone_number": "87001234567", "description": "soak"})
PARTIAL = msgspec.json.encode({"amount": 400})


@dataclass
class Load:
    """What the load loop sent and got back."""

    statuses: Counter[int] = field(default_factory=Counter)
    created: int = 0
    requests: int = 0


class Connection:
    """One keep-alive HTTP/1.1 connection with just enough parsing for the mock's answers."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, load: Load) -> None:
        self._reader = reader
        self._writer = writer
        self._load = load

    async def call(self, method: str, path: str, body: bytes = b"", key: bool = True) -> tuple[int, bytes]:
        """Send one request and read its whole answer."""
        head = f"{method} {path} HTTP/1.1\r\nHost: soak\r\nContent-Length: {len(body)}\r\n"
        if key:
            head += "X-API-Key: test-key\r\n"
        if body:
            head += "Content-Type: application/json\r\n"
        self._writer.write(head.encode() + b"\r\n" + body)
        status_line = await self._reader.readuntil(b"\r\n")
        length = 0
        while (line := await self._reader.readuntil(b"\r\n")) != b"\r\n":
            name, _, value = line.partition(b":")
            if name.lower() == b"content-length":
                length = int(value)
        answer = await self._reader.readexactly(length)
        status = int(status_line.split(b" ", 2)[1])
        self._load.statuses[status] += 1
        self._load.requests += 1
        return status, answer


async def lifecycles(host: str, port: int, load: Load, until: float) -> None:
    """Repeat the four lifecycles on one connection until ``until`` (monotonic)."""
    reader, writer = await asyncio.open_connection(host, port)
    conn = Connection(reader, writer, load)
    turn = 0
    try:
        while time.monotonic() < until:
            status, answer = await conn.call("POST", "/api/v1/invoices", CREATE)
            if status != 201:
                continue
            load.created += 1
            invoice = msgspec.json.decode(answer)["id"]
            kind = turn % 4
            turn += 1
            if kind == 0:
                await conn.call("POST", f"/api/v1/invoices/{invoice}/cancel")
            elif kind in (1, 2):
                await conn.call("POST", f"/_control/invoices/{invoice}/pay", key=False)
                if kind == 2:
                    await conn.call("POST", f"/api/v1/invoices/{invoice}/refund", PARTIAL)
                await conn.call("POST", f"/api/v1/invoices/{invoice}/refund")
    finally:
        writer.close()


@dataclass
class Sample:
    """One look at the mock: seconds into the run, its RSS and its own figures."""

    seconds: float
    rss: int
    stats: dict[str, Any]
    created: int


async def sample_until(
    process: psutil.Process, stats_url: str, load: Load, started: float, until: float, every: float
) -> list[Sample]:
    """Sample RSS and /_control/stats every ``every`` seconds while the load runs."""
    samples: list[Sample] = []
    async with httpx.AsyncClient(timeout=30) as client:
        while True:
            stats = (await client.get(stats_url)).json()
            samples.append(Sample(time.monotonic() - started, process.memory_info().rss, stats, load.created))
            if time.monotonic() >= until:
                return samples
            await asyncio.sleep(min(every, max(0.0, until - time.monotonic())))


async def soak(host: str, port: int, stats_url: str, pid: int, args: argparse.Namespace) -> tuple[Load, list[Sample]]:
    """Run the load and the sampler together."""
    load = Load()
    started = time.monotonic()
    until = started + args.duration
    workers = [asyncio.create_task(lifecycles(host, port, load, until)) for _ in range(args.connections)]
    samples = await sample_until(psutil.Process(pid), stats_url, load, started, until, args.every)
    await asyncio.gather(*workers)
    return load, samples


def report(args: argparse.Namespace, load: Load, samples: list[Sample], start_rss: int, after_reset: int) -> str:
    """The Markdown lines for bench/RESULTS.md."""
    # Warm: the first look after the store first filled up. Forgetting goes a batch of 1% at a time, so a look
    # rarely sees exactly the cap; the first eviction is the sign.
    warm = next((s for s in samples if s.stats["evicted_invoices"] > 0), None)
    end = samples[-1]
    stats = end.stats
    lines = [
        f"- load: {load.requests} requests in {end.seconds:.0f} s ({load.requests / end.seconds:.0f} req/s), "
        f"{load.created} invoices created; answers {dict(sorted(load.statuses.items()))}",
        f"- store at the end: {stats['invoices']} invoices (cap {stats['max_invoices']}), {stats['refunds']} refunds, "
        f"{stats['queued_work']} queued; evicted {stats['evicted_invoices']} invoices and {stats['evicted_refunds']} "
        f"refunds; refused {stats['refused_creates']} creates",
        f"- RSS at start {start_rss / MIB:.1f} MiB; peak {max(s.rss for s in samples) / MIB:.1f} MiB; "
        f"end of load {end.rss / MIB:.1f} MiB; after POST /_control/reset {after_reset / MIB:.1f} MiB",
    ]
    if warm is None:
        lines.append("- the store never reached the cap: raise --duration or lower --max-invoices")
        return "\n".join(lines)
    per_invoice = (warm.rss - start_rss) / max(1, warm.stats["invoices"])
    after = end.created - warm.created
    growth = (end.rss - warm.rss) / max(1, after) * 10_000
    uncapped = start_rss + per_invoice * end.created
    lines += [
        f"- warm (store first full, {warm.seconds:.0f} s, {warm.created} created): RSS {warm.rss / MIB:.1f} MiB, "
        f"{per_invoice:.0f} bytes per stored invoice (with its refunds and queued work)",
        f"- after warm-up: {after} more invoices created; RSS growth per 10,000 of them "
        f"**{growth / 1024:.1f} KiB**; RSS end / RSS warm **{end.rss / warm.rss:.3f}**",
        f"- without the cap the store would have held {end.created} invoices: about {uncapped / MIB:.0f} MiB "
        f"(start + {per_invoice:.0f} B x created), {uncapped / end.rss:.1f}x the capped end",
        "- RSS over time (s: MiB, invoices held): "
        + ", ".join(f"{s.seconds:.0f}: {s.rss / MIB:.0f}, {s.stats['invoices']}" for s in samples[:: args.every_print]),
    ]
    return "\n".join(lines)


def _save(path: Path, load: Load, samples: list[Sample], start_rss: int, after_reset: int) -> None:
    raw = {
        "load": {"statuses": dict(load.statuses), "created": load.created, "requests": load.requests},
        "start_rss": start_rss,
        "after_reset": after_reset,
        "samples": [s.__dict__ for s in samples],
    }
    path.write_text(json.dumps(raw, indent=1))


def _load(path: Path) -> tuple[Load, list[Sample], int, int]:
    raw = json.loads(path.read_text())
    statuses = Counter({int(code): count for code, count in raw["load"]["statuses"].items()})
    load = Load(statuses, raw["load"]["created"], raw["load"]["requests"])
    return load, [Sample(**s) for s in raw["samples"]], raw["start_rss"], raw["after_reset"]


def main() -> None:
    """Start the mock, soak it, print the figures (and save everything as JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=600.0, help="seconds of load (default 600)")
    parser.add_argument("--max-invoices", type=int, default=50_000, help="the mock's cap (default 50000)")
    parser.add_argument("--connections", type=int, default=16, help="keep-alive connections (default 16)")
    parser.add_argument("--every", type=float, default=5.0, help="seconds between samples (default 5)")
    parser.add_argument("--every-print", type=int, default=6, help="print every Nth sample (default 6)")
    parser.add_argument("--json", type=Path, help="also write the load, the samples and the RSS figures here")
    parser.add_argument("--report-from", type=Path, help="print the figures of a run saved with --json; no run")
    args = parser.parse_args()
    if args.report_from:
        print(report(args, *_load(args.report_from)))
        return
    extra = ["--max-invoices", str(args.max_invoices), "--expire-after", "30"]
    with running_mock(extra_args=extra) as mock:
        host, port = mock.root_url.removeprefix("http://").rsplit(":", 1)
        process = psutil.Process(mock.pid)
        start_rss = process.memory_info().rss
        load, samples = asyncio.run(soak(host, int(port), f"{mock.control_url}/stats", mock.pid, args))
        httpx.post(f"{mock.control_url}/reset", timeout=60).raise_for_status()
        after_reset = process.memory_info().rss
    print(
        f"python bench/soak_mock.py --duration {args.duration:g} --max-invoices {args.max_invoices} "
        f"--connections {args.connections}"
    )
    print(report(args, load, samples, start_rss, after_reset))
    if args.json:
        _save(args.json, load, samples, start_rss, after_reset)


if __name__ == "__main__":
    main()
