"""How 2.1 writes an error: ``{error, error_code, message}``, or ``{message, errors}`` for a failed validation."""

from __future__ import annotations

from apipay_harness.mock.errors import ApiError, ValidationFailed

__all__ = ["error_body"]


def error_body(exc: ApiError) -> dict[str, object]:
    """The ErrorResponse of ``exc``: ``error`` is its code (or, without one, its short text), then the message.

    ``extra`` fields follow (``current_status`` and ``allowed_from``, ``invoice_id`` and ``status``); an
    ``error`` among them replaces the code as the short text, as the provider's own bodies do
    (``{"error": "Invoice cannot be cancelled", "message": ...}``).
    """
    if isinstance(exc, ValidationFailed):
        return exc.body()
    body: dict[str, object] = {"error": exc.code or exc.message}
    if exc.code is not None:
        body["error_code"] = exc.code
    body["message"] = exc.message
    body.update(exc.extra)
    return body
