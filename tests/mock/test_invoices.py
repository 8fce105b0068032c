from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from apipay_harness.core.spec import bounded_fields, load_spec
from tests.mock.helpers import PHONE, assert_schema, create, paid

SPEC = load_spec()
CREATE_BOUNDS = [
    f for f in bounded_fields(SPEC) if f.operation.operation_id == "createInvoice" and f.location == "body"
]


def _body_with(field_name: tuple[str | int, ...], value: object) -> dict[str, object]:
    body: dict[str, object] = {"amount": 100, "phone_number": PHONE}
    if field_name[0] == "cart_items":
        body.pop("amount")
        body["cart_items"] = [{"catalog_item_id": 101, "count": 1}]
        if len(field_name) == 1:
            body["cart_items"] = value
        else:
            body["cart_items"] = [{"catalog_item_id": 101, "count": 1, str(field_name[2]): value}]
    else:
        body[str(field_name[0])] = value
    return body


FIELD_NAMES = {f.field_name: f.name for f in CREATE_BOUNDS}
"""The request's bounded fields by their ``errors`` key (``cart_items.*.count``) -> their place in the body."""
INVALID = [
    pytest.param(f.field_name, value, id=f"{f.field_name}={str(value)[:12]}")
    for f in CREATE_BOUNDS
    for value in f.schema.get("x-invalid-examples", [])
]
VALID = [
    pytest.param(f.name, value, id=f"{f.field_name}={str(value)[:12]}")
    for f in CREATE_BOUNDS
    for value in f.schema.get("examples", [])
]


def test_create_flat_invoice_answers_201_with_money_strings(api: httpx.Client) -> None:
    response = api.post(
        "/invoices",
        json={
            "amount": 10000,
            "phone_number": PHONE,
            "description": "Payment for order #123",
            "external_order_id": "o",
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert_schema(body, "InvoiceDetail")
    assert body["amount"] == "10000.00"
    assert body["status"] == "pending"


@pytest.mark.parametrize(("field", "value"), INVALID)
def test_create_invoice_rejects_each_invalid_example_keyed_by_field(
    api: httpx.Client, field: str, value: object
) -> None:
    response = api.post("/invoices", json=_body_with(FIELD_NAMES[field], value))
    assert response.status_code == 422
    body = response.json()
    assert_schema(body, "ValidationError")
    assert field in body["errors"], body


@pytest.mark.parametrize(("name", "value"), VALID)
def test_create_invoice_accepts_each_edge_example(
    api: httpx.Client, name: tuple[str | int, ...], value: object
) -> None:
    response = api.post("/invoices", json=_body_with(name, value))
    assert response.status_code == 201, response.text


def test_create_invoice_amount_as_string_is_422(api: httpx.Client) -> None:
    response = api.post("/invoices", json={"amount": "100", "phone_number": PHONE})
    assert response.status_code == 422
    assert "amount" in response.json()["errors"]


def test_create_invoice_rounds_third_decimal_half_up(api: httpx.Client) -> None:
    response = api.post(
        "/invoices",
        content=b'{"amount": 100.005, "phone_number": "87001234567"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.json()["amount"] == "100.01"


def test_create_invoice_accepts_nulls_for_optional_fields(api: httpx.Client) -> None:
    body = {"amount": 1, "phone_number": PHONE, "description": None, "external_order_id": None, "webhook_id": None}
    assert api.post("/invoices", json=body).status_code == 201


def test_create_invoice_without_amount_or_cart_is_422(api: httpx.Client) -> None:
    response = api.post("/invoices", json={"phone_number": PHONE})
    assert response.status_code == 422
    assert "amount" in response.json()["errors"]


def test_create_invoice_with_null_amount_and_no_cart_is_422(api: httpx.Client) -> None:
    response = api.post("/invoices", json={"amount": None, "phone_number": PHONE})
    assert response.status_code == 422
    assert "amount" in response.json()["errors"]


def test_cart_invoice_with_null_amount_is_priced_from_the_cart(api: httpx.Client) -> None:
    body = {"amount": None, "phone_number": PHONE, "cart_items": [{"catalog_item_id": 101, "count": 2}]}
    response = api.post("/invoices", json=body)
    assert response.status_code == 201
    assert Decimal(response.json()["amount"]) == Decimal("1500.50") * 2


@pytest.mark.parametrize("amount", [0, -5, 100000000, 12.345], ids=["zero", "negative", "above-max", "3-decimals"])
def test_cart_invoice_ignores_an_amount_sent_beside_the_cart(api: httpx.Client, amount: object) -> None:
    """The provider's spec: amount is "ignored when cart_items is present" (bounds included)."""
    body = {"amount": amount, "phone_number": PHONE, "cart_items": [{"catalog_item_id": 101, "count": 2}]}
    response = api.post("/invoices", json=body)
    assert response.status_code == 201, response.text
    assert Decimal(response.json()["amount"]) == Decimal("1500.50") * 2


def test_flat_invoice_amount_zero_is_still_422(api: httpx.Client) -> None:
    response = api.post("/invoices", json={"amount": 0, "phone_number": PHONE})
    assert response.status_code == 422
    assert "amount" in response.json()["errors"]


def test_cart_invoice_amount_is_exact_sum_of_price_times_count(api: httpx.Client) -> None:
    body = {
        "phone_number": PHONE,
        "cart_items": [{"catalog_item_id": 101, "count": 2}, {"catalog_item_id": 205, "count": 3}],
    }
    invoice = api.post("/invoices", json=body).json()
    assert Decimal(invoice["amount"]) == Decimal("1500.50") * 2 + Decimal("1500.15") * 3
    assert [(i["catalog_item_id"], i["price"], i["count"]) for i in invoice["items"]] == [
        (101, "1500.50", 2),
        (205, "1500.15", 3),
    ]


def test_cart_snapshot_survives_catalog_patch(api: httpx.Client) -> None:
    # An item of the test's own: the catalog outlives a reset, and items 101 and 205 are other tests' data.
    item = api.post("/catalog", json={"items": [{"name": "Snapshot tea", "selling_price": 700.25, "unit_id": 1}]})
    item_id = item.json()["items"][0]["id"]
    invoice = api.post(
        "/invoices", json={"phone_number": PHONE, "cart_items": [{"catalog_item_id": item_id, "count": 1}]}
    ).json()
    assert api.patch(f"/catalog/{item_id}", json={"selling_price": 1.99, "name": "Changed"}).status_code == 200
    again = api.get(f"/invoices/{invoice['id']}").json()
    assert again["amount"] == invoice["amount"] == "700.25"
    assert again["items"] == invoice["items"]
    assert [(i["price"], i["name"]) for i in again["items"]] == [("700.25", "Snapshot tea")]


def test_cart_with_unknown_or_foreign_catalog_item_is_422(api: httpx.Client) -> None:
    body = {
        "phone_number": PHONE,
        "cart_items": [{"catalog_item_id": 101, "count": 1}, {"catalog_item_id": 501, "count": 1}],
    }
    response = api.post("/invoices", json=body)
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["cart_items.1.catalog_item_id"]


def test_cart_invoice_without_catalog_is_400(mock: object) -> None:
    from apipay_harness.mock import MockProcess

    assert isinstance(mock, MockProcess)
    body = {"phone_number": PHONE, "cart_items": [{"catalog_item_id": 101, "count": 1}]}
    response = httpx.post(f"{mock.base_url}/invoices", json=body, headers={"X-API-Key": "nocatalog-key"})
    assert response.status_code == 400


def test_create_invoice_unknown_webhook_id_is_422(api: httpx.Client) -> None:
    response = api.post("/invoices", json={"amount": 1, "phone_number": PHONE, "webhook_id": 999999})
    assert response.status_code == 422
    assert "webhook_id" in response.json()["errors"]


def test_create_invoice_with_other_organizations_webhook_id_is_422(api: httpx.Client, control: httpx.Client) -> None:
    registered = control.post(
        "/webhooks", json={"url": "http://127.0.0.1:9/org2", "secret": "s"}, headers={"X-API-Key": "test-key-2"}
    )
    assert registered.status_code == 201
    response = api.post("/invoices", json={"amount": 1, "phone_number": PHONE, "webhook_id": registered.json()["id"]})
    assert response.status_code == 422
    assert "webhook_id" in response.json()["errors"]


def test_invoice_ids_are_one_sequence_across_organizations(api: httpx.Client, api2: httpx.Client) -> None:
    first = create(api)["id"]
    second = create(api2)["id"]
    third = create(api)["id"]
    assert first < second < third


OWN_INVOICE_OPERATIONS = {
    "get": ("GET", ""),
    "cancel": ("POST", "/cancel"),
    "refund": ("POST", "/refund"),
    "refunds": ("GET", "/refunds"),
}


@pytest.mark.parametrize("operation", sorted(OWN_INVOICE_OPERATIONS))
def test_other_organizations_invoice_is_404(
    api: httpx.Client, api2: httpx.Client, control: httpx.Client, operation: str
) -> None:
    invoice = paid(api, control)
    api.post(f"/invoices/{invoice['id']}/refund", json={"amount": 1})
    method, suffix = OWN_INVOICE_OPERATIONS[operation]
    response = api2.request(method, f"/invoices/{invoice['id']}{suffix}", json={} if method == "POST" else None)
    assert response.status_code == 404
    assert response.json() == {"message": "Invoice not found"}
    assert api.get(f"/invoices/{invoice['id']}").json()["total_refunded"] == "1.00"


def test_invoice_list_hides_other_organizations_invoices(api: httpx.Client, api2: httpx.Client) -> None:
    own = create(api2)["id"]
    other = create(api)["id"]
    assert other != own
    assert [i["id"] for i in api2.get("/invoices").json()["data"]] == [own]


def test_get_invoice_has_every_detail_field(api: httpx.Client, control: httpx.Client) -> None:
    invoice = paid(api, control)
    body = api.get(f"/invoices/{invoice['id']}").json()
    assert_schema(body, "InvoiceDetail")
    assert body["available_for_refund"] == "10000.00"
    assert body["client_name"] == "Aigerim"


def test_list_invoices_paginates_with_meta(api: httpx.Client) -> None:
    ids = [create(api)["id"] for _ in range(5)]
    page = api.get("/invoices", params={"per_page": 2, "page": 3, "sort_by": "id", "sort_order": "asc"}).json()
    assert_schema(page, "InvoicePage")
    assert page["meta"] == {"current_page": 3, "last_page": 3, "per_page": 2, "total": 5}
    assert [i["id"] for i in page["data"]] == ids[4:]


@pytest.mark.parametrize("count", [4, 6])
def test_list_invoices_last_page_when_total_is_a_multiple_of_per_page(api: httpx.Client, count: int) -> None:
    for _ in range(count):
        create(api)
    meta = api.get("/invoices", params={"per_page": 2}).json()["meta"]
    assert (meta["total"], meta["last_page"]) == (count, count // 2)
    assert api.get("/invoices", params={"per_page": 2, "page": meta["last_page"]}).json()["data"]


def test_list_invoices_filters_several_statuses(api: httpx.Client, control: httpx.Client) -> None:
    pending = create(api)["id"]
    paid_id = paid(api, control)["id"]
    cancelled = create(api)["id"]
    api.post(f"/invoices/{cancelled}/cancel")
    response = api.get("/invoices?status[]=paid&status[]=cancelling")
    ids = {i["id"] for i in response.json()["data"]}
    assert ids == {paid_id, cancelled}
    assert pending not in ids


def test_list_invoices_search_matches_description_and_order_id(api: httpx.Client) -> None:
    a = create(api, description="Blue widget")["id"]
    b = create(api, external_order_id="ORDER-blue-7")["id"]
    create(api, description="red")
    ids = {i["id"] for i in api.get("/invoices", params={"search": "blue"}).json()["data"]}
    assert ids == {a, b}


def test_list_invoices_date_range_is_inclusive(api: httpx.Client, control: httpx.Client) -> None:
    first = create(api)
    control.post("/clock/advance", json={"seconds": 2 * 86400})
    create(api)
    day = first["created_at"][:10]
    ids = [i["id"] for i in api.get("/invoices", params={"date_from": day, "date_to": day}).json()["data"]]
    assert ids == [first["id"]]


def test_list_invoices_date_to_before_date_from_is_422(api: httpx.Client) -> None:
    response = api.get("/invoices", params={"date_from": "2025-02-01", "date_to": "2025-01-31"})
    assert response.status_code == 422
    assert "date_to" in response.json()["errors"]


@pytest.mark.parametrize("sort_by", ["id", "amount", "client_name", "status", "created_at"])
@pytest.mark.parametrize("sort_order", ["asc", "desc"])
def test_list_invoices_sorts_by_each_field(
    api: httpx.Client, control: httpx.Client, sort_by: str, sort_order: str
) -> None:
    for amount in (300, 100, 200):
        invoice = create(api, amount=amount)
        control.post(f"/invoices/{invoice['id']}/pay", json={"client_name": f"c{amount}"})
        control.post("/clock/advance", json={"seconds": 1})
    create(api, amount=50)
    rows = api.get("/invoices", params={"sort_by": sort_by, "sort_order": sort_order}).json()["data"]

    def key(row: dict[str, object]) -> object:
        value = row[sort_by]
        if sort_by == "amount":
            return Decimal(str(value))
        if sort_by == "client_name":
            return (value is not None, value or "")
        return value

    keys = [key(r) for r in rows]
    assert keys == sorted(keys, reverse=sort_order == "desc")  # type: ignore[type-var]


@pytest.mark.parametrize(
    "query",
    [
        "per_page=abc",
        "per_page=0",
        "per_page=101",
        "page=0",
        "sort_by=phone_number",
        "sort_order=up",
        "per_page=%EF%BC%91%EF%BC%90",
        "status[]=unpaid",
        "date_from=2025-13-01",
        "date_to=31.01.2025",
    ],
)
def test_list_invoices_bad_query_is_422(api: httpx.Client, query: str) -> None:
    response = api.get(f"/invoices?{query}")
    assert response.status_code == 422
    assert_schema(response.json(), "ValidationError")


def test_async_cancel_is_202_then_cancelled_after_clock_delay(api: httpx.Client, control: httpx.Client) -> None:
    invoice = create(api)
    response = api.post(f"/invoices/{invoice['id']}/cancel")
    assert response.status_code == 202
    assert response.json() == {"message": "Invoice cancellation queued", "invoice_id": invoice["id"]}
    assert api.get(f"/invoices/{invoice['id']}").json()["status"] == "cancelling"
    control.post("/clock/advance", json={"seconds": 1.0})
    assert api.get(f"/invoices/{invoice['id']}").json()["status"] == "cancelling"
    control.post("/clock/advance", json={"seconds": 1.01})
    assert api.get(f"/invoices/{invoice['id']}").json()["status"] == "cancelled"


def test_status_check_lists_pending_invoices_of_the_organization(
    api: httpx.Client, api2: httpx.Client, control: httpx.Client
) -> None:
    pending = create(api)["id"]
    paid(api, control)
    create(api2)
    body = api.post("/invoices/status/check").json()
    assert_schema(body, "StatusCheckResult")
    assert [i["id"] for i in body["invoices"]] == [pending]


@pytest.mark.parametrize(
    "path_id", ["abc", "-1", "1.5", "%D9%A1", "%EF%BC%91", "99999999999999999999999", str(2**63), "%F0%9F%98%80"]
)
def test_invoice_path_id_not_a_64_bit_integer_is_404_json(api: httpx.Client, path_id: str) -> None:
    response = api.get(f"/invoices/{path_id}")
    assert response.status_code == 404
    assert "message" in response.json()


def test_invoice_path_id_in_non_ascii_digits_is_404(api: httpx.Client) -> None:
    invoice_id = str(create(api)["id"])
    fullwidth = "".join(chr(ord(c) - ord("0") + 0xFF10) for c in invoice_id)
    assert api.get(f"/invoices/{invoice_id}").status_code == 200
    assert api.get(f"/invoices/{fullwidth}").status_code == 404


def test_rejected_create_consumes_no_invoice_id(api: httpx.Client) -> None:
    first = create(api)["id"]
    bad_cart = {"phone_number": PHONE, "cart_items": [{"catalog_item_id": 999999, "count": 1}]}
    assert api.post("/invoices", json=bad_cart).status_code == 422
    assert api.post("/invoices", json={"amount": 0, "phone_number": PHONE}).status_code == 422
    assert create(api)["id"] == first + 1
