"""Which runs one ``apipay-harness selftest`` makes: the clean mock, each fault, each variant, variants together.

A fault run must be caught (the suites fail it); a variant run must pass, as the clean run must,
since a variant is another behaviour the documents allow. The together runs switch on every
variant that can hold at the same time as the others: one run per maximal compatible group, so
two variants that exclude each other (a synchronous and a queued cancel) land in different runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from apipay_harness.mock.faults import FAULTS
from apipay_harness.mock.variants import VARIANTS, compatible_groups

__all__ = ["PlannedRun", "check_fault_names", "check_variant_names", "plan"]


@dataclass(frozen=True, slots=True)
class PlannedRun:
    """One mock to start (clean, one fault, or some variants) and judge with the contract suites."""

    fault: str | None = None
    variants: tuple[str, ...] = ()
    group: int = 0
    """For a together run: its number among the compatible groups (1, 2 ...)."""

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
        if self.fault is not None:
            return FAULTS[self.fault].description
        if self.group:
            return "every variant of this group at once: " + ", ".join(self.variants)
        return VARIANTS[self.variants[0]].description if self.variants else "the mock with no fault"


def check_fault_names(names: Sequence[str]) -> list[str]:
    """The faults to run (all of the catalog when none is named); an unknown name is a ``UsageError``."""
    return [fault.name for fault in FAULTS.named(names)] if names else sorted(FAULTS)


def check_variant_names(names: Sequence[str]) -> list[str]:
    """The variants to run alone (all of the catalog when none is named); an unknown name is a ``UsageError``."""
    return [variant.name for variant in VARIANTS.named(names)] if names else list(VARIANTS)


def plan(*, faults: Sequence[str], variants: Sequence[str], together: bool) -> list[PlannedRun]:
    """The clean run, then one run per fault, per variant, and (``together``) per compatible group of the catalog.

    Names are taken as given (``check_fault_names`` / ``check_variant_names`` decide what "none" means).
    """
    runs = [PlannedRun()]
    runs += [PlannedRun(fault=name) for name in check_fault_names(faults)] if faults else []
    runs += [PlannedRun(variants=(variant.name,)) for variant in VARIANTS.named(variants)]
    if together:
        groups = [g for g in compatible_groups(list(VARIANTS.values())) if len(g) > 1]
        runs += [PlannedRun(variants=tuple(v.name for v in g), group=n) for n, g in enumerate(groups, start=1)]
    return runs
