"""``apipay-harness selftest --api-version 2.1`` end to end on a tiny sample: each run's mock speaks 2.1 with the
2.1 catalogs' fault or variant, and each run's contract command judges it as 2.1.

The verdicts themselves belong to the suites (the full matrix is ``selftest --api-version 2.1``); this holds the
plumbing: the version reaches every mock and every contract run, the names are the 2.1 catalogs', the reports
say which version ran and how to run it again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from apipay_harness.mock.v21.faults import FAULTS_21
from apipay_harness.mock.v21.variants import VARIANTS_21
from tests.cli_run import Done, harness

FAULT = "create_answers_pending"
VARIANT = "create_answer_phone_number"
KEYWORD = "test_bounds"
"""One quick suite is enough to see the version reach each run."""


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Done, Path]:
    """One 2.1 selftest of the bounds suite: the clean run, one 2.1 fault and one 2.1 variant, two at a time."""
    workdir = tmp_path_factory.mktemp("selftest21")
    args = ["selftest", "--api-version", "2.1", "-k", KEYWORD, "--fault", FAULT, "--variant", VARIANT, "--jobs", "2"]
    done = harness([*args, "--report-dir", str(workdir / "out")], cwd=workdir, timeout=150)
    return done, workdir / "out"


def _report(sample: tuple[Done, Path]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((sample[1] / "selftest.json").read_text(encoding="utf-8"))
    return data


def _runs(sample: tuple[Done, Path]) -> list[dict[str, Any]]:
    report = _report(sample)
    return [report["clean"], *report["faults"], *report["variants"]]


def test_the_2_1_selftest_ran_the_clean_mock_the_fault_and_the_variant(sample: tuple[Done, Path]) -> None:
    done, _ = sample
    assert done.code in (0, 1), done.stderr[-2000:]
    assert "Traceback" not in done.stdout + done.stderr
    report = _report(sample)
    assert report["api_version"] == "2.1"
    assert [run["fault"] for run in report["faults"]] == [FAULT]
    assert [run["variants"] for run in report["variants"]] == [[VARIANT]]
    assert report["faults"][0]["description"] == FAULTS_21[FAULT].description
    assert report["variants"][0]["description"] == VARIANTS_21[VARIANT].description
    for run in _runs(sample):
        assert run["status"] != "error", run  # each mock started with its 2.1 name and each contract run ended


def test_every_contract_run_judged_api_2_1(sample: tuple[Done, Path]) -> None:
    for run in _runs(sample):
        contract = json.loads((Path(run["report_dir"]) / "conformance.json").read_text(encoding="utf-8"))
        assert (contract["api_version"], contract["spec_version"]) == ("2.1", "2.1"), run["label"]
        assert "--api-version 2.1" in contract["replay"], contract["replay"]
        assert contract["tests_finished"] > 0, run["label"]


def test_the_replay_names_the_version(sample: tuple[Done, Path]) -> None:
    done, out = sample
    replay = (
        f"apipay-harness selftest --api-version 2.1 --seed 20260213 --fault {FAULT} --variant {VARIANT} -k {KEYWORD}"
    )
    assert _report(sample)["replay"] == replay
    assert f"seed 20260213; replay: {replay}" in done.stdout
    assert replay in (out / "selftest.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("kind", "name"), [("--fault", "tenant_leak_get"), ("--fault", "no_such_fault")])
def test_a_name_outside_the_2_1_catalog_exits_2_listing_the_2_1_names(tmp_path: Path, kind: str, name: str) -> None:
    done = harness(
        ["selftest", "--api-version", "2.1", kind, name, "--report-dir", str(tmp_path)], cwd=tmp_path, timeout=30
    )
    assert done.code == 2
    assert done.stderr.strip().splitlines() == [
        f"error: unknown fault(s) {name}; valid names: {', '.join(sorted(FAULTS_21))}"
    ]
    assert not (tmp_path / "selftest.json").exists()
