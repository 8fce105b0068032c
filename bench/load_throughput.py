"""Load benchmark: bare GET /status loop vs the lifecycle scenario, then users stepped up until p95 passes 50 ms.

    /work/venv/bin/python bench/load_throughput.py [--users 50] [--workers 2] [--seconds 20] [--step-seconds 15]

One mock (subprocess) serves every phase. Each phase is a full `apipay-harness load` run (audit included), so
the lifecycle figures only count if the audit stays clean. Prints a Markdown block for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

from apipay_harness.loadrun.runner import LoadOptions, LoadOutcome, run_load
from apipay_harness.loadrun.thresholds import Thresholds
from apipay_harness.mock import running_mock

P95_LIMIT_MS = 50.0
LOOSE = Thresholds(max_p95_ms=60_000, max_fail_ratio=1.0, min_rps=0)


def _phase(target: object, *, scenario: str, users: int, workers: int, seconds: int, root: Path) -> LoadOutcome:
    report = root / f"{scenario}-{users}u"
    options = LoadOptions(
        report_dir=report,
        users=users,
        spawn_rate=max(10.0, users / 2),
        run_time=f"{seconds}s",
        workers=workers,
        scenario=scenario,
        thresholds=LOOSE,
        think_time=0.0,
    )
    return run_load(target, options)  # type: ignore[arg-type]


def _row(label: str, outcome: LoadOutcome) -> str:
    total = outcome.summary.run.get("total", {})
    audit = outcome.summary.audit
    return (
        f"| {label} | {total.get('requests', 0)} | {total.get('failures', 0)} | {total.get('rps', 0):.1f} | "
        f"{total.get('p95_ms', 0):g} | {'clean' if audit.clean else f'{len(audit.violations)} violations'} "
        f"({audit.checked} invoices) |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--step-seconds", type=int, default=15)
    parser.add_argument("--steps", default="5,10,20,40,80,160")
    parser.add_argument("--cancel-delay", type=float, default=None, help="the mock's async cancel delay (default 2 s)")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="load-bench-"))
    rows: list[str] = []
    started = time.monotonic()
    extra = ("--cancel-delay", str(args.cancel_delay)) if args.cancel_delay is not None else ()
    with running_mock(extra_args=extra) as mock:
        target = mock.target
        same = {"users": args.users, "workers": args.workers, "seconds": args.seconds, "root": root}
        bare = _phase(target, scenario="baseline", **same)  # type: ignore[arg-type]
        rows.append(_row(f"baseline GET /status, {args.users} users", bare))
        life = _phase(target, scenario="lifecycle", **same)  # type: ignore[arg-type]
        rows.append(_row(f"lifecycle, {args.users} users", life))
        bare_rps = float(bare.summary.run["total"]["rps"])
        life_rps = float(life.summary.run["total"]["rps"])
        passed_at: int | None = None
        for users in (int(u) for u in args.steps.split(",")):
            step = _phase(target, scenario="lifecycle", users=users, workers=args.workers, seconds=args.step_seconds,
                          root=root)  # fmt: skip
            rows.append(_row(f"lifecycle step, {users} users", step))
            if float(step.summary.run["total"]["p95_ms"]) > P95_LIMIT_MS:
                passed_at = users
                break
    print(f"## Load throughput ({platform.machine()}, {os.cpu_count()} cores, {time.monotonic() - started:.0f} s)")
    print()
    print("| phase | requests | failures | req/s | p95 ms (all requests) | audit |")
    print("|---|---:|---:|---:|---:|---|")
    for row in rows:
        print(row)
    print()
    ratio = life_rps / bare_rps if bare_rps else 0.0
    print(f"- lifecycle / bare ratio: {life_rps:.1f} / {bare_rps:.1f} = **{ratio:.2f}** (target ≥ 0.6)")
    print(f"- p95 passes {P95_LIMIT_MS:g} ms at: **{passed_at if passed_at else 'not reached'}** users (lifecycle)")
    print(f"- reports: {root}")


if __name__ == "__main__":
    main()
