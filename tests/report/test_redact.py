from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

import pytest

from apipay_harness.core.redact import REDACTED, Redactor, is_sensitive_name
from apipay_harness.core.results import CheckResult

KEY = "sk_live_9f8e/7d+6c=5b"
SECRET = "whsec-Δ-секрет"


@pytest.fixture
def redactor() -> Redactor:
    return Redactor([KEY, SECRET, "test-key", "test-key-2"])


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("X-API-Key", id="x-api-key"),
        pytest.param("authorization", id="authorization"),
        pytest.param("secret", id="webhook-secret"),
        pytest.param("webhook_secret", id="underscore"),
        pytest.param("refresh_token", id="token-marker"),
        pytest.param("db_password", id="password-marker"),
        pytest.param("Cookie", id="cookie"),
    ],
)
def test_sensitive_name_is_recognised(name: str) -> None:
    assert is_sensitive_name(name)


@pytest.mark.parametrize("name", ["amount", "X-RateLimit-Remaining", "idempotency_key", "external_order_id"])
def test_harmless_name_is_not_sensitive(name: str) -> None:
    assert not is_sensitive_name(name)


def test_redactor_text_removes_raw_secret_values(redactor: Redactor) -> None:
    text = f"sent {KEY} and signed with {SECRET}"
    assert redactor.text(text) == f"sent {REDACTED} and signed with {REDACTED}"


@pytest.mark.parametrize("encode", [quote, quote_plus, lambda s: quote(s, safe="")], ids=["quote", "plus", "strict"])
def test_redactor_text_removes_url_encoded_secret(redactor: Redactor, encode: object) -> None:
    url = f"http://127.0.0.1/api/v1/x?k={encode(KEY)}&s={encode(SECRET)}"  # type: ignore[operator]
    out = redactor.text(url)
    assert KEY not in out and encode(KEY) not in out and encode(SECRET) not in out  # type: ignore[operator]
    assert out.startswith("http://127.0.0.1/api/v1/x?k=")


def test_redactor_text_removes_json_escaped_secret(redactor: Redactor) -> None:
    body = json.dumps({"note": SECRET})  # ensure_ascii escapes the Cyrillic letters
    assert "\\u" in body
    assert json.loads(redactor.text(body)) == {"note": REDACTED}


def test_redactor_text_prefers_longer_secret_over_its_prefix(redactor: Redactor) -> None:
    assert redactor.text("key test-key-2 here") == f"key {REDACTED} here"


def test_redactor_text_redacts_unknown_value_of_sensitive_header(redactor: Redactor) -> None:
    text = "Authorization: Bearer abc.def.ghi\nX-API-Key: something-unlisted\nAccept: */*"
    assert redactor.text(text) == f"Authorization: {REDACTED}\nX-API-Key: {REDACTED}\nAccept: */*"


def test_redactor_text_redacts_sensitive_query_parameter(redactor: Redactor) -> None:
    out = redactor.text("GET http://h/api/v1/invoices?api_key=unlisted&page=2")
    assert out == f"GET http://h/api/v1/invoices?api_key={REDACTED}&page=2"


def test_redactor_text_redacts_sensitive_member_in_json_text(redactor: Redactor) -> None:
    out = redactor.text('{"url": "http://h/hook", "secret": "not-a-known-value", "amount": "10.00"}')
    assert json.loads(out) == {"url": "http://h/hook", "secret": REDACTED, "amount": "10.00"}


def test_redactor_text_keeps_ordinary_messages(redactor: Redactor) -> None:
    message = "Expected: 422 with an errors entry for amount\nReceived: 201 {'amount': '0.00'}"
    assert redactor.text(message) == message


def test_redactor_value_redacts_nested_keyed_fields(redactor: Redactor) -> None:
    data = {
        "request": {"headers": {"X-API-Key": "unlisted", "Content-Type": "application/json"}},
        "webhooks": [{"url": "http://h", "secret": "abc"}, {"note": f"key was {KEY}"}],
        "amount": "100.00",
        "tuple": ("test-key", 3),
    }
    assert redactor.value(data) == {
        "request": {"headers": {"X-API-Key": REDACTED, "Content-Type": "application/json"}},
        "webhooks": [{"url": "http://h", "secret": REDACTED}, {"note": f"key was {REDACTED}"}],
        "amount": "100.00",
        "tuple": (REDACTED, 3),
    }


def test_redactor_value_leaves_non_text_scalars(redactor: Redactor) -> None:
    assert redactor.value({"id": 42, "paid": True, "due": None}) == {"id": 42, "paid": True, "due": None}


def test_redactor_result_redacts_every_text_field(redactor: Redactor) -> None:
    result = CheckResult(
        "webhooks",
        "*",
        "signature",
        "failed",
        title=f"signed with {SECRET}",
        message=f"Received: header X-API-Key: {KEY}",
        reproducer=f"curl -H 'X-API-Key: {KEY}' http://h",
        extra={"secret": SECRET, "deliveries": [{"body": f"...{KEY}..."}]},
    )
    dumped = json.dumps(redactor.result(result).to_dict(), ensure_ascii=False)
    assert KEY not in dumped and SECRET not in dumped
    assert redactor.result(result).check == "signature"


def test_redactor_result_keeps_the_harness_words_when_a_key_is_short() -> None:
    short = Redactor(["k"])
    result = CheckResult("lists", "GET /invoices", "sorted_by_key", "skipped", message="no key k given")
    redacted = short.result(result)
    assert (redacted.suite, redacted.operation, redacted.check, redacted.verdict) == (
        "lists",
        "GET /invoices",
        "sorted_by_key",
        "skipped",
    )
    assert "k given" not in redacted.message


def test_redactor_replaces_another_tools_placeholder_whole(redactor: Redactor) -> None:
    assert redactor.text("curl -H 'X-API-Key: [Filtered]' http://h") == "curl -H 'X-API-Key: [redacted]' http://h"


def test_redactor_repr_hides_secrets(redactor: Redactor) -> None:
    assert KEY not in repr(redactor) and "test-key" not in repr(redactor)


def test_redactor_add_redacts_a_secret_made_up_during_the_run(redactor: Redactor) -> None:
    assert redactor.text("hmac keyed by made-up-77") == "hmac keyed by made-up-77"
    redactor.add("made-up-77")
    assert redactor.text("hmac keyed by made-up-77") == f"hmac keyed by {REDACTED}"
    assert redactor.text(f"still {KEY}") == f"still {REDACTED}"


LONG_KEY = "hk-7d41c0a9e35b2f68c1d04e9a"


@pytest.mark.parametrize("cut", [8, 14, 20, len(LONG_KEY) - 1])
def test_redactor_text_removes_a_key_cut_in_half_at_either_end(cut: int) -> None:
    redactor = Redactor([LONG_KEY])
    head = f"Received: 400 {{'message': 'bad key {LONG_KEY[:cut]}"  # a message cut after `cut` characters of it
    tail = f"{LONG_KEY[-cut:]} was refused'}}"  # a text that starts inside the key
    assert LONG_KEY[:8] not in redactor.text(head) and redactor.text(head).endswith(REDACTED)
    assert LONG_KEY[-8:] not in redactor.text(tail) and redactor.text(tail).startswith(REDACTED)


def test_redactor_text_removes_any_eight_character_piece_of_a_secret() -> None:
    redactor = Redactor([LONG_KEY])
    for start in range(len(LONG_KEY) - 7):
        piece = LONG_KEY[start : start + 8]
        assert piece not in redactor.text(f"xx {piece} yy"), piece


def test_redactor_text_keeps_pieces_shorter_than_eight_characters() -> None:
    assert Redactor([LONG_KEY]).text(f"id {LONG_KEY[:7]}") == f"id {LONG_KEY[:7]}"


def test_redactor_text_merges_overlapping_pieces_into_one_mark() -> None:
    redactor = Redactor([LONG_KEY])
    assert redactor.text(f"<{LONG_KEY[3:20]}>") == f"<{REDACTED}>"


def test_redactor_keeps_words_that_are_pieces_of_a_published_mock_key() -> None:
    redactor = Redactor(["unverified-key", LONG_KEY], whole_only=["unverified-key"])
    text = "sent the unverified organization's key"
    assert redactor.text(text) == text
    assert redactor.text("key unverified-key here") == f"key {REDACTED} here"


def test_redactor_excerpt_redacts_before_it_cuts() -> None:
    redactor = Redactor([LONG_KEY])
    text = "x" * 190 + LONG_KEY + " tail"
    assert redactor.excerpt(text, 200) == "x" * 190 + REDACTED


def test_redactor_redacts_pieces_of_a_secret_added_during_the_run() -> None:
    redactor = Redactor()
    redactor.add("whsec_0123456789abcdef")
    assert redactor.text("signed with whsec_0123456789") == f"signed with {REDACTED}"
