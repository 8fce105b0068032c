"""Validating what a target sends against the spec's own schemas (responses, error bodies, webhook payloads)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import msgspec
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from apipay_harness.core.spec import escape_pointer, resolve

__all__ = ["SchemaBook", "decode_json", "encode_json", "error_statuses"]

_BASE = "urn:apipay-spec"
_ENCODER = msgspec.json.Encoder(decimal_format="number")


def decode_json(data: bytes | str) -> Any:
    """Decode JSON with every number as Decimal (money never passes through float)."""
    return json.loads(data, parse_float=Decimal)


def encode_json(value: Any) -> bytes:
    """Encode a request body, writing Decimals as JSON numbers with their exact digits."""
    return _ENCODER.encode(value)


class SchemaBook:
    """The spec's schemas, ready to validate instances by pointer (``#/components/schemas/Error``)."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        resource = Resource.from_contents(spec, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(_BASE, resource)
        self._validators: dict[str, Draft202012Validator] = {}

    def _validator(self, pointer: str) -> Draft202012Validator:
        if pointer not in self._validators:
            schema = {"$ref": f"{_BASE}{pointer}"}
            self._validators[pointer] = Draft202012Validator(
                schema, registry=self._registry, format_checker=FormatChecker()
            )
        return self._validators[pointer]

    def errors(self, pointer: str, instance: Any) -> list[str]:
        """Every way ``instance`` breaks the schema at ``pointer``, as short readable lines."""
        found = []
        for error in self._validator(pointer).iter_errors(instance):
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            found.append(f"{where}: {error.message[:200]}")
        return found

    def response_pointer(self, method: str, path: str, status: int) -> str | None:
        """The pointer of the JSON schema the spec documents for ``status`` of ``METHOD path``, if any."""
        operation = self.spec["paths"][path][method.lower()]
        response = (operation.get("responses") or {}).get(str(status))
        if response is None:
            return None
        base = f"#/paths/{escape_pointer(path)}/{method.lower()}/responses/{status}"
        if "$ref" in response:
            base = response["$ref"]
            response = resolve(self.spec, response)
        if "schema" not in ((response.get("content") or {}).get("application/json") or {}):
            return None
        return f"{base}/content/application~1json/schema"

    def webhook_pointer(self, event: str) -> str:
        """The pointer of the payload schema of the webhook ``event``."""
        return f"#/webhooks/{escape_pointer(event)}/post/requestBody/content/application~1json/schema"

    def response_errors(self, method: str, path: str, response: httpx.Response) -> list[str]:
        """How ``response`` breaks its documented schema (an undocumented status or a non-JSON body included)."""
        pointer = self.response_pointer(method, path, response.status_code)
        if pointer is None:
            return [f"status {response.status_code} is not documented with a JSON body for {method.upper()} {path}"]
        try:
            body = decode_json(response.content)
        except ValueError:
            return [f"the body is not JSON: {response.text[:120]!r}"]
        return self.errors(pointer, body)


def error_statuses(spec: dict[str, Any], method: str, path: str) -> frozenset[int]:
    """The 4xx statuses the spec documents for refusing a step of ``METHOD path`` (auth, 404 and 429 left out)."""
    responses = spec["paths"][path][method.lower()].get("responses") or {}
    left_out = ("401", "403", "404", "429")
    return frozenset(int(code) for code in responses if code.startswith("4") and code not in left_out)
