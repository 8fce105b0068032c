"""Benchmark: ``apipay-harness contract`` against the embedded mock, and the schema suite against plain ``st run``.

    python bench/contract_speed.py              # --quick and default runs, then schema suite vs st run
    python bench/contract_speed.py --skip-default
    python bench/contract_speed.py --skip-default --api-version 2.1   # also 2.1's quick gate (at most 15 s)

1. Wall time of ``apipay-harness contract --quick`` and of the default run (each starts its own
   embedded mock, as a user's run does), with the cases they sent: for the schema suite the cases
   of each operation (the largest count any check judged there), for the other suites one per result.
2. In the same invocation, on one mock: the schema suite's engine runs (per operation, then the
   stateful phase, with the suite's own settings) against plain ``st run`` on the same spec with
   the same examples count, checks, seed and ``schemathesis.toml``; cases per second of each.
Prints a Markdown table for bench/RESULTS.md. Not part of CI.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from apipay_harness.contract.schema_engine import (
    CHECKS,
    build_schema,
    engine_settings,
    load_settings_file,
    run_engine,
    settings_file,
)
from apipay_harness.core.spec import load_spec
from apipay_harness.mock import running_mock

ROOT = Path(__file__).resolve().parent.parent


def contract_run(mode: str, workdir: Path, api_version: str | None = None) -> dict[str, Any]:
    """Run the command once; return wall seconds, exit code, results, cases sent and seconds per suite."""
    report = workdir / f"report-{mode}-{api_version}"
    args = [sys.executable, "-m", "apipay_harness", "contract", "--report-dir", str(report), "--seed", "1"]
    if mode == "quick":
        args.append("--quick")
    if api_version is not None:
        args += ["--api-version", api_version]
    started = time.perf_counter()
    done = subprocess.run(args, cwd=workdir, capture_output=True, text=True, timeout=1800)
    wall = time.perf_counter() - started
    results = json.loads((report / "conformance.json").read_text())["checks"]
    per_operation: dict[tuple[str, str], int] = defaultdict(int)
    others = 0
    for row in results:
        if row["suite"] == "schema":
            key = (row["operation"], "stateful" if row["check"].startswith("stateful:") else "unit")
            per_operation[key] = max(per_operation[key], int(row["cases"]))
        else:
            others += int(row["cases"])
    cases = sum(per_operation.values()) + others
    suites: dict[str, float] = defaultdict(float)
    for row in results:
        suites[row["suite"]] += float(row.get("seconds") or 0)
    return {
        "mode": mode,
        "version": api_version,
        "wall": wall,
        "code": done.returncode,
        "results": len(results),
        "cases": cases,
        "suites": dict(suites),
    }


def suite_engine(base_url: str, *, examples: int, seed: int) -> tuple[int, float]:
    """The schema suite's engine runs (default mode settings, one run over every operation as the suite makes,
    then the stateful phase), timed in-process: (cases, seconds)."""
    spec = load_spec()
    project = load_settings_file(settings_file())
    started = time.perf_counter()
    settings = engine_settings(
        base_url=base_url,
        api_key="test-key",
        max_examples=examples,
        phases=("examples", "coverage", "fuzzing"),
        seed=seed,
        base=project,
    )
    cases = run_engine(build_schema(spec, settings, catalog_ids=[101, 205])).cases
    stateful = engine_settings(
        base_url=base_url,
        api_key="test-key",
        max_examples=15,
        phases=("stateful",),
        seed=seed,
        stateful_steps=12,
        base=project,
    )
    cases += run_engine(build_schema(spec, stateful, catalog_ids=[101, 205])).cases
    return cases, time.perf_counter() - started


def plain_st_run(base_url: str, *, examples: int, seed: int, workdir: Path) -> tuple[int, float]:
    """Plain ``st run`` on the same spec, mock, examples count, checks and seed: (cases, seconds)."""
    report = workdir / "st.json"
    config = settings_file()
    args = [str(Path(sys.executable).with_name("st"))]
    if config is not None:
        args += ["--config-file", str(config)]
    args += [
        "run",
        str(ROOT / "openapi" / "apipay.yaml"),
        "--url",
        base_url,
        "-H",
        "X-API-Key: test-key",
        "-n",
        str(examples),
        "--seed",
        str(seed),
        "--checks",
        ",".join(CHECKS),
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
    ]
    started = time.perf_counter()
    subprocess.run(args, cwd=workdir, capture_output=True, text=True, timeout=1800)
    seconds = time.perf_counter() - started
    data = json.loads(report.read_text())
    return int(data["test_cases"]["generated"]), seconds


def main() -> None:
    """Run the measurements and print the table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--skip-default", action="store_true")
    parser.add_argument("--examples", type=int, default=100, help="max examples (the suite's default mode)")
    parser.add_argument("--api-version", action="append", default=[], help="also a --quick run of this version")
    options = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for mode in ("quick", *(() if options.skip_default else ("default",))):
            rows.append(contract_run(mode, work))
        for version in options.api_version:
            rows.append(contract_run("quick", work, version))
        with running_mock() as mock:
            suite_cases, suite_seconds = suite_engine(mock.base_url, examples=options.examples, seed=1)
        with running_mock() as mock:
            st_cases, st_seconds = plain_st_run(mock.base_url, examples=options.examples, seed=1, workdir=work)
    print("| run | exit | wall (s) | results | cases | cases/s | seconds per suite (report) |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for row in rows:
        rate = row["cases"] / row["wall"]
        flags = (" --quick" if row["mode"] == "quick" else "") + (
            f" --api-version {row['version']}" if row["version"] else ""
        )
        suites = ", ".join(f"{name} {sec:.1f}" for name, sec in sorted(row["suites"].items(), key=lambda i: -i[1]))
        print(
            f"| `contract{flags}` | {row['code']} | {row['wall']:.1f} "
            f"| {row['results']} | {row['cases']} | {rate:.0f} | {suites} |"
        )
    suite_rate, st_rate = suite_cases / suite_seconds, st_cases / st_seconds
    n = options.examples
    print(f"| schema suite engine (n={n}) | – | {suite_seconds:.1f} | – | {suite_cases} | {suite_rate:.0f} |")
    print(f"| plain `st run` (n={n}) | – | {st_seconds:.1f} | – | {st_cases} | {st_rate:.0f} |")
    print(f"\nschema suite / st run cases per second: {suite_rate / st_rate:.2f}")


if __name__ == "__main__":
    main()
