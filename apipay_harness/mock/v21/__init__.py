"""The mock's API 2.1 (the provider's spec 2.1.0 of 2026-08-24): its profile, rules, store and routes.

Every difference from the seed's mock lives in this package and reaches the app through ``profile``;
its rules are read from ``openapi/apipay-2.1.yaml`` (``rules.py``).
"""

from __future__ import annotations

from typing import Any

from apipay_harness.core.types import JSONObject
from apipay_harness.mock import routes_catalog, routes_control, routes_invoices, routes_refunds
from apipay_harness.mock.profile import Profile
from apipay_harness.mock.router import Handler, Route
from apipay_harness.mock.store import Store
from apipay_harness.mock.v21 import catalog, control, lists, refunds, routes
from apipay_harness.mock.v21.delivery import read_policy
from apipay_harness.mock.v21.errors import error_body
from apipay_harness.mock.v21.faults import FAULTS_21, Faults21
from apipay_harness.mock.v21.ratelimit import RateLimit21Middleware
from apipay_harness.mock.v21.rules import read_rules
from apipay_harness.mock.v21.store import Store21
from apipay_harness.mock.v21.variants import VARIANTS_21, Variants21

__all__ = ["profile"]


def _overlay(base: list[Route], own: list[Route]) -> tuple[Route, ...]:
    """The seed's routes with 2.1's handlers put in per path and method (new paths added at the end)."""
    mine: dict[str, dict[str, Handler]] = {}
    for r in own:
        mine.setdefault(r.path, {}).update(r.handlers)
    merged = [Route(r.path, {**r.handlers, **mine.pop(r.path)}) if r.path in mine else r for r in base]
    return (*merged, *(Route(path, handlers) for path, handlers in mine.items()))


def _own(store: Store) -> Store21:
    assert isinstance(store, Store21)
    return store


def profile(spec: JSONObject) -> Profile:
    """The 2.1 mock: the 2.1 store and handlers over the seed's, and the ErrorResponse envelope."""
    rules = read_rules(spec)
    delivery = read_policy(spec)
    simulate = spec["components"]["schemas"]["SimulateStatusRequest"]["properties"]
    kaspi_types = tuple(
        tuple(v for v in simulate[name]["enum"] if v is not None) for name in ("kaspi_source_type", "kaspi_sale_type")
    )

    def make_store(*, own_faults: tuple[Any, ...] = (), own_variants: tuple[Any, ...] = (), **kwargs: Any) -> Store:
        return Store21(
            faults21=Faults21(own_faults),
            variants21=Variants21(own_variants),
            rules=rules,
            delivery=delivery,
            simulate_kaspi_types=(kaspi_types[0], kaspi_types[1]),
            max_amount=rules.max_amount,
            min_amount=rules.min_amount,
            **kwargs,
        )

    seed = [*routes_invoices.ROUTES, *routes_refunds.ROUTES, *routes_catalog.ROUTES]
    return Profile(
        version="2.1",
        make_store=make_store,
        api_routes=_overlay(seed, [*routes.ROUTES, *lists.ROUTES, *refunds.ROUTES, *catalog.ROUTES]),
        control_routes=_overlay(list(routes_control.ROUTES), control.ROUTES),
        error_body=error_body,
        own_faults=FAULTS_21,
        own_variants=VARIANTS_21,
        limiter=lambda app, store: RateLimit21Middleware(app, store=_own(store), spec=spec),
    )
