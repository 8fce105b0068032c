"""``apipay-harness selftest`` end to end on a small sample: the bounds suite against the clean mock, a fault it
catches and a fault outside its reach, each in its own mock process, two at a time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from apipay_harness.mock.faults import FAULTS
from apipay_harness.selftest.fault_table import fault_table
from tests.cli_run import Done, harness

CAUGHT = "phone_pattern_off_by_one"
"""A bound moved by one: the bounds suite sends the spec's x-invalid-examples and must see a 422."""
ESCAPES = "webhook_on_refused_cancel"
"""A webhook fault: the bounds suite never cancels an invoice, so with ``-k test_bounds`` it must escape."""


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Done, Path]:
    """One selftest run limited to the bounds suite, with a fault it catches and one it cannot."""
    workdir = tmp_path_factory.mktemp("selftest")
    args = ["selftest", "-k", "test_bounds", "--fault", CAUGHT, "--fault", ESCAPES, "--jobs", "2"]
    done = harness([*args, "--report-dir", str(workdir / "out")], cwd=workdir, timeout=150)
    return done, workdir / "out"


def _report(sample: tuple[Done, Path]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((sample[1] / "selftest.json").read_text(encoding="utf-8"))
    return data


def _run(sample: tuple[Done, Path], fault: str) -> dict[str, Any]:
    runs: list[dict[str, Any]] = _report(sample)["faults"]
    return next(run for run in runs if run["fault"] == fault)


def test_selftest_clean_mock_raises_no_false_alarm(sample: tuple[Done, Path]) -> None:
    clean = _report(sample)["clean"]
    assert clean["status"] == "passed", clean
    assert clean["exit_code"] == 0


def test_selftest_caught_fault_names_suite_and_check(sample: tuple[Done, Path]) -> None:
    run = _run(sample, CAUGHT)
    assert run["status"] == "caught", run
    assert run["suite"] == "bounds"
    assert "phone_number" in run["check"]
    assert run["seconds"] > 0
    assert (Path(run["report_dir"]) / "conformance.json").is_file()


def test_selftest_records_its_seed_and_replay_command_in_every_report(sample: tuple[Done, Path]) -> None:
    done, out = sample
    replay = f"apipay-harness selftest --seed 20260213 --fault {CAUGHT} --fault {ESCAPES} -k test_bounds"
    assert (_report(sample)["seed"], _report(sample)["replay"]) == (20260213, replay)
    assert "Seed `20260213`" in (out / "selftest.md").read_text(encoding="utf-8")
    assert f"seed 20260213; replay: {replay}" in done.stdout
    for run in [_report(sample)["clean"], *_report(sample)["faults"]]:
        contract = json.loads((Path(run["report_dir"]) / "conformance.json").read_text(encoding="utf-8"))
        assert contract["seed"] == 20260213 and "--seed 20260213" in contract["replay"]


def test_selftest_escaped_fault_exits_1(sample: tuple[Done, Path]) -> None:
    done, _ = sample
    assert done.code == 1, done.stderr[-2000:]
    assert _run(sample, ESCAPES)["status"] == "escaped"
    escaped_rows = [line for line in done.stdout.splitlines() if line.startswith(ESCAPES)]
    assert escaped_rows and "ESCAPED" in escaped_rows[0]


def test_selftest_prints_matrix_with_one_row_per_run(sample: tuple[Done, Path]) -> None:
    done, _ = sample
    first_words = [line.split()[0] for line in done.stdout.splitlines() if line.strip()]
    assert {"(clean", CAUGHT, ESCAPES} <= set(first_words)
    assert "1/2 faults caught, clean run passed" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_selftest_writes_markdown_matrix(sample: tuple[Done, Path]) -> None:
    text = (sample[1] / "selftest.md").read_text(encoding="utf-8")
    assert f"| `{CAUGHT}` | caught | bounds/" in text
    assert f"| `{ESCAPES}` | ESCAPED |" in text
    assert FAULTS[ESCAPES].description in text


def test_selftest_json_counts_and_median(sample: tuple[Done, Path]) -> None:
    report = _report(sample)
    assert (report["faults_total"], report["faults_caught"], report["exit_code"]) == (2, 1, 1)
    assert report["median_seconds_to_detect"] == _run(sample, CAUGHT)["seconds"]
    assert report["jobs"] == 2


def test_selftest_unknown_fault_exits_2_listing_valid_names(tmp_path: Path) -> None:
    done = harness(["selftest", "--fault", "no_such_fault", "--report-dir", str(tmp_path)], cwd=tmp_path, timeout=30)
    assert done.code == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: unknown fault(s) no_such_fault; valid names: ")
    assert CAUGHT in lines[0]
    assert not (tmp_path / "selftest.json").exists()


def test_selftest_list_faults_prints_generated_catalog(tmp_path: Path) -> None:
    done = harness(["selftest", "--list-faults"], cwd=tmp_path, timeout=30)
    assert done.code == 0, done.stderr
    assert done.stdout == fault_table()
