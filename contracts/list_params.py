"""A list operation's query parameters as the run's spec writes them: their schemas, pointers and values.

The lists suite reads what a filter takes and what it means from here, so a version whose parameters differ
(2.1's ``status[]`` leaves out ``error``, its ``sort_by`` names its fields by ``examples``, its windows are in
Asia/Almaty) is judged by its own spec.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from apipay_harness.core.spec import escape_pointer, resolve
from apipay_harness.core.types import JSONObject

__all__ = ["filter_values", "parameter_pointer", "query_parameter", "zone_offsets"]


def _located(spec: JSONObject, path: str, name: str) -> tuple[str, JSONObject]:
    """The pointer and resolved object of ``GET path``'s parameter ``name``."""
    for index, raw in enumerate(spec["paths"][path]["get"].get("parameters") or []):
        param: JSONObject = resolve(spec, raw)
        if param.get("name") == name:
            pointer = raw["$ref"] if "$ref" in raw else f"#/paths/{escape_pointer(path)}/get/parameters/{index}"
            return pointer, param
    raise LookupError(f"GET {path} has no parameter {name!r}")


def query_parameter(spec: JSONObject, path: str, name: str) -> JSONObject:
    """The parameter ``name`` of ``GET path``, resolved."""
    return _located(spec, path, name)[1]


def parameter_pointer(spec: JSONObject, path: str, name: str) -> str:
    """Where the parameter ``name`` of ``GET path`` is written (``#/components/parameters/DateTo``)."""
    return _located(spec, path, name)[0]


def filter_values(spec: JSONObject, path: str, name: str) -> list[str]:
    """The values an array filter such as ``status[]`` takes: its items' ``enum``."""
    schema = resolve(spec, query_parameter(spec, path, name)["schema"])
    items = resolve(spec, schema.get("items") or {})
    return [str(v) for v in items.get("enum") or ()]


def zone_offsets(spec: JSONObject, path: str, name: str, moments: list[datetime]) -> tuple[int, ...] | None:
    """The UTC offsets in minutes a date filter's calendar has at ``moments``, when the spec names its zone.

    ``x-time-zone`` on the parameter names an IANA zone (2.1: Asia/Almaty); without it the documents leave
    the zone open (None).
    """
    zone: Any = query_parameter(spec, path, name).get("x-time-zone")
    if not isinstance(zone, str):
        return None
    info = ZoneInfo(zone)
    offsets = set()
    for moment in moments:
        offset = moment.astimezone(info).utcoffset()
        if offset is not None:
            offsets.add(int(offset.total_seconds() // 60))
    return tuple(sorted(offsets))
