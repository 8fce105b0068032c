"""Benchmark: ``contract --quick`` against the mock with the open-reading variants, under random seeds and times of day.

Usage: ``python bench/variant_seeds.py [--runs 10] [--seeds S,S,...] [--jobs 2] [--variant NAME]...``. Each run
starts a mock with the variants (default: the four that show what the documents leave open: duplicate webhook
deliveries, refunds that fail counted or not, dates in Almaty), moves its clock on to a time of day drawn with
the seed (so the date checks meet the hours where Almaty's and UTC's calendar days differ, 19:00-24:00 UTC, as
often as chance has it), and runs the whole ``contract --quick --seed S`` against it. Every run must pass: a
failure is a false alarm. The Markdown it prints goes into bench/RESULTS.md; it exits 1 if any run failed.
"""

from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from apipay_harness.mock import running_mock
from apipay_harness.mock import variants as v

DEFAULT_VARIANTS = (v.WEBHOOK_DUPLICATES, v.REFUNDS_SOMETIMES_FAIL, v.FAILED_REFUNDS_STILL_COUNT, v.DATES_IN_ALMATY)
_SUMMARY = re.compile(r"(\d+) passed, (\d+) failed, (\d+) errors")


def _to_time_of_day(control_url: str, minute_of_day: int) -> str:
    """Advance the mock's clock to the next ``minute_of_day`` (UTC); return it as HH:MM."""
    with httpx.Client(base_url=control_url, timeout=10) as control:
        now = datetime.fromisoformat(control.get("/clock").json()["now"].replace("Z", "+00:00"))
        target = now.replace(hour=minute_of_day // 60, minute=minute_of_day % 60, second=0, microsecond=0)
        if target <= now:
            target += timedelta(days=1)
        control.post("/clock/advance", json={"seconds": (target - now).total_seconds()}).raise_for_status()
    return f"{minute_of_day // 60:02d}:{minute_of_day % 60:02d}"


def _run(seed: int, variants: list[str], workdir: Path) -> dict[str, object]:
    minute_of_day = random.Random(seed).randrange(24 * 60)
    started = time.perf_counter()
    with running_mock(variants=variants) as mock:
        clock = _to_time_of_day(mock.control_url, minute_of_day)
        cmd = [sys.executable, "-m", "apipay_harness", "contract", "--quick", "--seed", str(seed)]
        cmd += ["--base-url", mock.base_url, "--control-url", mock.control_url]
        cmd += ["--api-key", "test-key", "--api-key-2", "test-key-2", "--unverified-key", "unverified-key"]
        cmd += ["--rate-limited-key", "limited-key", "--report-dir", str(workdir / f"seed-{seed}")]
        done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=900)
    found = _SUMMARY.search(done.stdout)
    return {
        "seed": seed,
        "clock": clock,
        "exit": done.returncode,
        "summary": found.group(0) if found else done.stdout.strip().splitlines()[:1],
        "seconds": time.perf_counter() - started,
    }


def main() -> int:
    """Run the sample and print one Markdown row per run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--seeds", default="", help="comma-separated seeds (default: --runs fresh random ones)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--variant", action="append", default=[])
    args = parser.parse_args()
    variants = args.variant or [variant.name for variant in DEFAULT_VARIANTS]
    rng = random.SystemRandom()
    seeds = [int(s) for s in args.seeds.split(",") if s] or [rng.randrange(2**31) for _ in range(args.runs)]
    workdir = Path(tempfile.mkdtemp(prefix="variant-seeds-"))
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(lambda seed: _run(seed, variants, workdir), seeds))
    passed = sum(1 for r in results if r["exit"] == 0)
    print(f"variants: {', '.join(variants)}; reports in {workdir}")
    print("| seed | mock clock (UTC) | exit | contract summary | s |")
    print("|---:|---|---:|---|---:|")
    for r in results:
        print(f"| {r['seed']} | {r['clock']} | {r['exit']} | {r['summary']} | {r['seconds']:.0f} |")
    wall = time.perf_counter() - started
    print(f"\n**{passed}/{len(results)} runs passed**, {wall:.0f} s wall with {args.jobs} job(s)")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
