"""Domain errors of the mock, turned into the API's own error bodies by one handler, so no route builds one.

ApiError(status, message)       any documented error: {"message": ...}
└── ValidationFailed(errors)    422 {"message": "Validation failed", "errors": {field: [...]}}
"""

from __future__ import annotations

__all__ = ["ApiError", "ValidationFailed", "invoice_not_found"]


class ApiError(Exception):
    """An error the API answers with its status and a ``{"message"}`` body."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        code: str | None = None,
        extra: dict[str, object] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers
        self.code = code
        """The machine-readable reason (``error_code``), for the versions whose error bodies carry one."""
        self.extra = extra or {}
        """Fields the error body adds beside the envelope (``current_status``, ``invoice_id`` ...)."""

    def body(self) -> dict[str, object]:
        """The JSON body of this error."""
        return {"message": self.message}


class ValidationFailed(ApiError):
    """A 422 whose ``errors`` map lists the problems by field name (Laravel style)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(422, "Validation failed")
        self.errors = errors

    @classmethod
    def one(cls, field: str, message: str) -> ValidationFailed:
        """A 422 about a single field."""
        return cls({field: [message]})

    def body(self) -> dict[str, object]:
        """The JSON body of this error."""
        return {"message": self.message, "errors": self.errors}


def invoice_not_found() -> ApiError:
    """The 404 for an unknown invoice or another organization's one (ids never leak)."""
    return ApiError(404, "Invoice not found")
