"""The judge on receivers written here: the documented way passes, each sloppy way fails with its reason named."""

from __future__ import annotations

import hashlib
import hmac
import json
import shlex
import shutil
import subprocess
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from apipay_harness.core.spec import load_spec
from apipay_harness.core.versions import DEFAULT_VERSION, version_names
from apipay_harness.receiver import CHECKS, ReceiverOptions, ReceiverOutcome, run_receiver
from apipay_harness.receiver.payloads import INVOICE_AMOUNT
from tests.receiver import receivers
from tests.receiver.receivers import SECRET, serving

FORGERIES = [name for name, check in CHECKS.items() if check.suite == "signature"]


def _judge(url: str, tmp_path: Path, **options: object) -> tuple[ReceiverOutcome, dict[str, Any]]:
    outcome = run_receiver(ReceiverOptions(url=url, secret=SECRET, report_dir=tmp_path, **options))  # type: ignore[arg-type]
    report = json.loads((tmp_path / "conformance.json").read_text(encoding="utf-8"))
    return outcome, report


def _failed(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["check"], c["operation"]): c for c in report["checks"] if c["verdict"] == "failed"}


_NOT_APPLICABLE = {DEFAULT_VERSION: {"distinct_refunds_each_processed"}, "2.1": set()}
"""Checks a version's spec gives nothing to judge: the seed's docs key refund events by the invoice's status."""


@pytest.mark.parametrize("version", version_names())
def test_documented_receiver_with_probe_passes_every_check(tmp_path: Path, version: str) -> None:
    with serving(receivers.documented()) as served:
        outcome, report = _judge(served.url, tmp_path, probe_url=served.probe_url, api_version=version)
    assert outcome.exit_code == 0, [p.title for p in outcome.problems]
    verdicts = {c["check"]: c["verdict"] for c in report["checks"]}
    assert {check for check, verdict in verdicts.items() if verdict != "passed"} == _NOT_APPLICABLE[version]
    assert {verdicts[check] for check in _NOT_APPLICABLE[version]} <= {"skipped"}
    assert set(verdicts) == set(CHECKS)
    assert "probe" in report["mode"]


@pytest.mark.parametrize("version", version_names())
def test_every_documented_event_and_status_is_sent(tmp_path: Path, version: str) -> None:
    spec = load_spec(version=version)
    transitions = spec["components"]["schemas"]["InvoiceStatus"]["x-status-transitions"]["webhooks"]
    expected = {f"{event} {status}" for event, statuses in transitions.items() for status in statuses}
    expected |= {event for event in spec["webhooks"] if event not in transitions}
    with serving(receivers.documented()) as served:
        _, report = _judge(served.url, tmp_path, api_version=version)
    sent = {c["operation"] for c in report["checks"] if c["check"] == "signed_delivery_accepted"}
    assert sent == expected


def test_receiver_keying_refund_events_by_the_invoice_loses_the_second_refund_of_2_1(tmp_path: Path) -> None:
    """2.1 keys a refund event by its refund: a receiver that de-duplicates on the invoice's status, as the seed's
    docs said, drops the second partial refund; its probe shows it."""
    with serving(receivers.documented(by_refund=False)) as served:
        outcome, report = _judge(served.url, tmp_path, probe_url=served.probe_url, api_version="2.1")
    assert outcome.exit_code == 1
    failed = _failed(report)
    assert {check for check, _ in failed} == {"distinct_refunds_each_processed"}
    finding = next(iter(failed.values()))
    assert finding["title"].endswith("processed 0 times")
    assert finding["rule"] == "/x-webhook-delivery/dedup_keys/invoice.refunded"
    assert "refund.id=" in finding["message"]


def test_receiver_keying_refund_events_by_the_invoice_passes_the_seed_docs(tmp_path: Path) -> None:
    with serving(receivers.documented(by_refund=False)) as served:
        outcome, _ = _judge(served.url, tmp_path, probe_url=served.probe_url)
    assert outcome.exit_code == 0, [p.title for p in outcome.problems]


def test_two_refunds_answered_2xx_pass_without_a_probe_which_alone_could_see_the_loss(tmp_path: Path) -> None:
    with serving(receivers.documented(by_refund=False)) as served:
        outcome, report = _judge(served.url, tmp_path, api_version="2.1")
    assert outcome.exit_code == 0
    verdicts = {c["check"]: c["verdict"] for c in report["checks"]}
    assert verdicts["distinct_refunds_each_processed"] == "passed"
    assert verdicts["probe_contract_followed"] == "skipped"


def test_receiver_without_signature_check_fails_every_forgery(tmp_path: Path) -> None:
    with serving(receivers.no_signature_check()) as served:
        outcome, report = _judge(served.url, tmp_path)
    assert outcome.exit_code == 1
    failed = _failed(report)
    assert {check for check, _ in failed} == set(FORGERIES)
    wrong = failed[("wrong_signature_rejected", "invoice.status_changed paid")]
    assert wrong["title"] == "accepted a delivery with a wrong signature"
    assert wrong["rule"] == "/components/parameters/WebhookSignature"


def test_receiver_verifying_reserialised_json_fails_the_respaced_body(tmp_path: Path) -> None:
    with serving(receivers.reserialised_signature()) as served:
        outcome, report = _judge(served.url, tmp_path)
    assert outcome.exit_code == 1
    failed = _failed(report)
    assert {check for check, _ in failed} == {"respaced_body_rejected"}
    title = failed[("respaced_body_rejected", "invoice.refunded refunded")]["title"]
    assert "re-spaced after signing" in title


def test_receiver_verifying_python_default_json_rejects_real_deliveries(tmp_path: Path) -> None:
    with serving(receivers.naive_reserialised_signature()) as served:
        outcome, report = _judge(served.url, tmp_path)
    assert outcome.exit_code == 1
    failed = _failed(report)
    paid = failed[("signed_delivery_accepted", "invoice.status_changed paid")]
    assert paid["title"].startswith("a correctly signed delivery: answered 401")


def test_slow_receiver_fails_the_answer_time_on_the_events_it_is_slow_on(tmp_path: Path) -> None:
    release = threading.Event()
    with serving(receivers.slow(release=release), on_stop=release.set) as served:
        outcome, report = _judge(served.url, tmp_path, answer_within=Decimal("1"))
    assert outcome.exit_code == 1
    failed = _failed(report)
    paid = failed[("signed_delivery_accepted", "invoice.status_changed paid")]
    assert paid["title"] == "a correctly signed delivery: no answer within 1 s"
    assert paid["rule"] == "/x-webhook-delivery/answer_within_seconds"
    assert ("signed_delivery_accepted", "invoice.status_changed cancelled") not in failed
    assert "stricter than the documented 30 s" in report["mode"]


def test_receiver_answering_500_to_a_duplicate_fails_idempotency(tmp_path: Path) -> None:
    with serving(receivers.fails_on_duplicate()) as served:
        outcome, report = _judge(served.url, tmp_path)
    assert outcome.exit_code == 1
    failed = _failed(report)
    assert {check for check, _ in failed} == {"duplicate_delivery_accepted", "late_duplicate_accepted"}
    duplicate = failed[("duplicate_delivery_accepted", "invoice.status_changed paid")]
    assert duplicate["title"] == "the same delivery sent twice: answered 500 in " + duplicate["title"].split(" in ")[1]
    assert "2. answered 500" in duplicate["message"]


def test_receiver_processing_duplicates_is_caught_by_its_probe(tmp_path: Path) -> None:
    with serving(receivers.processes_duplicates()) as served:
        outcome, report = _judge(served.url, tmp_path, probe_url=served.probe_url)
    assert outcome.exit_code == 1
    failed = _failed(report)
    assert {check for check, _ in failed} == {"duplicate_delivery_accepted", "late_duplicate_accepted"}
    duplicate = failed[("duplicate_delivery_accepted", "invoice.refunded partially_refunded")]
    assert duplicate["title"].endswith("processed 2 times")


def test_without_probe_the_report_says_only_answers_are_judged(tmp_path: Path) -> None:
    with serving(receivers.processes_duplicates()) as served:
        outcome, report = _judge(served.url, tmp_path)
    skipped = {c["check"]: c for c in report["checks"] if c["verdict"] == "skipped"}
    assert set(skipped) == {"probe_contract_followed", *_NOT_APPLICABLE[DEFAULT_VERSION]}
    assert "only the answers are judged" in skipped["probe_contract_followed"]["message"]
    assert "answers only" in report["mode"]
    assert outcome.exit_code == 0


def _curl_parts(reproducer: str) -> tuple[bytes, dict[str, str]]:
    """The body and headers of the first curl command in a reproducer."""
    words = shlex.split(reproducer.split("\n# 2 of")[0], comments=True)
    assert words[:2] == ["curl", "-sS"]
    body = words[words.index("--data-raw") + 1].encode("utf-8")
    pairs = [words[i + 1].split(": ", 1) for i, w in enumerate(words) if w == "-H"]
    return body, {name.lower(): value for name, value in pairs}


def test_reproducer_carries_the_exact_bytes_and_their_signature(tmp_path: Path) -> None:
    with serving(receivers.fails_on_duplicate()) as served:
        _, report = _judge(served.url, tmp_path)
    result = _failed(report)[("duplicate_delivery_accepted", "invoice.status_changed paid")]
    body, headers = _curl_parts(result["reproducer"])
    assert headers["x-webhook-signature"] == "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["content-type"] == "application/json"
    assert json.loads(body)["invoice"]["status"] == "paid"
    assert result["reproducer"].count("curl -sS") == 2


def test_forgery_reproducer_shows_the_tampered_bytes_under_the_original_signature(tmp_path: Path) -> None:
    with serving(receivers.no_signature_check()) as served:
        _, report = _judge(served.url, tmp_path)
    result = _failed(report)[("altered_body_rejected", "invoice.status_changed paid")]
    body, headers = _curl_parts(result["reproducer"])
    assert headers["x-webhook-signature"] != "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert Decimal(json.loads(body)["invoice"]["amount"]) == INVOICE_AMOUNT + 1000


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_reproducer_replays_with_curl_to_the_same_answer(tmp_path: Path) -> None:
    with serving(receivers.fails_on_duplicate()) as served:
        _, report = _judge(served.url, tmp_path)
        result = _failed(report)[("duplicate_delivery_accepted", "invoice.refunded refunded")]
        first = result["reproducer"].split("\n# 2 of")[0]
        done = subprocess.run(["bash", "-c", first], capture_output=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(b"HTTP/1.1 500"), done.stdout[:200]
