"""Running schemathesis' engine (the one behind ``st run``) over the spec and tallying its checks.

The schema suite runs one engine per operation (examples, coverage and fuzzing phases,
positive and negative data) and one for the stateful phase through the spec's links, and
turns every check the engine ran into a count per operation × check. The benchmark uses
the same function, so its numbers are the suite's.
"""

from __future__ import annotations

import tomllib
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events, from_schema

from apipay_harness.core.checks import SCHEMATHESIS_CHECKS
from apipay_harness.core.http import OutOfBounds, Tripwire
from apipay_harness.core.http_requests import bounded_requests
from apipay_harness.core.resources import data_dir
from apipay_harness.core.spec import escape_pointer
from apipay_harness.core.types import JSONObject

__all__ = [
    "CHECKS",
    "EngineRun",
    "Tally",
    "broken_rule",
    "build_schema",
    "catalog_mapper",
    "engine_settings",
    "load_settings_file",
    "run_engine",
    "settings_file",
]

CHECKS = SCHEMATHESIS_CHECKS
"""Every check the schema suite asks schemathesis for (its whole response-checking set)."""

STATEFUL_LABEL = "Stateful tests"


@dataclass(slots=True)
class Tally:
    """How one check fared on one operation: cases it judged, failures, and the first failure's details."""

    cases: int = 0
    failures: int = 0
    title: str = ""
    message: str = ""
    reproducer: str = ""
    status: int | None = None
    """The status code of the first failing answer, when there was one."""


@dataclass(slots=True)
class EngineRun:
    """What one engine run did: tallies per (operation, check), cases sent, errors that stopped an operation."""

    tallies: dict[tuple[str, str], Tally] = field(default_factory=dict)
    cases: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    """The engine's time per operation label, over every phase it ran (one run may test several operations)."""


def settings_file() -> Path | None:
    """The project's ``schemathesis.toml`` (per-operation check settings), when this checkout has one."""
    for candidate in (data_dir("contracts").parent / "schemathesis.toml", Path.cwd() / "schemathesis.toml"):
        if candidate.is_file():
            return candidate
    return None


def engine_settings(
    *,
    base_url: str,
    api_key: str,
    max_examples: int,
    phases: Sequence[str],
    seed: int | None,
    stateful_steps: int = 10,
    base: JSONObject | None = None,
) -> JSONObject:
    """The schemathesis configuration (TOML shape) of one engine run, on top of the project's settings."""
    settings: JSONObject = dict(base or {})
    settings.update(
        {
            "base-url": base_url,
            "headers": {**(settings.get("headers") or {}), "X-API-Key": api_key},
            # schemathesis' on-disk cache replays cases of earlier runs (against another server's ids) before
            # each run: a run must depend on its seed alone, and the replays cost requests on every engine start.
            "cache": {"enabled": False},
            "generation": {**(settings.get("generation") or {}), "mode": "all", "max-examples": max_examples},
            "checks": {**(settings.get("checks") or {}), "enabled": False, **{c: {"enabled": True} for c in CHECKS}},
            "phases": {
                name: {
                    **((settings.get("phases") or {}).get(name) or {}),
                    "enabled": name in phases,
                    **({"max-steps": stateful_steps} if name == "stateful" else {}),
                }
                for name in ("examples", "coverage", "fuzzing", "stateful")
            },
        }
    )
    checks = settings["checks"]
    for name, value in (settings.get("checks") or {}).items():
        if isinstance(value, dict) and name in CHECKS:
            checks[name] = {**value, "enabled": True}
    if seed is not None:
        settings["seed"] = seed
    return settings


def load_settings_file(path: Path | None) -> JSONObject:
    """Read a ``schemathesis.toml``; an absent file means no extra settings."""
    if path is None:
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def build_schema(spec: JSONObject, settings: JSONObject, *, catalog_ids: Sequence[int] = ()) -> Any:
    """Load ``spec`` into schemathesis with ``settings``, mapping generated cart items onto real catalog ids."""
    config = SchemathesisConfig.from_dict(settings)
    schema = schemathesis.openapi.from_dict(spec, config=config)
    if catalog_ids:
        schema.hook("map_body")(catalog_mapper(catalog_ids))
    return schema


def catalog_mapper(catalog_ids: Sequence[int]) -> Callable[[Any, Any], Any]:
    """A ``map_body`` hook sending generated ``cart_items`` to ids that exist, so positive cases mean something."""
    ids = tuple(catalog_ids)

    def map_body(context: Any, body: Any) -> Any:
        items = body.get("cart_items") if isinstance(body, dict) else None
        if isinstance(items, list):
            for item in items:
                value = item.get("catalog_item_id") if isinstance(item, dict) else None
                if isinstance(value, int) and not isinstance(value, bool) and value not in ids:
                    item["catalog_item_id"] = ids[zlib.crc32(str(value).encode()) % len(ids)]
        return body

    return map_body


def run_engine(
    schema: Any, *, on_scenario: Callable[[int], None] | None = None, tripwire: Tripwire | None = None
) -> EngineRun:
    """Run every enabled phase of ``schema`` and tally each check per operation.

    Every request the engine sends is read within the harness's bounds (``bounded_requests``). An answer out of
    bounds stops the engine's traffic (the tripwire fails the rest at once) and is raised as ``OutOfBounds``
    once the engine is done; a Ctrl-C the engine caught is raised again as ``KeyboardInterrupt``, so the run
    is reported as interrupted instead of going on.
    """
    run = EngineRun()
    interrupted = False
    with bounded_requests(tripwire=tripwire) as wire:
        for event in from_schema(schema).execute():
            if isinstance(event, events.ScenarioFinished):
                _tally(run, event.recorder)
                label = event.label or event.recorder.label
                run.seconds[label] = run.seconds.get(label, 0.0) + float(event.elapsed_time or 0.0)
                if on_scenario is not None:
                    on_scenario(len(event.recorder.cases))
            elif isinstance(event, events.NonFatalError):
                run.errors.append(f"{event.label}: {type(event.value).__name__}: {event.value}")
            elif isinstance(event, events.FatalError):
                run.errors.append(f"fatal: {type(event.exception).__name__}: {event.exception}")
            elif isinstance(event, events.Interrupted):
                interrupted = True
    if interrupted:
        raise KeyboardInterrupt
    if wire.reason is not None:
        raise OutOfBounds(wire.reason)
    return run


def _tally(run: EngineRun, recorder: Any) -> None:
    run.cases += len(recorder.cases)
    for case_id, nodes in recorder.checks.items():
        node = recorder.cases.get(case_id)
        label = node.value.operation.label if node is not None else recorder.label
        for check in nodes:
            if check.name not in CHECKS:
                continue
            tally = run.tallies.setdefault((label, check.name), Tally())
            tally.cases += 1
            info = check.failure_info
            if check.status.value != "failure" or info is None:
                continue
            tally.failures += 1
            if not tally.title:
                failure = info.failure
                tally.title = str(failure.title)
                steps = [step.curl for step in info.steps] or [info.code_sample]
                tally.reproducer = "\n".join(steps)
                exchange = recorder.interactions.get(case_id)
                if exchange is not None and exchange.response is not None:
                    tally.status = int(exchange.response.status_code)
                tally.message = str(failure.message or "") or _received(tally.status, label)


def _received(status: int | None, operation: str) -> str:
    """A message for a failure schemathesis left without one (``not_a_server_error``): which status came back."""
    if status is None:
        return f"Received: no answer to {operation}"
    return f"Received: {status} from {operation}"


def broken_rule(spec: JSONObject, *, operation: str, check: str, status: int | None) -> str:
    """The spec rule a failed schemathesis check points at: a JSON pointer where one exists, else a named rule."""
    method, _, path = operation.partition(" ")
    paths = spec.get("paths") or {}
    if path not in paths or method.lower() not in paths[path]:
        return f"schemathesis:{check}"
    base = f"#/paths/{escape_pointer(path)}/{method.lower()}"
    responses = paths[path][method.lower()].get("responses") or {}
    answer = f"{base}/responses/{status}" if status is not None and str(status) in responses else None
    if check == "status_code_conformance":
        return f"{base}/responses"
    if check == "response_schema_conformance" and answer:
        return f"{answer}/content/application~1json/schema"
    if check == "content_type_conformance" and answer:
        return f"{answer}/content"
    if check == "response_headers_conformance" and answer:
        return f"{answer}/headers"
    if check in ("negative_data_rejection", "positive_data_acceptance"):
        return f"{base}/requestBody" if "requestBody" in paths[path][method.lower()] else f"{base}/parameters"
    if check == "ignored_auth":
        return "#/components/securitySchemes/ApiKey"
    return f"schemathesis:{check}"
