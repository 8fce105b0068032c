"""Which runs a selftest makes: the clean run, the named faults and variants, and the variant groups together."""

from __future__ import annotations

import itertools
import random

import pytest

from apipay_harness.core.errors import UsageError
from apipay_harness.mock import variants as v
from apipay_harness.mock.faults import FAULTS
from apipay_harness.mock.v21 import faults as f21
from apipay_harness.mock.v21 import variants as v21
from apipay_harness.mock.v21.faults import FAULTS_21
from apipay_harness.mock.v21.variants import VARIANTS_21
from apipay_harness.mock.variants import VARIANTS, Variant, compatible_groups
from apipay_harness.selftest.catalogs import catalogs
from apipay_harness.selftest.plan import check_fault_names, check_variant_names, plan
from apipay_harness.selftest.runner import replay_selftest

FAULTS_21_NAME = f21.CREATE_ANSWERS_PENDING.name


def test_plan_runs_clean_then_faults_then_variants_alone() -> None:
    runs = plan(faults=["tenant_leak_get"], variants=["cancel_synchronous"], together=False)
    assert [run.label for run in runs] == ["(clean mock)", "tenant_leak_get", "cancel_synchronous"]
    assert [run.directory for run in runs] == ["clean", "tenant_leak_get", "variant-cancel_synchronous"]
    assert runs[2].description == v.CANCEL_SYNCHRONOUS.description


def test_plan_together_splits_the_catalog_where_variants_conflict() -> None:
    together = [run for run in plan(faults=[], variants=[], together=True) if run.group]
    assert len(together) == 2
    assert [run.label for run in together] == [f"together #{n} ({len(VARIANTS) - 1} variants)" for n in (1, 2)]
    for run in together:
        assert (v.CANCEL_SYNCHRONOUS.name in run.variants) != (v.CANCEL_DELAYS_VARY.name in run.variants)
    assert set(together[0].variants) | set(together[1].variants) == set(VARIANTS)


def test_check_variant_names_defaults_to_the_whole_catalog_and_rejects_unknown_names() -> None:
    assert check_variant_names([]) == list(VARIANTS)
    with pytest.raises(UsageError, match="unknown variant.*bogus"):
        check_variant_names(["cancel_synchronous", "bogus"])


def test_conflicting_variants_may_each_run_alone() -> None:
    names = [v.CANCEL_SYNCHRONOUS.name, v.CANCEL_DELAYS_VARY.name]
    assert [run.variants for run in plan(faults=[], variants=names, together=False)[1:]] == [(n,) for n in names]


def _v(name: str, *conflicts: Variant) -> Variant:
    return Variant(name, "d.", "docs/en/x.md", "s", "q", conflicts)


def test_compatible_groups_are_the_maximal_sets_without_a_conflict() -> None:
    a, b = _v("a"), _v("b")
    c = _v("c", a)
    d = _v("d", b, c)
    groups = {frozenset(x.name for x in g) for g in compatible_groups([a, b, c, d])}
    assert groups == {frozenset("ab"), frozenset("bc"), frozenset("ad")}


def test_compatible_groups_without_conflicts_is_everything_once() -> None:
    a, b = _v("a"), _v("b")
    assert compatible_groups([a, b]) == [(a, b)]


def _catalog(count: int, conflicting: set[tuple[int, int]]) -> list[Variant]:
    made: list[Variant] = []
    for i in range(count):
        made.append(_v(f"v{i}", *(made[b] for a, b in conflicting if a == i and b < i)))
    return made


def _brute_force(variants: list[Variant]) -> set[frozenset[str]]:
    def compatible(combo: tuple[Variant, ...]) -> bool:
        return all(not a.conflicts_with(b) and not b.conflicts_with(a) for a, b in itertools.combinations(combo, 2))

    sets = [
        frozenset(x.name for x in combo)
        for size in range(1, len(variants) + 1)
        for combo in itertools.combinations(variants, size)
        if compatible(combo)
    ]
    return {group for group in sets if not any(group < other for other in sets)}


@pytest.mark.parametrize("seed", range(12))
def test_compatible_groups_equal_the_maximal_compatible_sets_by_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    count = rng.randint(2, 9)
    pairs = {(a, b) for a in range(count) for b in range(a) if rng.random() < 0.25}
    variants = _catalog(count, pairs)
    assert {frozenset(x.name for x in g) for g in compatible_groups(variants)} == _brute_force(variants)


def test_compatible_groups_of_a_large_mostly_compatible_catalog() -> None:
    """Sixty variants, three conflicting pairs: eight groups (a search over every subset would never end)."""
    groups = compatible_groups(_catalog(60, {(1, 0), (11, 10), (21, 20)}))
    assert len(groups) == 8
    assert all(len(group) == 57 for group in groups)


def test_a_2_1_plan_runs_the_2_1_catalogs() -> None:
    runs = plan(faults=[FAULTS_21_NAME], variants=[v21.CANCEL_QUEUED_CANCELLING.name], together=True, api_version="2.1")
    assert {run.api_version for run in runs} == {"2.1"}
    assert runs[1].description == FAULTS_21[FAULTS_21_NAME].description
    assert runs[2].description == v21.CANCEL_QUEUED_CANCELLING.description
    together = [run for run in runs if run.group]
    assert [set(run.variants) for run in together] == [set(VARIANTS_21)]  # no 2.1 variant excludes another


def test_the_default_plan_is_the_seed_catalogs_and_names_no_version() -> None:
    runs = plan(faults=["tenant_leak_get"], variants=[], together=True)
    assert {run.api_version for run in runs} == {None}
    assert set().union(*(run.variants for run in runs if run.group)) == set(VARIANTS)


def test_each_version_refuses_the_others_names() -> None:
    with pytest.raises(
        UsageError, match="unknown fault.*tenant_leak_get; valid names: " + ", ".join(sorted(FAULTS_21))
    ):
        check_fault_names(["tenant_leak_get"], api_version="2.1")
    with pytest.raises(UsageError, match=f"unknown fault.*{FAULTS_21_NAME}"):
        check_fault_names([FAULTS_21_NAME])
    with pytest.raises(UsageError, match="unknown variant.*cancel_synchronous"):
        check_variant_names(["cancel_synchronous"], api_version="2.1")
    assert check_fault_names([], api_version="2.1") == sorted(FAULTS_21)
    assert check_variant_names([], api_version="2.1") == list(VARIANTS_21)


def test_replay_of_a_2_1_selftest_names_the_version_and_of_everything_no_names() -> None:
    everything = replay_selftest(
        faults=sorted(FAULTS_21), variants=list(VARIANTS_21), together=True, seed=7, keyword=None, api_version="2.1"
    )
    assert everything == "apipay-harness selftest --api-version 2.1 --seed 7"
    one = replay_selftest(faults=[FAULTS_21_NAME], seed=7, keyword=None, api_version="2.1")
    assert one == f"apipay-harness selftest --api-version 2.1 --seed 7 --fault {FAULTS_21_NAME}"
    assert replay_selftest(faults=["tenant_leak_get"], seed=7, keyword=None) == (
        "apipay-harness selftest --seed 7 --fault tenant_leak_get"
    )


def test_the_catalogs_of_a_version_are_its_mock_profiles() -> None:
    assert catalogs().faults is FAULTS and catalogs().variants is VARIANTS and catalogs().default
    assert catalogs("2.1").faults is FAULTS_21 and catalogs("2.1").variants is VARIANTS_21
    assert catalogs("2026-02-13") is catalogs(None)
    with pytest.raises(UsageError, match="unknown API version"):
        catalogs("1.0")
