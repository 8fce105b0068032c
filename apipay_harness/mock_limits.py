"""Every bound the mock keeps so that no client can grow it or hold it without limit, declared once.

The mock is a shared server: whatever a client sends, it answers 4xx and stays within these bounds. The
README's "Features and limitations" lists each one (``tests/mock/test_limits_doc.py`` keeps them equal).
This module sits outside ``apipay_harness.mock`` so that the command line can show the defaults without
importing the mock itself.
"""

from __future__ import annotations

__all__ = [
    "ANSWER_LIMIT",
    "DEFAULT_BODY_TIMEOUT",
    "DEFAULT_HEADER_TIMEOUT",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_MAX_INVOICES",
    "DELIVERY_TIMEOUT",
    "LINES_PER_INVOICE",
    "MAX_DELIVERIES",
    "MAX_HEAD_BYTES",
    "MAX_IN_FLIGHT",
    "MAX_CATALOG_ITEMS",
    "MAX_CLIENT_NAME",
    "MAX_IMAGE_ID",
    "MAX_UNKNOWN_KEYS",
    "MAX_WEBHOOKS",
    "MAX_WEBHOOK_SECRET",
    "MAX_WEBHOOK_URL",
]

# -- the store (mock/retention.py) ---------------------------------------------------------------------------

DEFAULT_MAX_INVOICES = 100_000
"""``--max-invoices``: invoices kept, and as many refunds (about 120 MB in all at the cap, bench/RESULTS.md)."""
LINES_PER_INVOICE = 4
"""Cart lines kept per invoice of the cap, on average: a cart has no documented size, but memory has one."""

# -- connections (mock/connections.py) -----------------------------------------------------------------------

DEFAULT_HEADER_TIMEOUT = 10.0
"""``--header-timeout``: seconds a connection has to send a whole request head, from connecting or its last answer."""
DEFAULT_BODY_TIMEOUT = 60.0
"""``--body-timeout``: seconds a request has to send its whole body after its head (10 MB in 60 s is 170 KB/s)."""
DEFAULT_MAX_CONNECTIONS = 512
"""``--max-connections``: connections open at once; each may hold a JSON body of up to 1 MB while it is read."""
MAX_HEAD_BYTES = 64 * 1024
"""Bytes of a request line plus headers; past it a JSON 431 (uvicorn's httptools parser has no bound of its own)."""

# -- what else clients store (mock/routes_control.py, mock/routes_catalog.py) ---------------------------------

MAX_CLIENT_NAME = 255
"""Characters of ``client_name`` in ``POST /_control/invoices/{id}/pay``; a longer one is a 422."""
MAX_WEBHOOKS = 100
"""Webhook registrations kept per organization; a new one past it forgets that organization's oldest."""
MAX_WEBHOOK_URL = 2048
"""Characters of a registered webhook's ``url``; a longer one is a 422."""
MAX_WEBHOOK_SECRET = 256
"""Characters of a registered webhook's ``secret``; a longer one is a 422."""
MAX_CATALOG_ITEMS = 1000
"""Catalog items per organization; a ``POST /catalog`` that would pass it is a 400 (the catalog's state)."""
MAX_IMAGE_ID = 1000
"""Characters of a catalog item's ``image_id`` (the spec sets no bound; the ids upload-image returns have 36)."""

# -- rate-limit windows (mock/ratelimit.py) ------------------------------------------------------------------

MAX_UNKNOWN_KEYS = 10_000
"""Keys other than the mock's own (answered 401) that keep a request count; past it the least recently seen goes."""

# -- webhook deliveries (mock/webhooks.py) -------------------------------------------------------------------

DELIVERY_TIMEOUT = 5.0
"""Seconds one delivery may take in all: connecting, sending, and reading the receiver's answer."""
ANSWER_LIMIT = 64 * 1024
"""Bytes of a receiver's answer read at most (only its status is kept); past it the connection is closed."""
MAX_DELIVERIES = 10_000
"""Delivery records kept for ``GET /_control/webhooks/deliveries``: the latest ones, oldest dropped first."""
MAX_IN_FLIGHT = 256
"""Deliveries under way at once; an event past it is recorded with an error and not sent."""
