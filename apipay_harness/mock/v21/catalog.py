"""The catalog under 2.1 (a sandbox): 202 creates with ``rejected[]``, logical deletes, ``active`` listings.

Listings come in the targeted, keyset or offset shape.

An item's derived status in the sandbox is ``active`` or ``deleted`` (the sandbox has no Kaspi delivery to
wait for). A deleted item stays readable with ``statuses[]=deleted`` and comes back with its id when a
create sends its ``external_ref`` again; a live item with the same ``external_ref`` or barcode is answered
as ``matched_existing``. Per-item problems go to ``rejected`` (``catalog_item_invalid`` with the field
messages), only a malformed request is a 422. An ``Idempotency-Key`` replayed with the same body answers
200 ``idempotent_replay``, with another body 409 ``idempotency_key_conflict``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import msgspec
from starlette.requests import Request

from apipay_harness.mock.context import Validators, organization, path_id, query_of, store_of
from apipay_harness.mock.errors import ApiError, ValidationFailed
from apipay_harness.mock.jsonio import JSONResponse, read_json_object
from apipay_harness.mock.limits import MAX_CATALOG_ITEMS
from apipay_harness.mock.money import to_kopecks
from apipay_harness.mock.multipart import image_kind, scan_part
from apipay_harness.mock.router import route
from apipay_harness.mock.routes_catalog import new_item_fields
from apipay_harness.mock.v21.models import CatalogItem21
from apipay_harness.mock.v21.store import Store21
from apipay_harness.mock.validation import Errors

__all__ = ["IMAGE_FORMATS", "ROUTES", "TARGETED"]

TARGETED = ("ids[]", "barcodes[]", "external_refs[]", "ntins[]")
"""The parameters that switch GET /catalog to its targeted mode (``{data}``, no pagination)."""
_TARGETED_MAX = 200
IMAGE_FORMATS = ("jpeg", "png")
_IMAGE_BYTES = 6 * 1024 * 1024
_MULTIPART_SLACK = 64 * 1024
_MAX_KEYS = 1000
"""Idempotency keys of catalog creates remembered per mock (the oldest is forgotten first, so memory stays bounded)."""


def _store(request: Request) -> Store21:
    store = store_of(request)
    assert isinstance(store, Store21)
    return store


def _unreadable_is_422(exc: ApiError, field: str) -> ApiError:
    """A 400 for a body that cannot be read at all, answered as the 422 of unreadable input.

    The 2.1.0 spec documents no 400 for PATCH /catalog/{id} or the image upload (POST /catalog's 400 is the
    sandbox's item limit): what a client sent wrong is a 422 there.
    """
    if exc.status != 400 or isinstance(exc, ValidationFailed):
        return exc
    return ValidationFailed.one(field, exc.message)


async def _json_body(request: Request, *, required: bool) -> dict[str, Any]:
    """The request's JSON object; a body that is not JSON at all is a 422 like any other unreadable input."""
    try:
        return await read_json_object(request, required=required) or {}
    except ApiError as exc:
        raise _unreadable_is_422(exc, "body") from None


def _items_of(store: Store21, organization_id: int) -> list[CatalogItem21]:
    return [i for i in store.catalog.values() if isinstance(i, CatalogItem21) and i.organization == organization_id]


async def _list_items(request: Request) -> JSONResponse:
    """The catalog in its targeted, keyset or offset mode, ``active`` items unless ``statuses[]`` says otherwise."""
    org = organization(request, catalog=True)
    if "batch_id" in request.query_params:
        raise ApiError(422, "The batch_id filter was removed.", code="catalog_batch_filter_removed")
    query = query_of(request, "listCatalogItems")
    store = _store(request)
    statuses = set(query.get("statuses[]") or ("active",))
    rows = [i for i in _items_of(store, org.id) if i.status in statuses]
    targeted: dict[str, list[Any]] = {name: list(query[name]) for name in TARGETED if query.get(name)}
    if targeted:
        if sum(len(values) for values in targeted.values()) > _TARGETED_MAX:
            raise ApiError(422, f"At most {_TARGETED_MAX} values in all.", code="catalog_match_overflow")
        wanted: dict[str, Callable[[CatalogItem21], object]] = {
            "ids[]": lambda i: i.id,
            "barcodes[]": lambda i: i.barcode,
            "external_refs[]": lambda i: i.external_ref,
            "ntins[]": lambda i: i.ntin,
        }
        hits = [i for i in rows if any(wanted[n](i) in set(v) for n, v in targeted.items())]
        return JSONResponse({"data": [i.render() for i in hits]})
    search = (query.get("search") or "").casefold()
    first = (query.get("first_char") or "").casefold()
    rows = [
        i
        for i in rows
        if (not search or search in i.name.casefold())
        and (not query.get("barcode") or i.barcode == query["barcode"])
        and (not first or i.name.casefold().startswith(first))
        and (not query.get("without_ntin") or i.ntin is None)
    ]
    rows.sort(key=lambda i: i.id)
    per_page = int(query["per_page"])
    path = str(request.url.path)
    if query.get("cursor") is not None:
        return JSONResponse(_keyset(rows, str(query["cursor"]), per_page, path))
    page = max(1, int(query["page"]))
    last_page = max(1, -(-len(rows) // per_page))
    chunk = rows[(page - 1) * per_page : page * per_page]
    first_index = (page - 1) * per_page + 1 if chunk else None
    return JSONResponse(
        {
            "data": [i.render() for i in chunk],
            "links": {
                "first": f"{path}?page=1",
                "last": f"{path}?page={last_page}",
                "prev": f"{path}?page={page - 1}" if page > 1 else None,
                "next": f"{path}?page={page + 1}" if page < last_page else None,
            },
            "meta": {
                "current_page": page,
                "from": first_index,
                "last_page": last_page,
                "path": path,
                "per_page": per_page,
                "to": None if first_index is None else first_index + len(chunk) - 1,
                "total": len(rows),
            },
        }
    )


def _keyset(rows: list[CatalogItem21], cursor: str, per_page: int, path: str) -> dict[str, Any]:
    """A keyset page: the items after the cursor's id (an empty cursor starts at the first item)."""
    after = int(cursor) if cursor.isdigit() else 0
    chunk = [i for i in rows if i.id > after][:per_page]
    more = bool(chunk) and any(i.id > chunk[-1].id for i in rows)
    next_cursor = str(chunk[-1].id) if more else None
    start = chunk[0].id if chunk else after
    prev_cursor = str(max((i.id for i in rows if i.id < start), default=0)) if after else None
    return {
        "data": [i.render() for i in chunk],
        "links": {"first": None, "last": None, "prev": None, "next": f"{path}?cursor={next_cursor}" if more else None},
        "meta": {"next_cursor": next_cursor, "prev_cursor": prev_cursor, "per_page": per_page, "path": path},
    }


async def _create_items(request: Request) -> JSONResponse:
    """Create up to 100 items: 202 with the created or matched ones in ``data``, the invalid ones in ``rejected``."""
    org = organization(request, catalog=True)
    store = _store(request)
    body = await _json_body(request, required=True)
    validators: Validators = request.app.state.validators
    errors: Errors = {}
    validators.bodies["createCatalogItems"](body, "", errors)
    per_item: dict[int, Errors] = {}
    for field, messages in errors.items():
        parts = field.split(".")
        if len(parts) >= 3 and parts[0] == "items" and parts[1].isdigit():
            per_item.setdefault(int(parts[1]), {})[".".join(parts[2:])] = messages
    malformed = {f: m for f, m in errors.items() if not (f.startswith("items.") and f.split(".")[1].isdigit())}
    if malformed:
        raise ValidationFailed(malformed)
    header, longest = store.rules.catalog_key_header, store.rules.catalog_key_max
    if len(request.headers.get(header, "")) > longest:
        raise ValidationFailed.one(header, f"The {header} may not be greater than {longest} characters.")
    key = request.headers.get(header) or body.get("idempotency_key")
    replays = store.catalog_keys
    fingerprint = msgspec.json.encode({k: v for k, v in body.items() if k != "idempotency_key"})
    if key:
        seen = replays.get((org.id, key))
        if seen is not None:
            if seen[0] != fingerprint:
                raise ApiError(409, "This Idempotency-Key was used with another body.", code="idempotency_key_conflict")
            return JSONResponse(msgspec.json.decode(seen[1]) | {"idempotent_replay": True})
    data, rejected = [], []
    for index, line in enumerate(body["items"]):
        problems = per_item.get(index, {})
        if "unit_id" not in problems and int(line["unit_id"]) not in store.units:
            problems["unit_id"] = ["The selected unit id is invalid."]
        if problems:
            rejected.append(
                {
                    "index": index,
                    "error_code": "catalog_item_invalid",
                    "error_message": "The item failed validation; fix the fields and send it again.",
                    "errors": problems,
                    "name": line.get("name") if isinstance(line.get("name"), str) else None,
                    "barcode": line.get("barcode") if isinstance(line.get("barcode"), str) else None,
                    "external_ref": line.get("external_ref") if isinstance(line.get("external_ref"), str) else None,
                }
            )
            continue
        item = _match(store, org.id, line)
        if item is None:
            if len(_items_of(store, org.id)) >= MAX_CATALOG_ITEMS:
                raise ApiError(400, f"The sandbox catalog is limited to {MAX_CATALOG_ITEMS} items.",
                               code="sandbox_catalog_limit")  # fmt: skip
            now = store.clock.timestamp()
            item = CatalogItem21(
                **new_item_fields(store, org.id, line),
                barcode=line.get("barcode"),
                ntin=line.get("ntin"),
                gtin=line.get("gtin"),
                external_ref=line.get("external_ref"),
                created_at=store.stamp(now),
                updated_at=now,
            )
            store.catalog[item.id] = item
        data.append(item.render() | {"matched_existing": item.matched_existing})
        item.matched_existing = False
    answer = {"data": data, "rejected": rejected}
    if key:
        if len(replays) >= _MAX_KEYS:
            del replays[next(iter(replays))]
        replays[(org.id, key)] = (fingerprint, msgspec.json.encode(answer))
    return JSONResponse(answer, status_code=202)


def _match(store: Store21, organization_id: int, line: dict[str, Any]) -> CatalogItem21 | None:
    """The existing item a create names (its ``external_ref``, deleted ones restored; or a live one's barcode)."""
    ref, barcode = line.get("external_ref"), line.get("barcode")
    for item in _items_of(store, organization_id):
        if (ref and item.external_ref == ref) or (barcode and item.status == "active" and item.barcode == barcode):
            if item.status == "deleted":
                item.status = "active"  # restored with its id
                item.name, item.selling_price = line["name"], to_kopecks(Decimal(line["selling_price"]))
                item.unit_id = int(line["unit_id"])
            else:
                item.matched_existing = True
            return item
    return None


def _live_item(request: Request) -> CatalogItem21:
    org = organization(request, catalog=True)
    item = store_of(request).catalog.get(path_id(request, not_found="Catalog item not found"))
    if not isinstance(item, CatalogItem21) or item.organization != org.id or item.status == "deleted":
        raise ApiError(404, "Catalog item not found")
    return item


async def _update_item(request: Request) -> JSONResponse:
    """Change the fields sent of a live sandbox item: 200 (a deleted item is not found)."""
    item = _live_item(request)
    store = store_of(request)
    body = await _json_body(request, required=False)
    validators: Validators = request.app.state.validators
    errors: Errors = {}
    validators.bodies["updateCatalogItem"](body, "", errors)
    if body.get("unit_id") is not None and "unit_id" not in errors and int(body["unit_id"]) not in store.units:
        errors["unit_id"] = ["The selected unit id is invalid."]
    if errors:
        raise ValidationFailed(errors)
    for name in ("name", "barcode", "ntin", "gtin", "image_id"):
        if name in body:
            setattr(item, name, body[name])
    if "selling_price" in body:
        item.selling_price = to_kopecks(Decimal(body["selling_price"]))
    if "unit_id" in body:
        item.unit_id = int(body["unit_id"])
    if body.get("is_image_deleted") is True:
        item.image_id = None
    item.updated_at = store.clock.timestamp()
    return JSONResponse({"message": "Catalog item updated", "catalog_item_id": item.id})


async def _delete_item(request: Request) -> JSONResponse:
    """Delete a sandbox item logically: 200, the item is ``deleted`` (listed with ``statuses[]=deleted``)."""
    item = _live_item(request)
    item.status = "deleted"
    item.updated_at = store_of(request).clock.timestamp()
    return JSONResponse({"message": "Catalog item deleted", "catalog_item_id": item.id})


async def _upload_image(request: Request) -> JSONResponse:
    """A JPEG or PNG picture by content, at most 6 MB (413 beyond); another format is 422 ``invalid_file_type``."""
    organization(request, catalog=True)
    try:
        part = await scan_part(request, "image", limit=_IMAGE_BYTES + _MULTIPART_SLACK)
    except ApiError as exc:
        raise _unreadable_is_422(exc, "image") from None
    if part is None:
        raise ApiError(422, "The image field is required.", code="validation_error")
    if part.size > _IMAGE_BYTES:
        raise ApiError(413, "The file is larger than 6 MB.", code="file_too_large")
    if image_kind(bytes(part.head)) not in IMAGE_FORMATS:
        raise ApiError(422, "The image must be a JPEG or PNG picture.", code="invalid_file_type")
    return JSONResponse({"image_id": str(uuid.uuid4())})


ROUTES = [
    route("/catalog", get=_list_items, post=_create_items),
    route("/catalog/{id:int}", patch=_update_item, delete=_delete_item),
    route("/catalog/upload-image", post=_upload_image),
]
