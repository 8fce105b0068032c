"""What every handler needs: the store, the caller's organization, typed path ids and validated input."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from apipay_harness.mock.errors import ApiError, ValidationFailed
from apipay_harness.mock.faults import UNVERIFIED_ORG_ALLOWED
from apipay_harness.mock.fixtures import Organization
from apipay_harness.mock.jsonio import read_json_object
from apipay_harness.mock.params import QueryParser
from apipay_harness.mock.store import Store
from apipay_harness.mock.validation import Check, Errors

__all__ = ["KEY_SCOPE", "MAX_ID", "Validators", "body_of", "organization", "path_id", "query_of", "store_of"]

MAX_ID = 2**63 - 1
KEY_SCOPE = "apipay.api_key"
"""Where the rate limiter leaves the raw ``X-API-Key`` bytes it already found, so handlers need not look again."""
_DIGITS = re.compile(r"[0-9]{1,19}")
"""Matched whole (``fullmatch``): with ``$``, a final newline passes and ``/invoices/351%0A`` is invoice 351."""


@dataclass(frozen=True, slots=True)
class Validators:
    """Body checks and query parsers compiled from the spec, keyed by operationId."""

    bodies: dict[str, Check]
    queries: dict[str, QueryParser]


def store_of(request: Request) -> Store:
    """The one store on the app."""
    store: Store = request.scope["app"].state.store
    return store


def organization(request: Request, *, catalog: bool = False) -> Organization:
    """The caller's organization: 401 without a known key, 403 unverified, 400 without the catalog if needed."""
    store = store_of(request)
    key = request.scope.get(KEY_SCOPE)
    if key is None:
        key = request.headers.get("x-api-key", "").encode("latin-1")
    org = store.keys_raw.get(key) if key else None
    if org is None:
        raise ApiError(401, "Invalid API key")
    if not org.verified and not store.faults.on(UNVERIFIED_ORG_ALLOWED):
        raise ApiError(403, "Organization not verified")
    if catalog and not org.catalog:
        raise ApiError(400, "The catalog is not enabled for this organization")
    return org


def path_id(request: Request, *, not_found: str = "Invoice not found") -> int:
    """The ``{id}`` of the path as an int; anything else (or beyond 64-bit) is 404."""
    raw = request.path_params.get("id")
    if isinstance(raw, int) and 0 <= raw <= MAX_ID:
        return raw
    if isinstance(raw, str) and _DIGITS.fullmatch(raw) is not None and int(raw) <= MAX_ID:
        return int(raw)
    raise ApiError(404, not_found)


def query_of(request: Request, operation_id: str) -> dict[str, Any]:
    """The operation's query parameters, typed, or 422."""
    validators: Validators = request.app.state.validators
    return validators.queries[operation_id].parse(request.query_params)


async def body_of(request: Request, operation_id: str, *, required: bool = True) -> dict[str, Any] | None:
    """The operation's JSON body, validated against its schema in the spec, or 4xx."""
    body = await read_json_object(request, required=required)
    if body is None:
        return None
    validators: Validators = request.app.state.validators
    errors: Errors = {}
    validators.bodies[operation_id](body, "", errors)
    if errors:
        raise ValidationFailed(errors)
    return body
