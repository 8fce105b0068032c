"""``apipay-harness diff``: exit 1 on a break, 0 without, 2 with one line when it cannot run; md and json reports."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from apipay_harness.cli import main
from tests.cli_run import harness
from tests.specdiff.test_changes_md import NEW_DATE, SEED, provider_spec

REPO = Path(__file__).parents[2]


def run(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_breaking_pair_exits_1_with_the_markdown_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "diff", provider_spec("2026-02-13"), provider_spec(NEW_DATE), "--only-operations", SEED
    )
    assert code == 1, err
    assert out.startswith("# API diff\n")
    assert "**BREAKING: 21 breaking change(s)" in out
    assert "### createRefund (`POST /invoices/{id}/refund`)" in out
    assert "- response 201 body `invoice.available_for_refund`: type string -> number (`response-type-widened`)" in out
    assert "listSubscriptions" not in out  # outside the scope
    assert err == ""


def test_our_shipped_specs_gate_the_2_1_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "diff", REPO / "openapi" / "apipay.yaml", REPO / "openapi" / "apipay-2.1.yaml")
    assert code == 1, err
    assert "**BREAKING: " in out
    assert "- query parameter status[] `items`: enum loses refunded (`request-enum-value-removed`)" in out


def test_compatible_pair_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    spec["paths"]["/invoices"]["get"]["parameters"].append(
        {"name": "note", "in": "query", "schema": {"type": "string"}}
    )
    newer = tmp_path / "newer.yaml"
    newer.write_text(yaml.safe_dump(spec), encoding="utf-8")
    code, out, _ = run(capsys, "diff", SEED, newer)
    assert code == 0
    assert "**compatible: 0 breaking change(s), 1 other change(s)" in out
    assert "- query parameter note: new optional parameter (`parameter-added-optional`)" in out


def test_json_report_to_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "diff.json"
    code, out, _ = run(
        capsys, "diff", provider_spec("2026-02-13"), provider_spec(NEW_DATE), "--format", "json", "--output", target
    )
    assert code == 1
    assert out.startswith("BREAKING: ") and out.rstrip().endswith(f"report in {target}")
    report = json.loads(target.read_text(encoding="utf-8"))
    assert report["verdict"] == "breaking"
    assert report["summary"]["breaking"] == sum(c["breaking"] for c in report["changes"]) > 0
    assert report["summary"]["operations_added"] > 50  # the provider's 2.1.0 has 75 operations, ours 15
    change = next(c for c in report["changes"] if c["path"] == "invoice.available_for_refund")
    assert change == {
        "operation": "POST /invoices/{id}/refund",
        "operation_id": "createRefund",
        "where": "response 201 body",
        "path": "invoice.available_for_refund",
        "kind": "response-type-widened",
        "breaking": True,
        "message": "type string -> number",
    }


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda d: d / "missing.yaml", "missing.yaml: no such file", id="missing"),
        pytest.param(lambda d: _write(d, "bad.yaml", "a: [1, 2\n"), "bad.yaml: not valid YAML or JSON", id="not-yaml"),
        pytest.param(lambda d: _write(d, "list.yaml", "- 1\n"), "the top level is not a mapping", id="not-a-mapping"),
        pytest.param(
            lambda d: _write(d, "swagger.yaml", "swagger: '2.0'\npaths: {}\n"),
            "not an OpenAPI 3.0 or 3.1 document (no `openapi` field)",
            id="swagger-2",
        ),
        pytest.param(
            lambda d: _write_bytes(d, "latin.yaml", b"openapi: 3.1.0\ninfo: \xff\n"), "not UTF-8", id="binary"
        ),
        pytest.param(
            lambda d: _write(d, "ext.yaml", "openapi: 3.1.0\npaths:\n  /x:\n    $ref: 'other.yaml#/x'\n"),
            "only local $refs",
            id="external-ref",
        ),
    ],
)
def test_unusable_spec_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], Path], message: str
) -> None:
    bad = make(tmp_path)
    for args in (["diff", bad, SEED], ["diff", SEED, bad], ["diff", SEED, SEED, "--only-operations", bad]):
        code, out, err = run(capsys, *args)
        assert code == 2, args
        assert out == ""
        assert err.count("\n") == 1 and err.startswith("error: ") and message in err, err


def _write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return path


def _write_bytes(directory: Path, name: str, data: bytes) -> Path:
    path = directory / name
    path.write_bytes(data)
    return path


def test_unwritable_output_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "diff", SEED, SEED, "--output", tmp_path / "no" / "such" / "dir.md")
    assert (code, out) == (2, "")
    assert err.startswith("error: cannot write --output") and err.count("\n") == 1


def test_the_installed_command_gates_a_release(tmp_path: Path) -> None:
    done = harness(
        ["diff", str(provider_spec("2026-02-13")), str(provider_spec(NEW_DATE)), "--only-operations", str(SEED)],
        cwd=tmp_path,
        timeout=120,
    )
    assert done.code == 1, done.stderr
    assert "## Breaking changes" in done.stdout
    same = harness(["diff", str(SEED), str(SEED)], cwd=tmp_path, timeout=120)
    assert (same.code, same.stderr) == (0, "")


def test_a_run_leaves_nothing_where_it_ran(tmp_path: Path) -> None:
    """Hypothesis draws the pattern witnesses; its cache must not land in the user's directory."""
    spec = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    spec["components"]["schemas"]["Money"]["pattern"] = "^\\d+(\\.\\d{1,2})?$"
    looser = tmp_path / "looser.yaml"
    looser.write_text(yaml.safe_dump(spec), encoding="utf-8")
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    done = harness(["diff", str(SEED), str(looser), "--format", "json"], cwd=cwd, timeout=120)
    assert done.code == 1, done.stderr
    widened = [c for c in json.loads(done.stdout)["changes"] if c["kind"] == "response-format-widened"]
    assert widened and "may now arrive" in widened[0]["message"]
    assert list(cwd.iterdir()) == []
