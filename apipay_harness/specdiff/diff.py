"""Comparing two specs: match their operations, webhooks and status machines, collect the changes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from apipay_harness.core.errors import SpecError
from apipay_harness.specdiff import changes as k
from apipay_harness.specdiff.changes import Change
from apipay_harness.specdiff.compare import Site
from apipay_harness.specdiff.delivery import compare_delivery
from apipay_harness.specdiff.loader import Document, load_document
from apipay_harness.specdiff.operations import compare_surfaces
from apipay_harness.specdiff.surface import surfaces
from apipay_harness.specdiff.transitions import compare_machines, status_machines

__all__ = ["DiffReport", "SpecInfo", "diff_documents", "diff_files"]


@dataclass(frozen=True, slots=True)
class SpecInfo:
    """Which file a side of the diff came from."""

    path: str
    title: str


@dataclass(frozen=True, slots=True)
class DiffReport:
    """The changes from one spec to another, in the order the old spec lists its operations."""

    old: SpecInfo
    new: SpecInfo
    scope: SpecInfo | None
    compared: int
    """Operations and webhooks present in both specs (within the scope)."""
    changes: tuple[Change, ...]

    @property
    def breaking(self) -> tuple[Change, ...]:
        """The changes that break a client written for the old spec."""
        return tuple(c for c in self.changes if c.breaking)

    @property
    def other(self) -> tuple[Change, ...]:
        """The changes that do not."""
        return tuple(c for c in self.changes if not c.breaking)


def diff_files(old: str | Path, new: str | Path, *, scope: str | Path | None = None) -> DiffReport:
    """Load and compare two spec files; ``scope`` limits the report to the operations of a third spec."""
    return diff_documents(
        load_document(old), load_document(new), scope=load_document(scope) if scope is not None else None
    )


def diff_documents(old: Document, new: Document, *, scope: Document | None = None) -> DiffReport:
    """Compare two loaded specs."""
    try:
        before, after = surfaces(old), surfaces(new)
        wanted = set(surfaces(scope)) if scope is not None else None
        out: list[Change] = []
        compared = 0
        for key in [*before, *(key for key in after if key not in before)]:
            if wanted is not None and key not in wanted:
                continue
            o, n = before.get(key), after.get(key)
            shown = n or o
            assert shown is not None
            site = Site(shown.label, shown.operation_id, "operation", "request", out)
            if n is None:
                site.emit(k.WEBHOOK_REMOVED if shown.kind == "webhook" else k.OPERATION_REMOVED, "", "removed")
            elif o is None:
                site.emit(k.WEBHOOK_ADDED if shown.kind == "webhook" else k.OPERATION_ADDED, "", "added")
            else:
                compared += 1
                compare_surfaces(o, n, site)
        compare_delivery(old, new, Site("WEBHOOKS delivery", None, "x-webhook-delivery", "response", out))
        old_machines, new_machines = status_machines(old), status_machines(new)
        for name, table in old_machines.items():
            if name in new_machines:
                compare_machines(
                    table, new_machines[name], Site(f"STATUSES {name}", None, "status machine", "response", out)
                )
    except RecursionError:
        raise SpecError("the specs nest schemas too deeply to compare") from None
    return DiffReport(
        old=SpecInfo(old.path, old.title),
        new=SpecInfo(new.path, new.title),
        scope=SpecInfo(scope.path, scope.title) if scope is not None else None,
        compared=compared,
        changes=tuple(out),
    )
