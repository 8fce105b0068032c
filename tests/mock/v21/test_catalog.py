"""The 2.1 catalog in the sandbox: 202 creates with ``rejected[]``, matches instead of duplicates, idempotent
replays, 200 PATCH and logical DELETE, listings of ``active`` items by default in three shapes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.mock.v21.helpers import PHONE, assert_schema

TEA = {"name": "Green tea 100 g", "selling_price": 990.5, "unit_id": 1}


def _create(api: httpx.Client, *items: dict[str, Any], **extra: Any) -> httpx.Response:
    return api.post("/catalog", json={"items": list(items), **extra}, headers=extra.pop("headers", {}))


def test_create_answers_202_with_created_items_and_invalid_ones_rejected(api: httpx.Client) -> None:
    bad_price = {**TEA, "name": "Black tea", "selling_price": 0}
    bad_unit = {**TEA, "name": "White tea", "unit_id": 999}
    response = _create(api, TEA, bad_price, bad_unit)
    assert response.status_code == 202
    body = response.json()
    assert_schema(body, "CatalogItemsAccepted")
    assert [item["name"] for item in body["data"]] == ["Green tea 100 g"]
    assert body["data"][0]["status"] == "active"
    assert [(r["index"], r["error_code"], sorted(r["errors"])) for r in body["rejected"]] == [
        (1, "catalog_item_invalid", ["selling_price"]),
        (2, "catalog_item_invalid", ["unit_id"]),
    ]


@pytest.mark.parametrize("body", [{}, {"items": []}, {"items": "tea"}])
def test_a_malformed_request_is_422(api: httpx.Client, body: dict[str, Any]) -> None:
    response = api.post("/catalog", json=body)
    assert response.status_code == 422


def test_the_same_external_ref_or_barcode_answers_the_existing_item(api: httpx.Client) -> None:
    first = _create(api, {**TEA, "external_ref": "1C-1", "barcode": "4870000000001"}).json()["data"][0]
    by_ref = _create(api, {**TEA, "external_ref": "1C-1"}).json()["data"][0]
    by_barcode = _create(api, {**TEA, "barcode": "4870000000001"}).json()["data"][0]
    assert (by_ref["id"], by_ref["matched_existing"]) == (first["id"], True)
    assert (by_barcode["id"], by_barcode["matched_existing"]) == (first["id"], True)
    assert first["matched_existing"] is False


def test_an_idempotency_key_replays_the_answer_or_conflicts(api: httpx.Client) -> None:
    first = api.post("/catalog", json={"items": [TEA]}, headers={"Idempotency-Key": "import-1"})
    again = api.post("/catalog", json={"items": [TEA]}, headers={"Idempotency-Key": "import-1"})
    assert (first.status_code, again.status_code) == (202, 200)
    assert_schema(again.json(), "CatalogItemsReplayed")
    assert again.json()["idempotent_replay"] is True
    assert again.json()["data"][0]["id"] == first.json()["data"][0]["id"]
    other = api.post("/catalog", json={"items": [{**TEA, "name": "Other"}]}, headers={"Idempotency-Key": "import-1"})
    assert other.status_code == 409
    assert other.json()["error_code"] == "idempotency_key_conflict"


def test_patch_answers_200_and_changes_the_item(api: httpx.Client) -> None:
    item = _create(api, TEA).json()["data"][0]
    response = api.patch(f"/catalog/{item['id']}", json={"selling_price": 1600})
    assert response.status_code == 200
    assert response.json()["catalog_item_id"] == item["id"]
    listed = api.get("/catalog", params={"ids[]": item["id"]}).json()["data"]
    assert [row["selling_price"] for row in listed] == [1600]


def test_delete_is_logical_and_the_external_ref_restores_the_item(api: httpx.Client) -> None:
    item = _create(api, {**TEA, "external_ref": "1C-9"}).json()["data"][0]
    assert api.delete(f"/catalog/{item['id']}").status_code == 200
    assert api.patch(f"/catalog/{item['id']}", json={"name": "x"}).status_code == 404
    assert api.delete(f"/catalog/{item['id']}").status_code == 404
    assert item["id"] not in [row["id"] for row in api.get("/catalog", params={"per_page": 200}).json()["data"]]
    deleted = api.get("/catalog", params={"statuses[]": "deleted", "ids[]": item["id"]}).json()["data"]
    assert [(row["id"], row["status"]) for row in deleted] == [(item["id"], "deleted")]
    again = _create(api, {**TEA, "external_ref": "1C-9"}).json()["data"][0]
    assert (again["id"], again["status"]) == (item["id"], "active")


def test_a_deleted_item_cannot_go_into_a_cart(api: httpx.Client) -> None:
    item = _create(api, {**TEA, "selling_price": 1000}).json()["data"][0]
    api.delete(f"/catalog/{item['id']}").raise_for_status()
    cart = {"phone_number": PHONE, "cart_items": [{"catalog_item_id": item["id"], "count": 1}]}
    assert api.post("/invoices", json=cart).status_code == 422


def test_offset_listing_has_data_links_meta(api: httpx.Client) -> None:
    body = api.get("/catalog", params={"per_page": 2}).json()
    assert_schema(body, "CatalogOffsetPage")
    assert (body["meta"]["per_page"], len(body["data"])) == (2, 2)
    assert body["meta"]["total"] >= 3  # the seed catalog of organization 1, and what other tests added


def test_keyset_listing_walks_the_items_by_cursor(api: httpx.Client) -> None:
    everything = [row["id"] for row in api.get("/catalog", params={"per_page": 200}).json()["data"]]
    seen: list[int] = []
    cursor = ""
    for _ in range(len(everything)):
        body = api.get("/catalog", params={"per_page": 2, "cursor": cursor}).json()
        assert_schema(body, "CatalogKeysetPage")
        seen += [row["id"] for row in body["data"]]
        cursor = body["meta"]["next_cursor"]
        if cursor is None:
            break
    assert seen == everything


def test_targeted_listing_answers_data_only(api: httpx.Client) -> None:
    body = api.get("/catalog", params={"ids[]": [101, 205, 501]}).json()
    assert_schema(body, "CatalogTargetedList")
    assert sorted(row["id"] for row in body["data"]) == [101, 205]  # 501 is another organization's


def test_the_removed_batch_filter_is_422(api: httpx.Client) -> None:
    response = api.get("/catalog", params={"batch_id": "b1"})
    assert response.status_code == 422
    assert response.json()["error_code"] == "catalog_batch_filter_removed"


@pytest.mark.parametrize(
    ("content", "status", "code"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, 200, None),
        (b"GIF89a" + b"\0" * 64, 422, "invalid_file_type"),
        (b"\xff\xd8\xff" + b"\0" * (6 * 1024 * 1024), 413, "file_too_large"),
    ],
)
def test_upload_takes_jpeg_or_png_up_to_6_mb(api: httpx.Client, content: bytes, status: int, code: str | None) -> None:
    response = api.post("/catalog/upload-image", files={"image": ("x.bin", content, "application/octet-stream")})
    assert response.status_code == status
    if code is not None:
        assert response.json()["error_code"] == code


def test_an_image_id_that_is_not_a_uuid_is_refused_in_create_and_patch(api: httpx.Client) -> None:
    created = _create(api, {**TEA, "image_id": "not-a-uuid"}).json()
    assert created["data"] == []
    assert [(r["index"], sorted(r["errors"])) for r in created["rejected"]] == [(0, ["image_id"])]
    item = _create(api, TEA).json()["data"][0]["id"]
    patched = api.patch(f"/catalog/{item}", json={"image_id": "not-a-uuid"})
    assert patched.status_code == 422
    assert list(patched.json()["errors"]) == ["image_id"]
    ok = api.patch(f"/catalog/{item}", json={"image_id": "9b2f8c1e-3d4a-4f6b-8e7d-1a2b3c4d5e6f"})
    assert ok.status_code == 200


def test_an_idempotency_key_header_over_its_max_length_is_422(api: httpx.Client) -> None:
    refused = api.post("/catalog", json={"items": [TEA]}, headers={"Idempotency-Key": "k" * 192})
    assert refused.status_code == 422
    assert list(refused.json()["errors"]) == ["Idempotency-Key"]
    assert api.post("/catalog", json={"items": [TEA]}, headers={"Idempotency-Key": "k" * 191}).status_code == 202


def test_a_patch_body_that_is_not_json_is_422_not_an_undocumented_400(api: httpx.Client) -> None:
    item = _create(api, TEA).json()["data"][0]["id"]
    response = api.patch(f"/catalog/{item}", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["body"]


@pytest.mark.parametrize(
    ("value", "status"),
    [("2026-08-01T00:00:00+00:00", 200), ("2026-08-01 00:00", 200), ("not-a-date", 422), ("２０２６-08-01", 422)],
)
def test_updated_after_takes_iso_moments_and_refuses_what_is_no_date(
    api: httpx.Client, value: str, status: int
) -> None:
    response = api.get("/catalog", params={"updated_after": value})
    assert response.status_code == status


def test_more_than_200_targeted_values_in_all_are_catalog_match_overflow(api: httpx.Client) -> None:
    barcodes = [str(4870000000000 + i) for i in range(150)]
    ids = list(range(1, 52))
    response = api.get("/catalog", params={"barcodes[]": barcodes, "ids[]": ids})
    assert response.status_code == 422
    assert response.json()["error_code"] == "catalog_match_overflow"
    assert api.get("/catalog", params={"barcodes[]": barcodes, "ids[]": ids[:50]}).status_code == 200


@pytest.mark.parametrize(("value", "status"), [("true", 200), ("false", 200), ("1", 200), ("0", 200), ("yes", 422)])
def test_without_ntin_takes_the_documented_true_and_false(api: httpx.Client, value: str, status: int) -> None:
    assert api.get("/catalog", params={"without_ntin": value}).status_code == status


def test_an_upload_whose_multipart_body_cannot_be_read_is_422(api: httpx.Client) -> None:
    boundary = "d282656406e0079479c9c8df85772c28"
    response = api.post(
        "/catalog/upload-image",
        content=f"--{boundary}\r\n-2367331--{boundary}--\r\n".encode(),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["image"]
