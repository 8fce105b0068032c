"""The fault catalog: realistic ways a server breaks the contract, switched on by name (STYLE R12).

Each entry is one function registered with ``@fault(hook=...)``; its docstring says what
breaks and ``hook`` names the point in the mock's code that consults it. The code asks
``faults.on("name")`` at that point, so adding a fault is one entry here plus one ``if``
at its hook. ``apipay-harness mock --fault NAME`` checks names against this registry.

Hooks:
    spec.phone_pattern        the PhoneNumber pattern the validators are compiled from
    refund.availability       the ``amount <= available_for_refund`` check of a refund
    refund.record             between checking and recording a refund
    invoice.get.tenancy       the organization check of ``GET /invoices/{id}``
    invoice.list.status       the ``status[]`` filter of ``GET /invoices``
    webhook.sign              the HMAC signature of a webhook delivery
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from apipay_harness.errors import UsageError

__all__ = ["FAULTS", "Fault", "Faults", "fault"]


@dataclass(frozen=True, slots=True)
class Fault:
    """One named way to break the contract."""

    name: str
    description: str
    hook: str


FAULTS: dict[str, Fault] = {}


def fault(*, hook: str) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """Register the decorated function's name and docstring as a fault at ``hook``."""

    def register(func: Callable[[], None]) -> Callable[[], None]:
        name = func.__name__
        if name in FAULTS:
            raise ValueError(f"fault {name!r} is registered twice")
        FAULTS[name] = Fault(name, (func.__doc__ or "").strip(), hook)
        return func

    return register


class Faults:
    """The set of faults a mock runs with."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        names = tuple(names)
        unknown = [n for n in names if n not in FAULTS]
        if unknown:
            raise UsageError(f"unknown fault(s) {', '.join(unknown)}; valid names: {', '.join(sorted(FAULTS))}")
        self._active = frozenset(names)

    def on(self, name: str) -> bool:
        """Whether fault ``name`` is switched on."""
        return name in self._active

    @property
    def names(self) -> tuple[str, ...]:
        """The active faults, sorted."""
        return tuple(sorted(self._active))


@fault(hook="spec.phone_pattern")
def phone_pattern_off_by_one() -> None:
    """Phone numbers with 9 or 11 digits after the leading 8 are accepted (the pattern's count is off by one)."""


@fault(hook="refund.availability")
def refund_sum_unchecked() -> None:
    """A refund larger than available_for_refund is accepted, so refunds can add up past the invoice amount."""


@fault(hook="refund.record")
def refund_race_double_refund() -> None:
    """Refunds await a simulated Kaspi call between the availability check and the write, so parallel ones overshoot."""


@fault(hook="invoice.get.tenancy")
def tenant_leak_get() -> None:
    """GET /invoices/{id} returns another organization's invoice instead of 404."""


@fault(hook="invoice.list.status")
def list_status_filter_ignored() -> None:
    """GET /invoices ignores its status[] filter and lists invoices of every status."""


@fault(hook="webhook.sign")
def webhook_signature_wrong() -> None:
    """Webhook signatures are computed over a re-serialized body rather than the exact bytes sent."""
