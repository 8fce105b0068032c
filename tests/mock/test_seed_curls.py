"""Every curl example of the seed doc (the provider's Invoices page) answers 2xx with the documented shape."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import msgspec
import pytest

from apipay_harness.mock import MockProcess, running_mock
from tests.mock.helpers import PHONE, assert_schema

SEED = Path(__file__).with_name("data") / "seed_invoices.md"
DOC_BASE = "https://bpapi.bazarbay.site/api/v1"
SHAPES = {
    ("POST", "/invoices"): "Invoice",
    ("GET", "/invoices"): "InvoicePage",
    ("GET", "/invoices/42"): "InvoiceDetail",
    ("POST", "/invoices/42/cancel"): "CancellationQueued",
    ("POST", "/invoices/status/check"): "StatusCheckResult",
    ("GET", "/invoices/42/refunds"): "InvoiceRefunds",
}


def _curls() -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", SEED.read_text(encoding="utf-8"), flags=re.S)
    return [block.strip() for block in blocks if block.strip().startswith("curl")]


CURLS = _curls()


def _method_and_path(command: str) -> tuple[str, str]:
    method = "POST" if "-X POST" in command else "GET"
    url = re.search(re.escape(DOC_BASE) + r"([^\s\"'?]*)", command)
    assert url is not None
    return method, url.group(1)


@pytest.fixture(scope="module")
def seeded() -> Iterator[MockProcess]:
    with running_mock() as mock, httpx.Client(base_url=mock.base_url, headers={"X-API-Key": "test-key"}) as api:
        for _ in range(42):
            api.post("/invoices", json={"amount": 100, "phone_number": PHONE}).raise_for_status()
        yield mock


def test_seed_doc_has_all_seven_curl_examples() -> None:
    assert len(CURLS) == 7
    assert {_method_and_path(c) for c in CURLS} == set(SHAPES)


@pytest.mark.parametrize("command", CURLS, ids=[" ".join(_method_and_path(c)) for c in CURLS])
def test_seed_curl_example_answers_2xx_with_documented_shape(seeded: MockProcess, command: str) -> None:
    runnable = command.replace(DOC_BASE, seeded.base_url).replace("YOUR_API_KEY", "test-key")
    runnable = runnable.replace("curl ", "curl -g -sS -w '\\n%{http_code}' ", 1)
    result = subprocess.run(["bash", "-c", runnable], capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    body, status = result.stdout.rsplit("\n", 1)
    assert 200 <= int(status) < 300, result.stdout
    assert_schema(msgspec.json.decode(body), SHAPES[_method_and_path(command)])
