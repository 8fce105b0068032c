from __future__ import annotations

from decimal import Decimal

import pytest

from apipay_harness.loadrun.calls import MAX_RETRY_WAIT, Answer, Call, judge


def _call(**overrides: object) -> Call:
    fields: dict[str, object] = {"method": "GET", "url": "/invoices/7", "name": "/invoices/{id}", "expect": (200,)}
    fields.update(overrides)
    return Call(**fields)  # type: ignore[arg-type]


def test_calls_judge_passes_an_expected_answer_its_check_accepts() -> None:
    call = _call(check=lambda status, body: None if body["id"] == 7 else "wrong id")
    assert judge(call, Answer.read(200, b'{"id": 7}')) is None


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        pytest.param(Answer.read(0, None, error=OSError("reset")), "no answer: OSError('reset')", id="none"),
        pytest.param(Answer.read(429, b'{"retry_after": 1.5}'), "429 rate limited; retrying after 1.5s", id="429"),
        pytest.param(Answer.read(500, b"<h1>boom</h1>"), "answered 500, expected 200: <h1>boom</h1>", id="status"),
        pytest.param(Answer.read(200, b"<html>"), "answered 200 without a JSON body", id="not-json"),
        pytest.param(Answer.read(200, b"[]"), "answered 200 with a body the check could not read", id="broken-body"),
    ],
)
def test_calls_judge_names_why_an_answer_fails(answer: Answer, reason: str) -> None:
    call = _call(check=lambda status, body: None if body["id"] == 7 else "wrong id")
    found = judge(call, answer)
    assert found is not None and found.startswith(reason)


def test_calls_judge_shows_at_most_200_characters_of_an_unexpected_body() -> None:
    found = judge(_call(), Answer.read(502, b"x" * 5000))
    assert found == "answered 502, expected 200: " + "x" * 200


def test_calls_answer_keeps_fractions_decimal() -> None:
    assert Answer.read(200, b'{"amount": 10.10}').body == {"amount": Decimal("10.10")}


def test_calls_retry_in_is_bounded_whatever_the_server_asks() -> None:
    assert Answer.read(429, b'{"retry_after": 86400}').retry_in == MAX_RETRY_WAIT
    assert Answer.read(429, b'{"retry_after": 2}').retry_in == 2.0


def test_calls_headers_send_the_key_to_the_api_but_not_to_the_control_api() -> None:
    assert _call().headers("k")["X-API-Key"] == "k"
    assert "X-API-Key" not in _call(url="http://127.0.0.1:8080/_control/invoices/7/pay").headers("k")


def test_calls_body_goes_as_json_with_money_as_numbers() -> None:
    call = _call(method="POST", body={"amount": Decimal("1500.50")}, fresh=True)
    assert call.data() == '{"amount":1500.50}'
    headers = call.headers("k")
    assert headers["Content-Type"] == "application/json" and headers["Connection"] == "close"
    assert "Content-Type" not in _call().headers("k") and _call().data() is None
