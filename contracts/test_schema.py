"""Schema suite: schemathesis' engine over every operation, and its stateful phase through the spec's links.

Per operation it runs the examples, coverage (boundary) and fuzzing phases with positive
and negative data and every response check schemathesis has (``apipay_harness.contract.schema_engine.CHECKS``);
the stateful phase then follows the spec's ``links``. Each operation × check becomes one result.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest

from apipay_harness.contract.guard import is_destructive
from apipay_harness.contract.run import ContractRun, ResultSink
from apipay_harness.contract.schema_engine import (
    EngineRun,
    broken_rule,
    build_schema,
    engine_settings,
    load_settings_file,
    run_engine,
    settings_file,
)
from apipay_harness.core.checks import SCHEMATHESIS, STATEFUL_LINKS, schemathesis_check
from apipay_harness.core.spec import operations
from apipay_harness.core.target import Target
from apipay_harness.core.types import JSONObject
from contracts.client import ApiClient
from contracts.dialect import dialect
from contracts.version import active_spec
from contracts.violations import Violation

_OPERATIONS = [op for op in operations(active_spec())]
_PHASES = ("examples", "coverage", "fuzzing")
"""The phases of a full run on every operation (a quick run's are the version's ``quick_schema_phases``)."""
_EXAMPLES = {"quick": 5, "default": 100}
_STATEFUL = {"quick": (3, 6), "default": (15, 12)}  # (examples, steps)


@pytest.fixture(scope="session")
def catalog_ids(api: ApiClient) -> list[int]:
    """The target's real catalog item ids (cart items are mapped onto them); empty without a catalog."""
    response = api.get("/catalog", params={"per_page": 200})
    if response.status_code != 200:
        return []
    return [int(item["id"]) for item in response.json().get("data", []) if isinstance(item.get("id"), int)]


@pytest.fixture(scope="session")
def project_settings() -> JSONObject:
    """The project's ``schemathesis.toml`` (per-operation statuses for positive_data_acceptance), if any."""
    return load_settings_file(settings_file())


@dataclass(frozen=True, slots=True)
class SchemaRun:
    """What every schemathesis run of this suite needs: the target, the run's options and where results go."""

    target: Target
    run: ContractRun
    spec: JSONObject
    catalog_ids: list[int]
    project: JSONObject

    def engine(self, phases: tuple[str, ...]) -> Any:
        """The spec as schemathesis' schema, configured for ``phases`` in the run's mode and seed."""
        mode = self.run.options.mode
        examples, steps = _STATEFUL[mode] if "stateful" in phases else (_EXAMPLES[mode], 2)
        settings = engine_settings(
            base_url=self.target.base_url,
            api_key=self.target.api_key,
            max_examples=examples,
            phases=phases,
            seed=self.run.options.seed,
            stateful_steps=steps,
            base=self.project,
        )
        return build_schema(self.spec, settings, catalog_ids=self.catalog_ids)


@pytest.fixture
def schema_run(
    target: Target, run: ContractRun, spec: JSONObject, catalog_ids: list[int], project_settings: JSONObject
) -> SchemaRun:
    """The suite's inputs, gathered once."""
    return SchemaRun(target, run, spec, catalog_ids, project_settings)


def _outside(labels: frozenset[str]) -> Any:
    """A schemathesis filter that drops every operation not in ``labels`` (``include`` ORs with its defaults)."""
    return lambda ctx: ctx.operation.label not in labels


def _fuzzed(target: Target, operation: Any) -> bool:
    """Whether the run may fuzz ``operation`` (``--profile production`` leaves out what changes an account)."""
    creates = operation.method == "post" and operation.path == "/invoices"
    return target.profile != "production" or not (is_destructive(operation.method, operation.path) or creates)


@pytest.fixture(scope="session")
def operations_run(
    request: pytest.FixtureRequest,
    target: Target,
    run: ContractRun,
    spec: JSONObject,
    catalog_ids: list[int],
    project_settings: JSONObject,
) -> EngineRun:
    """One engine run over every operation this session's tests judge; each test then reads its own tallies.

    One run instead of one per operation: the engine's start (probes, thread pool, analysis) is paid once,
    and each operation's cases are the same (schemathesis seeds every operation from the run's seed alone).
    """
    judged: list[Any] = [
        item.callspec.params["operation"]
        for item in request.session.items
        if isinstance(item, pytest.Function) and item.originalname == "test_schema_operation_conforms"
    ]
    wanted = frozenset(op.label for op in judged if _fuzzed(target, op))
    started = time.perf_counter()
    phases = dialect().quick_schema_phases if run.options.mode == "quick" else _PHASES
    engine = SchemaRun(target, run, spec, catalog_ids, project_settings).engine(phases)
    outcome = run_engine(engine.exclude(_outside(wanted)))
    # The whole run's time (loading the schema included) is shared among the operations in proportion to the
    # engine's own time on each, so the report's times add up to the tests' wall time.
    measured = sum(outcome.seconds.values())
    wall = time.perf_counter() - started
    if measured > 0:
        outcome.seconds = {label: wall * spent / measured for label, spent in outcome.seconds.items()}
    return outcome


def _of(outcome: EngineRun, label: str) -> EngineRun:
    """The part of a run over several operations that concerns ``label``."""
    return EngineRun(
        tallies={key: tally for key, tally in outcome.tallies.items() if key[0] == label},
        cases=max((t.cases for (op, _), t in outcome.tallies.items() if op == label), default=0),
        errors=[e for e in outcome.errors if e.startswith(f"{label}:")],
        seconds={label: outcome.seconds.get(label, 0.0)} if label in outcome.seconds else {},
    )


def _record(outcome: EngineRun, sink: ResultSink, *, spec: JSONObject, stateful: bool = False) -> list[str]:
    """Turn the tallies into results; return one line per failing check.

    Where the run timed an operation (a run over several operations), each of its checks carries a share of
    that time, so the report shows where the time went rather than all of it on the first operation's test.
    """
    failing: list[str] = []
    checks_of = {label: sum(1 for op, _ in outcome.tallies if op == label) for label in outcome.seconds}
    for (operation, name), tally in sorted(outcome.tallies.items()):
        check = schemathesis_check(name, stateful=stateful).id
        failed = tally.failures > 0
        timed = operation in outcome.seconds and not stateful
        share = max(round(outcome.seconds[operation] / checks_of[operation], 3), 0.001) if timed else 0.0
        sink.add(
            seconds=share,
            operation=operation,
            check=check,
            verdict="failed" if failed else "passed",
            cases=tally.cases,
            failures=tally.failures,
            title=tally.title,
            message=tally.message,
            rule=broken_rule(spec, operation=operation, check=name, status=tally.status) if failed else "",
            reproducer=tally.reproducer,
        )
        if failed:
            failing.append(f"{operation} {check}: {tally.title} ({tally.failures} of {tally.cases} cases)")
    return failing


def _conclude(outcome: EngineRun, failing: list[str], *, operation: str) -> None:
    if outcome.errors and not outcome.tallies:
        raise RuntimeError("schemathesis could not test this: " + "; ".join(outcome.errors)[:500])
    if failing:
        raise Violation(
            operation=operation,
            check=SCHEMATHESIS,
            title=f"{len(failing)} schemathesis check(s) failed",
            message="\n".join(failing),
        )


@pytest.mark.contract(check=SCHEMATHESIS)
@pytest.mark.parametrize("operation", _OPERATIONS, ids=[op.label for op in _OPERATIONS])
def test_schema_operation_conforms(
    operation: Any, target: Target, spec: JSONObject, contract_results: ResultSink, request: pytest.FixtureRequest
) -> None:
    """Examples, boundary and fuzzed cases of one operation pass every schemathesis check."""
    if not _fuzzed(target, operation):
        pytest.skip(f"--profile production: fuzzing {operation.label} would change a real account")
    outcome = _of(request.getfixturevalue("operations_run"), operation.label)
    _conclude(outcome, _record(outcome, contract_results, spec=spec), operation=operation.label)


@pytest.mark.contract(check=STATEFUL_LINKS)
def test_schema_stateful_links_conform(schema_run: SchemaRun, contract_results: ResultSink) -> None:
    """Sequences that follow the spec's links (create → get / cancel / refund) pass every check."""
    if schema_run.target.profile == "production":
        pytest.skip("--profile production: the stateful phase creates, cancels and refunds freely")
    outcome = run_engine(schema_run.engine(("stateful",)))
    _conclude(outcome, _record(outcome, contract_results, spec=schema_run.spec, stateful=True), operation="*")
