"""The versions of the provider's API the harness speaks, each with its own hand-written spec.

This registry is the one place a version name or a spec file name is written; the commands'
``--api-version``, ``load_spec`` and the packaged data all read it from here.

| name         | spec file                | what it describes                                         |
|--------------|--------------------------|-----------------------------------------------------------|
| 2026-02-13   | ``openapi/apipay.yaml``      | the provider's documents of the seed's date (default) |
| 2.1          | ``openapi/apipay-2.1.yaml``  | the provider's spec 2.1.0 of 2026-08-24               |
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from apipay_harness.core.errors import UsageError
from apipay_harness.core.resources import data_dir

__all__ = ["DEFAULT_VERSION", "VERSIONS", "ApiVersion", "get_version", "version_names"]


@dataclass(frozen=True, slots=True)
class ApiVersion:
    """One version of the provider's API and the spec that describes it."""

    name: str
    spec_file: str
    """The spec's file name under ``openapi/``."""
    summary: str

    @property
    def spec_path(self) -> Path:
        """Where the shipped spec of this version is (source checkout or wheel)."""
        return data_dir("openapi") / self.spec_file


DEFAULT_VERSION = "2026-02-13"
"""The seed's documents: what every command speaks unless told otherwise."""

VERSIONS: dict[str, ApiVersion] = {
    version.name: version
    for version in (
        ApiVersion("2026-02-13", "apipay.yaml", "the provider's documents of 2026-02-13"),
        ApiVersion("2.1", "apipay-2.1.yaml", "the provider's spec 2.1.0 of 2026-08-24"),
    )
}


def version_names() -> tuple[str, ...]:
    """Every known version name, the default first."""
    return (DEFAULT_VERSION, *(name for name in VERSIONS if name != DEFAULT_VERSION))


def get_version(name: str | None = None) -> ApiVersion:
    """Return the version called ``name`` (None: the default); an unknown name is a UsageError naming the valid ones."""
    key = DEFAULT_VERSION if name is None else name
    try:
        return VERSIONS[key]
    except KeyError:
        valid = ", ".join(f"{n} (default)" if n == DEFAULT_VERSION else n for n in version_names())
        raise UsageError(f"unknown API version {key!r}; valid versions: {valid}") from None
