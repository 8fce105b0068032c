"""The fault and variant catalogs a selftest runs over, read from the API version's mock profile.

A version whose mock has its own catalogs (2.1) names them in its profile (``mock/profile.py``); the
default version's mock keeps the seed's (``mock/faults.py``, ``mock/variants.py``). The selftest, its
tables and its name checks ask here, so no module of the selftest knows which versions exist.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from apipay_harness.core.spec import load_spec
from apipay_harness.core.versions import DEFAULT_VERSION, get_version
from apipay_harness.mock.faults import FAULTS, Fault
from apipay_harness.mock.profile import profile_for
from apipay_harness.mock.registry import Registry
from apipay_harness.mock.variants import VARIANTS, Variant

__all__ = ["Catalogs", "catalogs"]


@dataclass(frozen=True, slots=True)
class Catalogs:
    """One API version's faults and variants, as its mock takes them by name."""

    version: str
    """The version's registry name (``2026-02-13``, ``2.1``)."""
    faults: Registry[Fault]
    variants: Registry[Variant]

    @property
    def default(self) -> bool:
        """Whether this is the default version's (a command needs no ``--api-version`` for it)."""
        return self.version == DEFAULT_VERSION

    @property
    def version_flag(self) -> str:
        """`` --api-version V`` for a command line that must speak this version; empty for the default one."""
        return "" if self.default else f" --api-version {self.version}"


@functools.cache
def _of(version: str) -> Catalogs:
    profile = profile_for(version, load_spec(version=version))
    faults = FAULTS if profile.own_faults is None else profile.own_faults
    variants = VARIANTS if profile.own_variants is None else profile.own_variants
    if not isinstance(faults, Registry) or not isinstance(variants, Registry):
        raise TypeError(f"the {version} mock profile's catalogs are not registries: {faults!r}, {variants!r}")
    return Catalogs(version, faults, variants)


def catalogs(version: str | None = None) -> Catalogs:
    """The catalogs of API ``version`` (None: the default); an unknown version is a ``UsageError``."""
    return _of(get_version(version).name)
