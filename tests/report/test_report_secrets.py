from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import httpx

from apipay_harness.core.redact import REDACTED, Redactor
from apipay_harness.core.reproducer import curl
from apipay_harness.core.results import CheckResult

API_KEY = "live-key-7Qx/9+z"
API_KEY_2 = "live-key-2-Lm0"
WEBHOOK_SECRET = "whsec_3b1f9c"
SECRETS = (API_KEY, API_KEY_2, WEBHOOK_SECRET)


def _results_full_of_secrets() -> list[CheckResult]:
    """Results as the plugin would record them before redaction: keys in requests, bodies, URLs and extras."""
    client = httpx.Client(base_url="http://127.0.0.1:8080/api/v1", headers={"X-API-Key": API_KEY})
    register = client.build_request(
        "POST", "/_control/webhooks", json={"url": "http://127.0.0.1:9000/hook", "secret": WEBHOOK_SECRET}
    )
    leaky = client.build_request("GET", "/invoices", params={"api_key": API_KEY_2, "status[]": "paid"})
    return [
        CheckResult(
            "webhooks",
            "*",
            "signature_over_raw_body",
            "failed",
            title=f"signature not keyed by {WEBHOOK_SECRET}",
            message=f"Expected: sha256=HMAC({WEBHOOK_SECRET}, body)\nReceived: headers {{'X-API-Key': '{API_KEY}'}}",
            rule="#/webhooks/invoice.status_changed",
            reproducer=str(curl(register)),
            extra={"registration": {"url": "http://127.0.0.1:9000/hook", "secret": WEBHOOK_SECRET}},
        ),
        CheckResult(
            "auth",
            "GET /invoices",
            "other_org_never_listed",
            "failed",
            message=f"Received: invoice of the org with key {API_KEY_2} at {quote(str(leaky.url), safe='')}",
            reproducer=str(curl(leaky)),
            extra={"keys": [API_KEY, API_KEY_2], "headers": {"Authorization": f"Bearer {API_KEY}"}},
        ),
        CheckResult("errors", "*", "rate_limit", "skipped", message=f"no rate-limited key besides {API_KEY}"),
        CheckResult("schema", "POST /invoices", "not_a_server_error", "passed", cases=10),
    ]


def test_no_secret_reaches_any_report_file(write_report) -> None:
    redactor = Redactor(SECRETS)
    report_dir: Path = write_report(redactor.result(r) for r in _results_full_of_secrets())
    files = sorted(report_dir.iterdir())
    assert len(files) == 4
    for path in files:
        text = path.read_text(encoding="utf-8")
        for secret in SECRETS:
            for form in (secret, quote(secret, safe=""), json.dumps(secret)[1:-1]):
                assert form not in text, f"{form!r} leaked into {path.name}"
        assert REDACTED in text


def test_secret_report_still_says_what_failed(write_report) -> None:
    redactor = Redactor(SECRETS)
    report_dir: Path = write_report(redactor.result(r) for r in _results_full_of_secrets())
    data = json.loads((report_dir / "conformance.json").read_text())
    webhook = next(c for c in data["checks"] if c["check"] == "signature_over_raw_body")
    assert webhook["verdict"] == "failed"
    assert webhook["extra"] == {"registration": {"url": "http://127.0.0.1:9000/hook", "secret": REDACTED}}
    assert "X-API-Key: [redacted]" in webhook["reproducer"]
