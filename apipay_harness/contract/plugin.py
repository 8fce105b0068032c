"""The pytest plugin behind ``apipay-harness contract`` and ``pytest contracts/ --base-url …``.

Registered through the ``pytest11`` entry point, so it is loaded in every pytest run of
this environment: it only adds its options and the ``contract`` marker, and stays inert
unless a test carrying that marker is collected. Then it builds the target (starting the
embedded mock when no ``--base-url`` is given), turns each contract test's outcome into
``CheckResult``s and feeds them to the report writers.

It also loads ``apipay_harness.fixture.plugin``, the ``apipay_mock`` fixture for integrators' own
suites, which is as inert: nothing starts unless a test asks for that fixture.
"""

from __future__ import annotations

from typing import Any

import pytest

from apipay_harness.contract.run import ContractRun, RunOptions

__all__ = ["RUN_KEY", "contract_run", "pytest_addoption", "pytest_configure"]

pytest_plugins = ["apipay_harness.fixture.plugin"]

RUN_KEY = pytest.StashKey[ContractRun]()

# (flags, keyword arguments) of each option; the first flag is dropped when another plugin owns it.
_OPTIONS: tuple[tuple[tuple[str, ...], dict[str, Any]], ...] = (
    (
        ("--base-url", "--apipay-base-url"),
        {"dest": "base_url", "help": "API root of the target (env APIPAY_BASE_URL); default: start the embedded mock"},
    ),
    (
        ("--api-key", "--apipay-api-key"),
        {"dest": "apipay_api_key", "help": "organization 1's API key (env APIPAY_API_KEY)"},
    ),
    (
        ("--api-key-2", "--apipay-api-key-2"),
        {"dest": "apipay_api_key_2", "help": "a second organization's key, for tenancy (env APIPAY_API_KEY_2)"},
    ),
    (
        ("--unverified-key", "--apipay-unverified-key"),
        {"dest": "apipay_unverified_key", "help": "a key of an unverified organization (403 checks)"},
    ),
    (
        ("--rate-limited-key", "--apipay-rate-limited-key"),
        {"dest": "apipay_rate_limited_key", "help": "a key with a small per-minute limit (429 checks)"},
    ),
    (
        ("--control-url", "--apipay-control-url"),
        {"dest": "apipay_control_url", "help": "the target's control API (env APIPAY_CONTROL_URL)"},
    ),
    (
        ("--no-control", "--apipay-no-control"),
        {
            "dest": "apipay_no_control",
            "action": "store_true",
            "help": "the target has no control API: skip what needs payment, expiry or the clock",
        },
    ),
    (
        ("--profile", "--apipay-profile"),
        {
            "dest": "apipay_profile",
            "choices": ("sandbox", "production"),
            "default": "sandbox",
            "help": "production: nothing destructive, capped invoice creation, cleanup",
        },
    ),
    (
        ("--report-dir", "--apipay-report-dir"),
        {
            "dest": "apipay_report_dir",
            "default": None,
            "help": "where the conformance report goes (the command's default: ./reports)",
        },
    ),
    (
        ("--quick", "--apipay-quick"),
        {
            "dest": "apipay_quick",
            "action": "store_true",
            "help": "fewer examples and shorter state machines, for CI gates",
        },
    ),
    (
        ("--seed", "--apipay-seed"),
        {"dest": "apipay_seed", "type": int, "default": None, "help": "make the run reproducible"},
    ),
)


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the contract-run options; a flag another plugin already owns is offered only as ``--apipay-…``."""
    group = parser.getgroup("apipay-harness", "apipay-harness contract suites")
    for flags, kwargs in _OPTIONS:
        try:
            group.addoption(*flags, **kwargs)
        except ValueError:
            group.addoption(flags[-1], **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and the (still inert) run."""
    config.addinivalue_line(
        "markers",
        "contract(suite, check=None, operation='*'): a contract check; its outcome becomes a CheckResult",
    )
    options = RunOptions.from_config(config)
    run = ContractRun(options)
    config.stash[RUN_KEY] = run
    config.pluginmanager.register(run, "apipay-contract-run")


def contract_run(config: pytest.Config) -> ContractRun:
    """The run this pytest session records (the conftest's fixtures reach it here)."""
    return config.stash[RUN_KEY]
