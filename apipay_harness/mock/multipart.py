"""Reading one named part of a multipart body as raw bytes, whatever headers the part carries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from apipay_harness.mock.errors import ApiError

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

__all__ = ["IMAGE_KINDS", "image_kind", "multipart_part"]

IMAGE_KINDS = ("jpeg", "png", "gif", "webp")


def multipart_part(content_type: str | None, body: bytes, name: str) -> bytes | None:
    """The bytes of the first part called ``name``; ``None`` if absent or the body is not multipart."""
    media, options = parse_options_header(content_type or "")
    if media != b"multipart/form-data":
        return None
    boundary = options.get(b"boundary")
    if not boundary:
        raise ApiError(400, "The multipart body has no boundary.")
    parts: list[tuple[bytes | None, bytearray]] = []
    header_field = bytearray()
    header_value = bytearray()
    current_name: list[bytes | None] = [None]
    ended = [False]

    def on_part_begin() -> None:
        current_name[0] = None
        parts.append((None, bytearray()))

    def on_header_field(data: bytes, start: int, end: int) -> None:
        header_field.extend(data[start:end])

    def on_header_value(data: bytes, start: int, end: int) -> None:
        header_value.extend(data[start:end])

    def on_header_end() -> None:
        if bytes(header_field).lower() == b"content-disposition":
            _, params = parse_options_header(bytes(header_value))
            parts[-1] = (params.get(b"name"), parts[-1][1])
        header_field.clear()
        header_value.clear()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        parts[-1][1].extend(data[start:end])

    def on_end() -> None:
        ended[0] = True

    callbacks: MultipartCallbacks = {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_header_end": on_header_end,
        "on_part_data": on_part_data,
        "on_end": on_end,
    }
    try:
        # The parser refuses some boundaries (longer than 256 bytes) as it is built: inside the try too.
        parser = MultipartParser(boundary, callbacks)
        parser.write(body)
        parser.finalize()
    except (FormParserError, ValueError) as exc:
        raise ApiError(400, f"Malformed multipart body: {str(exc)[:200]}") from None
    if not ended[0]:
        # A body cut before its closing boundary is a truncated upload, whatever its first bytes look like.
        raise ApiError(400, "Malformed multipart body: it ends before its closing boundary.")
    wanted = name.encode()
    return next((bytes(data) for part_name, data in parts if part_name == wanted), None)


def image_kind(data: bytes) -> str | None:
    """Which picture format the bytes are, judged by their content (magic numbers), or ``None``."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if len(data) >= 12 and data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return "webp"
    return None
