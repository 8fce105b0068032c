"""Re-reading every touched invoice after a load run, for the audit, each answer within the harness's bounds."""

from __future__ import annotations

import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx

from apipay_harness.core.http import BoundedClient
from apipay_harness.core.target import Target
from apipay_harness.loadrun.audit import Reread
from apipay_harness.loadrun.records import Ledger
from apipay_harness.loadrun.steps import retry_after

__all__ = ["reread_invoices"]

_POLL = 0.2
_ATTEMPTS = 3
_MAX_RETRY_AFTER = 61.0
_THREADS = 8


def reread_invoices(target: Target, ledgers: Mapping[int, Ledger], *, cancel_deadline: float) -> dict[int, Reread]:
    """GET every invoice (honouring 429 ``retry_after``); one still ``cancelling`` is re-read until its deadline."""
    headers = {"X-API-Key": target.api_key, "Accept": "application/json"}
    limits = httpx.Limits(max_connections=_THREADS, max_keepalive_connections=_THREADS)
    with BoundedClient(base_url=target.base_url, headers=headers, limits=limits) as client:

        def read(invoice_id: int) -> Reread:
            for _ in range(_ATTEMPTS):
                try:
                    response = client.get(f"/invoices/{invoice_id}")
                except httpx.HTTPError as exc:
                    return Reread(status_code=0, body={"error": str(exc)}, read_at=time.time())
                try:
                    body = response.json(parse_float=Decimal)
                except ValueError:
                    body = None
                if response.status_code != 429:
                    break
                time.sleep(min(retry_after(body), _MAX_RETRY_AFTER))  # the server asked us to wait this long
            return Reread(status_code=response.status_code, body=body, read_at=time.time())

        with ThreadPoolExecutor(max_workers=_THREADS) as pool:
            ids = sorted(i for i, ledger in ledgers.items() if ledger.amount is not None)
            rereads = dict(zip(ids, pool.map(read, ids), strict=True))
        for invoice_id, reread in rereads.items():
            cancelled_at = ledgers[invoice_id].cancelled_at
            if cancelled_at is None:
                continue
            due = cancelled_at + cancel_deadline
            while _cancelling(reread) and reread.read_at <= due:
                time.sleep(min(_POLL, max(0.0, due - time.time()) + 0.01))  # waiting for a real-time deadline
                reread = read(invoice_id)
            rereads[invoice_id] = reread
    return rereads


def _cancelling(reread: Reread) -> bool:
    """Whether the invoice was still being cancelled when read."""
    return reread.status_code == 200 and isinstance(reread.body, dict) and reread.body.get("status") == "cancelling"
