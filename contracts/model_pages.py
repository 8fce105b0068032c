"""Walking a paginated list and checking that its pages add up, in the page shape the spec gives the list.

A list's shape is read from its operation: ``x-pagination`` with ``style: flat`` names the page, rows and
total fields at the top of the answer (``{current_page, data, total}``); without it, the 200 answer's schema
has its rows in ``data`` and the counts in a ``meta`` object (``PageMeta``: ``current_page``, ``per_page``,
``total``, ``last_page``). Every count the shape has is judged; a count it lacks is not asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from apipay_harness.core.spec import escape_pointer, resolve
from apipay_harness.core.types import JSONObject
from contracts.model_driver import Driver
from contracts.violations import expected_received

__all__ = ["PageShape", "page_shape", "walk_pages"]

_MAX_PAGES = 200
_COUNTS = ("current_page", "per_page", "total", "last_page")
"""The counts a page may carry, by the names both the flat and the meta shapes give them."""


@dataclass(frozen=True, slots=True)
class PageShape:
    """Where one list's rows and counts are in its answer."""

    rows: str
    """The field holding the page's rows."""
    counts: Mapping[str, str]
    """Each count the page carries (``current_page``, ``per_page``, ``total``, ``last_page``) → its field name."""
    holder: str | None
    """The object the counts are in (``meta``), or None when they are at the top of the answer."""
    rule: str
    """The spec pointer of the shape, for a failure's rule."""

    def counts_of(self, body: Any) -> dict[str, Any]:
        """The counts one answer carries, by role."""
        where = body.get(self.holder) if self.holder is not None and isinstance(body, dict) else body
        where = where if isinstance(where, dict) else {}
        return {role: where.get(name) for role, name in self.counts.items()}


def page_shape(spec: JSONObject, path: str) -> PageShape:
    """The page shape of ``GET path``, from its ``x-pagination`` or, without one, its 200 answer's schema."""
    operation = spec["paths"][path]["get"]
    base = f"#/paths/{escape_pointer(path)}/get"
    note = operation.get("x-pagination")
    if isinstance(note, dict) and note.get("style") == "flat":
        counts = {"current_page": note["page_field"], "total": note["total_field"]}
        return PageShape(str(note["items_field"]), counts, None, f"{base}/x-pagination")
    media = resolve(spec, operation["responses"]["200"])["content"]["application/json"]
    schema = resolve(spec, media["schema"])
    meta_ref = schema["properties"]["meta"]
    meta = resolve(spec, meta_ref)
    present = set(meta.get("required") or meta.get("properties") or ())
    rule = meta_ref["$ref"] if "$ref" in meta_ref else f"{base}/responses/200"
    return PageShape("data", {role: role for role in _COUNTS if role in present}, "meta", rule)


def walk_pages(
    driver: Driver, path: str, params: Mapping[str, Any], *, per_page: int, expected_total: int | None
) -> list[dict[str, Any]]:
    """Every row of every page of ``GET path`` with ``params``; each page's counts and rows must add up.

    ``expected_total`` is the model's count of matching rows: every page's counts are judged
    against it. ``None`` is for a caller that compares the rows with the model itself (and
    cannot count them beforehand); the pages must then still agree with one another.
    """
    shape = page_shape(driver.book.spec, path)
    rows: list[dict[str, Any]] = []
    page, total = 1, expected_total
    while True:
        response = driver.api.get(path, params={**params, "page": page, "per_page": per_page})
        driver.expect_status(response, {200}, path=path, method="get", why=f"page {page} of GET {path}")
        body = driver.body(response, path=path)
        counts, data = shape.counts_of(body), body[shape.rows]
        if total is None:
            total = int(counts["total"])
        wanted_last = max(1, -(-total // per_page))
        on_page = max(0, min(per_page, total - (page - 1) * per_page))
        every = {"current_page": page, "per_page": per_page, "total": total, "last_page": wanted_last}
        expected = {role: every[role] for role in shape.counts}
        if counts != expected or len(data) != on_page:
            source = "the model's count" if expected_total is not None else "the first page's total"
            raise driver.fail(
                operation=f"GET {path}",
                title=f"page {page} of GET {path} does not add up with {source}",
                message=expected_received(f"{expected} and {on_page} rows", f"{counts} and {len(data)} rows"),
                rule=shape.rule,
            )
        rows.extend(data)
        if page >= wanted_last or page >= _MAX_PAGES:
            return rows
        page += 1
