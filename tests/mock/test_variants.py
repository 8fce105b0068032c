"""Each variant of the catalog really changes what the mock answers, over HTTP (a mock process per variant).

A variant is another behaviour the documents allow; these tests pin that the switch works, so a
selftest where the suites pass a variant means the suites passed that behaviour, not the default one.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from apipay_harness.core.errors import HarnessError, UsageError
from apipay_harness.core.webhook_inbox import webhook_inbox as webhook_receiver
from apipay_harness.mock import VARIANTS, create_app, running_mock
from apipay_harness.mock import variants as v
from tests.cli_run import harness
from tests.mock.helpers import PHONE, wait_for

CART = [{"catalog_item_id": 101, "count": 2}]
SECRET = "whsec_variants"


@dataclass
class Mock:
    api: httpx.Client
    control: httpx.Client

    def create(self, **fields: Any) -> dict[str, Any]:
        response = self.api.post("/invoices", json={"amount": 100, "phone_number": PHONE, **fields})
        assert response.status_code == 201, response.text
        body: dict[str, Any] = response.json()
        return body

    def pay(self, invoice_id: int) -> None:
        assert self.control.post(f"/invoices/{invoice_id}/pay", json={"client_name": "Aigerim"}).status_code == 200

    def refund(self, invoice_id: int, amount: str | None = None) -> dict[str, Any]:
        body = "{}" if amount is None else f'{{"amount": {Decimal(amount)}}}'  # the exact decimal as a JSON number
        response = self.api.post(
            f"/invoices/{invoice_id}/refund", content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 201, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def get(self, invoice_id: int) -> dict[str, Any]:
        response = self.api.get(f"/invoices/{invoice_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def advance(self, seconds: float) -> None:
        self.control.post("/clock/advance", json={"seconds": seconds}).raise_for_status()


@contextmanager
def mock_with(*variants: v.Variant) -> Iterator[Mock]:
    """A mock process with ``variants`` on (none: the default mock, for the contrast)."""
    with (
        running_mock(variants=[variant.name for variant in variants]) as mock,
        httpx.Client(base_url=mock.base_url, headers={"X-API-Key": "test-key"}, timeout=10) as api,
        httpx.Client(base_url=mock.control_url, timeout=10) as control,
    ):
        yield Mock(api, control)


@pytest.fixture(scope="module")
def default() -> Iterator[Mock]:
    with mock_with() as mock:
        yield mock


def _hook(mock: Mock, url: str) -> None:
    response = mock.control.post("/webhooks", json={"url": url, "secret": SECRET}, headers={"X-API-Key": "test-key"})
    assert response.status_code == 201


# -- the shape of answers -------------------------------------------------------------------------------------------


def test_refund_answer_as_documented_drops_is_fully_refunded_from_the_refund_answer_only(default: Mock) -> None:
    with mock_with(v.REFUND_ANSWER_AS_DOCUMENTED) as mock:
        invoice = mock.create()
        mock.pay(invoice["id"])
        answer = mock.refund(invoice["id"], "40")
        assert set(answer["invoice"]) == {"id", "amount", "status", "total_refunded", "available_for_refund"}
        assert "is_fully_refunded" in mock.api.get(f"/invoices/{invoice['id']}/refunds").json()["invoice"]
    invoice = default.create()
    default.pay(invoice["id"])
    assert "is_fully_refunded" in default.refund(invoice["id"], "40")["invoice"]


def test_optional_fields_absent_leaves_out_what_the_spec_does_not_require(default: Mock) -> None:
    required = {"id", "amount", "status", "phone_number", "created_at"}
    with mock_with(v.OPTIONAL_FIELDS_ABSENT) as mock:
        invoice = mock.create(description="kept in the details")
        assert set(invoice) == required
        detail = mock.get(invoice["id"])
        assert "available_for_refund" not in detail and detail["description"] == "kept in the details"
        rows = mock.api.get("/invoices", params={"per_page": 5}).json()["data"]
        assert rows and all(set(row) == required for row in rows)
        assert "selling_price" in mock.api.get("/catalog").json()["data"][0]  # catalog answers keep their fields
    assert set(default.create()) > required


def test_create_answer_omits_unset_leaves_out_only_what_was_not_given(default: Mock) -> None:
    with mock_with(v.CREATE_ANSWER_OMITS_UNSET) as mock:
        bare = mock.create()
        given = mock.create(description="Order #1", external_order_id="o-1")
        assert "description" not in bare and "external_order_id" not in bare
        assert (given["description"], given["external_order_id"]) == ("Order #1", "o-1")
        rows = {row["id"]: row for row in mock.api.get("/invoices").json()["data"]}
        assert "description" not in rows[bare["id"]] and rows[given["id"]]["external_order_id"] == "o-1"
        assert mock.get(bare["id"])["description"] is None  # the details keep every field
    assert default.create()["description"] is None


def test_extra_properties_adds_one_to_every_object_of_answers_and_webhooks(default: Mock) -> None:
    with mock_with(v.EXTRA_PROPERTIES) as mock, webhook_receiver() as receiver:
        _hook(mock, receiver.url)
        invoice = mock.create()
        assert "trace_id" in invoice
        page = mock.api.get("/invoices").json()
        assert "trace_id" in page and "trace_id" in page["meta"] and "trace_id" in page["data"][0]
        refused = mock.api.post("/invoices", json={"amount": 0, "phone_number": PHONE}).json()
        assert "trace_id" in refused and set(refused["errors"]) == {"amount"}  # the field map gets no bogus field
        mock.pay(invoice["id"])
        wait_for(lambda: receiver.received)
        payload = json.loads(receiver.received[0][0])
        assert "trace_id" in payload and "trace_id" in payload["invoice"]
        assert receiver.verified(SECRET) == [True]
    assert "trace_id" not in default.create()


def test_timestamps_long_form_writes_microseconds_and_an_offset(default: Mock) -> None:
    long_form = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$")
    with mock_with(v.TIMESTAMPS_LONG_FORM) as mock:
        invoice = mock.create()
        mock.pay(invoice["id"])
        detail = mock.get(invoice["id"])
        assert long_form.match(detail["created_at"]) and long_form.match(detail["paid_at"])
    assert default.create()["created_at"].endswith("Z")


def test_webhook_source_api_says_api_on_status_changes(default: Mock) -> None:
    for mock_cm, source in ((mock_with(v.WEBHOOK_SOURCE_API), "api"), (mock_with(), "kaspi")):
        with mock_cm as mock, webhook_receiver() as receiver:
            _hook(mock, receiver.url)
            mock.pay(mock.create()["id"])
            wait_for(lambda receiver=receiver: receiver.received)
            assert json.loads(receiver.received[0][0])["source"] == source


def test_messages_reworded_changes_every_message_but_not_the_fields(default: Mock) -> None:
    with mock_with(v.MESSAGES_REWORDED) as mock:
        unauthorized = mock.api.get("/invoices", headers={"X-API-Key": "wrong"}).json()
        refused = mock.api.post("/invoices", json={"amount": 0, "phone_number": PHONE}).json()
        invoice = mock.create()
        mock.pay(invoice["id"])
        refund = mock.refund(invoice["id"], "1")
    assert unauthorized["message"] != "Invalid API key"
    assert refused["message"] != "Validation failed" and list(refused["errors"]) == ["amount"]
    assert refused["errors"]["amount"] != ["The amount field must be at least 0.01."]
    assert refund["message"] != "Refund initiated successfully"
    assert default.api.get("/invoices", headers={"X-API-Key": "wrong"}).json()["message"] == "Invalid API key"


def test_error_keys_bracketed_names_nested_fields_with_brackets(default: Mock) -> None:
    body = {"phone_number": PHONE, "cart_items": [{"catalog_item_id": 101, "count": 0}]}
    with mock_with(v.ERROR_KEYS_BRACKETED) as mock:
        errors = mock.api.post("/invoices", json=body).json()["errors"]
        assert list(errors) == ["cart_items[0][count]"]
        assert list(mock.api.post("/invoices", json={"amount": 1, "phone_number": "1"}).json()["errors"]) == [
            "phone_number"
        ]
    assert list(default.api.post("/invoices", json=body).json()["errors"]) == ["cart_items.0.count"]


def test_available_for_refund_before_payment_shows_the_amount(default: Mock) -> None:
    with mock_with(v.AVAILABLE_BEFORE_PAYMENT) as mock:
        invoice = mock.create(amount=250.5)
        assert mock.get(invoice["id"])["available_for_refund"] == "250.50"
        mock.pay(invoice["id"])
        mock.refund(invoice["id"], "50")
        assert mock.get(invoice["id"])["available_for_refund"] == "200.50"
    assert default.get(default.create()["id"])["available_for_refund"] == "0.00"


# -- invoices -------------------------------------------------------------------------------------------------------


def test_cart_amount_validated_refuses_an_amount_outside_bounds_beside_the_cart(default: Mock) -> None:
    body = {"amount": 0, "phone_number": PHONE, "cart_items": CART}
    with mock_with(v.CART_AMOUNT_VALIDATED) as mock:
        refused = mock.api.post("/invoices", json=body)
        assert refused.status_code == 422 and "amount" in refused.json()["errors"]
        kept = mock.api.post("/invoices", json={**body, "amount": 5})
        assert kept.status_code == 201 and Decimal(kept.json()["amount"]) == Decimal("3001.00")
    assert default.api.post("/invoices", json=body).status_code == 201


def test_amount_wins_over_cart_bills_the_amount_and_ignores_the_cart(default: Mock) -> None:
    body = {"amount": 10, "phone_number": PHONE, "cart_items": CART}
    with mock_with(v.AMOUNT_WINS_OVER_CART) as mock:
        invoice = mock.create(**body)
        assert (invoice["amount"], mock.get(invoice["id"])["items"]) == ("10.00", [])
        assert mock.api.post("/invoices", json={**body, "amount": 0}).status_code == 422
    assert default.create(**body)["amount"] == "3001.00"


def test_ids_sparse_unordered_gives_high_ids_out_of_creation_order(default: Mock) -> None:
    with mock_with(v.IDS_SPARSE_UNORDERED) as mock:
        ids = [mock.create()["id"] for _ in range(4)]
        assert min(ids) > 5_000_000_000
        assert ids != sorted(ids) and all(abs(b - a) > 1000 for a, b in zip(ids, ids[1:], strict=False))
        newest_first = [row["id"] for row in mock.api.get("/invoices", params={"per_page": 10}).json()["data"]]
        assert newest_first == ids[::-1]  # created_at order is creation order, whatever the ids
        by_id = [
            row["id"] for row in mock.api.get("/invoices", params={"sort_by": "id", "sort_order": "asc"}).json()["data"]
        ]
        assert by_id == sorted(ids)
    first, second = default.create()["id"], default.create()["id"]
    assert second == first + 1


def test_invoices_expire_sooner_after_five_clock_minutes(default: Mock) -> None:
    with mock_with(v.INVOICES_EXPIRE_SOONER) as mock:
        invoice = mock.create()
        mock.advance(301)
        assert mock.get(invoice["id"])["status"] == "expired"
    invoice = default.create()
    default.advance(301)
    assert default.get(invoice["id"])["status"] == "pending"


# -- cancel ---------------------------------------------------------------------------------------------------------


def test_cancel_synchronous_answers_200_cancelled(default: Mock) -> None:
    with mock_with(v.CANCEL_SYNCHRONOUS) as mock:
        answer = mock.api.post(f"/invoices/{mock.create()['id']}/cancel")
        assert (answer.status_code, answer.json()["status"]) == (200, "cancelled")
    assert default.api.post(f"/invoices/{default.create()['id']}/cancel").status_code == 202


def _status_after_cancel(mock: Mock, invoice_id: int, seconds: float) -> str:
    assert mock.api.post(f"/invoices/{invoice_id}/cancel").status_code == 202
    mock.advance(seconds)
    return str(mock.get(invoice_id)["status"])


def test_cancel_delays_vary_by_invoice(default: Mock) -> None:
    with mock_with(v.CANCEL_DELAYS_VARY) as mock:
        invoices = {invoice["id"] % 3: invoice["id"] for invoice in (mock.create() for _ in range(3))}
        assert _status_after_cancel(mock, invoices[0], 0) == "cancelled"  # due at once
        assert _status_after_cancel(mock, invoices[2], 2) == "cancelling"  # due after 45 s
        mock.advance(44)
        assert mock.get(invoices[2])["status"] == "cancelled"
    assert _status_after_cancel(default, default.create()["id"], 0) == "cancelling"


# -- refunds --------------------------------------------------------------------------------------------------------


def _refund_statuses(mock: Mock, invoice_id: int) -> dict[int, str]:
    refunds = mock.api.get(f"/invoices/{invoice_id}/refunds").json()["refunds"]
    return {int(r["id"]) % 4: str(r["status"]) for r in refunds}


def test_refund_delays_vary_by_refund(default: Mock) -> None:
    with mock_with(v.REFUND_DELAYS_VARY) as mock:
        invoice = mock.create(amount=100)
        mock.pay(invoice["id"])
        for _ in range(4):
            mock.refund(invoice["id"], "1")
        assert _refund_statuses(mock, invoice["id"])[0] == "completed"
        mock.advance(60)
        statuses = _refund_statuses(mock, invoice["id"])
        assert statuses[2] == "completed" and statuses[3] == "pending"  # 45 s versus two hours
    invoice = default.create()
    default.pay(invoice["id"])
    default.refund(invoice["id"], "1")
    default.advance(60)
    assert set(_refund_statuses(default, invoice["id"]).values()) == {"completed"}


def test_over_refund_refused_400_answers_400_with_a_message(default: Mock) -> None:
    for mock_cm, status in ((mock_with(v.OVER_REFUND_REFUSED_400), 400), (mock_with(), 422)):
        with mock_cm as mock:
            invoice = mock.create(amount=10)
            mock.pay(invoice["id"])
            refused = mock.api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 10.01})
            assert refused.status_code == status and refused.json()["message"]


def test_refunds_pass_through_processing_before_completed(default: Mock) -> None:
    with mock_with(v.REFUNDS_PASS_THROUGH_PROCESSING) as mock:
        invoice = mock.create()
        mock.pay(invoice["id"])
        mock.refund(invoice["id"])
        mock.advance(3)
        assert set(_refund_statuses(mock, invoice["id"]).values()) == {"processing"}
        mock.advance(3)
        assert set(_refund_statuses(mock, invoice["id"]).values()) == {"completed"}
    invoice = default.create()
    default.pay(invoice["id"])
    default.refund(invoice["id"])
    default.advance(3)
    assert set(_refund_statuses(default, invoice["id"]).values()) == {"pending"}


def _first_refund_fails(mock: Mock) -> dict[str, Any]:
    """Pay 100, refund 40 then 10, let both fall due: the invoice's refunds and totals as the mock shows them."""
    invoice = mock.create(amount=100)
    mock.pay(invoice["id"])
    mock.refund(invoice["id"], "40")
    mock.refund(invoice["id"], "10")
    mock.advance(60)
    body: dict[str, Any] = mock.api.get(f"/invoices/{invoice['id']}/refunds").json()
    return body


def test_refunds_sometimes_fail_fails_the_first_partial_refund_and_gives_its_amount_back(default: Mock) -> None:
    with mock_with(v.REFUNDS_SOMETIMES_FAIL) as mock:
        body = _first_refund_fails(mock)
        assert [r["status"] for r in body["refunds"]] == ["failed", "completed"]
        assert body["invoice"]["status"] == "partially_refunded"
        assert (body["invoice"]["total_refunded"], body["invoice"]["available_for_refund"]) == ("10.00", "90.00")
        invoice = mock.create(amount=100)  # a first refund that refunds everything never fails
        mock.pay(invoice["id"])
        mock.refund(invoice["id"])
        mock.advance(60)
        assert set(_refund_statuses(mock, invoice["id"]).values()) == {"completed"}
    body = _first_refund_fails(default)
    assert [r["status"] for r in body["refunds"]] == ["completed", "completed"]
    assert body["invoice"]["total_refunded"] == "50.00"


def test_failed_refunds_still_count_keeps_a_failed_refund_in_the_totals(default: Mock) -> None:
    with mock_with(v.FAILED_REFUNDS_STILL_COUNT) as mock:
        body = _first_refund_fails(mock)
        assert [r["status"] for r in body["refunds"]] == ["failed", "completed"]
        assert (body["invoice"]["total_refunded"], body["invoice"]["available_for_refund"]) == ("50.00", "50.00")
        invoice_id = body["invoice"]["id"]
        over = mock.api.post(f"/invoices/{invoice_id}/refund", json={"amount": 50.01})
        assert over.status_code == 422  # the failed 40 still counts against what may be refunded
    with mock_with(v.REFUNDS_SOMETIMES_FAIL) as mock:
        invoice_id = _first_refund_fails(mock)["invoice"]["id"]
        assert mock.api.post(f"/invoices/{invoice_id}/refund", json={"amount": 50.01}).status_code == 201


# -- lists ----------------------------------------------------------------------------------------------------------


def _orders(mock: Mock) -> dict[str, list[int]]:
    """Every order the docs leave open, as ``mock`` answers it, next to the creation order it can be told by."""
    tie = f"tie-{uuid.uuid4().hex[:10]}"
    first = mock.create(amount=70, description=tie)
    second = mock.create(amount=70, description=tie)
    mock.pay(first["id"])
    refunds = [mock.refund(first["id"], "1")["refund"]["id"]]
    mock.advance(2)
    refunds.append(mock.refund(first["id"], "2")["refund"]["id"])
    pending = [mock.create()["id"] for _ in range(2)]
    ties = mock.api.get("/invoices", params={"search": tie, "sort_by": "amount", "sort_order": "asc"})
    return {
        "refunds": [r["id"] for r in mock.api.get("/refunds", params={"invoice_id": first["id"]}).json()["data"]],
        "invoice_refunds": [r["id"] for r in mock.api.get(f"/invoices/{first['id']}/refunds").json()["refunds"]],
        "status_check": [i["id"] for i in mock.api.post("/invoices/status/check").json()["invoices"]],
        "catalog": [i["id"] for i in mock.api.get("/catalog").json()["data"]],
        "ties": [i["id"] for i in ties.json()["data"]],
        "created": [first["id"], second["id"], *pending],
        "refunds_created": refunds,
    }


def test_unstated_orders_reversed_turns_every_order_the_docs_leave_open(default: Mock) -> None:
    with mock_with(v.UNSTATED_ORDERS_REVERSED) as mock:
        turned = _orders(mock)
    plain = _orders(default)
    assert (turned["refunds"], plain["refunds"]) == (turned["refunds_created"], plain["refunds_created"][::-1])
    assert turned["invoice_refunds"] == turned["refunds_created"][::-1]
    assert plain["invoice_refunds"] == plain["refunds_created"]
    assert turned["catalog"] == sorted(turned["catalog"], reverse=True) and plain["catalog"] == sorted(plain["catalog"])
    assert turned["status_check"][:2] == turned["created"][:1:-1]  # newest pending first
    assert plain["status_check"][-2:] == plain["created"][2:]
    assert turned["ties"] == turned["created"][1::-1]  # equal amounts: newest first
    assert plain["ties"] == plain["created"][:2]


def _listed_on(mock: Mock, day: str, token: str) -> list[int]:
    rows = mock.api.get("/invoices", params={"date_from": day, "date_to": day, "search": token}).json()["data"]
    return [int(row["id"]) for row in rows]


def _to_utc_hour(mock: Mock, hour: int) -> None:
    """Advance the mock's clock to the next ``hour``:30 UTC."""
    now = datetime.fromisoformat(mock.control.get("/clock").json()["now"].replace("Z", "+00:00"))
    target = now.replace(hour=hour, minute=30, second=0, microsecond=0)
    if target <= now:
        target += timedelta(days=1)
    mock.advance((target - now).total_seconds())


def test_dates_in_almaty_filters_by_almaty_calendar_days(default: Mock) -> None:
    """At 20:30 UTC it is already the next day in Almaty (UTC+5): the invoice is listed on that next day."""
    with mock_with(v.DATES_IN_ALMATY) as mock:
        _to_utc_hour(mock, 20)
        token = f"tz{uuid.uuid4().hex[:10]}"
        invoice = mock.create(description=token)
        utc_day = date.fromisoformat(invoice["created_at"][:10])
        almaty_day = (utc_day + timedelta(days=1)).isoformat()
        assert _listed_on(mock, almaty_day, token) == [invoice["id"]]
        assert _listed_on(mock, utc_day.isoformat(), token) == []
        mock.pay(invoice["id"])
        refund = mock.refund(invoice["id"])["refund"]
        on = mock.api.get("/refunds", params={"date_from": almaty_day, "date_to": almaty_day}).json()["data"]
        assert [r["id"] for r in on] == [refund["id"]]
    _to_utc_hour(default, 20)
    token = f"tz{uuid.uuid4().hex[:10]}"
    invoice = default.create(description=token)
    assert _listed_on(default, invoice["created_at"][:10], token) == [invoice["id"]]


def test_search_matches_ids_finds_an_invoice_by_its_id(default: Mock) -> None:
    with mock_with(v.SEARCH_MATCHES_IDS) as mock:
        invoice = mock.create(description="nothing numeric")
        found = mock.api.get("/invoices", params={"search": str(invoice["id"])}).json()["data"]
        assert [row["id"] for row in found] == [invoice["id"]]
    invoice = default.create(description="nothing numeric")
    found = default.api.get("/invoices", params={"search": str(invoice["id"])}).json()["data"]
    assert invoice["id"] not in [row["id"] for row in found]


def test_search_case_sensitive_needs_the_same_case(default: Mock) -> None:
    for mock_cm, hits in ((mock_with(v.SEARCH_CASE_SENSITIVE), 0), (mock_with(), 1)):
        with mock_cm as mock:
            mock.create(description="Order Alpha-17")
            assert len(mock.api.get("/invoices", params={"search": "ORDER ALPHA-17"}).json()["data"]) == hits
            assert len(mock.api.get("/invoices", params={"search": "Order Alpha-17"}).json()["data"]) == 1


def test_status_check_lists_none_answers_an_empty_list(default: Mock) -> None:
    with mock_with(v.STATUS_CHECK_LISTS_NONE) as mock:
        mock.create()
        assert mock.api.post("/invoices/status/check").json() == {"invoices": []}
    default.create()
    assert default.api.post("/invoices/status/check").json()["invoices"]


# -- webhooks and rate limit -----------------------------------------------------------------------------------------


def test_webhooks_delayed_lets_a_later_event_of_another_invoice_arrive_first() -> None:
    with mock_with(v.WEBHOOKS_DELAYED) as mock, webhook_receiver() as receiver:
        _hook(mock, receiver.url)
        invoices = {}
        while len(invoices) < 4:
            invoice = mock.create()
            invoices.setdefault(invoice["id"] % 4, invoice["id"])
        mock.pay(invoices[3])  # its deliveries wait three steps
        mock.pay(invoices[0])  # its deliveries go at once
        wait_for(lambda: len(receiver.received) == 2)
        order = [json.loads(raw)["invoice"]["id"] for raw, _ in receiver.received]
        assert order == [invoices[0], invoices[3]]


def test_webhook_duplicates_delivers_every_event_twice_the_second_after_later_events() -> None:
    with mock_with(v.WEBHOOK_DUPLICATES) as mock, webhook_receiver() as receiver:
        _hook(mock, receiver.url)
        first, second = mock.create(), mock.create()
        mock.pay(first["id"])
        mock.pay(second["id"])
        assert len(_attempts(mock)) == 4  # recorded when sent: each event twice, the copy due later
        wait_for(lambda: len(receiver.received) == 4)
        events = [(json.loads(raw)["invoice"]["id"], raw) for raw, _ in receiver.received]
        for invoice in (first, second):
            copies = [raw for i, raw in events if i == invoice["id"]]
            assert len(copies) == 2 and copies[0] == copies[1]
    with mock_with() as mock, webhook_receiver() as receiver:
        _hook(mock, receiver.url)
        invoice = mock.create()
        mock.pay(invoice["id"])
        assert len(_attempts(mock)) == 1
        wait_for(lambda: receiver.received)


def _attempts(mock: Mock) -> list[dict[str, Any]]:
    answer: list[dict[str, Any]] = mock.control.get("/webhooks/deliveries").json()
    return answer


def test_ratelimit_other_budget_counts_down_from_a_thousand(default: Mock) -> None:
    with mock_with(v.RATELIMIT_OTHER_BUDGET) as mock:
        seen = [int(mock.api.get("/invoices").headers["x-ratelimit-remaining"]) for _ in range(3)]
        assert seen[0] > 60 and seen == sorted(seen, reverse=True) and len(set(seen)) == 3
    assert int(default.api.get("/invoices").headers["x-ratelimit-remaining"]) < 60


# -- names ----------------------------------------------------------------------------------------------------------


def test_unknown_variant_is_a_usage_error_listing_the_valid_names() -> None:
    with pytest.raises(UsageError, match="unknown variant.*no_such_variant.*valid names: .*cancel_synchronous"):
        create_app(variants=["no_such_variant"])


def test_conflicting_variants_are_a_usage_error_naming_both() -> None:
    with pytest.raises(UsageError, match="cancel_delays_vary and cancel_synchronous|cancel_synchronous and"):
        create_app(variants=[v.CANCEL_SYNCHRONOUS.name, v.CANCEL_DELAYS_VARY.name])


def test_running_mock_with_an_unknown_variant_fails_with_the_valid_names() -> None:
    with pytest.raises(HarnessError, match="exited with code 2: error: unknown variant"), running_mock(variants=["x"]):
        pass


def test_every_variant_starts_alone() -> None:
    """A variant's switch must not break the app being built (each is run alone by the selftest)."""
    for name in VARIANTS:
        create_app(variants=[name])


def test_mock_command_with_an_unknown_variant_exits_2_in_one_line(tmp_path: Path) -> None:
    done = harness(["mock", "--port", "0", "--variant", "no_such_variant"], cwd=tmp_path, timeout=30)
    assert done.code == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: unknown variant(s) no_such_variant; valid names: ")
    assert all(name in lines[0] for name in VARIANTS)
