"""schemathesis loads the spec of every API version and generates, for every operation, a case the spec accepts."""

from __future__ import annotations

import functools
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, find, settings
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from schemathesis.core import NOT_SET

from apipay_harness.core.spec import Operation, load_spec, operations
from apipay_harness.core.versions import get_version, version_names


@functools.cache
def _schema(version: str) -> Any:
    return schemathesis.openapi.from_path(str(get_version(version).spec_path))


@functools.cache
def _registry(version: str) -> Registry[Any]:
    return Registry().with_resource("urn:spec", Resource.from_contents(load_spec(version=version), DRAFT202012))


def _validator(version: str, pointer: str) -> Draft202012Validator:
    ref = {"$ref": f"urn:spec#{pointer}"}
    return Draft202012Validator(ref, registry=_registry(version), format_checker=FormatChecker())


_CASES = [
    pytest.param(version, op, id=f"{version} {op.label}")
    for version in version_names()
    for op in operations(load_spec(version=version))
]


@pytest.mark.parametrize("version", version_names())
def test_schemathesis_loads_every_operation(version: str) -> None:
    labels = {result.ok().label for result in _schema(version).get_all_operations()}
    assert labels == {op.label for op in operations(load_spec(version=version))}


@pytest.mark.parametrize(("version", "operation"), _CASES)
def test_schemathesis_generates_a_valid_case(version: str, operation: Operation) -> None:
    api_operation = _schema(version)[operation.path][operation.method.upper()]
    case = find(
        api_operation.as_strategy(),
        lambda _: True,
        settings=settings(database=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate]),
    )
    body = operation.definition.get("requestBody")
    if body is not None and "application/json" in body["content"] and case.body is not NOT_SET:
        pointer = f"{operation.pointer}/requestBody/content/application~1json/schema"
        assert list(_validator(version, pointer).iter_errors(case.body)) == []
    if body is not None and body.get("required"):
        assert case.body is not NOT_SET
    for param in operation.parameters:
        if param["in"] == "path":
            assert isinstance(case.path_parameters[param["name"]], int)
