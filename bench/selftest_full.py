"""Benchmark: the full ``apipay-harness selftest`` — wall time, faults caught, variants passed, median to detect.

Usage: ``python bench/selftest_full.py [--jobs N] [--report-dir DIR]`` (default: the CPU count, a temporary
directory). It runs the installed command exactly as a user does and reads its ``selftest.json``; the
Markdown row it prints goes into bench/RESULTS.md. Targets (issue 5): every fault caught, median ≤ 15 s,
whole selftest ≤ 10 min on the 2-core reference machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path


def main() -> int:
    """Run the selftest once and print its numbers."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--report-dir", type=Path, default=None)
    args = parser.parse_args()
    report_dir = args.report_dir or Path(tempfile.mkdtemp(prefix="selftest-bench-"))
    cmd = [sys.executable, "-m", "apipay_harness", "selftest", "--jobs", str(args.jobs)]
    cmd += ["--report-dir", str(report_dir)]
    started = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    sys.stdout.write(done.stdout)
    report = json.loads((report_dir / "selftest.json").read_text(encoding="utf-8"))
    escaped = [run["fault"] for run in report["faults"] if run["status"] != "caught"]
    median = report["median_seconds_to_detect"]
    today = datetime.now(UTC).date().isoformat()
    alarms = [run["label"] for run in report.get("variants", []) if run["status"] != "passed"]
    variants = f"{report.get('variants_passed', 0)}/{report.get('variants_total', 0)}"
    sys.stdout.write(
        "\n| date | jobs | exit | faults caught | clean run | variant runs passed | median s to detect | wall s "
        "| not caught | false alarms |\n"
        "|---|---:|---:|---:|---|---:|---:|---:|---|---|\n"
        f"| {today} | {args.jobs} | {done.returncode} | {report['faults_caught']}/{report['faults_total']} "
        f"| {report['clean']['status']} | {variants} | {median} | {wall:.0f} | {', '.join(escaped) or '-'} "
        f"| {', '.join(alarms) or '-'} |\n"
    )
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
