"""A plausible request for any operation of the spec, built from its documented examples.

Auth and error checks need to call every operation; the values come from the spec's
``example``s (path ids, bodies), so nothing is made up here.
"""

from __future__ import annotations

import json
from typing import Any

from apipay_harness.core.spec import Operation, resolve
from apipay_harness.core.types import JSONObject

__all__ = ["flat_invoice", "needs_key", "sample_request"]


def flat_invoice(spec: JSONObject) -> JSONObject:
    """``amount`` and ``phone_number`` of the first create example with an amount: values the version accepts.

    A setup that needs some invoice takes these, so its amount keeps the version's step (whole tenge on 2.1).
    """
    media = spec["paths"]["/invoices"]["post"]["requestBody"]["content"]["application/json"]
    for example in media["examples"].values():
        value = resolve(spec, example)["value"]
        if isinstance(value, dict) and value.get("amount") is not None:
            return {k: v for k, v in value.items() if k in ("amount", "phone_number")}
    raise LookupError("the spec has no example of POST /invoices with an amount")


def needs_key(spec: JSONObject, op: Operation) -> bool:
    """Whether the operation requires an API key (``security: []`` opts out, as ``GET /status`` does)."""
    security = op.definition.get("security", spec.get("security"))
    return bool(security)


def sample_request(
    spec: JSONObject, op: Operation, *, ids: dict[str, Any] | None = None
) -> tuple[str, str, JSONObject]:
    """``(method, path, httpx keyword arguments)`` for ``op``: example path ids and body; ``ids`` overrides ids."""
    path = op.path
    for param in op.parameters:
        if param.get("in") == "path":
            name = str(param.get("name"))
            value = (ids or {}).get(op.path.split("/")[1], param.get("example", 1))
            path = path.replace("{" + name + "}", str(value))
    kwargs: JSONObject = {}
    body = resolve(spec, op.definition.get("requestBody") or {})
    for media_type, media in (body.get("content") or {}).items():
        examples = [resolve(spec, e).get("value") for e in (media.get("examples") or {}).values()]
        if media_type == "application/json" and examples:
            kwargs["content"] = json.dumps(examples[0]).encode()
            kwargs["headers"] = {"Content-Type": "application/json"}
        elif media_type == "multipart/form-data":
            kwargs["files"] = {"image": ("pixel.png", _PNG, "image/png")}
        break
    return op.method.upper(), path, kwargs


# The smallest valid PNG: one transparent pixel.
_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)
