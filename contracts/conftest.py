"""Fixtures every contract suite shares: the spec, the target, clients per key, the control API, the run mode.

The options (``--base-url``, ``--quick``, ``--seed`` …) and the result recording come from
the ``apipay_harness.contract.plugin`` plugin; this file turns them into fixtures and into
the hypothesis settings profiles ``quick`` and ``default`` (``--quick`` picks the first). It also
holds every suite to the check registry: each test's ``contract`` marker names a declared check,
whose id then selects the test under ``-k`` (``-k refund_needs_payment``).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from apipay_harness.contract.plugin import contract_run
from apipay_harness.contract.run import ContractRun, ResultSink, run_seed
from apipay_harness.core.checks import Check
from apipay_harness.core.target import Target
from apipay_harness.core.types import JSONObject
from contracts.client import ApiClient
from contracts.control import Control, Sandbox
from contracts.version import active_spec, active_version, use_version

NO_CONTROL_REASON = "needs payment, expiry or the clock: the target has no control API (--no-control)"
SANDBOX_REASON = (
    "needs the control API (the clock, a delivery or refund outcome on request): under --control sandbox the "
    "target offers only the API's simulate-status"
)

_COMMON: dict[str, Any] = {
    "deadline": None,
    "database": None,
    "print_blob": False,
    "suppress_health_check": list(HealthCheck),
}
settings.register_profile("quick", max_examples=15, stateful_step_count=10, **_COMMON)
settings.register_profile("default", max_examples=60, stateful_step_count=30, **_COMMON)


def pytest_configure(config: pytest.Config) -> None:
    """Pick the hypothesis profile and the seed of the run: ``--seed``, or a fresh one the reports record."""
    from hypothesis import core

    use_version(contract_run(config).options.api_version)
    quick = bool(config.getoption("apipay_quick", False))
    settings.load_profile("quick" if quick else "default")
    seed = run_seed(config)
    # The same switch hypothesis' own --hypothesis-seed flips; hypothesis annotates it as always None.
    core.global_force_seed = seed  # type: ignore[assignment]
    random.seed(seed)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the checks whose rule the run's API version does not have (the check registry says which)."""
    version = active_version()
    kept: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        marker = item.get_closest_marker("contract")
        check = marker.kwargs.get("check") if marker is not None else None
        (dropped if isinstance(check, Check) and not check.applies_to(version) else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_itemcollected(item: pytest.Item) -> None:
    """Refuse a suite test that names no declared check; let ``-k`` match the id of the check it names."""
    marker = item.get_closest_marker("contract")
    declared = marker.kwargs.get("check") if marker is not None else None
    if not isinstance(declared, Check):
        raise pytest.UsageError(
            f"{item.nodeid}: a contract suite test names its check with a constant of apipay_harness.core.checks, "
            f"as @pytest.mark.contract(check=…); got {declared!r}"
        )
    item.extra_keyword_matches.add(declared.id)


@pytest.fixture(scope="session")
def run(pytestconfig: pytest.Config) -> ContractRun:
    """The contract run this session records."""
    return contract_run(pytestconfig)


@pytest.fixture(scope="session")
def spec() -> JSONObject:
    """The run's OpenAPI spec (its ``--api-version``), as a plain dict."""
    return active_spec()


@pytest.fixture(scope="session")
def target(run: ContractRun) -> Target:
    """The server under test (the embedded mock when no --base-url is given)."""
    return run.target()


@pytest.fixture(scope="session")
def run_mode(run: ContractRun) -> str:
    """``quick`` (CI gates) or ``default`` (deeper)."""
    return run.options.mode


@pytest.fixture(scope="session")
def client_for(run: ContractRun, target: Target) -> Iterator[Callable[[str | None], ApiClient]]:
    """Build (and reuse) an ``ApiClient`` for any key; ``None`` sends no key."""
    clients: dict[str | None, ApiClient] = {}

    def make(key: str | None) -> ApiClient:
        if key not in clients:
            clients[key] = ApiClient(
                base_url=target.base_url,
                key=key,
                tripwire=run.tripwire,
                on_request=run.guard.before,
                on_response=run.guard.after,
            )
        return clients[key]

    yield make
    for client in clients.values():
        client.close()


@pytest.fixture(scope="session")
def api(client_for: Callable[[str | None], ApiClient], target: Target) -> ApiClient:
    """Organization 1's client."""
    return client_for(target.api_key)


@pytest.fixture(scope="session")
def control(target: Target, run: ContractRun) -> Iterator[Control]:
    """The target's control API; skips the test with one reason when the target has none."""
    if target.control_url is None:
        pytest.skip(SANDBOX_REASON if target.sandbox_control else NO_CONTROL_REASON)
    handle = Control(control_url=target.control_url, tripwire=run.tripwire, on_secret=run.add_secret, redact=run.redact)
    yield handle
    handle.close()


@pytest.fixture(scope="session")
def sandbox(target: Target, api: ApiClient, spec: JSONObject) -> Sandbox | None:
    """The API's own simulate-status under ``--control sandbox`` (None otherwise, or when the spec has none)."""
    if not target.sandbox_control:
        return None
    try:
        return Sandbox(api, spec)
    except LookupError:
        return None


@pytest.fixture
def moves(request: pytest.FixtureRequest, sandbox: Sandbox | None) -> tuple[Control | None, Sandbox | None]:
    """How a suite pays and expires invoices: the control API, else the sandbox; skips when the target has neither."""
    try:
        control: Control | None = request.getfixturevalue("control")
    except pytest.skip.Exception:
        if sandbox is None:
            raise
        control = None
    return control, sandbox


@pytest.fixture(scope="session")
def redact(run: ContractRun) -> Callable[[str], str]:
    """The run's redaction, for a message quoting answer text: ``redact(response.text)[:200]`` (redact, then cut)."""
    return run.redact


@pytest.fixture(scope="session")
def register_secret(run: ContractRun) -> Callable[[str], None]:
    """Tell the run about a secret a suite made up, so no report ever shows it."""
    return run.add_secret


@pytest.fixture
def contract_results(run: ContractRun, request: pytest.FixtureRequest) -> ResultSink:
    """Record several results (operation × check) for this test instead of the one its marker implies."""
    return run.sink_for(request.node)
