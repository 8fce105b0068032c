"""The pytest plugin behind ``apipay-harness contract`` and ``pytest contracts/ --base-url …``.

Registered through the ``pytest11`` entry point, so it is loaded in every pytest run of
this environment: it only adds its options and the ``contract`` marker, and stays inert
unless a test carrying that marker is collected. Then it builds the target (starting the
embedded mock when no ``--base-url`` is given; ``apipay-harness contract`` hands in a run whose
target it already built and checked), turns each contract test's outcome into
``CheckResult``s and feeds them to the report writers.

It also loads ``apipay_harness.fixture.plugin``, the ``apipay_mock`` fixture for integrators' own
suites, which is as inert: nothing starts unless a test asks for that fixture.
"""

from __future__ import annotations

from typing import Any

import pytest

from apipay_harness.contract.options import CONTRACT_OPTIONS, KEYWORD, RunOptions
from apipay_harness.contract.run import ContractRun, run_seed
from apipay_harness.core.options import REPORT_DIR, Option

__all__ = ["PYTEST_OPTIONS", "RUN_KEY", "contract_run", "pytest_addoption", "pytest_configure", "addoption_kwargs"]

pytest_plugins = ["apipay_harness.fixture.plugin"]

RUN_KEY = pytest.StashKey[ContractRun]()

PYTEST_OPTIONS = tuple(option for option in CONTRACT_OPTIONS if option.pytest)
"""The contract options a plain ``pytest contracts/`` run takes (``-k`` is pytest's own)."""


def addoption_kwargs(option: Option) -> dict[str, Any]:
    """How pytest declares ``option``: the same destination, type, choices, default and help everywhere.

    ``--report-dir`` has no default under plain pytest: such a run writes a report only when asked for one.
    """
    kwargs: dict[str, Any] = {"dest": option.dest, "help": option.full_help}
    if option.kind == "flag":
        kwargs["action"] = "store_true"
    elif option.kind == "int":
        kwargs["type"] = int
    if option.choices:
        kwargs["choices"] = option.choices
    if option.kind != "flag":
        kwargs["default"] = None if option is REPORT_DIR else option.default
    if option.metavar:
        kwargs["metavar"] = option.metavar
    return kwargs


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the contract-run options; a flag another plugin already owns is offered only as ``--apipay-…``."""
    group = parser.getgroup("apipay-harness", "apipay-harness contract suites")
    for option in PYTEST_OPTIONS:
        kwargs = addoption_kwargs(option)
        try:
            group.addoption(option.flag, option.pytest_flag, **kwargs)
        except ValueError:
            group.addoption(option.pytest_flag, **kwargs)


def options_from_config(config: pytest.Config) -> RunOptions:
    """The run's options as pytest parsed them (a run given no seed gets a fresh one, kept in the config)."""
    values: dict[str, object] = {option.name: config.getoption(option.dest, None) for option in PYTEST_OPTIONS}
    values[KEYWORD.name] = config.getoption("keyword", None) or None
    values["seed"] = run_seed(config)
    return RunOptions.from_values(values)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and the (still inert) run: the one the command handed in, else one built from the flags.

    A handed-in run's options are written back over pytest's, so whatever reads ``config.getoption`` (the
    suites' conftest) sees the very values the run uses.
    """
    config.addinivalue_line(
        "markers",
        "contract(check, operation='*'): a contract check (declared in apipay_harness.core.checks); its outcome "
        "becomes a CheckResult",
    )
    handed = [plugin for plugin in config.pluginmanager.get_plugins() if isinstance(plugin, ContractRun)]
    if handed:
        run = handed[0]
        for option in PYTEST_OPTIONS:
            setattr(config.option, option.dest, getattr(run.options, option.name))
    else:
        run = ContractRun(options_from_config(config))
        config.pluginmanager.register(run, "apipay-contract-run")
    config.stash[RUN_KEY] = run


def contract_run(config: pytest.Config) -> ContractRun:
    """The run this pytest session records (the conftest's fixtures reach it here)."""
    return config.stash[RUN_KEY]
