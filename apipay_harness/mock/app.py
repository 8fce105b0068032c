"""The mock as an ASGI app: ``/api/v1`` and ``/_control`` mounted from route lists, behind the rate limiter."""

from __future__ import annotations

import asyncio
import copy
import functools
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from apipay_harness.core.spec import load_spec, operations, resolve
from apipay_harness.core.types import JSONObject
from apipay_harness.mock import routes_served
from apipay_harness.mock.clock import Clock
from apipay_harness.mock.context import Validators
from apipay_harness.mock.faults import PHONE_PATTERN_OFF_BY_ONE, Faults
from apipay_harness.mock.fixtures import Fixtures, load_fixtures
from apipay_harness.mock.params import query_parsers
from apipay_harness.mock.profile import Limiter, profile_for
from apipay_harness.mock.ratelimit import RateLimitMiddleware
from apipay_harness.mock.reshape import BodyShaper, ReshapeMiddleware, shaping_variants
from apipay_harness.mock.router import MockApp, mount
from apipay_harness.mock.store import IdCounters, Settings
from apipay_harness.mock.validation import compile_schema
from apipay_harness.mock.variants import Variants

__all__ = ["SETTLE_INTERVAL", "build_validators", "create_app"]

SETTLE_INTERVAL = 0.25
"""How often, in real seconds, work that fell due with no request in between is settled (sends webhooks)."""


def build_validators(spec: JSONObject, faults: Faults) -> Validators:
    """Compile every request body schema and query string of the spec, once."""
    spec = faults.edit_spec(spec)
    if faults.on(PHONE_PATTERN_OFF_BY_ONE):
        spec = copy.deepcopy(spec)
        spec["components"]["schemas"]["PhoneNumber"]["pattern"] = r"^8\d{9,11}$"
    ops = operations(spec)
    bodies = {}
    for op in ops:
        body = resolve(spec, op.definition.get("requestBody") or {})
        media = (body.get("content") or {}).get("application/json")
        if media and "schema" in media:
            bodies[op.operation_id] = compile_schema(spec, media["schema"])
    return Validators(bodies=bodies, queries=query_parsers(spec, ops))


def create_app(
    *,
    settings: Settings | None = None,
    faults: Sequence[str] = (),
    variants: Sequence[str] = (),
    fixtures: Fixtures | None = None,
    clock: Clock | None = None,
    spec: JSONObject | None = None,
    validators: Validators | None = None,
    ids: IdCounters | None = None,
    api_version: str | None = None,
    control_api: bool = True,
) -> RateLimitMiddleware | ReshapeMiddleware | Limiter:
    """Build the mock app with its store; everything derived from the spec is built here, once.

    ``variants`` names other behaviours the documents allow (``apipay_harness.mock.variants``);
    an unknown name, or two that exclude each other, is a ``UsageError``. For hosts that build many mocks in
    one process, as the integrators' fixture builds one per test: ``validators`` (from ``build_validators``
    with the same spec and faults) spares compiling them again, and ``ids`` shared by every mock keeps each
    id from being handed out twice. ``api_version`` picks the version served (None: the default; its
    profile, ``mock/profile.py``, holds everything that differs); ``control_api=False`` serves no
    ``/_control`` at all, as a provider's sandbox has none.
    """
    spec = spec if spec is not None else load_spec(version=api_version)
    profile = profile_for(api_version, spec)
    own_faults: tuple[Any, ...] = ()
    own_variants: tuple[Any, ...] = ()
    if profile.own_faults is None or profile.own_variants is None:
        active, chosen = Faults(faults), Variants(variants)
    else:
        active, chosen = Faults(()), Variants(())
        own_faults, own_variants = profile.own_faults.named(faults), profile.own_variants.named(variants)
    store = profile.make_store(
        fixtures=fixtures or load_fixtures(),
        settings=settings or Settings(),
        faults=active,
        variants=chosen,
        clock=clock,
        ids=ids,
        own_faults=own_faults,
        own_variants=own_variants,
    )
    if validators is None:
        validators = build_validators(spec, active)

    @asynccontextmanager
    async def lifespan(app: MockApp) -> AsyncIterator[None]:
        async def tick() -> None:
            while True:
                await asyncio.sleep(SETTLE_INTERVAL)
                store.settle()

        ticker = asyncio.create_task(tick())
        try:
            yield
        finally:
            ticker.cancel()
            await store.dispatcher.aclose()

    control = [*profile.control_routes, *routes_served.ROUTES] if control_api else []
    routes = [*mount("/api/v1", profile.api_routes), *mount("/_control", control)]
    write_error = profile.error_body
    error_body = None if write_error is None else functools.partial(write_error, store)
    router = MockApp(routes, lifespan=lifespan, error_body=error_body)
    router.state.store = store
    router.state.profile = profile
    router.state.fault_names = sorted(faults)
    router.state.variant_names = list(dict.fromkeys(variants))
    router.state.validators = validators
    limiter = profile.limiter(router, store) if profile.limiter else RateLimitMiddleware(router, store=store)
    router.state.rate_windows = limiter.windows  # counted by GET /_control/stats
    if not shaping_variants(chosen):
        return limiter
    shaper = BodyShaper(spec, chosen)
    store.webhook_shaper = shaper.webhook
    return ReshapeMiddleware(limiter, shaper=shaper)
