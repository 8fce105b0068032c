"""On API 2.1 the errors and webhooks suites catch the 2.1 mock's rate-limit and retry faults and pass its variants.

Each case runs ``contract --api-version 2.1`` with ``-k`` narrowed to the checks that judge the rule, against a
2.1 mock with the fault (exit 1, the report names the check) and against the clean 2.1 mock or one of the
variants the provider's sources allow (exit 0, nothing failed): a check that never fails proves nothing, and
one that fails a documented reading is a false alarm.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from apipay_harness.core.checks import DOCUMENTED_HEADERS_SENT, ERROR_BODY_MATCHES_SCHEMA, WEBHOOK_RETRIED
from apipay_harness.mock import running_mock
from apipay_harness.mock.v21 import faults as f21
from apipay_harness.mock.v21 import variants as v21
from tests.contract.conftest import undeclared

VERSION = "2.1"
ERRORS = f"{DOCUMENTED_HEADERS_SENT.id} or {ERROR_BODY_MATCHES_SCHEMA.id}"


def _run(cli: Any, args: list[str], cwd: Path, selection: str) -> tuple[int, list[dict[str, Any]], str]:
    done = cli(["contract", "--quick", "--api-version", VERSION, *args, "-k", selection], cwd=cwd)
    results = json.loads((cwd / "reports" / "conformance.json").read_text())["checks"]
    return done.code, results, done.stdout + done.stderr[-2000:]


@pytest.mark.parametrize(
    ("fault", "selection", "check"),
    [
        pytest.param(f21.RATELIMIT_429_WITHOUT_RETRY_AFTER, ERRORS, DOCUMENTED_HEADERS_SENT, id="429-retry-after"),
        pytest.param(
            f21.WEBHOOK_NOT_RETRIED_AFTER_500,
            f"{WEBHOOK_RETRIED.id} and answered_500",
            WEBHOOK_RETRIED,
            id="webhook-retry",
        ),
    ],
)
def test_a_21_fault_is_caught_by_its_check(
    fault: Any, selection: str, check: Any, tmp_path: Path, cli: Any, args_for: Any
) -> None:
    with running_mock(api_version=VERSION, faults=[fault.name]) as mock:
        code, results, output = _run(cli, args_for(mock), tmp_path, selection)
    assert code == 1, output
    assert undeclared(results) == []
    assert check.id in {r["check"] for r in results if r["verdict"] == "failed"}, output


@pytest.mark.parametrize(
    "variants",
    [
        pytest.param([], id="clean"),
        pytest.param(
            [v21.NOT_FOUND_MESSAGE_ONLY.name, v21.UNAUTHORIZED_MESSAGE_ONLY.name, v21.VALIDATION_MESSAGE_LARAVEL.name],
            id="error-body-variants",
        ),
    ],
)
def test_the_21_errors_and_retry_checks_pass_the_clean_mock_and_the_error_variants(
    variants: list[str], tmp_path: Path, cli: Any, args_for: Any
) -> None:
    with running_mock(api_version=VERSION, variants=variants) as mock:
        code, results, output = _run(cli, args_for(mock), tmp_path, f"{ERRORS} or {WEBHOOK_RETRIED.id}")
    assert code == 0, output
    ran = {r["check"] for r in results if r["verdict"] == "passed"}
    assert {DOCUMENTED_HEADERS_SENT.id, ERROR_BODY_MATCHES_SCHEMA.id, WEBHOOK_RETRIED.id} <= ran, output
