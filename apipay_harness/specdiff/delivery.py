"""How webhooks are delivered, as our specs write it (top-level ``x-webhook-delivery``), compared.

Two keys are judged: ``answer_within_seconds`` (how soon a receiver must answer) and ``retries`` (how often
a failed delivery is tried again). Both specs must state a key for it to be compared.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apipay_harness.specdiff import changes as k
from apipay_harness.specdiff.compare import Site
from apipay_harness.specdiff.loader import Document

__all__ = ["EXTENSION", "compare_delivery"]

EXTENSION = "x-webhook-delivery"


def _number(table: Any, key: str) -> Decimal | None:
    value = table.get(key) if isinstance(table, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        return None
    return Decimal(value)


def compare_delivery(old: Document, new: Document, site: Site) -> None:
    """Record the changes to webhook delivery a receiver must adapt to."""
    before, after = old.data.get(EXTENSION), new.data.get(EXTENSION)
    was, now = _number(before, "answer_within_seconds"), _number(after, "answer_within_seconds")
    if was is not None and now is not None and was != now:
        kind = k.DELIVERY_DEADLINE_SHORTENED if now < was else k.DELIVERY_DEADLINE_LENGTHENED
        site.emit(kind, "answer_within_seconds", f"answer within {was} s -> {now} s")
    was, now = _number(before, "retries"), _number(after, "retries")
    if was is not None and now is not None and was != now:
        if was == 0:
            kind = k.DELIVERY_RETRIES_STARTED
        elif now == 0:
            kind = k.DELIVERY_RETRIES_STOPPED
        else:
            kind = k.DELIVERY_RETRIES_CHANGED
        site.emit(kind, "retries", f"retries {was} -> {now}")
