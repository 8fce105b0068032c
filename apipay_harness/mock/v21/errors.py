"""How 2.1 writes an error: ``{error, error_code, message}``, or ``{message, errors}`` for a failed validation."""

from __future__ import annotations

from apipay_harness.mock.errors import ApiError, ValidationFailed
from apipay_harness.mock.retention import StoreFull
from apipay_harness.mock.store import Store
from apipay_harness.mock.v21 import variants as v21
from apipay_harness.mock.v21.store import Store21
from apipay_harness.mock.v21.variants import Variants21

__all__ = ["LARAVEL_MESSAGE", "STORE_FULL_CODE", "UNAUTHORIZED_MESSAGE", "error_body"]

LARAVEL_MESSAGE = "The given data was invalid."
UNAUTHORIZED_MESSAGE = "Invalid or missing API key"

STORE_FULL_CODE = "outstanding_org_limit"
"""The quota a create past the mock's bound is refused with: the mock holds too many invoices still open."""


def error_body(store: Store, exc: ApiError) -> dict[str, object]:
    """The ErrorResponse of ``exc``: ``error`` is its code (or, without one, its short text), then the message.

    ``extra`` fields follow (``current_status`` and ``allowed_from``, ``invoice_id`` and ``status``); an
    ``error`` among them replaces the code as the short text, as the provider's own bodies do
    (``{"error": "Invoice cannot be cancelled", "message": ...}``).
    """
    chosen = store.variants21 if isinstance(store, Store21) else Variants21()
    if isinstance(exc, ValidationFailed):
        failed = exc.body()
        if chosen.on(v21.VALIDATION_MESSAGE_LARAVEL):
            failed["message"] = LARAVEL_MESSAGE
        return failed
    if exc.status == 404 and chosen.on(v21.NOT_FOUND_MESSAGE_ONLY):
        return {"message": exc.message}
    if exc.status == 401 and chosen.on(v21.UNAUTHORIZED_MESSAGE_ONLY):
        return {"message": UNAUTHORIZED_MESSAGE}
    if isinstance(exc, StoreFull):
        return {
            "error": STORE_FULL_CODE,
            "error_code": STORE_FULL_CODE,
            "message": exc.message,
            "retry_after_seconds": exc.retry_after,
        }
    body: dict[str, object] = {"error": exc.code or exc.message}
    if exc.code is not None and not chosen.on(v21.BUSINESS_ERRORS_WITHOUT_ERROR_CODE):
        body["error_code"] = exc.code
    body["message"] = exc.message
    body.update(exc.extra)
    return body
