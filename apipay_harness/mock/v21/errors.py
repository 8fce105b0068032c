"""How 2.1 writes an error: ``{error, error_code, message}``, or ``{message, errors}`` for a failed validation."""

from __future__ import annotations

from apipay_harness.mock.errors import ApiError, ValidationFailed
from apipay_harness.mock.retention import StoreFull

__all__ = ["STORE_FULL_CODE", "error_body"]

STORE_FULL_CODE = "outstanding_org_limit"
"""The quota a create past the mock's bound is refused with: the mock holds too many invoices still open."""


def error_body(exc: ApiError) -> dict[str, object]:
    """The ErrorResponse of ``exc``: ``error`` is its code (or, without one, its short text), then the message.

    ``extra`` fields follow (``current_status`` and ``allowed_from``, ``invoice_id`` and ``status``); an
    ``error`` among them replaces the code as the short text, as the provider's own bodies do
    (``{"error": "Invoice cannot be cancelled", "message": ...}``).
    """
    if isinstance(exc, ValidationFailed):
        return exc.body()
    if isinstance(exc, StoreFull):
        return {
            "error": STORE_FULL_CODE,
            "error_code": STORE_FULL_CODE,
            "message": exc.message,
            "retry_after_seconds": exc.retry_after,
        }
    body: dict[str, object] = {"error": exc.code or exc.message}
    if exc.code is not None:
        body["error_code"] = exc.code
    body["message"] = exc.message
    body.update(exc.extra)
    return body
