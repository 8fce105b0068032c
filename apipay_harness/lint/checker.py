"""``apipay-harness lint``: the spec as OpenAPI 3.1, its examples, and the house rules.

Each problem is a ``Problem(pointer, message)``; the command prints one line per problem.
Beyond OpenAPI validity, lint checks:

- every example against the schema it illustrates, and that every ``x-invalid-examples`` value is rejected;
- every bounded request field has ``examples`` inside its bounds and ``x-invalid-examples``
  outside each of them, so the bounds suite has both sides to send;
- the house rules (``lint_rules``): operation ids, summaries, request and success examples, the
  error responses and the headers the spec's ``x-house-rules`` (or the seed's defaults) require;
- the status tables (``x-status-transitions``), the bounds' error codes (``x-error-codes``) and the
  disagreement records (``x-provider-disagreements``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import OpenAPIV31SpecValidator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from apipay_harness.core.spec import BoundedField, bounded_fields, escape_pointer, load_spec, operations, resolve
from apipay_harness.core.types import JSONObject
from apipay_harness.lint.disagreements import disagreement_problems
from apipay_harness.lint.rules import (
    HouseRules,
    Problem,
    error_code_problems,
    operation_problems,
    transition_problems,
)

__all__ = ["LintReport", "Problem", "lint_spec"]

_SPEC_URI = "urn:apipay:spec"
_FORMATS = FormatChecker(["date", "date-time", "uuid"])


@dataclass(frozen=True, slots=True)
class LintReport:
    """What lint found, and how much it looked at."""

    problems: list[Problem]
    operations: int
    examples: int


def lint_spec(path: str | Path | None = None, *, version: str | None = None) -> LintReport:
    """Lint the spec at ``path``, else the shipped spec of API ``version`` (None: the default one).

    Raises SpecError if the file cannot be read, UsageError for an unknown version or both arguments.
    """
    spec = load_spec(path, version=version)
    problems = list(_openapi_problems(spec))
    if problems:
        return LintReport(problems, 0, 0)
    checker = _ExampleChecker(spec)
    problems.extend(checker.check_all())
    rules, rule_problems = HouseRules.of(spec)
    problems.extend(rule_problems)
    ops = operations(spec)
    for op in ops:
        problems.extend(operation_problems(spec, op, rules))
    problems.extend(_bound_example_problems(bounded_fields(spec), checker))
    problems.extend(transition_problems(spec))
    problems.extend(error_code_problems(spec))
    problems.extend(Problem(pointer, message) for pointer, message in disagreement_problems(spec))
    return LintReport(problems, len(ops), checker.count)


def _openapi_problems(spec: JSONObject) -> Iterator[Problem]:
    if not str(spec.get("openapi", "")).startswith("3.1"):
        yield Problem("/openapi", f"expected an OpenAPI 3.1 document, found {spec.get('openapi')!r}")
        return
    found = 0
    try:
        for error in OpenAPIV31SpecValidator(spec).iter_errors():
            found += 1
            pointer = "".join(f"/{escape_pointer(part)}" for part in error.absolute_path)
            yield Problem(pointer, error.message.splitlines()[0][:300])
    except Exception as exc:  # noqa: BLE001 - the validator's deeper passes can trip on a malformed document
        if not found:
            yield Problem("", f"the document is not a well-formed OpenAPI 3.1 spec ({type(exc).__name__}: {exc})")


class _ExampleChecker:
    """Validates examples against the schema they illustrate, $refs resolved within the spec."""

    def __init__(self, spec: JSONObject) -> None:
        self.spec = spec
        resource = Resource.from_contents(spec, default_specification=DRAFT202012)
        self.registry: Registry[Any] = Registry().with_resource(_SPEC_URI, resource)
        self.count = 0

    def errors(self, schema_pointer: str, value: Any) -> list[str]:
        """Return why ``value`` does not validate against the schema at ``schema_pointer``."""
        self.count += 1
        validator = Draft202012Validator(
            {"$ref": f"{_SPEC_URI}#{schema_pointer}"}, registry=self.registry, format_checker=_FORMATS
        )
        return [e.message[:200] for e in validator.iter_errors(value)]

    def check_all(self) -> Iterator[Problem]:
        """Check every example written in the spec."""
        yield from self._walk(self.spec, "")

    def _walk(self, node: Any, pointer: str) -> Iterator[Problem]:
        if isinstance(node, list):
            for i, item in enumerate(node):
                yield from self._walk(item, f"{pointer}/{i}")
            return
        if not isinstance(node, dict):
            return
        if "schema" in node and isinstance(node["schema"], dict):
            yield from self._media_or_parameter_examples(node, pointer)
        if _looks_like_schema(node, pointer):
            yield from self._schema_examples(node, pointer)
        for key, value in node.items():
            if key in ("examples", "example", "x-invalid-examples"):
                continue
            yield from self._walk(value, f"{pointer}/{escape_pointer(key)}")

    def _media_or_parameter_examples(self, node: JSONObject, pointer: str) -> Iterator[Problem]:
        schema_pointer = f"{pointer}/schema"
        if "example" in node:
            for message in self.errors(schema_pointer, node["example"]):
                yield Problem(f"{pointer}/example", f"example does not match its schema: {message}")
        for name, example in (node.get("examples") or {}).items():
            example = resolve(self.spec, example)
            if isinstance(example, dict) and "value" in example:
                for message in self.errors(schema_pointer, example["value"]):
                    yield Problem(
                        f"{pointer}/examples/{escape_pointer(name)}/value",
                        f"example does not match its schema: {message}",
                    )

    def _schema_examples(self, node: JSONObject, pointer: str) -> Iterator[Problem]:
        for i, value in enumerate(node.get("examples") or []):
            for message in self.errors(pointer, value):
                yield Problem(f"{pointer}/examples/{i}", f"example does not match its schema: {message}")
        for i, value in enumerate(node.get("x-invalid-examples") or []):
            if not self.errors(pointer, value):
                message = f"invalid example {value!r} is accepted by its schema"
                yield Problem(f"{pointer}/x-invalid-examples/{i}", message)


def _looks_like_schema(node: JSONObject, pointer: str) -> bool:
    return "/schema" in pointer or "/schemas/" in pointer or pointer.endswith("/schema")


def _bound_example_problems(fields: list[BoundedField], checker: _ExampleChecker) -> Iterator[Problem]:
    seen: set[str] = set()
    for field in fields:
        if field.pointer in seen:
            continue
        seen.add(field.pointer)
        schema = field.schema
        valid = schema.get("examples") or []
        invalid = schema.get("x-invalid-examples") or []
        if not valid:
            yield Problem(field.pointer, f"bounded field {field.field_name!r} has no example inside its bounds")
        for keyword in field.keywords:
            probe = _single_bound_schema(schema, keyword)
            if not any(_violates(probe, value) for value in invalid):
                yield Problem(
                    field.pointer,
                    f"bounded field {field.field_name!r} has no x-invalid-examples value outside its {keyword} bound",
                )


def _single_bound_schema(schema: JSONObject, keyword: str) -> tuple[JSONObject, JSONObject]:
    return {"type": schema["type"]} if "type" in schema else {}, {keyword: schema[keyword]}


def _violates(probe: tuple[JSONObject, JSONObject], value: Any) -> bool:
    """True when ``value`` has the field's type but breaks this one bound."""
    type_schema, bound_schema = probe
    well_typed = Draft202012Validator(type_schema).is_valid(value)
    return well_typed and not Draft202012Validator(bound_schema, format_checker=_FORMATS).is_valid(value)
