"""A contract run keeps its order although the harness's tests install pytest-randomly beside it.

The tests of this repository run shuffled (pytest-randomly, a ``pytest11`` plugin, so it would load
into every pytest of the venv). A contract run must not be: its checks go in file order, or in the
selftest's cheapest-first order, so a run is replayed by its seed alone. ``contracts/pytest.ini``
blocks the plugin; these tests collect the suites exactly as ``apipay-harness contract`` does.
"""

from __future__ import annotations

import importlib.util
import json
from itertools import groupby
from pathlib import Path

from apipay_harness.selftest.order import SUITE_ORDER
from apipay_harness.selftest.runner import ORDER_PLUGIN
from tests.contract.conftest import run_probe

PROBE = Path(__file__).with_name("order_probe.py")
ROOT = Path(__file__).resolve().parents[2]
Order = list[tuple[str, int]]


def _collect(*runs: list[str]) -> list[Order]:
    printed = run_probe(PROBE, json.dumps(list(runs)))
    return [[(nodeid, line) for nodeid, line, _, _ in json.loads(row)] for row in printed.splitlines()]


def _module(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def _in_file_order(order: Order) -> bool:
    """Modules in path order, and in each module the test functions in the order they are defined.

    A state machine's ``TestCase`` is left out: pytest collects it where the module binds it, while its
    reported line is where Hypothesis defines the class.
    """
    functions = [(_module(nodeid), line) for nodeid, line in order if nodeid.count("::") == 1]
    modules = [_module(nodeid) for nodeid, _ in order]
    return functions == sorted(functions) and modules == sorted(modules)


def test_contract_run_keeps_file_order_and_selftest_order_with_pytest_randomly_installed() -> None:
    assert importlib.util.find_spec("pytest_randomly") is not None, "the test extras install pytest-randomly"
    plain, again, selftest, forced = _collect([], [], ["-p", ORDER_PLUGIN], ["-p", "randomly", "--randomly-seed=1"])
    assert len(plain) > 100
    assert _in_file_order(plain)
    assert again == plain
    # The same checks under the selftest's plugin: whole modules, cheapest suite first, each in file order.
    assert sorted(selftest) == sorted(plain)
    modules = [module for module, _ in groupby(selftest, key=lambda item: _module(item[0]))]
    assert len(modules) == len(set(modules)), "a module was split"
    assert modules[0] == "test_auth_tenancy.py" and modules[-1] == "test_schema.py", modules
    assert len(SUITE_ORDER) > 2
    for _, items in groupby(selftest, key=lambda item: _module(item[0])):
        assert _in_file_order(list(items))
    # Proof that the block matters: switched back on, the plugin reorders the very same checks.
    assert sorted(forced) == sorted(plain)
    assert forced != plain
