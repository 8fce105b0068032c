"""The 2.1 invoice rules, read from the 2.1 spec as data: statuses, successors, webhooks, simulation, idempotency.

``x-status-transitions`` on ``InvoiceStatus`` says which status may follow which, which may be cancelled or
refunded and which send ``invoice.status_changed``; ``x-status-effect`` of simulate-status says what each
simulated status does; ``x-idempotency`` of createInvoice which statuses free a key again. Nothing here is
written twice: a change of the spec changes the mock.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from apipay_harness.core.spec import SIMULATE_STATUS_PATH, resolve
from apipay_harness.core.types import JSONObject

__all__ = ["Rules21", "read_rules"]


@dataclass(frozen=True, slots=True)
class Rules21:
    """What the 2.1 spec says an invoice may do, per status."""

    initial: str
    successors: Mapping[str, frozenset[str]]
    cancellable: frozenset[str]
    refundable: frozenset[str]
    notified: frozenset[str]
    """Statuses whose entry sends ``invoice.status_changed``."""
    expires_after: float
    """Clock seconds a ``pending`` invoice waits for payment before it expires."""
    simulate_from: frozenset[str]
    simulate_to: Mapping[str, str]
    """Each status a simulation may ask for, and the status the invoice then takes."""
    simulate_error_codes: Mapping[str, str]
    reissue_after: frozenset[str]
    """Statuses of an invoice whose idempotency key a new create may take."""
    whole_tenge_code: str
    min_amount: Decimal
    max_amount: Decimal
    catalog_key_header: str
    """The header a catalog create's idempotency key may come in (``x-idempotency`` of createCatalogItems)."""
    catalog_key_max: int
    """The longest key that header takes (its parameter's ``maxLength``)."""

    def may(self, current: str, target: str) -> bool:
        """Whether ``target`` may follow ``current``."""
        return target in self.successors.get(current, frozenset())

    def allowed_from(self, target: str) -> tuple[str, ...]:
        """Every status ``target`` may follow, in the spec's order."""
        return tuple(status for status, after in self.successors.items() if target in after)


def read_rules(spec: JSONObject) -> Rules21:
    """Read the rules from a 2.1 spec (a missing key is a ``KeyError`` at start-up, never a silent default)."""
    schemas = spec["components"]["schemas"]
    table: dict[str, Any] = schemas["InvoiceStatus"]["x-status-transitions"]
    statuses: dict[str, Any] = table["statuses"]
    create = spec["paths"]["/invoices"]["post"]
    simulate = spec["paths"][SIMULATE_STATUS_PATH]["post"]["x-status-effect"]
    amount = resolve(spec, schemas["InvoiceAmount"])
    catalog = spec["paths"]["/catalog"]["post"]
    key_header = str(catalog["x-idempotency"]["header"])
    header = next(resolve(spec, p) for p in catalog["parameters"] if resolve(spec, p).get("name") == key_header)
    return Rules21(
        initial=table["initial"],
        successors=MappingProxyType({name: frozenset(s["successors"]) for name, s in statuses.items()}),
        cancellable=frozenset(name for name, s in statuses.items() if s["can_cancel"]),
        refundable=frozenset(name for name, s in statuses.items() if s["can_refund"]),
        notified=frozenset(table["webhooks"]["invoice.status_changed"]),
        expires_after=float(statuses["pending"]["expires_after_seconds"]),
        simulate_from=frozenset(simulate["from"]),
        simulate_to=MappingProxyType(dict(simulate["to"])),
        simulate_error_codes=MappingProxyType(dict(simulate["error_code_for"])),
        reissue_after=frozenset(create["x-idempotency"]["reissue_after"]),
        whole_tenge_code=amount["x-error-codes"]["multipleOf"],
        min_amount=Decimal(str(amount["minimum"])),
        max_amount=Decimal(str(amount["maximum"])),
        catalog_key_header=key_header,
        catalog_key_max=int(header["schema"]["maxLength"]),
    )
