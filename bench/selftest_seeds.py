"""Benchmark: the transition-table and tenancy faults under ten seeds — each must be caught on every seed.

Usage: ``python bench/selftest_seeds.py [--seeds 1-10] [--jobs N] [--report-dir DIR]``. For each seed it
runs the installed ``apipay-harness selftest --seed S`` (the whole ``contract --quick`` per fault, exactly as
a user's selftest) over every fault of the generated transition family (one per forbidden (action, status)
pair of the mock's rules) and every tenancy fault (``tenant_leak_*``), and reads each run's
``selftest.json``. The pinned checks that catch these faults do not depend on the seed; the seed moves
everything around them (the state machine, schemathesis' cases), and this shows none of that hides a
catch. The Markdown it prints goes into bench/RESULTS.md; it exits 1 if any fault escaped on any seed.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from apipay_harness.mock.faults import FAULTS
from apipay_harness.mock.rules import allowed_fault, forbidden_pairs


def _faults() -> list[str]:
    family = [allowed_fault(action.name, status) for action, status in forbidden_pairs()]
    return family + [name for name in FAULTS if name.startswith("tenant_leak_")]


def _seeds(text: str) -> list[int]:
    low, _, high = text.partition("-")
    return list(range(int(low), int(high or low) + 1))


def main() -> int:
    """Run one selftest per seed over the faults and print, per fault, on how many seeds it was caught."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="1-10", help="an inclusive range, e.g. 1-10")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--report-dir", type=Path, default=None)
    args = parser.parse_args()
    root = args.report_dir or Path(tempfile.mkdtemp(prefix="selftest-seeds-"))
    faults, seeds = _faults(), _seeds(args.seeds)
    caught: dict[str, list[int]] = defaultdict(list)
    seconds: dict[str, list[float]] = defaultdict(list)
    catchers: dict[str, set[str]] = defaultdict(set)
    clean: list[str] = []
    started = time.perf_counter()
    for seed in seeds:
        report_dir = root / f"seed-{seed}"
        cmd = [sys.executable, "-m", "apipay_harness", "selftest", "--seed", str(seed), "--jobs", str(args.jobs)]
        cmd += ["--report-dir", str(report_dir), *(f"--fault={name}" for name in faults)]
        subprocess.run(cmd, capture_output=True, text=True, check=False)
        report = json.loads((report_dir / "selftest.json").read_text(encoding="utf-8"))
        clean.append(report["clean"]["status"])
        for run in report["faults"]:
            if run["status"] == "caught":
                caught[run["fault"]].append(seed)
                seconds[run["fault"]].append(run["seconds"])
                catchers[run["fault"]].add(f"{run['suite']}/{run['check']}")
        sys.stderr.write(f"seed {seed}: {sum(seed in caught[f] for f in faults)}/{len(faults)} caught\n")
    wall = time.perf_counter() - started
    escaped = {f: [s for s in seeds if s not in caught[f]] for f in faults if len(caught[f]) != len(seeds)}
    today = datetime.now(UTC).date().isoformat()
    lines = [
        f"{today}: {len(faults)} faults × {len(seeds)} seeds ({args.seeds}), --jobs {args.jobs}: "
        f"{sum(len(caught[f]) for f in faults)}/{len(faults) * len(seeds)} runs caught; "
        f"clean runs {', '.join(sorted(set(clean)))}; {wall / 60:.0f} min wall.",
        "",
        "| fault | caught on seeds | median s to detect | caught by |",
        "|---|---:|---:|---|",
    ]
    for fault in faults:
        median = f"{statistics.median(seconds[fault]):.1f}" if seconds[fault] else "-"
        by = ", ".join(sorted(catchers[fault])) or "-"
        lines.append(f"| `{fault}` | {len(caught[fault])}/{len(seeds)} | {median} | {by} |")
    if escaped:
        lines += ["", f"Not caught: {escaped}"]
    sys.stdout.write("\n".join(lines) + "\n")
    return 1 if escaped or set(clean) != {"passed"} else 0


if __name__ == "__main__":
    sys.exit(main())
