"""The server under test: where it is, how to authenticate, and how to drive it.

The ``APIPAY_*`` environment variables are read only through ``apipay_harness.core.options``, where each
is declared beside its flag, so a variable and its flag always mean the same thing.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal
from urllib.parse import urlsplit

from apipay_harness.core.errors import UsageError
from apipay_harness.core.options import PROFILES, check_control, from_environment

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_API_KEY_2",
    "DEFAULT_RATE_LIMITED_KEY",
    "DEFAULT_UNVERIFIED_KEY",
    "PUBLISHED_KEYS",
    "Profile",
    "Target",
]

Profile = Literal["sandbox", "production"]

DEFAULT_API_KEY = "test-key"
DEFAULT_API_KEY_2 = "test-key-2"
DEFAULT_UNVERIFIED_KEY = "unverified-key"
DEFAULT_RATE_LIMITED_KEY = "limited-key"
PUBLISHED_KEYS = frozenset({DEFAULT_API_KEY, DEFAULT_API_KEY_2, DEFAULT_UNVERIFIED_KEY, DEFAULT_RATE_LIMITED_KEY})
"""The mock's keys, printed in its documentation: redacted whole, but their pieces ("verified") are ordinary words."""


@dataclass(frozen=True, slots=True)
class Target:
    """A server that speaks the ApiPay API.

    **base_url** – the API root, ending in ``/api/v1``.
    **api_key** – organization 1's key. **api_key_2** – *(optional)* a second organization's key, for tenancy.
    **control_url** – *(optional)* the mock-style control API (``/_control``); ``None`` means no control.
    **unverified_key** – *(optional)* a key whose organization is not verified (403).
    **rate_limited_key** – *(optional)* a key with a small per-minute limit, for the 429 checks.
    **profile** – ``sandbox`` (default) or ``production`` (nothing destructive).
    **sandbox_control** – invoices are paid and expired through the API's own ``simulate-status`` (``--control
    sandbox``); no control API is used.
    **api_version** – the version of the provider's API the target speaks (None: the default).

    | call | means |
    |---|---|
    | ``Target.for_mock("http://127.0.0.1:8080")`` | the mock with its default keys and control API |
    | ``Target.from_options(base_url=None, ...)`` | flags first, then ``APIPAY_*`` environment variables |
    """

    base_url: str
    api_key: str = field(repr=False)
    api_key_2: str | None = field(default=None, repr=False)
    control_url: str | None = None
    unverified_key: str | None = field(default=None, repr=False)
    rate_limited_key: str | None = field(default=None, repr=False)
    profile: Profile = "sandbox"
    sandbox_control: bool = False
    api_version: str | None = None

    def __post_init__(self) -> None:
        for name in ("base_url", "control_url"):
            value = getattr(self, name)
            if value is None:
                continue
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise UsageError(f"--{name.replace('_', '-')} must be an http(s) URL, got {value!r}")
            object.__setattr__(self, name, value.rstrip("/"))
        if self.profile not in PROFILES:
            raise UsageError(f"--profile must be sandbox or production, got {self.profile!r}")
        check_control(self.control_url, False, "sandbox" if self.sandbox_control else "api")

    @property
    def has_control(self) -> bool:
        """Whether payments, expiry and the clock can be driven through a control API."""
        return self.control_url is not None

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every secret this target carries, for redaction."""
        return tuple(k for k in (self.api_key, self.api_key_2, self.unverified_key, self.rate_limited_key) if k)

    def with_profile(self, profile: Profile) -> Target:
        """Return a copy of this target with another profile."""
        return replace(self, profile=profile)

    @classmethod
    def for_mock(cls, root_url: str, *, api_version: str | None = None, control_api: bool = True) -> Target:
        """The embedded mock served at ``root_url`` (``http://HOST:PORT``) with its default keys.

        ``control_api=False``: a mock serving no ``/_control``, driven through its sandbox's simulate-status.
        """
        root = root_url.rstrip("/")
        return cls(
            base_url=f"{root}/api/v1",
            api_key=DEFAULT_API_KEY,
            api_key_2=DEFAULT_API_KEY_2,
            control_url=f"{root}/_control" if control_api else None,
            unverified_key=DEFAULT_UNVERIFIED_KEY,
            rate_limited_key=DEFAULT_RATE_LIMITED_KEY,
            sandbox_control=not control_api,
            api_version=api_version,
        )

    @classmethod
    def from_options(
        cls,
        *,
        base_url: str | None,
        api_key: str | None = None,
        api_key_2: str | None = None,
        control_url: str | None = None,
        no_control: bool = False,
        unverified_key: str | None = None,
        rate_limited_key: str | None = None,
        profile: Profile = "sandbox",
        control: str = "api",
        api_version: str | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Target | None:
        """Build a target from flags, falling back to ``APIPAY_*``; ``None`` when no base URL is set (use the mock).

        Every command builds its target here, so the ``--control-url``/``--no-control`` clash is checked here only.
        """
        check_control(control_url, no_control, control)
        values = {
            "base_url": base_url,
            "api_key": api_key,
            "api_key_2": api_key_2,
            "control_url": control_url,
            "no_control": no_control,
            "unverified_key": unverified_key,
            "rate_limited_key": rate_limited_key,
            "profile": profile,
            "control": control,
            "api_version": api_version,
        }
        return cls.from_values(from_environment(values, os.environ if environ is None else environ))

    @classmethod
    def from_values(cls, values: Mapping[str, object]) -> Target | None:
        """Build a target from resolved option values (flags and environment already merged); ``None``: the mock."""
        base_url = values.get("base_url") or None
        if base_url is None:
            return None
        key = values.get("api_key")
        if not key:
            raise UsageError("a target needs an API key: set --api-key or APIPAY_API_KEY")

        def text(name: str) -> str | None:
            value = values.get(name)
            return str(value) if value else None

        profile = str(values.get("profile") or "sandbox")
        if profile not in PROFILES:
            raise UsageError(f"--profile must be sandbox or production, got {profile!r}")
        sandbox_control = values.get("control") == "sandbox"
        return cls(
            base_url=str(base_url),
            api_key=str(key),
            api_key_2=text("api_key_2"),
            control_url=None if values.get("no_control") or sandbox_control else text("control_url"),
            unverified_key=text("unverified_key"),
            rate_limited_key=text("rate_limited_key"),
            profile="production" if profile == "production" else "sandbox",
            sandbox_control=sandbox_control,
            api_version=text("api_version"),
        )
