"""Reading an OpenAPI 3.0 or 3.1 document for a diff, and following its local ``$ref``s.

Numbers are read as ``Decimal`` so that bounds such as ``99999999.99`` compare exactly; a file
that is missing, too large, not YAML/JSON or not OpenAPI 3.x is a ``SpecError`` (the diff cannot run).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from apipay_harness.core.errors import SpecError
from apipay_harness.core.types import JSONObject

__all__ = ["MAX_SPEC_BYTES", "Document", "load_document"]

MAX_SPEC_BYTES = 32 * 1024 * 1024
"""A spec larger than this is refused rather than read: the largest real one we know is well under 1 MiB."""

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _DecimalLoader(_BASE_LOADER):  # type: ignore[misc,valid-type]
    """YAML's safe loader, with floats read as ``Decimal`` (a float cannot hold 0.01 exactly)."""


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    value = yaml.SafeLoader.construct_yaml_float(loader, node)
    return Decimal(repr(value))


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


@dataclass(frozen=True, slots=True)
class Document:
    """One loaded OpenAPI document."""

    path: str
    data: JSONObject
    openapi: str
    """The ``openapi`` field: ``3.0.x`` or ``3.1.x``."""

    @property
    def title(self) -> str:
        """The API's title and version from ``info``, for reports."""
        info = self.data.get("info")
        if not isinstance(info, dict):
            return "?"
        return f"{info.get('title', '?')} {info.get('version', '?')}"

    def resolve(self, node: Any) -> Any:
        """Follow local ``$ref``s until ``node`` is not a reference (3.1 siblings of ``$ref`` are dropped here)."""
        seen: set[str] = set()
        while isinstance(node, dict) and "$ref" in node:
            ref = node["$ref"]
            if not isinstance(ref, str) or not ref.startswith("#"):
                raise SpecError(f"{self.path}: only local $refs (#/...) can be followed, not {ref!r}")
            if ref in seen:
                raise SpecError(f"{self.path}: $ref {ref!r} refers to itself")
            seen.add(ref)
            node = self.lookup(ref)
        return node

    def lookup(self, ref: str) -> Any:
        """The node a local ``$ref`` (``#/components/...``) points at."""
        node: Any = self.data
        for token in ref[2:].split("/") if ref not in ("#", "#/") else []:
            token = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                node = node[token]
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                node = node[int(token)]
            else:
                raise SpecError(f"{self.path}: $ref {ref!r} points at nothing")
        return node


def load_document(path: str | Path) -> Document:
    """Read ``path`` as an OpenAPI 3.0 or 3.1 document; any reason it cannot be used is a ``SpecError``."""
    spec_path = Path(path)
    try:
        size = spec_path.stat().st_size
        if size > MAX_SPEC_BYTES:
            raise SpecError(f"{spec_path}: {size} bytes is more than the {MAX_SPEC_BYTES} a spec may have")
        with spec_path.open("rb") as handle:
            raw = handle.read(MAX_SPEC_BYTES + 1)
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise SpecError(f"{spec_path}: no such file") from None
    except IsADirectoryError:
        raise SpecError(f"{spec_path}: is a directory, not a spec file") from None
    except UnicodeDecodeError:
        raise SpecError(f"{spec_path}: not UTF-8 text") from None
    except OSError as exc:
        raise SpecError(f"{spec_path}: cannot be read ({exc.strerror or exc})") from None
    try:
        data = yaml.load(text, Loader=_DecimalLoader)  # noqa: S506 - a safe loader with one extra constructor
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None)
        problem = f" ({problem})" if isinstance(problem, str) else ""
        raise SpecError(f"{spec_path}: not valid YAML or JSON{where}{problem}") from None
    except RecursionError:
        raise SpecError(f"{spec_path}: nested too deeply to read") from None
    if not isinstance(data, dict):
        raise SpecError(f"{spec_path}: not an OpenAPI document (the top level is not a mapping)")
    version = data.get("openapi")
    if isinstance(version, Decimal):  # `openapi: 3.1` written without quotes
        version = str(version)
    if not isinstance(version, str) or not version.startswith(("3.0", "3.1")):
        found = f"openapi: {version!r}" if version is not None else "no `openapi` field"
        raise SpecError(f"{spec_path}: not an OpenAPI 3.0 or 3.1 document ({found})")
    if not isinstance(data.get("paths", {}), dict):
        raise SpecError(f"{spec_path}: `paths` is not a mapping")
    return Document(path=str(spec_path), data=data, openapi=version)
