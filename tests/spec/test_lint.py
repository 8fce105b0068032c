"""``apipay-harness lint`` on the shipped spec and on broken copies of it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from apipay_harness.cli import main
from apipay_harness.lint import lint_spec
from apipay_harness.resources import default_spec_path


def _write_copy(tmp_path: Path, change: Any) -> Path:
    spec = yaml.safe_load(default_spec_path().read_text(encoding="utf-8"))
    change(spec)
    path = tmp_path / "apipay.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_lint_shipped_spec_has_no_problems() -> None:
    report = lint_spec()
    assert report.problems == []
    assert report.operations == 15
    assert report.examples > 100


def test_lint_console_script_exits_zero_on_shipped_spec() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "apipay_harness", "lint"], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("ok: 15 operations")


def test_lint_broken_example_exits_one_naming_its_pointer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def break_example(spec: dict[str, Any]) -> None:
        flat = spec["paths"]["/invoices"]["post"]["requestBody"]["content"]["application/json"]["examples"]["flat"]
        flat["value"]["phone_number"] = "+77001234567"

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, break_example))], capsys)
    assert code == 1
    assert out.splitlines() == [
        "/paths/~1invoices/post/requestBody/content/application~1json/examples/flat/value: "
        "example does not match its schema: '+77001234567' does not match '^8\\\\d{10}$'"
    ]


def test_lint_removed_bound_is_reported_through_its_invalid_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def drop_maximum(spec: dict[str, Any]) -> None:
        del spec["components"]["schemas"]["AmountInput"]["maximum"]

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, drop_maximum))], capsys)
    assert code == 1
    assert "/components/schemas/AmountInput/x-invalid-examples/1: invalid example 100000000 is accepted" in out


def test_lint_bound_without_invalid_example_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def drop_invalid(spec: dict[str, Any]) -> None:
        del spec["components"]["schemas"]["PhoneNumber"]["x-invalid-examples"]

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, drop_invalid))], capsys)
    assert code == 1
    assert (
        "/components/schemas/PhoneNumber: bounded field 'phone_number' has no x-invalid-examples value "
        "outside its pattern bound" in out
    )


def test_lint_operation_without_error_responses_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def strip_errors(spec: dict[str, Any]) -> None:
        responses = spec["paths"]["/invoices/{id}"]["get"]["responses"]
        for status in ("401", "403", "404", "429"):
            del responses[status]

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, strip_errors))], capsys)
    assert code == 1
    lines = out.splitlines()
    for status in ("401", "403", "404", "429"):
        assert (
            f"/paths/~1invoices~1{{id}}/get/responses: GET /invoices/{{id}} does not document the {status} "
            "error response" in lines
        )


def test_lint_operation_without_operation_id_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def drop_operation_id(spec: dict[str, Any]) -> None:
        del spec["paths"]["/refunds"]["get"]["operationId"]

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, drop_operation_id))], capsys)
    assert code == 1
    assert "/paths/~1refunds/get: GET /refunds has no operationId" in out.splitlines()


def test_lint_not_openapi_is_reported_with_pointer(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def break_structure(spec: dict[str, Any]) -> None:
        spec["paths"]["/status"]["get"]["responses"] = "none"

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, break_structure))], capsys)
    assert code == 1
    assert out.splitlines()[0].startswith("/paths/~1status/get/responses: ")


def test_lint_invalid_yaml_exits_two_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("openapi: 3.1.0\npaths:\n  /status: [unclosed\n", encoding="utf-8")
    code, out, err = _run(["lint", str(path)], capsys)
    assert code == 2
    assert out == ""
    assert len(err.splitlines()) == 1
    assert err.startswith(f"error: {path}: not valid YAML at line ")


def test_lint_missing_file_exits_two_with_one_line() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "apipay_harness", "lint", "/nonexistent.yaml"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "error: spec not found: /nonexistent.yaml; pass an existing file or omit it for the shipped spec"
    ]
