"""Building a suite's data by the most tolerant path, so one broken behaviour never hides an unrelated one.

The lists and webhooks suites build their data once per module and judge it in several
checks. A rule the target breaks while the data is built is recorded instead of stopping the
build: the step's invoice is marked as no longer known to the model (what the target did to
it may differ from what the model says), the build goes on, and each check judges everything
else. The breaks are reported once, by whichever check of the module finishes first in the
session, so a ``-k`` selection of any single check still fails on them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import pytest

from contracts.violations import Violation

__all__ = ["BuildLog"]

T = TypeVar("T")


class BuildLog:
    """The rules broken while one suite's data was built, and which invoices they leave unjudged."""

    def __init__(self, what: str) -> None:
        self.what = what
        """What was being built, in words ("building the lists dataset")."""
        self.breaks: list[Violation] = []
        self.tainted: set[int] = set()
        """Invoices a broken step touched: the model may be wrong about them, so no check judges them."""
        self.lost = False
        """Whether a creation broke: the target may hold an invoice of this build that the model does not know."""
        self._reported = False

    def attempt(self, step: Callable[[], T], *, invoices: Iterable[int] = ()) -> T | None:
        """Run one building step; a broken rule is recorded (its invoices no longer judged) and None returned."""
        try:
            return step()
        except Violation as exc:
            self.breaks.append(exc)
            self.tainted.update(invoices)
            return None

    def create(self, step: Callable[[], int]) -> int | None:
        """Run a creating step; when it breaks, the target may hold an invoice the model does not know."""
        created = self.attempt(step)
        if created is None:
            self.lost = True
        return created

    def judged(self, ids: Iterable[int]) -> list[int]:
        """The ids the model still knows for sure, sorted."""
        return sorted(i for i in ids if i not in self.tainted)

    def unjudged(self, invoice: int, known: Iterable[int]) -> bool:
        """Whether a listed ``invoice`` is out of judgement: tainted, or unknown after a creation broke."""
        return invoice in self.tainted or (self.lost and invoice not in set(known))

    @contextmanager
    def judging(self) -> Iterator[None]:
        """Run one check's own judgement, then report the build's breaks if no check of this session has yet."""
        try:
            yield
        except Violation as own:
            pending = self._take()
            if pending is None:
                raise
            raise Violation(
                operation=own.operation,
                check=own.check,
                title=own.title,
                message=f"{own.message}\n\nAlso, {self.what} broke a rule: {pending.title}\n{pending.message}",
                rule=own.rule,
                severity=own.severity,
                reproducible=own.reproducible,
            ) from own
        except pytest.skip.Exception:
            pending = self._take()
            if pending is not None:
                raise pending from None
            raise
        pending = self._take()
        if pending is not None:
            raise pending

    def _take(self) -> Violation | None:
        """The breaks as one violation, the first time they are asked for; None afterwards or without breaks."""
        if self._reported or not self.breaks:
            return None
        self._reported = True
        first, others = self.breaks[0], self.breaks[1:]
        more = "".join(f"\n- {b.operation}: {b.title}" for b in others)
        return Violation(
            operation=first.operation,
            check=first.check,
            title=f"{self.what} broke a rule: {first.title}",
            message=first.message + (f"\n\n{len(others)} more broken while building:{more}" if others else ""),
            rule=first.rule,
            severity=first.severity,
            reproducible=first.reproducible,
        )
