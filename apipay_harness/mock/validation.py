"""Request validators compiled once, at start-up, from the spec's own schemas.

A compiled check walks a decoded body (or a query parameter) and adds Laravel-style
messages keyed by field name (``cart_items.0.count``) to an ``errors`` map. Only the
JSON-Schema keywords the spec uses are supported; an unknown keyword fails at
start-up rather than passing silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from apipay_harness.core.spec import resolve
from apipay_harness.core.types import JSONObject
from apipay_harness.mock.clock import day_number
from apipay_harness.mock.ecma import ecma_regex

__all__ = ["Check", "Errors", "compile_schema", "is_integer", "is_number", "label"]

Errors = dict[str, list[str]]
Check = Callable[[Any, str, Errors], None]

_IGNORED = {
    "description",
    "examples",
    "example",
    "x-invalid-examples",
    "title",
    "default",
    "contentMediaType",
    "x-status-transitions",
    "$ref",
    "x-cart-total",
    "x-error-codes",
    "x-advised-max-items",
    "x-outside-bounds-answer",
    "x-search-fields",
    "x-image",
    "x-max-bytes",
}
"""Keywords that only describe (rules the handlers apply from the spec as data), not checks of the value."""


def label(field: str) -> str:
    """The human name Laravel puts in a message: ``cart_items.0.count`` → ``count``."""
    last = field.rsplit(".", 1)[-1] if field else "body"
    return last.replace("_", " ") if not last.isdigit() else field.replace("_", " ")


def _add(errors: Errors, field: str, message: str) -> None:
    errors.setdefault(field or "body", []).append(message)


def _join(path: str, key: str | int) -> str:
    return f"{path}.{key}" if path else str(key)


def is_number(value: Any) -> bool:
    """A JSON number: int or Decimal, never bool."""
    return (isinstance(value, int) and not isinstance(value, bool)) or (
        isinstance(value, Decimal) and value.is_finite()
    )


def is_integer(value: Any) -> bool:
    """A JSON integer (JSON Schema counts 2.0 as one)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value()


_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "number": is_number,
    "integer": is_integer,
    "boolean": lambda v: isinstance(v, bool),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
    "null": lambda v: v is None,
}
_TYPE_WORDS = {
    "string": "a string",
    "number": "a number",
    "integer": "an integer",
    "boolean": "true or false",
    "array": "an array",
    "object": "an object",
}


def _exact(value: Any) -> Decimal:
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def compile_schema(spec: JSONObject, schema: Any) -> Check:
    """Compile ``schema`` (may be a ``$ref``) into a check; unknown keywords raise ``ValueError``."""
    schema = resolve(spec, schema)
    if not isinstance(schema, dict):
        raise ValueError(f"not a schema: {schema!r}")
    checks: list[Check] = []
    unknown = set(schema) - _IGNORED - _KEYWORDS
    if unknown:
        raise ValueError(f"the mock's validator does not support {sorted(unknown)}")
    types = schema.get("type")
    if types is not None:
        checks.append(_type_check([types] if isinstance(types, str) else list(types)))
    for keyword in _ORDER:
        if keyword in schema:
            checks.append(_BUILDERS[keyword](spec, schema))
    nullable = types is not None and "null" in ([types] if isinstance(types, str) else types)
    # Each bound check ignores values of another type, so all checks can run: a field gets every message
    # that applies, as Laravel reports every failing rule.
    if len(checks) == 1 and not nullable:
        return checks[0]
    if len(checks) == 2:
        first, second = checks

        def check_two(value: Any, path: str, errors: Errors) -> None:
            if value is None and nullable:
                return
            first(value, path, errors)
            second(value, path, errors)

        return check_two

    def check(value: Any, path: str, errors: Errors) -> None:
        if value is None and nullable:
            return
        for one in checks:
            one(value, path, errors)

    return check


def _type_check(types: list[str]) -> Check:
    tests = [_TYPES[t] for t in types]
    word = " or ".join(_TYPE_WORDS.get(t, t) for t in types if t != "null")

    def check(value: Any, path: str, errors: Errors) -> None:
        for test in tests:
            if test(value):
                return
        _add(errors, path, f"The {label(path)} field must be {word}.")

    return check


def _numeric(op: str, bound: Decimal, message: str) -> Check:
    def check(value: Any, path: str, errors: Errors) -> None:
        if not is_number(value):
            return
        bad = value < bound if op == "min" else value > bound
        if bad:
            _add(errors, path, message.format(label(path)))

    return check


def _minimum(spec: JSONObject, schema: JSONObject) -> Check:
    bound = _exact(schema["minimum"])
    return _numeric("min", bound, "The {} field must be at least " + str(bound) + ".")


def _maximum(spec: JSONObject, schema: JSONObject) -> Check:
    bound = _exact(schema["maximum"])
    return _numeric("max", bound, "The {} field must not be greater than " + str(bound) + ".")


def _multiple_of(spec: JSONObject, schema: JSONObject) -> Check:
    step = _exact(schema["multipleOf"])

    def check(value: Any, path: str, errors: Errors) -> None:
        if is_number(value) and _exact(value) % step != 0:
            _add(errors, path, f"The {label(path)} field must be a multiple of {step}.")

    return check


def _not(spec: JSONObject, schema: JSONObject) -> Check:
    sub = compile_schema(spec, schema["not"])

    def check(value: Any, path: str, errors: Errors) -> None:
        scratch: Errors = {}
        sub(value, path, scratch)
        if not scratch:
            _add(errors, path, f"The {label(path)} field is invalid.")

    return check


def _length(keyword: str) -> Callable[[JSONObject, JSONObject], Check]:
    def build(spec: JSONObject, schema: JSONObject) -> Check:
        bound = int(schema[keyword])
        at_least = keyword.startswith("min")
        unit = "characters" if keyword.endswith("Length") else "items"

        def check(value: Any, path: str, errors: Errors) -> None:
            if not isinstance(value, str | list):
                return
            size = len(value)
            if at_least and size < bound:
                if size == 0 and unit == "characters":
                    _add(errors, path, f"The {label(path)} field is required.")
                else:
                    _add(errors, path, f"The {label(path)} field must have at least {bound} {unit}.")
            elif not at_least and size > bound:
                _add(errors, path, f"The {label(path)} field must not be greater than {bound} {unit}.")

        return check

    return build


def _pattern(spec: JSONObject, schema: JSONObject) -> Check:
    regex = ecma_regex(schema["pattern"])

    def check(value: Any, path: str, errors: Errors) -> None:
        if isinstance(value, str) and regex.search(value) is None:
            _add(errors, path, f"The {label(path)} field format is invalid.")

    return check


def _enum(spec: JSONObject, schema: JSONObject) -> Check:
    allowed = [v for v in schema["enum"] if v is not None]
    accepts_null = None in schema["enum"]

    def check(value: Any, path: str, errors: Errors) -> None:
        if (value is None and accepts_null) or (isinstance(value, str | int) and value in allowed):
            if not isinstance(value, bool):
                return
        _add(errors, path, f"The selected {label(path)} is invalid.")

    return check


def _const(spec: JSONObject, schema: JSONObject) -> Check:
    expected = schema["const"]

    def check(value: Any, path: str, errors: Errors) -> None:
        if value != expected or isinstance(value, bool) != isinstance(expected, bool):
            _add(errors, path, f"The selected {label(path)} is invalid.")

    return check


_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _is_moment(value: str) -> bool:
    """Whether ``value`` reads as an ISO 8601 date-time (a ``T`` or a space, seconds and offset optional).

    The provider's spec writes ``format: date-time`` and its guide ``<iso>``; a Laravel ``date`` rule reads the
    shorter forms too, so the mock takes every form ``datetime.fromisoformat`` reads and refuses what is no date.
    """
    if not value.isascii():
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _format(spec: JSONObject, schema: JSONObject) -> Check:
    kind = schema["format"]
    readers: dict[str, tuple[Callable[[str], bool], str]] = {
        "date": (lambda v: day_number(v) is not None, "must match the format Y-m-d"),
        "date-time": (_is_moment, "must be a valid date"),
        "uuid": (lambda v: _UUID.fullmatch(v) is not None, "must be a valid UUID"),
    }

    def check(value: Any, path: str, errors: Errors) -> None:
        if not isinstance(value, str) or kind not in readers:
            return
        reads, complaint = readers[kind]
        if not reads(value):
            _add(errors, path, f"The {label(path)} field {complaint}.")

    return check


def _required(spec: JSONObject, schema: JSONObject) -> Check:
    names = list(schema["required"])

    def check(value: Any, path: str, errors: Errors) -> None:
        if not isinstance(value, dict):
            return
        for name in names:
            if name not in value:
                field = _join(path, name)
                _add(errors, field, f"The {label(field)} field is required.")

    return check


def _properties(spec: JSONObject, schema: JSONObject) -> Check:
    props = {name: compile_schema(spec, sub) for name, sub in schema["properties"].items()}

    def check(value: Any, path: str, errors: Errors) -> None:
        if not isinstance(value, dict):
            return
        for name, sub in props.items():
            if name in value:
                sub(value[name], _join(path, name), errors)

    return check


def _items(spec: JSONObject, schema: JSONObject) -> Check:
    sub = compile_schema(spec, schema["items"])

    def check(value: Any, path: str, errors: Errors) -> None:
        if isinstance(value, list):
            for index, item in enumerate(value):
                sub(item, _join(path, index), errors)

    return check


def _all_of(spec: JSONObject, schema: JSONObject) -> Check:
    subs = [compile_schema(spec, s) for s in schema["allOf"]]

    def check(value: Any, path: str, errors: Errors) -> None:
        for sub in subs:
            sub(value, path, errors)

    return check


def _any_of(keyword: str) -> Callable[[JSONObject, JSONObject], Check]:
    def build(spec: JSONObject, schema: JSONObject) -> Check:
        subs = [compile_schema(spec, s) for s in schema[keyword]]

        def check(value: Any, path: str, errors: Errors) -> None:
            first: Errors | None = None
            for sub in subs:
                scratch: Errors = {}
                sub(value, path, scratch)
                if not scratch:
                    return
                first = first or scratch
            for field, messages in (first or {}).items():
                errors.setdefault(field, []).extend(messages)

        return check

    return build


_BUILDERS: dict[str, Callable[[JSONObject, JSONObject], Check]] = {
    "required": _required,
    "properties": _properties,
    "items": _items,
    "minItems": _length("minItems"),
    "maxItems": _length("maxItems"),
    "minLength": _length("minLength"),
    "maxLength": _length("maxLength"),
    "minimum": _minimum,
    "maximum": _maximum,
    "multipleOf": _multiple_of,
    "pattern": _pattern,
    "enum": _enum,
    "const": _const,
    "format": _format,
    "allOf": _all_of,
    "anyOf": _any_of("anyOf"),
    "oneOf": _any_of("oneOf"),
    "not": _not,
}
_ORDER = tuple(_BUILDERS)
_KEYWORDS = set(_BUILDERS) | {"type"}
