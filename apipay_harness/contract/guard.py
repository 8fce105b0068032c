"""What a contract run lets its clients send, and what it tidies up afterwards.

Every request a suite sends passes ``Guard.before``, every answer ``Guard.after``:
the guard remembers the last request (for a failing test's reproducer), counts the
invoices the run created, and under ``--profile production`` refuses — by skipping the
test with one reason — anything that harms a real account: a refund, a catalog change,
more invoices than the cap. ``cleanup`` cancels every invoice the run created that is
still pending.
"""

from __future__ import annotations

import re
import threading

import httpx
import pytest

from apipay_harness.core.http import BoundedClient

__all__ = ["PRODUCTION_INVOICE_CAP", "Guard", "is_destructive"]

PRODUCTION_INVOICE_CAP = 20
"""At most this many invoices are created on a real account under ``--profile production``."""

_INVOICES = re.compile(r"/invoices/?$")
_REFUND = re.compile(r"/invoices/[^/]+/refund/?$")
_CATALOG = re.compile(r"/catalog(/|$)")


def is_destructive(method: str, path: str) -> bool:
    """Whether a request would move money or change shared data on a real account."""
    method = method.upper()
    if method in ("DELETE", "PATCH", "PUT"):
        return True
    return method == "POST" and bool(_REFUND.search(path) or _CATALOG.search(path))


class Guard:
    """Watches one run's traffic: reproducer source, invoice cap, cleanup list."""

    def __init__(self, *, production: bool, cap: int = PRODUCTION_INVOICE_CAP) -> None:
        self.production = production
        self.cap = cap
        self._lock = threading.Lock()
        self._last: httpx.Request | None = None
        self._reserved = 0
        self._created: dict[int, str | None] = {}

    @property
    def created(self) -> dict[int, str | None]:
        """Invoice id → the key that created it."""
        with self._lock:
            return dict(self._created)

    @property
    def last_request(self) -> httpx.Request | None:
        """The request sent most recently by any guarded client."""
        return self._last

    def forget(self) -> None:
        """A new test starts: it has sent nothing yet."""
        self._last = None

    def before(self, request: httpx.Request) -> None:
        """Remember ``request``; under production, skip the test instead of sending something harmful."""
        self.check(request.method, request.url.path)
        self._last = request

    def check(self, method: str, path: str) -> None:
        """Refuse (skip) what the production profile forbids; count invoice creations against the cap."""
        if not self.production:
            return
        if is_destructive(method, path):
            pytest.skip(f"--profile production: {method.upper()} {path} would change a real account")
        if method.upper() == "POST" and _INVOICES.search(path):
            with self._lock:
                if self._reserved >= self.cap:
                    pytest.skip(f"--profile production: the cap of {self.cap} invoices created is reached")
                self._reserved += 1

    def after(self, response: httpx.Response) -> None:
        """Note an invoice the run created, with the key that created it."""
        request = response.request
        if request.method != "POST" or not _INVOICES.search(request.url.path) or response.status_code != 201:
            return
        try:
            invoice_id = int(response.json()["id"])
        except (ValueError, KeyError, TypeError):
            return
        with self._lock:
            self._created[invoice_id] = request.headers.get("X-API-Key")

    def cleanup(self, *, base_url: str) -> list[str]:
        """Cancel every created invoice that is still pending; returns one line per invoice it could not cancel."""
        problems: list[str] = []
        with BoundedClient(base_url=base_url.rstrip("/")) as client:
            for invoice_id, key in sorted(self.created.items()):
                headers = {"X-API-Key": key} if key else {}
                try:
                    got = client.get(f"/invoices/{invoice_id}", headers=headers)
                    if got.status_code != 200 or got.json().get("status") != "pending":
                        continue
                    cancelled = client.post(f"/invoices/{invoice_id}/cancel", headers=headers)
                except httpx.HTTPError as exc:
                    problems.append(f"invoice {invoice_id}: {type(exc).__name__}")
                    continue
                if cancelled.status_code not in (200, 202):
                    problems.append(f"invoice {invoice_id}: cancel answered {cancelled.status_code}")
        return problems
