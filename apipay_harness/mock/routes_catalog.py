"""Handlers of the catalog endpoints: units, list, batch create, patch, delete, image upload."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from starlette.requests import Request

from apipay_harness.mock import variants as v
from apipay_harness.mock.context import body_of, organization, path_id, query_of, store_of
from apipay_harness.mock.errors import ApiError, ValidationFailed
from apipay_harness.mock.faults import (
    TENANT_LEAK_CATALOG_DELETE,
    TENANT_LEAK_CATALOG_LIST,
    TENANT_LEAK_CATALOG_UPDATE,
    Fault,
)
from apipay_harness.mock.jsonio import JSONResponse
from apipay_harness.mock.limits import MAX_CATALOG_ITEMS, MAX_IMAGE_ID
from apipay_harness.mock.models import CatalogItem
from apipay_harness.mock.money import to_kopecks
from apipay_harness.mock.multipart import image_kind, scan_part
from apipay_harness.mock.router import route
from apipay_harness.mock.routes_invoices import page_of
from apipay_harness.mock.store import Store

__all__ = ["IMAGE_LIMIT", "ROUTES", "new_item_fields"]

IMAGE_LIMIT = 10 * 1024 * 1024
_MULTIPART_SLACK = 64 * 1024


async def list_units(request: Request) -> JSONResponse:
    """Every unit of measure."""
    organization(request, catalog=True)
    units = store_of(request).units.values()
    return JSONResponse({"data": [{"id": u.id, "name": u.name, "name_kaz": u.name_kaz} for u in units]})


async def list_items(request: Request) -> JSONResponse:
    """The organization's catalog, filtered by name, barcode and first character."""
    org = organization(request, catalog=True)
    query = query_of(request, "listCatalogItems")
    search = (query.get("search") or "").casefold()
    barcode = query.get("barcode")
    first = (query.get("first_char") or "").casefold()
    rows = [
        item
        for item in store_of(request).catalog.values()
        if (item.organization == org.id or store_of(request).faults.on(TENANT_LEAK_CATALOG_LIST))
        and (not search or search in item.name.casefold())
        and (not barcode or item.barcode == barcode)
        and (not first or item.name.casefold().startswith(first))
    ]
    rows.sort(key=lambda item: item.id, reverse=store_of(request).variants.on(v.UNSTATED_ORDERS_REVERSED))
    page, meta = page_of(rows, query)
    return JSONResponse({"data": [item.render() for item in page], "meta": meta})


def _check_unit(store: Store, unit_id: Any, field: str, errors: dict[str, list[str]]) -> None:
    if unit_id is not None and int(unit_id) not in store.units:
        errors[field] = ["The selected unit id is invalid."]


def _check_image_id(image_id: Any, field: str, errors: dict[str, list[str]]) -> None:
    if isinstance(image_id, str) and len(image_id) > MAX_IMAGE_ID:
        errors[field] = [f"The image id field must not be greater than {MAX_IMAGE_ID} characters."]


async def create_items(request: Request) -> JSONResponse:
    """Create 1 to 50 items at once."""
    org = organization(request, catalog=True)
    store = store_of(request)
    body = await body_of(request, "createCatalogItems")
    assert body is not None
    errors: dict[str, list[str]] = {}
    for index, line in enumerate(body["items"]):
        _check_unit(store, line["unit_id"], f"items.{index}.unit_id", errors)
        _check_image_id(line.get("image_id"), f"items.{index}.image_id", errors)
    if errors:
        raise ValidationFailed(errors)
    held = sum(1 for item in store.catalog.values() if item.organization == org.id)
    if held + len(body["items"]) > MAX_CATALOG_ITEMS:
        raise ApiError(400, f"The catalog holds {held} of at most {MAX_CATALOG_ITEMS} items; delete some first.")
    created = []
    for line in body["items"]:
        item = CatalogItem(**new_item_fields(store, org.id, line))
        store.catalog[item.id] = item
        created.append(item.render())
    return JSONResponse({"message": "Catalog items created", "items": created}, status_code=201)


def new_item_fields(store: Store, organization: int, line: dict[str, Any]) -> dict[str, Any]:
    """What every version's new catalog item takes from its line of a create request."""
    return {
        "id": store.next_catalog_id(),
        "organization": organization,
        "name": line["name"],
        "selling_price": to_kopecks(Decimal(line["selling_price"])),
        "unit_id": int(line["unit_id"]),
        "image_id": line.get("image_id"),
    }


def _item(request: Request, *, leak: Fault) -> CatalogItem:
    """The caller's catalog item of the path, or 404 (another organization's too, unless fault ``leak`` is on)."""
    org = organization(request, catalog=True)
    store = store_of(request)
    item = store.catalog.get(path_id(request, not_found="Catalog item not found"))
    if item is None or (item.organization != org.id and not store.faults.on(leak)):
        raise ApiError(404, "Catalog item not found")
    return item


async def update_item(request: Request) -> JSONResponse:
    """Change any of an item's fields; invoices keep their snapshot."""
    item = _item(request, leak=TENANT_LEAK_CATALOG_UPDATE)
    store = store_of(request)
    body = await body_of(request, "updateCatalogItem")
    assert body is not None
    errors: dict[str, list[str]] = {}
    _check_unit(store, body.get("unit_id"), "unit_id", errors)
    _check_image_id(body.get("image_id"), "image_id", errors)
    if errors:
        raise ValidationFailed(errors)
    if "name" in body:
        item.name = body["name"]
    if "selling_price" in body:
        item.selling_price = to_kopecks(Decimal(body["selling_price"]))
    if "unit_id" in body:
        item.unit_id = int(body["unit_id"])
    if "image_id" in body:
        item.image_id = body["image_id"]
    if body.get("is_image_deleted") is True:
        item.image_id = None
    return JSONResponse({"message": "Catalog item updated"})


async def delete_item(request: Request) -> JSONResponse:
    """Delete an item; invoices keep their snapshot."""
    item = _item(request, leak=TENANT_LEAK_CATALOG_DELETE)
    del store_of(request).catalog[item.id]
    return JSONResponse({"message": "Catalog item deletion initiated"})


async def upload_image(request: Request) -> JSONResponse:
    """Store a JPEG, PNG, GIF or WebP picture sent as the multipart field ``image``."""
    organization(request, catalog=True)
    part = await scan_part(request, "image", limit=IMAGE_LIMIT + _MULTIPART_SLACK)
    if part is None:
        raise ValidationFailed.one("image", "The image field is required.")
    if part.size > IMAGE_LIMIT:
        raise ApiError(413, "The image must not be greater than 10240 kilobytes.")
    if image_kind(bytes(part.head)) is None:
        raise ValidationFailed.one("image", "The image field must be a file of type: jpg, png, gif, webp.")
    return JSONResponse({"image_id": str(uuid.uuid4())})


ROUTES = [
    route("/catalog/units", get=list_units),
    route("/catalog/upload-image", post=upload_image),
    route("/catalog", get=list_items, post=create_items),
    route("/catalog/{id:int}", patch=update_item, delete=delete_item),
]
