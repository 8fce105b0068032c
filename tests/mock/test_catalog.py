from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from apipay_harness.mock import MockProcess
from tests.mock.helpers import PHONE, assert_schema

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PICTURES = {
    "png": PNG,
    "jpeg": b"\xff\xd8\xff\xe0" + b"\x00" * 64,
    "gif": b"GIF89a" + b"\x00" * 64,
    "webp": b"RIFF\x00\x00\x00\x00WEBPVP8 " + b"\x00" * 64,
}


def test_units_include_sht_dana(api: httpx.Client) -> None:
    body = api.get("/catalog/units").json()
    assert_schema(body, "UnitList")
    assert {"id": 1, "name": "шт", "name_kaz": "дана"} in body["data"]


def test_catalog_lists_only_own_items_with_kopeck_prices(api: httpx.Client, api2: httpx.Client) -> None:
    body = api.get("/catalog").json()
    assert_schema(body, "CatalogPage")
    prices = {item["id"]: item["selling_price"] for item in body["data"]}
    assert prices[101] == "1500.50" and prices[205] == "1500.15"
    assert not {item["id"] for item in api2.get("/catalog").json()["data"]} & set(prices)


FILTERS: dict[str, tuple[str, int, Callable[[dict[str, Any]], bool]]] = {
    "search": ("cups", 205, lambda item: "cups" in item["name"].casefold()),
    "barcode": ("4870001234567", 101, lambda item: item.get("barcode") == "4870001234567"),
    "first_char": ("C", 101, lambda item: item["name"].casefold().startswith("c")),
}
"""Filter -> (value, the seed item it must find, what every item it lists must satisfy)."""


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_catalog_filter_lists_only_matching_items(api: httpx.Client, name: str) -> None:
    # Other tests add items (the catalog outlives a reset), so the page is judged by the filter, not by a fixed list.
    value, seed_item, matches = FILTERS[name]
    rows = api.get("/catalog", params={name: value, "per_page": 100}).json()["data"]
    assert seed_item in [item["id"] for item in rows]
    assert [item["name"] for item in rows if not matches(item)] == []
    assert len(rows) < len(api.get("/catalog", params={"per_page": 100}).json()["data"])


def test_batch_create_then_patch_then_delete(api: httpx.Client) -> None:
    response = api.post(
        "/catalog", json={"items": [{"name": "Tieguanyin oolong", "selling_price": 990.5, "unit_id": 1}]}
    )
    assert response.status_code == 201
    item = response.json()["items"][0]
    assert item["selling_price"] == "990.50"
    assert api.patch(f"/catalog/{item['id']}", json={"selling_price": 1000}).status_code == 200
    assert [i["selling_price"] for i in api.get("/catalog", params={"search": "Tieguanyin"}).json()["data"]] == [
        "1000.00"
    ]
    assert api.delete(f"/catalog/{item['id']}").status_code == 200
    assert api.delete(f"/catalog/{item['id']}").status_code == 404
    cart = {"phone_number": PHONE, "cart_items": [{"catalog_item_id": item["id"], "count": 1}]}
    assert api.post("/invoices", json=cart).status_code == 422


@pytest.mark.parametrize("count", [0, 51])
def test_batch_create_outside_1_to_50_is_422(api: httpx.Client, count: int) -> None:
    items = [{"name": "x", "selling_price": 1, "unit_id": 1}] * count
    response = api.post("/catalog", json={"items": items})
    assert response.status_code == 422
    assert "items" in response.json()["errors"]


def test_batch_create_with_unknown_unit_is_422_keyed_by_index(api: httpx.Client) -> None:
    items = [{"name": "x", "selling_price": 1, "unit_id": 1}, {"name": "y", "selling_price": 1, "unit_id": 999}]
    assert list(api.post("/catalog", json={"items": items}).json()["errors"]) == ["items.1.unit_id"]


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_other_organizations_item_is_404(api: httpx.Client, api2: httpx.Client, method: str) -> None:
    created = api.post("/catalog", json={"items": [{"name": "Own kettle", "selling_price": 12.5, "unit_id": 1}]})
    item_id = created.json()["items"][0]["id"]
    response = api2.request(method, f"/catalog/{item_id}", json={"name": "mine"} if method == "PATCH" else None)
    assert response.status_code == 404
    assert [
        (i["name"], i["selling_price"])
        for i in api.get("/catalog", params={"search": "Own kettle"}).json()["data"]
        if i["id"] == item_id
    ] == [("Own kettle", "12.50")]


@pytest.mark.parametrize("kind", sorted(PICTURES))
def test_upload_accepts_each_picture_type(api: httpx.Client, kind: str) -> None:
    response = api.post("/catalog/upload-image", files={"image": (f"a.{kind}", PICTURES[kind], f"image/{kind}")})
    assert response.status_code == 200
    assert_schema(response.json(), "ImageUploaded")


def test_upload_part_without_content_type_works(api: httpx.Client) -> None:
    boundary = "b0undary"
    raw = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="image"\r\n\r\n'.encode()
        + PNG
        + f"\r\n--{boundary}--\r\n".encode()
    )
    response = api.post(
        "/catalog/upload-image", content=raw, headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )
    assert response.status_code == 200


def test_upload_of_non_picture_is_422_even_with_image_content_type(api: httpx.Client) -> None:
    response = api.post("/catalog/upload-image", files={"image": ("a.png", b"<html>not a png</html>", "image/png")})
    assert response.status_code == 422
    assert "image" in response.json()["errors"]


def test_upload_over_10_mb_is_413(api: httpx.Client) -> None:
    big = PNG + b"\x00" * (10 * 1024 * 1024)
    response = api.post("/catalog/upload-image", files={"image": ("a.png", big, "image/png")})
    assert response.status_code == 413
    assert response.json()["message"]


def test_upload_without_image_field_is_422(api: httpx.Client) -> None:
    response = api.post("/catalog/upload-image", files={"other": ("a.png", PNG, "image/png")})
    assert response.status_code == 422


@pytest.mark.parametrize(("method", "path"), [("GET", "/catalog"), ("GET", "/catalog/units"), ("POST", "/catalog")])
def test_organization_without_catalog_gets_400(mock: MockProcess, method: str, path: str) -> None:
    response = httpx.request(method, f"{mock.base_url}{path}", headers={"X-API-Key": "nocatalog-key"}, json={})
    assert response.status_code == 400
