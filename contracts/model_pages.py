"""Walking a paginated list (``data`` + ``meta``) and checking that its pages add up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from contracts.model_driver import Driver
from contracts.violations import expected_received

__all__ = ["PAGE_RULE", "walk_pages"]

PAGE_RULE = "#/components/schemas/PageMeta"
_MAX_PAGES = 200


def walk_pages(
    driver: Driver, path: str, params: Mapping[str, Any], *, per_page: int, expected_total: int | None
) -> list[dict[str, Any]]:
    """Every row of every page of ``GET path`` with ``params``; each page's ``meta`` and rows must add up.

    ``expected_total`` is the model's count of matching rows: every page's ``meta`` is judged
    against it. ``None`` is for a caller that compares the rows with the model itself (and
    cannot count them beforehand); the pages must then still agree with one another.
    """
    rows: list[dict[str, Any]] = []
    page, total = 1, expected_total
    while True:
        response = driver.api.get(path, params={**params, "page": page, "per_page": per_page})
        driver.expect_status(response, {200}, path=path, method="get", why=f"page {page} of GET {path}")
        body = driver.body(response, path=path)
        meta, data = body["meta"], body["data"]
        if total is None:
            total = int(meta["total"])
        wanted_last = max(1, -(-total // per_page))
        on_page = max(0, min(per_page, total - (page - 1) * per_page))
        expected = {"current_page": page, "per_page": per_page, "total": total, "last_page": wanted_last}
        received = {k: meta.get(k) for k in expected}
        if received != expected or len(data) != on_page:
            source = "the model's count" if expected_total is not None else "the first page's total"
            raise driver.fail(
                operation=f"GET {path}",
                title=f"page {page} of GET {path} does not add up with {source}",
                message=expected_received(
                    f"meta {expected} and {on_page} rows", f"meta {received} and {len(data)} rows"
                ),
                rule=PAGE_RULE,
            )
        rows.extend(data)
        if page >= wanted_last or page >= _MAX_PAGES:
            return rows
        page += 1
