"""Query-parameter parsing compiled from the spec: strings become typed values or a 422."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import QueryParams

from apipay_harness.core.spec import Operation, resolve
from apipay_harness.core.types import JSONObject
from apipay_harness.mock.errors import ValidationFailed
from apipay_harness.mock.validation import Check, Errors, compile_schema, label

__all__ = ["QueryParser", "query_parsers"]

_INT = re.compile(r"[+-]?[0-9]{1,1000}")
"""Any integer a client may send, matched whole (``$`` lets a final newline pass); longer is no number anyone means."""

_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}
"""How a boolean query value is written: as the documents write it (``true``), or as a form sends it (``1``)."""


@dataclass(frozen=True, slots=True)
class _Param:
    name: str
    kind: str
    check: Check
    default: Any
    item_kind: str = "string"
    """For an array: the type of its items (integers arrive as text and are converted first)."""


class QueryParser:
    """Parses and validates one operation's query string into a dict keyed by parameter name."""

    def __init__(self, spec: JSONObject, operation: Operation) -> None:
        self._params: list[_Param] = []
        for param in operation.parameters:
            if param.get("in") != "query":
                continue
            schema = resolve(spec, param.get("schema", {}))
            kind = schema.get("type", "string")
            kind = kind if isinstance(kind, str) else next(t for t in kind if t != "null")
            items = resolve(spec, schema.get("items", {})) if kind == "array" else {}
            item_kind = items.get("type", "string") if isinstance(items.get("type", "string"), str) else "string"
            check = compile_schema(spec, schema)
            self._params.append(_Param(str(param["name"]), kind, check, schema.get("default"), item_kind))

    def parse(self, query: QueryParams) -> dict[str, Any]:
        """Typed values for every declared parameter (defaults filled in), or raise a 422."""
        values: dict[str, Any] = {}
        errors: Errors = {}
        for param in self._params:
            if param.kind == "array":
                raw_list = query.getlist(param.name)
                if not raw_list:
                    values[param.name] = param.default
                    continue
                typed: list[Any] = list(raw_list)
                if param.item_kind == "integer":
                    if not all(_INT.fullmatch(raw) for raw in raw_list):
                        errors.setdefault(param.name, []).append(f"The {label(param.name)} must be integers.")
                        continue
                    typed = [int(raw) for raw in raw_list]
                param.check(typed, param.name, errors)
                values[param.name] = typed
                continue
            raw = query.get(param.name)
            if raw is None:
                values[param.name] = param.default
                continue
            value: Any = raw
            if param.kind == "integer":
                if _INT.fullmatch(raw) is None:
                    errors.setdefault(param.name, []).append(f"The {label(param.name)} field must be an integer.")
                    continue
                value = int(raw)
            elif param.kind == "boolean":
                # a query string has no booleans: the documents write `without_ntin=true`, forms send 1/0
                value = _BOOLEANS.get(raw, raw)
            param.check(value, param.name, errors)
            values[param.name] = value
        if errors:
            raise ValidationFailed(errors)
        return values


def query_parsers(spec: JSONObject, operations: list[Operation]) -> dict[str, QueryParser]:
    """One parser per operationId, built once at start-up."""
    return {op.operation_id: QueryParser(spec, op) for op in operations}
