"""Which runs one ``apipay-harness selftest`` makes: the clean mock, each fault, each variant, variants together.

A fault run must be caught (the suites fail it); a variant run must pass, as the clean run must,
since a variant is another behaviour the documents allow. The together runs switch on every
variant that can hold at the same time as the others: one run per maximal compatible group, so
two variants that exclude each other (a synchronous and a queued cancel) land in different runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from apipay_harness.mock.variants import compatible_groups
from apipay_harness.selftest.catalogs import catalogs

__all__ = ["PlannedRun", "check_fault_names", "check_variant_names", "plan"]


@dataclass(frozen=True, slots=True)
class PlannedRun:
    """One mock to start (clean, one fault, or some variants) and judge with the contract suites."""

    fault: str | None = None
    variants: tuple[str, ...] = ()
    group: int = 0
    """For a together run: its number among the compatible groups (1, 2 ...)."""
    api_version: str | None = None
    """The API version the run's mock speaks and its suites judge (None: the default)."""

    @property
    def label(self) -> str:
        """How the matrix and the progress lines name the run."""
        if self.fault is not None:
            return self.fault
        if len(self.variants) == 1 and not self.group:
            return self.variants[0]
        if self.variants:
            return f"together #{self.group} ({len(self.variants)} variants)"
        return "(clean mock)"

    @property
    def directory(self) -> str:
        """The run's folder under ``selftest-runs/``."""
        if self.fault is not None:
            return self.fault
        if self.group:
            return f"together-{self.group}"
        return f"variant-{self.variants[0]}" if self.variants else "clean"

    @property
    def description(self) -> str:
        """What the run's mock does: the catalog sentence of its fault or variant."""
        own = catalogs(self.api_version)
        if self.fault is not None:
            return own.faults[self.fault].description
        if self.group:
            return "every variant of this group at once: " + ", ".join(self.variants)
        return own.variants[self.variants[0]].description if self.variants else "the mock with no fault"


def check_fault_names(names: Sequence[str], *, api_version: str | None = None) -> list[str]:
    """The faults of ``api_version``'s mock to run (all of them when none is named).

    An unknown name is a ``UsageError`` listing the valid ones.
    """
    faults = catalogs(api_version).faults
    return [fault.name for fault in faults.named(names)] if names else sorted(faults)


def check_variant_names(names: Sequence[str], *, api_version: str | None = None) -> list[str]:
    """The variants of ``api_version``'s mock to run alone (all of them when none is named).

    An unknown name is a ``UsageError`` listing the valid ones.
    """
    variants = catalogs(api_version).variants
    return [variant.name for variant in variants.named(names)] if names else list(variants)


def plan(
    *, faults: Sequence[str], variants: Sequence[str], together: bool, api_version: str | None = None
) -> list[PlannedRun]:
    """The clean run, then one run per fault, per variant, and (``together``) per compatible group of the catalog.

    Names are taken as given (``check_fault_names`` / ``check_variant_names`` decide what "none" means) and
    belong to ``api_version``'s catalogs (None: the default version's).
    """
    own = catalogs(api_version)
    runs = [PlannedRun(api_version=api_version)]
    runs += [PlannedRun(fault=f.name, api_version=api_version) for f in own.faults.named(faults)]
    runs += [PlannedRun(variants=(v.name,), api_version=api_version) for v in own.variants.named(variants)]
    if together:
        groups = [g for g in compatible_groups(list(own.variants.values())) if len(g) > 1]
        runs += [
            PlannedRun(variants=tuple(v.name for v in g), group=n, api_version=api_version)
            for n, g in enumerate(groups, start=1)
        ]
    return runs
