"""Loading the OpenAPI spec of an API version and reading the facts the suites take from it.

The spec is the single place where a bound, an enum or a status rule is written down, so
that a test never restates a number; everything here reads those facts from it.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from apipay_harness.core.errors import SpecError, UsageError
from apipay_harness.core.types import JSONObject
from apipay_harness.core.versions import VERSIONS, get_version

__all__ = [
    "BOUND_KEYWORDS",
    "HTTP_METHODS",
    "SIMULATE_STATUS_PATH",
    "BoundedField",
    "Operation",
    "bounded_fields",
    "escape_pointer",
    "load_spec",
    "operations",
    "pointer_target",
    "resolve",
    "status_transitions",
]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
BOUND_KEYWORDS = (
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "multipleOf",
    "enum",
    "format",
)
SIMULATE_STATUS_PATH = "/invoices/{id}/simulate-status"
"""The sandbox's own way to move a pending invoice (2.1): whether a spec has it decides how invoices are paid."""

_CHECKED_FORMATS = ("date", "date-time", "uuid")
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml parses the spec ~10x faster where it is built in


def load_spec(path: str | Path | None = None, *, version: str | None = None) -> JSONObject:
    """Read a spec into a plain dict: the file at ``path``, else the shipped spec of API ``version`` (None: default).

    A shipped spec is parsed once per version; each call gets its own copy, so a caller may change it freely.
    """
    if path is not None and version is not None:
        raise UsageError(f"give a spec file or an API version, not both (got {path} and {version})")
    if path is not None:
        return _read(Path(path))
    return copy.deepcopy(_shipped(get_version(version).name))


@functools.cache
def _shipped(name: str) -> JSONObject:
    return _read(VERSIONS[name].spec_path)


def _read(spec_path: Path) -> JSONObject:
    try:
        text = spec_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(f"spec not found: {spec_path}; pass an existing file or omit it for the shipped spec") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read spec {spec_path}: {exc}") from None
    try:
        document = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise SpecError(f"{spec_path}: not valid YAML{where}: {problem}") from None
    if not isinstance(document, dict):
        raise SpecError(f"{spec_path}: not an OpenAPI document (the top level is not a mapping)")
    return document


def escape_pointer(token: str | int) -> str:
    """Escape one JSON-pointer token (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def resolve(spec: JSONObject, node: Any) -> Any:
    """Follow local ``$ref``s until ``node`` is not a reference."""
    seen: set[str] = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#/") or ref in seen:
            raise SpecError(f"unresolvable $ref {ref!r}")
        seen.add(ref)
        node = _lookup(spec, ref)
    return node


def pointer_target(spec: JSONObject, pointer: str) -> Any:
    """The node a JSON pointer such as ``/paths/~1invoices/post`` names; SpecError when it names nothing."""
    if pointer == "":
        return spec
    if not pointer.startswith("/"):
        raise SpecError(f"not a JSON pointer: {pointer!r}")
    return _lookup(spec, f"#{pointer}")


def _lookup(spec: JSONObject, ref: str) -> Any:
    node: Any = spec
    for token in ref[2:].split("/"):
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            raise SpecError(f"unresolvable $ref {ref!r}")
    return node


@dataclass(frozen=True, slots=True)
class Operation:
    """One API operation of the spec (webhooks excluded)."""

    method: str
    path: str
    pointer: str
    definition: JSONObject
    parameters: tuple[JSONObject, ...]

    @property
    def operation_id(self) -> str:
        """The operationId, or METHOD path when it is missing."""
        return str(self.definition.get("operationId") or f"{self.method.upper()} {self.path}")

    @property
    def label(self) -> str:
        """``METHOD /path``, the name schemathesis and the reports use."""
        return f"{self.method.upper()} {self.path}"


def operations(spec: JSONObject) -> list[Operation]:
    """List every operation under ``paths``, with path-level parameters merged in."""
    found: list[Operation] = []
    for path, item in (spec.get("paths") or {}).items():
        if not isinstance(item, dict):
            continue
        shared = [resolve(spec, p) for p in item.get("parameters", [])]
        for method in HTTP_METHODS:
            definition = item.get(method)
            if not isinstance(definition, dict):
                continue
            own = [resolve(spec, p) for p in definition.get("parameters", [])]
            names = {(p.get("name"), p.get("in")) for p in own}
            merged = tuple(own + [p for p in shared if (p.get("name"), p.get("in")) not in names])
            pointer = f"/paths/{escape_pointer(path)}/{method}"
            found.append(Operation(method, path, pointer, definition, merged))
    return found


@dataclass(frozen=True, slots=True)
class BoundedField:
    """A request field whose schema carries at least one bound (limit, length, pattern, enum, format)."""

    operation: Operation
    location: str
    """``query``, ``path``, ``header`` or ``body``."""
    name: tuple[str | int, ...]
    """The field's path: a parameter name, or keys into the body (``0`` for an array item)."""
    pointer: str
    """Where the bounded schema is written in the spec."""
    schema: JSONObject

    @property
    def keywords(self) -> tuple[str, ...]:
        """The bound keywords this field's schema carries."""
        return tuple(k for k in BOUND_KEYWORDS if k in self.schema and _is_checked(k, self.schema))

    @property
    def field_name(self) -> str:
        """The name a Laravel-style 422 ``errors`` map keys this field by (``cart_items.0.count``)."""
        return ".".join(str(part) for part in self.name)


def _is_checked(keyword: str, schema: JSONObject) -> bool:
    return keyword != "format" or schema.get("format") in _CHECKED_FORMATS


def bounded_fields(spec: JSONObject) -> list[BoundedField]:
    """Every bounded request field of every operation, body fields found through $refs and combinators."""
    fields: list[BoundedField] = []
    for op in operations(spec):
        for param in op.parameters:
            schema_pointer, schema = _param_schema(spec, op, param)
            for pointer, name, node in _walk(spec, schema, schema_pointer, (str(param.get("name")),)):
                fields.append(BoundedField(op, str(param.get("in")), name, pointer, node))
        body = resolve(spec, op.definition.get("requestBody") or {})
        for media_type, media in (body.get("content") or {}).items():
            if "schema" not in media:
                continue
            pointer = f"{op.pointer}/requestBody/content/{escape_pointer(media_type)}/schema"
            for found_at, name, node in _walk(spec, media["schema"], pointer, ()):
                fields.append(BoundedField(op, "body", name, found_at, node))
    return fields


def _param_schema(spec: JSONObject, op: Operation, param: JSONObject) -> tuple[str, Any]:
    index = next(
        (i for i, p in enumerate(op.definition.get("parameters", [])) if resolve(spec, p) is param),
        None,
    )
    if index is not None:
        raw = op.definition["parameters"][index]
        base = raw["$ref"][1:] if "$ref" in raw else f"{op.pointer}/parameters/{index}"
    else:
        path_item = spec["paths"][op.path]
        index = next(i for i, p in enumerate(path_item.get("parameters", [])) if resolve(spec, p) is param)
        raw = path_item["parameters"][index]
        base = raw["$ref"][1:] if "$ref" in raw else f"/paths/{escape_pointer(op.path)}/parameters/{index}"
    return f"{base}/schema", param.get("schema", {})


def _walk(
    spec: JSONObject, node: Any, pointer: str, name: tuple[str | int, ...]
) -> Iterator[tuple[str, tuple[str | int, ...], JSONObject]]:
    """Yield (pointer, field name, schema) for each bounded schema under ``node``."""
    while isinstance(node, dict) and "$ref" in node:
        pointer = node["$ref"][1:]
        node = resolve(spec, node)
    if not isinstance(node, dict):
        return
    if any(k in node and _is_checked(k, node) for k in BOUND_KEYWORDS):
        yield pointer, name, node
    for key, sub in (node.get("properties") or {}).items():
        yield from _walk(spec, sub, f"{pointer}/properties/{escape_pointer(key)}", (*name, key))
    if isinstance(node.get("items"), dict):
        yield from _walk(spec, node["items"], f"{pointer}/items", (*name, 0))
    for combinator in ("allOf", "anyOf", "oneOf"):
        for i, sub in enumerate(node.get(combinator) or []):
            yield from _walk(spec, sub, f"{pointer}/{combinator}/{i}", name)


def status_transitions(spec: JSONObject, schema_name: str = "InvoiceStatus") -> JSONObject:
    """Return the ``x-status-transitions`` table written on a status enum of the spec."""
    schema = spec.get("components", {}).get("schemas", {}).get(schema_name)
    if not isinstance(schema, dict) or "x-status-transitions" not in schema:
        raise SpecError(f"the spec has no x-status-transitions on components/schemas/{schema_name}")
    table: JSONObject = schema["x-status-transitions"]
    return table
