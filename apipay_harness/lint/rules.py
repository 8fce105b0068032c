"""The house rules ``apipay-harness lint`` holds a spec to, beyond being valid OpenAPI.

Rules that differ between API versions are data in the spec (``x-house-rules``), so no check
here asks which version it reads:

- ``required_headers.every_response``: headers every answer of every operation declares as required;
- ``required_headers.<status>``: headers answers with that status declare on top of those;
- ``error_responses``: the error statuses an operation documents when it needs a key
  (``with_key``), takes a path parameter (``with_path_parameter``) or takes input (``with_input``).

A spec without ``x-house-rules`` is held to ``DEFAULT_HOUSE_RULES``, the seed spec's conventions.
Status tables (``x-status-transitions``) must also be consistent with their enum and reachable, and
each ``x-error-codes`` entry (the code a bound is refused with) must name a bound of its schema and,
where the spec has an ``ErrorCode`` enum, one of its codes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from apipay_harness.core.spec import Operation, escape_pointer, resolve
from apipay_harness.core.types import JSONObject

__all__ = [
    "DEFAULT_HOUSE_RULES",
    "HOUSE_RULES_EXTENSION",
    "HouseRules",
    "Problem",
    "error_code_problems",
    "operation_problems",
    "transition_problems",
]

HOUSE_RULES_EXTENSION = "x-house-rules"
TRANSITIONS_EXTENSION = "x-status-transitions"
ERROR_CODES_EXTENSION = "x-error-codes"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the spec, located by its JSON pointer."""

    pointer: str
    message: str

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


@dataclass(frozen=True, slots=True)
class HouseRules:
    """Which headers and error responses every operation of a spec must document."""

    every_response: tuple[str, ...]
    by_status: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    with_key: tuple[str, ...] = ("401", "403", "429")
    with_path_parameter: tuple[str, ...] = ("404",)
    with_input: tuple[str, ...] = ("422",)

    def headers_for(self, status: str) -> tuple[str, ...]:
        """The headers an answer with ``status`` must declare."""
        return self.every_response + self.by_status.get(status, ())

    @classmethod
    def of(cls, spec: JSONObject) -> tuple[HouseRules, list[Problem]]:
        """The rules ``spec`` states in ``x-house-rules`` (defaults for what it leaves out), and what is malformed."""
        node = spec.get(HOUSE_RULES_EXTENSION)
        if node is None:
            return DEFAULT_HOUSE_RULES, []
        where = f"/{HOUSE_RULES_EXTENSION}"
        if not isinstance(node, dict):
            return DEFAULT_HOUSE_RULES, [Problem(where, "must be a mapping of required_headers and error_responses")]
        problems: list[Problem] = []
        headers = _mapping(node, "required_headers", where, problems)
        errors = _mapping(node, "error_responses", where, problems)
        base = DEFAULT_HOUSE_RULES
        every = _names(headers, "every_response", f"{where}/required_headers", problems, base.every_response)
        by_status = {
            str(status): _names(headers, status, f"{where}/required_headers", problems, ())
            for status in headers
            if status != "every_response"
        }
        rules = cls(
            every_response=every,
            by_status=by_status,
            with_key=_names(errors, "with_key", f"{where}/error_responses", problems, base.with_key),
            with_path_parameter=_names(
                errors, "with_path_parameter", f"{where}/error_responses", problems, base.with_path_parameter
            ),
            with_input=_names(errors, "with_input", f"{where}/error_responses", problems, base.with_input),
        )
        return rules, problems


DEFAULT_HOUSE_RULES = HouseRules(every_response=("X-RateLimit-Remaining",))
"""The conventions of the seed spec, which carries no ``x-house-rules`` of its own."""


def _mapping(node: JSONObject, key: str, where: str, problems: list[Problem]) -> JSONObject:
    value = node.get(key, {})
    if isinstance(value, dict):
        return value
    problems.append(Problem(f"{where}/{key}", "must be a mapping"))
    return {}


def _names(
    node: JSONObject, key: str, where: str, problems: list[Problem], default: tuple[str, ...]
) -> tuple[str, ...]:
    if key not in node:
        return default
    value = node[key]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    problems.append(Problem(f"{where}/{escape_pointer(key)}", "must be a list of strings"))
    return default


def operation_problems(spec: JSONObject, op: Operation, rules: HouseRules) -> Iterator[Problem]:
    """Break one operation's house rules: ids, summaries, examples, error responses and headers."""
    definition = op.definition
    for key in ("operationId", "summary"):
        if not definition.get(key):
            yield Problem(op.pointer, f"{op.label} has no {key}")
    responses = definition.get("responses") or {}
    required: list[str] = []
    if definition.get("security", spec.get("security")) != []:
        required += rules.with_key
    if any(p.get("in") == "path" for p in op.parameters):
        required += rules.with_path_parameter
    if "requestBody" in definition or any(p.get("in") == "query" for p in op.parameters):
        required += rules.with_input
    for status in dict.fromkeys(required):
        if status not in responses:
            yield Problem(f"{op.pointer}/responses", f"{op.label} does not document the {status} error response")
    success_examples = 0
    for status, response in responses.items():
        response = resolve(spec, response)
        where = f"{op.pointer}/responses/{status}"
        yield from _header_problems(spec, op, str(status), response, rules, where)
        if str(status).startswith("2"):
            success_examples += sum(len(m.get("examples") or {}) for m in (response.get("content") or {}).values())
    if success_examples == 0:
        yield Problem(f"{op.pointer}/responses", f"{op.label} has no example of a success response")
    body = resolve(spec, definition.get("requestBody") or {})
    for media_type, media in (body.get("content") or {}).items():
        if not media.get("examples") and "example" not in media:
            yield Problem(
                f"{op.pointer}/requestBody/content/{escape_pointer(media_type)}",
                f"{op.label} has no example of its request body",
            )


def _header_problems(
    spec: JSONObject, op: Operation, status: str, response: JSONObject, rules: HouseRules, where: str
) -> Iterator[Problem]:
    declared = {str(name).lower(): header for name, header in (response.get("headers") or {}).items()}
    for name in rules.headers_for(status):
        header = declared.get(name.lower())
        if header is None:
            yield Problem(where, f"{op.label} {status} does not declare the {name} header")
        elif resolve(spec, header).get("required") is not True:
            yield Problem(where, f"{op.label} {status} declares the {name} header without required: true")


def transition_problems(spec: JSONObject) -> Iterator[Problem]:
    """Each ``x-status-transitions`` table names only its enum's statuses, describes all and reaches all."""
    schemas = (spec.get("components") or {}).get("schemas") or {}
    for name, schema in schemas.items():
        if isinstance(schema, dict) and TRANSITIONS_EXTENSION in schema:
            where = f"/components/schemas/{escape_pointer(name)}/{TRANSITIONS_EXTENSION}"
            yield from _table_problems(spec, schema, schema[TRANSITIONS_EXTENSION], where)


def _table_problems(spec: JSONObject, schema: JSONObject, table: Any, where: str) -> Iterator[Problem]:
    enum = [str(s) for s in schema.get("enum") or []]
    if not isinstance(table, dict) or not isinstance(table.get("statuses"), dict):
        yield Problem(where, "must be a mapping with a statuses table")
        return
    statuses: dict[str, Any] = table["statuses"]
    if set(statuses) != set(enum):
        yield Problem(f"{where}/statuses", f"describes {sorted(statuses)} but the enum is {sorted(enum)}")
    initial = table.get("initial")
    if initial not in enum:
        yield Problem(f"{where}/initial", f"initial status {initial!r} is not in the enum")
    for status, facts in statuses.items():
        successors = facts.get("successors") if isinstance(facts, dict) else None
        if not isinstance(successors, list):
            yield Problem(f"{where}/statuses/{escape_pointer(status)}", "has no successors list")
            continue
        for key in ("can_cancel", "can_refund"):
            if key in facts and not isinstance(facts[key], bool):
                yield Problem(f"{where}/statuses/{escape_pointer(status)}/{key}", "must be true or false")
        at = f"{where}/statuses/{escape_pointer(status)}"
        for successor in successors:
            if successor not in enum:
                yield Problem(f"{at}/successors", f"{successor!r} is not in the enum")
    yield from _reach_problems(table, statuses, where)
    yield from _webhook_problems(spec, table, enum, where)
    for i, edge in enumerate(table.get("silent_transitions") or []):
        origin = str(edge.get("from")) if isinstance(edge, dict) else ""
        target = edge.get("to") if isinstance(edge, dict) else None
        if target not in ((statuses.get(origin) or {}).get("successors") or []):
            yield Problem(f"{where}/silent_transitions/{i}", f"{origin!r} -> {target!r} is not a transition")


def _reach_problems(table: JSONObject, statuses: dict[str, Any], where: str) -> Iterator[Problem]:
    initial = str(table.get("initial"))
    seen = {initial}
    todo = [initial]
    while todo:
        facts = statuses.get(todo.pop())
        for successor in (facts.get("successors") or []) if isinstance(facts, dict) else []:
            if successor not in seen:
                seen.add(successor)
                todo.append(successor)
    for status in statuses:
        if status not in seen:
            at = f"{where}/statuses/{escape_pointer(status)}"
            yield Problem(at, f"{status!r} cannot be reached from {initial!r}")


def _webhook_problems(spec: JSONObject, table: JSONObject, enum: list[str], where: str) -> Iterator[Problem]:
    declared = spec.get("webhooks") or {}
    for event, statuses in (table.get("webhooks") or {}).items():
        at = f"{where}/webhooks/{escape_pointer(event)}"
        if event not in declared:
            yield Problem(at, f"event {event!r} is not one of the spec's webhooks")
        for status in statuses if isinstance(statuses, list) else []:
            if status not in enum:
                yield Problem(at, f"{status!r} is not in the enum")


def error_code_problems(spec: JSONObject) -> Iterator[Problem]:
    """Each ``x-error-codes`` maps a bound keyword its schema has to a code of the spec's ``ErrorCode`` enum."""
    codes = ((spec.get("components") or {}).get("schemas") or {}).get("ErrorCode") or {}
    known = set(codes.get("enum") or []) if isinstance(codes, dict) else set()
    yield from _walk_error_codes(spec, "", known)


def _walk_error_codes(node: Any, pointer: str, known: set[str]) -> Iterator[Problem]:
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk_error_codes(item, f"{pointer}/{i}", known)
        return
    if not isinstance(node, dict):
        return
    table = node.get(ERROR_CODES_EXTENSION)
    if table is not None:
        at = f"{pointer}/{ERROR_CODES_EXTENSION}"
        if not isinstance(table, dict):
            yield Problem(at, "must map bound keywords to error codes")
        else:
            for keyword, code in table.items():
                if keyword not in node:
                    yield Problem(f"{at}/{escape_pointer(keyword)}", f"the schema has no {keyword} bound")
                if known and code not in known:
                    yield Problem(f"{at}/{escape_pointer(keyword)}", f"{code!r} is not in the ErrorCode enum")
    for key, value in node.items():
        if key != ERROR_CODES_EXTENSION:
            yield from _walk_error_codes(value, f"{pointer}/{escape_pointer(key)}", known)
