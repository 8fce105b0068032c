"""The fault and variant registries: every name declared once, asked for by constant, checked in one place.

A fault name written as a string where the mock switches it would match nothing after a typo, and only
a four-minute selftest would notice. These tests read the mock's own sources (their syntax trees, so
comments and docstrings do not count) and hold them to the registries.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest

from apipay_harness.core.errors import UsageError
from apipay_harness.fixture.config import MockConfig
from apipay_harness.mock import faults, rules, variants
from apipay_harness.mock.faults import FAULTS, Fault, Faults, transition_fault
from apipay_harness.mock.registry import Registry
from apipay_harness.mock.rules import Action, forbidden_pairs
from apipay_harness.mock.variants import VARIANTS, Variant, Variants
from apipay_harness.selftest.plan import check_fault_names, check_variant_names

T = TypeVar("T")
PACKAGE = Path(faults.__file__).parent
TREES = {path.name: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(PACKAGE.glob("*.py"))}
DECLARED_IN: dict[str, Registry[Fault] | Registry[Variant]] = {"faults.py": FAULTS, "variants.py": VARIANTS}


def _constants(module: object, kind: type[T]) -> dict[str, T]:
    return {name: value for name, value in vars(module).items() if isinstance(value, kind) and name.isupper()}


def _loads(tree: ast.AST) -> Iterator[str]:
    """Every constant the code reads: ``NAME`` and ``module.NAME`` (not the line that declares it)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            yield node.id
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            yield node.attr


def _calls(tree: ast.AST, method: str) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == method:
            yield node


def test_every_fault_constant_is_registered_and_every_entry_is_a_constant_or_generated() -> None:
    constants = _constants(faults, Fault)
    generated = {transition_fault(action, status) for action, status in forbidden_pairs()}
    assert set(constants.values()) | generated == set(FAULTS.values())
    assert not set(constants.values()) & generated
    assert {c.name.upper() for c in constants.values()} == set(constants), "a constant is named after its fault"
    assert set(constants) <= set(faults.__all__)


def test_no_fault_or_variant_is_switched_by_a_string() -> None:
    """``faults.on(...)`` and ``variants.on(...)`` take constants; no module spells a catalog name but its own."""
    names = {*FAULTS, *VARIANTS}
    strings = []
    for module, tree in TREES.items():
        for call in _calls(tree, "on"):
            strings += [f"{module}:{call.lineno}" for arg in call.args if isinstance(arg, ast.Constant | ast.JoinedStr)]
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in names:
                registry = DECLARED_IN.get(module)
                if registry is None or node.value not in registry:
                    strings.append(f"{module}:{node.lineno} spells {node.value!r}")
    assert strings == []


def test_every_name_is_written_once_where_it_is_declared() -> None:
    declared = {
        "faults.py": {fault.name for fault in _constants(faults, Fault).values()},
        "variants.py": {variant.name for variant in _constants(variants, Variant).values()},
    }
    for module, registry in DECLARED_IN.items():
        spelled = [n.value for n in ast.walk(TREES[module]) if isinstance(n, ast.Constant) and n.value in registry]
        assert {name for name in registry if spelled.count(name) == 1} == declared[module], module
        assert not {name for name in registry if spelled.count(name) > 1}, module


def test_every_fault_is_switched_somewhere_in_the_mock() -> None:
    """A fault nobody asks about would be caught by nothing and prove nothing."""
    read = {name for tree in TREES.values() for name in _loads(tree)}
    unused = sorted(f.name for name, f in _constants(faults, Fault).items() if name not in read)
    assert unused == []


def test_every_action_guard_asks_for_its_transition_faults() -> None:
    """The generated family is switched by ``Store.lets(ACTION, ...)``, which asks ``transition_fault``."""
    guarded = {name for call in _calls(TREES["store.py"], "lets") for name in _loads(call.args[0])}
    assert set(_constants(rules, Action)) <= guarded
    lets = next(n for n in ast.walk(TREES["store.py"]) if isinstance(n, ast.FunctionDef) and n.name == "lets")
    assert "transition_fault" in set(_loads(lets))


def test_every_variant_is_switched_somewhere_in_the_mock() -> None:
    read = {name for module, tree in TREES.items() if module != "variants.py" for name in _loads(tree)}
    unused = sorted(v.name for name, v in _constants(variants, Variant).items() if name not in read)
    assert unused == []


def test_asking_by_name_is_a_type_error_not_a_silent_false() -> None:
    with pytest.raises(TypeError, match="Fault constant"):
        Faults(["tenant_leak_get"]).on("tenant_leak_get")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="Variant constant"):
        Variants(["webhook_duplicates"]).on("webhook_duplicates")  # type: ignore[arg-type]
    assert Faults(["tenant_leak_get"]).on(faults.TENANT_LEAK_GET)
    assert not Faults(["tenant_leak_list"]).on(faults.TENANT_LEAK_GET)


def test_named_keeps_the_order_given_and_drops_repeats() -> None:
    got = FAULTS.named(["tenant_leak_list", "tenant_leak_get", "tenant_leak_list"])
    assert got == (faults.TENANT_LEAK_LIST, faults.TENANT_LEAK_GET)
    assert VARIANTS.named([]) == ()


def test_a_name_declared_twice_fails_at_import() -> None:
    registry: Registry[Fault] = Registry("fault", list_sorted=True)
    registry.add(Fault("x", "X.", "hook"))
    with pytest.raises(ValueError, match="fault 'x' is registered twice"):
        registry.add(Fault("x", "Another X.", "hook"))


FAULT_DOORS: dict[str, Callable[[list[str]], object]] = {
    "mock": Faults,
    "selftest": check_fault_names,
    "fixture": lambda names: MockConfig.of(faults=names),
}
VARIANT_DOORS: dict[str, Callable[[list[str]], object]] = {
    "mock": Variants,
    "selftest": check_variant_names,
    "fixture": lambda names: MockConfig.of(variants=names),
}


def _refusal(door: Callable[[list[str]], object], names: list[str]) -> str:
    with pytest.raises(UsageError) as refused:
        door(names)
    return str(refused.value)


def test_every_door_refuses_an_unknown_fault_with_the_registrys_words() -> None:
    expected = f"unknown fault(s) nope, nah; valid names: {', '.join(sorted(FAULTS))}"
    assert {door: _refusal(call, ["tenant_leak_get", "nope", "nah"]) for door, call in FAULT_DOORS.items()} == {
        door: expected for door in FAULT_DOORS
    }


def test_every_door_refuses_an_unknown_variant_with_the_registrys_words() -> None:
    expected = f"unknown variant(s) nope; valid names: {', '.join(VARIANTS)}"
    assert {door: _refusal(call, ["nope"]) for door, call in VARIANT_DOORS.items()} == {
        door: expected for door in VARIANT_DOORS
    }


def test_names_are_checked_nowhere_but_the_registry() -> None:
    """One place words the refusal; a second copy of the check would drift from it."""
    root = PACKAGE.parent
    checkers = sorted(str(p.relative_to(root)) for p in root.rglob("*.py") if "valid names: " in p.read_text("utf-8"))
    assert checkers == ["mock/registry.py"]
