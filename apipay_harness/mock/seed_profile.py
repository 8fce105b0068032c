"""The profile of the 2026-02-13 documents, the seed's API: the mock as it always was."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from apipay_harness.core.types import JSONObject
from apipay_harness.mock import routes_catalog, routes_control, routes_invoices, routes_refunds
from apipay_harness.mock.profile import Profile
from apipay_harness.mock.store import Store

__all__ = ["profile"]


def profile(spec: JSONObject) -> Profile:
    """The 2026-02-13 mock: its store, routes and ``{"message"}`` errors; amounts bounded by ``AmountInput``."""
    amount_input = spec["components"]["schemas"]["AmountInput"]
    highest = Decimal(str(amount_input["maximum"]))
    lowest = Decimal(str(amount_input["minimum"]))

    def make_store(*, own_faults: tuple[Any, ...] = (), own_variants: tuple[Any, ...] = (), **kwargs: Any) -> Store:
        assert not own_faults and not own_variants, "the seed's faults and variants are the store's own"
        return Store(max_amount=highest, min_amount=lowest, **kwargs)

    return Profile(
        version="2026-02-13",
        make_store=make_store,
        api_routes=(*routes_invoices.ROUTES, *routes_refunds.ROUTES, *routes_catalog.ROUTES),
        control_routes=tuple(routes_control.ROUTES),
    )
