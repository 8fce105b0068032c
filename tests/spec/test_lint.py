"""``apipay-harness lint`` on the shipped specs of every API version and on broken copies of them."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from apipay_harness.cli import main
from apipay_harness.core.spec import load_spec
from apipay_harness.core.versions import get_version, version_names
from apipay_harness.lint.checker import lint_spec
from apipay_harness.lint.disagreements import disagreement_problems
from apipay_harness.lint.rules import error_code_problems, transition_problems

SEED = "2026-02-13"
V21 = "2.1"
EXPECTED_OPERATIONS = {SEED: 15, V21: 16}
"""The seed's fifteen operations; 2.1 adds POST /invoices/{id}/simulate-status."""
AMOUNT = {SEED: ("AmountInput",), V21: ("InvoiceAmount",)}
"""Where each version writes the bounded invoice amount."""


def _write_copy(tmp_path: Path, version: str, change: Callable[[dict[str, Any]], None]) -> Path:
    spec = yaml.safe_load(get_version(version).spec_path.read_text(encoding="utf-8"))
    change(spec)
    path = tmp_path / f"apipay-{version}.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def _schema(spec: dict[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = spec["components"]["schemas"]
    for part in path:
        node = node[part]
    return node


@pytest.mark.parametrize("version", version_names())
def test_lint_shipped_spec_has_no_problems(version: str) -> None:
    report = lint_spec(version=version)
    assert report.problems == []
    assert report.operations == EXPECTED_OPERATIONS[version]
    assert report.examples > 100


@pytest.mark.parametrize("version", version_names())
def test_lint_console_script_exits_zero_on_shipped_spec(version: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "apipay_harness", "lint", "--api-version", version],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith(f"ok: {EXPECTED_OPERATIONS[version]} operations")


def test_lint_without_version_lints_the_default_spec(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["lint"], capsys)
    assert code == 0
    assert out.startswith(f"ok: {EXPECTED_OPERATIONS[SEED]} operations")


def test_lint_unknown_version_exits_two_listing_the_valid_ones(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["lint", "--api-version", "2.0"], capsys)
    assert code == 2
    assert out == ""
    assert err.splitlines() == ["error: unknown API version '2.0'; valid versions: 2026-02-13 (default), 2.1"]


def test_lint_spec_and_version_together_exit_two_naming_both(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["lint", "openapi/apipay.yaml", "--api-version", V21], capsys)
    assert code == 2
    assert out == ""
    assert err.splitlines() == [
        "error: give SPEC or --api-version, not both (got SPEC openapi/apipay.yaml and --api-version 2.1)"
    ]


@pytest.mark.parametrize("version", version_names())
def test_lint_broken_example_exits_one_naming_its_pointer(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def break_example(spec: dict[str, Any]) -> None:
        flat = spec["paths"]["/invoices"]["post"]["requestBody"]["content"]["application/json"]["examples"]["flat"]
        flat["value"]["phone_number"] = "+77001234567"

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, version, break_example))], capsys)
    assert code == 1
    assert out.splitlines() == [
        "/paths/~1invoices/post/requestBody/content/application~1json/examples/flat/value: "
        "example does not match its schema: '+77001234567' does not match '^8\\\\d{10}$'"
    ]


@pytest.mark.parametrize("version", version_names())
def test_lint_removed_bound_is_reported_through_its_invalid_example(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def drop_maximum(spec: dict[str, Any]) -> None:
        del _schema(spec, AMOUNT[version])["maximum"]

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, version, drop_maximum))], capsys)
    pointer = "/components/schemas/" + "/".join(AMOUNT[version])
    assert code == 1
    assert f"{pointer}/x-invalid-examples/1: invalid example 100000000 is accepted" in out


@pytest.mark.parametrize("version", version_names())
def test_lint_bound_without_invalid_example_is_reported(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def drop_invalid(spec: dict[str, Any]) -> None:
        del spec["components"]["schemas"]["PhoneNumber"]["x-invalid-examples"]

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, version, drop_invalid))], capsys)
    assert code == 1
    assert (
        "/components/schemas/PhoneNumber: bounded field 'phone_number' has no x-invalid-examples value "
        "outside its pattern bound" in out
    )


def test_lint_whole_tenge_bound_needs_a_fractional_invalid_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def drop_fraction(spec: dict[str, Any]) -> None:
        amount = _schema(spec, AMOUNT[V21])
        amount["x-invalid-examples"] = [v for v in amount["x-invalid-examples"] if v == int(v)]

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, V21, drop_fraction))], capsys)
    assert code == 1
    assert out.splitlines() == [
        "/components/schemas/InvoiceAmount: bounded field 'amount' has no "
        "x-invalid-examples value outside its multipleOf bound"
    ]


@pytest.mark.parametrize("version", version_names())
def test_lint_operation_without_error_responses_is_reported(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def strip_errors(spec: dict[str, Any]) -> None:
        responses = spec["paths"]["/invoices/{id}"]["get"]["responses"]
        for status in ("401", "403", "404", "429"):
            del responses[status]

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, version, strip_errors))], capsys)
    assert code == 1
    lines = out.splitlines()
    for status in ("401", "403", "404", "429"):
        assert (
            f"/paths/~1invoices~1{{id}}/get/responses: GET /invoices/{{id}} does not document the {status} "
            "error response" in lines
        )


@pytest.mark.parametrize("version", version_names())
def test_lint_operation_without_operation_id_is_reported(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def drop_operation_id(spec: dict[str, Any]) -> None:
        del spec["paths"]["/refunds"]["get"]["operationId"]

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, version, drop_operation_id))], capsys)
    assert code == 1
    assert "/paths/~1refunds/get: GET /refunds has no operationId" in out.splitlines()


def test_lint_seed_answer_without_rate_limit_remaining_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def drop_header(spec: dict[str, Any]) -> None:
        del spec["paths"]["/refunds"]["get"]["responses"]["200"]["headers"]["X-RateLimit-Remaining"]

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, SEED, drop_header))], capsys)
    assert code == 1
    assert out.splitlines() == [
        "/paths/~1refunds/get/responses/200: GET /refunds 200 does not declare the X-RateLimit-Remaining header"
    ]


def test_lint_21_answer_without_rate_limit_limit_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def drop_header(spec: dict[str, Any]) -> None:
        del spec["paths"]["/refunds"]["get"]["responses"]["200"]["headers"]["X-RateLimit-Limit"]

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, V21, drop_header))], capsys)
    assert code == 1
    assert out.splitlines() == [
        "/paths/~1refunds/get/responses/200: GET /refunds 200 does not declare the X-RateLimit-Limit header"
    ]


def test_lint_21_too_many_requests_without_retry_after_is_reported_per_operation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def drop_header(spec: dict[str, Any]) -> None:
        del spec["components"]["responses"]["TooManyInvoices"]["headers"]["Retry-After"]

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, V21, drop_header))], capsys)
    assert code == 1
    assert out.splitlines() == [
        "/paths/~1invoices/post/responses/429: POST /invoices 429 does not declare the Retry-After header"
    ]


def test_lint_house_rule_header_must_be_required(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def optional_header(spec: dict[str, Any]) -> None:
        spec["components"]["headers"]["RetryAfter"]["required"] = False

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, V21, optional_header))], capsys)
    lines = out.splitlines()
    assert code == 1
    assert (
        "/paths/~1refunds/get/responses/429: GET /refunds 429 declares the Retry-After header without required: true"
        in lines
    )
    assert all("Retry-After header without required: true" in line for line in lines)


def test_lint_malformed_house_rules_are_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def break_rules(spec: dict[str, Any]) -> None:
        spec["x-house-rules"]["error_responses"]["with_key"] = "401"

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, V21, break_rules))], capsys)
    assert code == 1
    assert out.splitlines() == ["/x-house-rules/error_responses/with_key: must be a list of strings"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            lambda t: t["statuses"]["paid"]["successors"].append("refunded"),
            "/statuses/paid/successors: 'refunded' is not in the enum",
            id="successor-outside-enum",
        ),
        pytest.param(
            lambda t: t["statuses"]["paid"].update(successors=[]),
            "/statuses/partially_refunded: 'partially_refunded' cannot be reached from 'processing'",
            id="unreachable-status",
        ),
        pytest.param(
            lambda t: t["statuses"].pop("error"),
            "/statuses: describes ['cancelled', 'cancelling', 'expired', 'paid', 'partially_refunded', 'pending', "
            "'processing'] but the enum is ['cancelled', 'cancelling', 'error', 'expired', 'paid', "
            "'partially_refunded', 'pending', 'processing']",
            id="status-not-described",
        ),
        pytest.param(
            lambda t: t["silent_transitions"][0].update(to="paid"),
            "/silent_transitions/0: 'cancelling' -> 'paid' is not a transition",
            id="silent-transition-not-an-edge",
        ),
        pytest.param(
            lambda t: t["webhooks"].update({"invoice.paid": ["paid"]}),
            "/webhooks/invoice.paid: event 'invoice.paid' is not one of the spec's webhooks",
            id="unknown-webhook-event",
        ),
    ],
)
def test_lint_inconsistent_status_table_is_reported(change: Callable[[dict[str, Any]], Any], expected: str) -> None:
    spec = load_spec(version=V21)
    change(spec["components"]["schemas"]["InvoiceStatus"]["x-status-transitions"])
    problems = [str(p) for p in transition_problems(spec)]
    assert problems == ["/components/schemas/InvoiceStatus/x-status-transitions" + expected]


def test_lint_status_table_problem_fails_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def break_table(spec: dict[str, Any]) -> None:
        spec["components"]["schemas"]["RefundStatus"]["x-status-transitions"]["initial"] = "queued"

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, V21, break_table))], capsys)
    assert code == 1
    assert out.splitlines() == [
        "/components/schemas/RefundStatus/x-status-transitions/initial: initial status 'queued' is not in the enum",
        "/components/schemas/RefundStatus/x-status-transitions/statuses/pending: 'pending' cannot be reached "
        "from 'queued'",
        "/components/schemas/RefundStatus/x-status-transitions/statuses/processing: 'processing' cannot be "
        "reached from 'queued'",
        "/components/schemas/RefundStatus/x-status-transitions/statuses/completed: 'completed' cannot be reached "
        "from 'queued'",
        "/components/schemas/RefundStatus/x-status-transitions/statuses/failed: 'failed' cannot be reached from "
        "'queued'",
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            lambda d: d[0]["where"].append("/components/schemas/Gone"),
            "/x-provider-disagreements/0/where/2: '/components/schemas/Gone' points to nothing in the spec",
            id="pointer-to-nothing",
        ),
        pytest.param(
            lambda d: d[1].update(id=d[0]["id"]),
            "/x-provider-disagreements/1/id: id 'not-found-body' is used twice",
            id="repeated-id",
        ),
        pytest.param(
            lambda d: d[2].pop("sources"),
            "/x-provider-disagreements/2/sources: sources must be a non-empty list of strings",
            id="no-sources",
        ),
    ],
)
def test_lint_malformed_disagreement_is_reported(change: Callable[[list[dict[str, Any]]], Any], expected: str) -> None:
    spec = load_spec(version=V21)
    change(spec["x-provider-disagreements"])
    assert [f"{pointer}: {message}" for pointer, message in disagreement_problems(spec)] == [expected]


def test_lint_disagreement_problem_fails_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def break_records(spec: dict[str, Any]) -> None:
        spec["x-provider-disagreements"][0]["where"] = ["/paths/~1invoices/put"]

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, V21, break_records))], capsys)
    assert code == 1
    assert out.splitlines() == [
        "/x-provider-disagreements/0/where/0: '/paths/~1invoices/put' points to nothing in the spec"
    ]


@pytest.mark.parametrize("version", version_names())
def test_lint_not_openapi_is_reported_with_pointer(
    version: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def break_structure(spec: dict[str, Any]) -> None:
        spec["paths"]["/status"]["get"]["responses"] = "none"

    code, out, _ = _run(["lint", str(_write_copy(tmp_path, version, break_structure))], capsys)
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


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        pytest.param(
            {"multipleOf": "amount_not_whole"},
            "/multipleOf: 'amount_not_whole' is not in the ErrorCode enum",
            id="code",
        ),
        pytest.param(
            {"maxLength": "amount_must_be_whole_tenge"}, "/maxLength: the schema has no maxLength bound", id="keyword"
        ),
    ],
)
def test_lint_bound_error_code_must_name_a_bound_and_a_known_code(table: dict[str, str], expected: str) -> None:
    spec = load_spec(version=V21)
    _schema(spec, AMOUNT[V21])["x-error-codes"] = table
    pointer = "/components/schemas/InvoiceAmount/x-error-codes"
    assert [str(p) for p in error_code_problems(spec)] == [pointer + expected]
