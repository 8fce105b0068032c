"""Scanning a multipart body as it arrives for one named part: its size and first bytes, whatever its headers.

The mock keeps no uploaded picture, so it never holds one: the body is parsed chunk by chunk and only the
part's size and first ``HEAD_BYTES`` bytes are kept. A 10 MB upload costs one chunk of memory, not 10 MB
per connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request

from apipay_harness.mock.errors import ApiError
from apipay_harness.mock.jsonio import body_chunks

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

__all__ = ["HEAD_BYTES", "IMAGE_KINDS", "PartHead", "image_kind", "scan_part"]

IMAGE_KINDS = ("jpeg", "png", "gif", "webp")
HEAD_BYTES = 16
"""Bytes kept from the start of the part: enough for every picture format's magic number."""
_MAX_PART_HEADER = 16 * 1024
"""Bytes of one part header (name plus value): the part's own head, bounded like a request's."""


@dataclass
class PartHead:
    """The first part of the wanted name: how long it is and how it starts."""

    size: int = 0
    head: bytearray = field(default_factory=bytearray)


class _Scanner:
    """The parser's callbacks: follow each part's name, count and sample the first part called ``wanted``."""

    def __init__(self, wanted: bytes) -> None:
        self.wanted = wanted
        self.found: PartHead | None = None
        self.ended = False
        self._in_wanted = False
        self._field = bytearray()
        self._value = bytearray()

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self._part_begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _part_begin(self) -> None:
        self._in_wanted = False

    def _grow(self, buffer: bytearray, data: bytes, start: int, end: int) -> None:
        buffer.extend(data[start:end])
        if len(self._field) + len(self._value) > _MAX_PART_HEADER:
            raise ApiError(400, f"Malformed multipart body: a part header is longer than {_MAX_PART_HEADER} bytes.")

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._grow(self._field, data, start, end)

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._grow(self._value, data, start, end)

    def _header_end(self) -> None:
        if bytes(self._field).lower() == b"content-disposition" and self.found is None:
            _, params = parse_options_header(bytes(self._value))
            self._in_wanted = params.get(b"name") == self.wanted
            if self._in_wanted:
                self.found = PartHead()
        self._field.clear()
        self._value.clear()

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_wanted and self.found is not None:
            self.found.size += end - start
            missing = HEAD_BYTES - len(self.found.head)
            if missing > 0:
                self.found.head.extend(data[start : min(end, start + missing)])

    def _part_end(self) -> None:
        self._in_wanted = False

    def _end(self) -> None:
        self.ended = True


async def scan_part(request: Request, name: str, *, limit: int) -> PartHead | None:
    """The first part called ``name`` of a multipart body; ``None`` if the body is not multipart or lacks it.

    400 for a malformed body (no boundary, one the parser refuses, a cut before the closing boundary),
    413 as soon as the body passes ``limit`` bytes.
    """
    media, options = parse_options_header(request.headers.get("content-type") or "")
    if media != b"multipart/form-data":
        return None
    boundary = options.get(b"boundary")
    if not boundary:
        raise ApiError(400, "The multipart body has no boundary.")
    scanner = _Scanner(name.encode())
    chunks = body_chunks(request, limit=limit)
    try:
        # The parser refuses some boundaries (longer than 256 bytes) as it is built: inside the try too.
        parser = MultipartParser(boundary, scanner.callbacks())
        async for chunk in chunks:
            parser.write(chunk)
        parser.finalize()
    except (FormParserError, ValueError) as exc:
        raise ApiError(400, f"Malformed multipart body: {str(exc)[:200]}") from None
    if not scanner.ended:
        # A body cut before its closing boundary is a truncated upload, whatever its first bytes look like.
        raise ApiError(400, "Malformed multipart body: it ends before its closing boundary.")
    return scanner.found


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
