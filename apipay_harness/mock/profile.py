"""What differs between the API versions the mock speaks, gathered in one object per version: a profile.

A profile names the store that applies the version's rules, the routes that give its answers, the control
routes it adds and how it writes an error. ``create_app`` builds every mock from one, so no route or store
method asks which version it serves. Each version of the registry (``core/versions.py``) has a module
here with a ``profile(spec)`` function; a test holds the two lists to each other.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

from apipay_harness.core.types import JSONObject
from apipay_harness.core.versions import get_version
from apipay_harness.mock.errors import ApiError
from apipay_harness.mock.router import Route
from apipay_harness.mock.store import Store

__all__ = ["PROFILE_MODULES", "Catalog", "Limiter", "Profile", "profile_for"]

PROFILE_MODULES: Mapping[str, str] = MappingProxyType(
    {
        "2026-02-13": "apipay_harness.mock.seed_profile",
        "2.1": "apipay_harness.mock.v21",
    }
)
"""The module that builds each version's profile, by version name."""


class Catalog(Protocol):
    """A version's own faults or variants: checks the names a user typed and returns the entries."""

    def named(self, names: Iterable[str]) -> tuple[Any, ...]:
        """The entries named; an unknown name is a ``UsageError``."""
        ...


class _Counts(Protocol):
    def __len__(self) -> int: ...

    def clear(self) -> None: ...


class Limiter(Protocol):
    """A rate limiter: an ASGI app around the router, with counts the control API clears and counts."""

    @property
    def windows(self) -> _Counts:
        """The request counts (cleared by ``POST /_control/reset``, counted by ``GET /_control/stats``)."""
        ...

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve one ASGI connection."""
        ...


@dataclass(frozen=True, slots=True)
class Profile:
    """One API version as the mock serves it."""

    version: str
    make_store: Callable[..., Store]
    """Builds the store from ``fixtures``, ``settings``, ``faults``, ``variants``, ``clock``, ``ids`` and
    ``own_faults``/``own_variants`` (the entries of the version's own catalogs switched on; empty for the seed's)."""
    api_routes: Sequence[Route]
    control_routes: Sequence[Route]
    error_body: Callable[[Store, ApiError], dict[str, object]] | None = None
    """How an ``ApiError`` is written, given the store (None: the error's own ``{"message"}`` body)."""
    own_faults: Catalog | None = None
    """The version's own fault catalog, replacing the seed's (whose faults and variants speak of 2026-02-13)."""
    own_variants: Catalog | None = None
    """The version's own variant catalog, replacing the seed's (set together with ``own_faults``)."""
    limiter: Callable[[ASGIApp, Store], Limiter] | None = None
    """Builds the rate limiter around the router (None: the seed's ``RateLimitMiddleware``)."""


def profile_for(version: str | None, spec: JSONObject) -> Profile:
    """The profile of ``version`` (None: the default), built on ``spec``; an unknown version is a ``UsageError``."""
    name = get_version(version).name
    module: Any = importlib.import_module(PROFILE_MODULES[name])
    built: Profile = module.profile(spec)
    return built
