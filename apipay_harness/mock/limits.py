"""Every bound the mock keeps so that no client can grow it or hold it without limit, declared once.

The mock is a shared server: whatever a client sends, it answers 4xx and stays within these bounds. Each
bound is a ``Limit`` in ``LIMITS``, with what it bounds and what happens past it; ``limits_table()`` renders
them for the README's "Features and limitations" (``tests/mock/test_limits_doc.py`` keeps the copy equal).
This module sits outside ``apipay_harness.mock`` so that the command line can show the defaults without
importing the mock itself.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ANSWER_LIMIT",
    "DEFAULT_BODY_TIMEOUT",
    "DEFAULT_HEADER_TIMEOUT",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_INVOICES",
    "DELIVERY_TIMEOUT",
    "LIMITS",
    "LINES_PER_INVOICE",
    "MAX_CATALOG_ITEMS",
    "MAX_CLIENT_NAME",
    "MAX_DELIVERIES",
    "MAX_HEAD_BYTES",
    "MAX_IMAGE_ID",
    "MAX_IN_FLIGHT",
    "MAX_UNKNOWN_KEYS",
    "MAX_WEBHOOKS",
    "MAX_WEBHOOK_SECRET",
    "MAX_WEBHOOK_URL",
    "Limit",
    "limits_table",
]


@dataclass(frozen=True, slots=True)
class Limit:
    """One bound: its value, how it is set, what it bounds and what the mock does past it."""

    name: str
    value: float
    unit: str
    """``s`` (seconds), ``bytes``, ``characters`` or a plural noun counted."""
    flag: str | None
    bounds: str
    past: str

    def shown(self) -> str:
        """The value as a person reads it: ``10 s``, ``64 KiB``, ``100,000``."""
        if self.unit == "s":
            return f"{self.value:g} s"
        if self.unit == "bytes" and self.value % 1024 == 0:
            return f"{int(self.value) // 1024} KiB"
        return f"{int(self.value):,} {self.unit}"


LIMITS: list[Limit] = []


def _int(name: str, value: int, unit: str, flag: str | None, bounds: str, past: str) -> int:
    LIMITS.append(Limit(name, value, unit, flag, bounds, past))
    return value


def _float(name: str, value: float, unit: str, flag: str | None, bounds: str, past: str) -> float:
    LIMITS.append(Limit(name, value, unit, flag, bounds, past))
    return value


# -- the store (mock/retention.py) ---------------------------------------------------------------------------

DEFAULT_MAX_INVOICES = _int(
    "DEFAULT_MAX_INVOICES",
    100_000,
    "invoices",
    "--max-invoices",
    "invoices kept, and as many refunds (in the soak benchmark 1.2 KB per invoice with its refunds and queued "
    "work: about 120 MB at the default, on top of the mock's 45 MB)",
    "the invoices that settled longest ago (cancelled, expired, refunded) are forgotten with their refunds, "
    "a batch of 1% at a time (`GET /_control/stats` counts them); with none settled, creates get "
    "`429 {message, retry_after}`",
)
LINES_PER_INVOICE = _int(
    "LINES_PER_INVOICE",
    4,
    "cart lines",
    None,
    "cart lines kept per invoice of `--max-invoices`, on average (a cart's size is not documented)",
    "as for invoices: settled invoices are forgotten, else `429`",
)

# -- connections (mock/connections.py) -----------------------------------------------------------------------

DEFAULT_HEADER_TIMEOUT = _float(
    "DEFAULT_HEADER_TIMEOUT",
    10.0,
    "s",
    "--header-timeout",
    "time to send a whole request head, from connecting or from the last answer",
    "JSON `408` and the connection closed (an idle connection is just closed)",
)
DEFAULT_BODY_TIMEOUT = _float(
    "DEFAULT_BODY_TIMEOUT",
    60.0,
    "s",
    "--body-timeout",
    "time to send a whole body after its head (10 MB in 60 s is 170 KB/s)",
    "JSON `408` and the connection closed (just closed if the request was already answered)",
)
DEFAULT_MAX_CONNECTIONS = _int(
    "DEFAULT_MAX_CONNECTIONS",
    512,
    "connections",
    "--max-connections",
    "connections open at once (each may hold a 1 MB JSON body while it is read)",
    "the one that waited longest is closed to admit the new one: waiting for a head, else mid-body (`408`), "
    "else not reading its answers for longer than `--body-timeout`; if all are busy, the new one is closed",
)
MAX_HEAD_BYTES = _int(
    "MAX_HEAD_BYTES",
    64 * 1024,
    "bytes",
    None,
    "a request line plus its headers",
    "JSON `431` and the connection closed",
)

# -- what else clients store (mock/routes_control.py, mock/routes_catalog.py) ---------------------------------

MAX_CLIENT_NAME = _int(
    "MAX_CLIENT_NAME",
    255,
    "characters",
    None,
    "`client_name` of `POST /_control/invoices/{id}/pay`",
    "`422`",
)
MAX_WEBHOOKS = _int(
    "MAX_WEBHOOKS",
    100,
    "webhooks",
    None,
    "webhook registrations per organization (they outlive `/_control/reset`)",
    "a new one forgets that organization's oldest",
)
MAX_WEBHOOK_URL = _int("MAX_WEBHOOK_URL", 2048, "characters", None, "a registered webhook's `url`", "`422`")
MAX_WEBHOOK_SECRET = _int("MAX_WEBHOOK_SECRET", 256, "characters", None, "a registered webhook's `secret`", "`422`")
MAX_CATALOG_ITEMS = _int(
    "MAX_CATALOG_ITEMS",
    1000,
    "items",
    None,
    "catalog items per organization",
    "`POST /catalog` answers `400` (delete some first)",
)
MAX_IMAGE_ID = _int(
    "MAX_IMAGE_ID",
    1000,
    "characters",
    None,
    "a catalog item's `image_id` (unbounded in the spec; upload-image's ids have 36)",
    "`422`",
)

# -- rate-limit windows (mock/ratelimit.py) ------------------------------------------------------------------

MAX_UNKNOWN_KEYS = _int(
    "MAX_UNKNOWN_KEYS",
    10_000,
    "keys",
    None,
    "request counts of keys that are not the mock's (answered `401`), kept by the key's hash",
    "the least recently seen is forgotten; the mock's own keys keep their counts whatever other keys arrive",
)

# -- webhook deliveries (mock/webhooks.py) -------------------------------------------------------------------

DELIVERY_TIMEOUT = _float(
    "DELIVERY_TIMEOUT",
    5.0,
    "s",
    None,
    "one webhook delivery in all: connecting, sending, reading the receiver's answer",
    "the delivery is recorded with `error: TimeoutError…` and its connection closed",
)
ANSWER_LIMIT = _int(
    "ANSWER_LIMIT",
    64 * 1024,
    "bytes",
    None,
    "a webhook receiver's answer read (only its status is kept)",
    "the rest is not read: the connection is closed",
)
MAX_DELIVERIES = _int(
    "MAX_DELIVERIES",
    10_000,
    "deliveries",
    None,
    "delivery records of `GET /_control/webhooks/deliveries`",
    "the oldest records are dropped (`GET /_control/stats` counts them)",
)
MAX_IN_FLIGHT = _int(
    "MAX_IN_FLIGHT",
    256,
    "deliveries",
    None,
    "webhook deliveries under way at once",
    "the event is recorded with `error: not sent…` and not sent",
)


def limits_table() -> str:
    """The Markdown table of every limit, for the README."""
    rows = ["| bound | default | set with | past it |", "|---|---|---|---|"]
    for limit in LIMITS:
        flag = f"`{limit.flag}`" if limit.flag else "–"
        rows.append(f"| {limit.bounds} | {limit.shown()} | {flag} | {limit.past} |")
    return "\n".join(rows)
