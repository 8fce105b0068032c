"""schemathesis loads the spec and generates, for every operation, a case the spec itself accepts."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, find, settings
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from schemathesis.core import NOT_SET

from apipay_harness.resources import default_spec_path
from apipay_harness.spec import load_spec, operations

_SPEC = load_spec()
_SCHEMA = schemathesis.openapi.from_path(str(default_spec_path()))
_REGISTRY: Registry[Any] = Registry().with_resource("urn:spec", Resource.from_contents(_SPEC, DRAFT202012))


def _validator(pointer: str) -> Draft202012Validator:
    return Draft202012Validator({"$ref": f"urn:spec#{pointer}"}, registry=_REGISTRY, format_checker=FormatChecker())


def test_schemathesis_loads_every_operation() -> None:
    labels = {result.ok().label for result in _SCHEMA.get_all_operations()}
    assert labels == {op.label for op in operations(_SPEC)}


@pytest.mark.parametrize("operation", operations(_SPEC), ids=lambda op: op.label)
def test_schemathesis_generates_a_valid_case(operation: Any) -> None:
    api_operation = _SCHEMA[operation.path][operation.method.upper()]
    case = find(
        api_operation.as_strategy(),
        lambda _: True,
        settings=settings(database=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate]),
    )
    body = operation.definition.get("requestBody")
    if body is not None and "application/json" in body["content"] and case.body is not NOT_SET:
        pointer = f"{operation.pointer}/requestBody/content/application~1json/schema"
        assert list(_validator(pointer).iter_errors(case.body)) == []
    if body is not None and body.get("required"):
        assert case.body is not NOT_SET
    for param in operation.parameters:
        if param["in"] == "path":
            assert isinstance(case.path_parameters[param["name"]], int)
