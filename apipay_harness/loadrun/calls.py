"""One request of a load user, its answer, and the verdict on that answer.

The locustfile's request wrapper sends a ``Call`` and asks ``judge`` about the ``Answer``: a
reason marks the request failed in Locust's statistics, ``None`` lets it pass. Nothing here
sends anything or imports locust or gevent, so pytest can test it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from apipay_harness.loadrun.steps import dump_json, parse_body, retry_after

__all__ = ["MAX_RETRY_WAIT", "MAX_TRIES", "Answer", "Call", "Check", "judge"]

Check = Callable[[int, Any], "str | None"]
"""Judges a parsed answer body given its status: the reason it breaks the contract, or ``None``."""

MAX_TRIES = 3
"""Sends of one call: a 429 is retried twice after the ``retry_after`` it asks for."""
MAX_RETRY_WAIT = 60.0
"""The longest ``retry_after`` a user honours before retrying (a hostile server could ask for hours)."""
_SHOWN = 200


@dataclass(frozen=True, slots=True)
class Call:
    """A request a load user sends, with what its answer must be."""

    method: str
    url: str
    """A path under the host (sent with the API key) or a full control-API URL (sent without)."""
    name: str
    """The statistics row: ids replaced by ``{id}`` so one endpoint is one row."""
    expect: Collection[int]
    body: Any = None
    check: Check | None = None
    record: int | None = None
    """The invoice this request may change: an ``attempt`` is recorded before it and ``settled`` after."""
    fresh: bool = False
    """Send it on a connection of its own (``Connection: close``), as an independent client would."""

    def data(self) -> str | None:
        """The JSON body, money as JSON numbers; ``None`` without a body."""
        return dump_json(self.body) if self.body is not None else None

    def headers(self, api_key: str) -> dict[str, str]:
        """The headers to send: the key only to the API itself, never to the control API."""
        headers = {"Accept": "application/json"}
        if self.fresh:
            headers["Connection"] = "close"
        if not self.url.startswith("http"):
            headers["X-API-Key"] = api_key
        if self.body is not None:
            headers["Content-Type"] = "application/json"
        return headers


@dataclass(frozen=True, slots=True)
class Answer:
    """What came back: the status (0 = no answer), the JSON body (``None`` if not JSON) and the raw content."""

    status: int
    body: Any = None
    content: bytes = b""
    error: str = ""
    """Why there was no answer (status 0)."""

    @classmethod
    def read(cls, status: int, content: bytes | None, *, error: object = None) -> Answer:
        """Parse an answer as it arrived, keeping fractions as ``Decimal``."""
        try:
            body = parse_body(content)
        except ValueError:
            body = None
        return cls(status=status, body=body, content=content or b"", error="" if status else repr(error))

    @property
    def retry_in(self) -> float:
        """Seconds to wait before sending again after a 429 (at most ``MAX_RETRY_WAIT``)."""
        return min(retry_after(self.body), MAX_RETRY_WAIT)


def judge(call: Call, answer: Answer) -> str | None:
    """The reason ``answer`` counts as a failure of ``call``, or ``None`` when it holds."""
    status = answer.status
    if status == 0:
        return f"no answer: {answer.error}"
    if status == 429:
        return f"429 rate limited; retrying after {retry_after(answer.body):g}s"
    if status not in call.expect:
        shown = answer.content.decode("utf-8", "replace")[:_SHOWN]
        return f"answered {status}, expected {'/'.join(map(str, sorted(call.expect)))}: {shown}"
    if answer.body is None:
        return f"answered {status} without a JSON body"
    try:
        return call.check(status, answer.body) if call.check else None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:  # a body too broken for the check itself
        return f"answered {status} with a body the check could not read: {exc!r}"
