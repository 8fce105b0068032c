"""Tiny hand-written specs for the rule tests: one operation (or webhook), the part under test varied."""

from __future__ import annotations

from typing import Any

from apipay_harness.specdiff import Document, diff_documents

JSON = "application/json"


def doc(paths: dict[str, Any] | None = None, *, version: str = "3.1.0", **top: Any) -> Document:
    """An OpenAPI document holding ``paths`` and any other top-level sections."""
    data: dict[str, Any] = {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": paths or {}, **top}
    return Document(path=f"mem-{version}", data=data, openapi=version)


def ok(description: str = "ok") -> dict[str, Any]:
    """A 200 answer without a body."""
    return {"200": {"description": description}}


def body_op(schema: Any, *, required: bool = True, media: str = JSON) -> dict[str, Any]:
    """``POST /x`` taking ``schema`` as its body."""
    return {
        "/x": {
            "post": {"requestBody": {"required": required, "content": {media: {"schema": schema}}}, "responses": ok()}
        }
    }


def response_op(schema: Any, *, status: str = "200", headers: dict[str, Any] | None = None) -> dict[str, Any]:
    """``GET /x`` answering ``status`` with ``schema``."""
    answer: dict[str, Any] = {"description": "answer", "content": {JSON: {"schema": schema}}}
    if headers:
        answer["headers"] = headers
    return {"/x": {"get": {"responses": {status: answer}}}}


def param_op(*params: dict[str, Any], path: str = "/x") -> dict[str, Any]:
    """``GET path`` with ``params``."""
    return {path: {"get": {"parameters": list(params), "responses": ok()}}}


def query(name: str, schema: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A query parameter."""
    return {"name": name, "in": "query", "schema": schema, **extra}


def kinds(old: Document, new: Document) -> list[str]:
    """The kinds of change from ``old`` to ``new``, in report order."""
    return [c.kind.name for c in diff_documents(old, new).changes]
