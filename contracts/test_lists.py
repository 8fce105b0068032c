"""Lists suite: pagination, status filters, date ranges, search and every sort of the invoice and refund lists.

Every check runs on invoices this suite created, found by search tokens unique to the run,
so other data on a real target cannot interfere. Statuses are read before and after each
filtered list: an invoice whose status moved meanwhile (a queued cancel completing) is
left out of that one check rather than judged on a race.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from apipay_harness.target import Target
from contracts.client import ApiClient
from contracts.control import Control
from contracts.model_driver import SETTLE_SECONDS, Driver
from contracts.model_pages import walk_pages
from contracts.model_schemas import SchemaBook
from contracts.oracle import Oracle, money
from contracts.violations import Violation, expected_received

_SEARCH_RULE = "#/paths/~1invoices/get/parameters/2/description"
_STATUS_RULE = "#/paths/~1invoices/get/parameters/3/description"
_DATE_RULE = "#/components/parameters/DateTo/description"
_SORT_RULE = "#/paths/~1invoices/get/parameters/6/schema"
_REFUND_FILTER_RULE = "#/paths/~1refunds/get/description"
_SIZES = {"quick": 4, "default": 10}
"""Invoices per search group for each run mode."""


@dataclass
class Dataset:
    """The invoices this suite made: one group found by description, one by external order id."""

    driver: Driver
    by_description: str
    by_order_id: str
    groups: dict[str, list[int]] = field(default_factory=dict)
    refunded: dict[int, list[int]] = field(default_factory=dict)
    """Refund ids per invoice."""
    broken: Violation | None = None
    """The violation that stopped the dataset being built, if one did."""

    def ready(self, *, reports_break: bool = False) -> Dataset:
        """The dataset; if building it broke a rule, the first test reports that failure and the others skip."""
        if self.broken is not None:
            if reports_break:
                raise self.broken
            pytest.skip(
                f"not judged: building the dataset broke a rule, reported once by the first test: {self.broken.title}"
            )
        return self

    @property
    def ids(self) -> list[int]:
        """Every invoice of the dataset."""
        return sorted(i for group in self.groups.values() for i in group)

    def statuses(self) -> dict[int, str]:
        """Re-read every invoice (reconciling the oracle) and return its status."""
        for invoice in self.ids:
            self.driver.check(invoice)
        return {i: self.driver.oracle.invoices[i].status for i in self.ids}


@pytest.fixture(scope="module")
def dataset(
    api: ApiClient, spec: dict[str, Any], run_mode: str, target: Target, request: pytest.FixtureRequest
) -> Iterator[Dataset]:
    """Invoices in as many statuses as the target lets the suite reach, with refunds when it can pay."""
    control: Control | None
    try:
        control = request.getfixturevalue("control")
    except pytest.skip.Exception:
        control = None
    driver = Driver(api=api, oracle=Oracle.from_spec(spec), book=SchemaBook(spec), control=control)
    data = Dataset(driver, by_description=f"ld{uuid.uuid4().hex[:12]}", by_order_id=f"lo{uuid.uuid4().hex[:12]}")
    try:
        production = target.profile == "production"  # no refunds on a real account, and few invoices
        _build(data, size=_SIZES["quick" if production else run_mode], refunds=not production)
    except Violation as exc:  # judged again in each test's call, so the report shows a failure, not a setup error
        data.broken = exc
    yield data


def _build(data: Dataset, *, size: int, refunds: bool) -> None:
    """Create both search groups and move their invoices through the statuses the target lets us reach."""
    driver, control = data.driver, data.driver.control
    names = ["amir", "bota", "dana", "erlan"]
    for token, kind in ((data.by_description, "description"), (data.by_order_id, "external_order_id")):
        ids = []
        for n in range(size):
            amount = (Decimal("9.50"), Decimal("10.50"), Decimal("100.50"))[n % 3]  # text order ≠ number order
            if kind == "description":
                ids.append(driver.create(amount=amount, description=token))
            else:
                ids.append(driver.create(amount=amount, external_order_id=token))
        data.groups[token] = ids
        driver.cancel(ids[0])
        if control is None:
            continue
        driver.expire(ids[3])
        for n in (1, 2, *range(5, size, 2)):
            driver.pay(ids[n], client_name=names[n % len(names)] if n != 2 else None)
        if refunds:
            refund = driver.refund(ids[1], Decimal("10.00"))
            data.refunded[ids[1]] = [refund] if refund is not None else []
    if control is not None and refunds:
        driver.advance(SETTLE_SECONDS)
        target = data.groups[data.by_description][2]
        data.refunded[target] = [r for r in (driver.refund(target, Decimal("1.00")),) if r is not None]


def _listed(driver: Driver, params: dict[str, Any]) -> list[dict[str, Any]]:
    return walk_pages(driver, "/invoices", params, per_page=100)


def _require(driver: Driver, ok: bool, *, title: str, expected: Any, received: Any, rule: str) -> None:
    if not ok:
        raise driver.fail(
            operation="GET /invoices",
            title=title,
            message=expected_received(expected, received),
            rule=rule,
        )


@pytest.mark.contract(suite="lists", check="pages_yield_each_once", operation="GET /invoices")
def test_lists_pages_yield_each_invoice_once(dataset: Dataset) -> None:
    """Walking small pages yields every matching invoice exactly once, and each page's meta adds up."""
    dataset.ready(reports_break=True)
    for (token, ids), per_page in itertools.product(dataset.groups.items(), (2, 3)):
        params = {"search": token, "sort_by": "id"}
        listed = [int(row["id"]) for row in walk_pages(dataset.driver, "/invoices", params, per_page=per_page)]
        _require(
            dataset.driver,
            sorted(listed) == sorted(ids),
            title=f"walking every page of {per_page} does not yield each matching invoice exactly once",
            expected=sorted(ids),
            received=listed,
            rule="#/components/schemas/PageMeta",
        )


@pytest.mark.contract(suite="lists", check="search_description_and_order_id", operation="GET /invoices")
def test_lists_search_matches_description_and_external_order_id(dataset: Dataset) -> None:
    """``search`` finds invoices by description and by external order id, and nothing else."""
    dataset.ready()
    for token, ids in dataset.groups.items():
        listed = sorted(int(row["id"]) for row in _listed(dataset.driver, {"search": token}))
        _require(
            dataset.driver,
            listed == sorted(ids),
            title=f"search={token} does not return exactly the invoices carrying it",
            expected=sorted(ids),
            received=listed,
            rule=_SEARCH_RULE,
        )


def _status_sets(statuses: dict[int, str]) -> list[tuple[str, ...]]:
    present = sorted(set(statuses.values()))
    sets: list[tuple[str, ...]] = [(s,) for s in present]
    if len(present) >= 2:
        sets += [tuple(present[:2]), tuple(present[-3:])]
    return sets


def _shown_statuses(driver: Driver, token: str) -> dict[int, str]:
    """The status of each invoice found by ``token``, as the unfiltered list shows it now."""
    return {int(row["id"]): str(row.get("status")) for row in _listed(driver, {"search": token})}


@pytest.mark.contract(suite="lists", check="status_filter", operation="GET /invoices")
def test_lists_status_filter_with_several_values(dataset: Dataset) -> None:
    """``status[]`` with one or several values returns exactly the invoices in those statuses."""
    dataset.ready()
    dataset.statuses()  # every invoice read back once: the oracle knows where each one is
    token = dataset.by_description
    before = _shown_statuses(dataset.driver, token)
    for wanted in _status_sets(before):
        params = {"search": token, "status[]": list(wanted)}
        rows = {row["id"]: row.get("status") for row in _listed(dataset.driver, params)}
        after = _shown_statuses(dataset.driver, token)
        stable = {i for i in dataset.groups[token] if before.get(i) == after.get(i)}
        expected = sorted(i for i in stable if before.get(i) in wanted)
        received = sorted(i for i in rows if i in stable)
        wrong = {i: s for i, s in rows.items() if s not in wanted}
        _require(
            dataset.driver,
            expected == received and not wrong,
            title=f"status[]={'&status[]='.join(wanted)} does not return exactly the invoices in those statuses",
            expected=f"ids {expected}",
            received=f"ids {sorted(rows)} (statuses outside the filter: {wrong})",
            rule=_STATUS_RULE,
        )
        before = after


def _day(row: dict[str, Any]) -> date:
    return datetime.fromisoformat(str(row["created_at"]).replace("Z", "+00:00")).date()


@pytest.mark.contract(suite="lists", check="date_range_inclusive", operation="GET /invoices")
def test_lists_date_range_includes_boundary_days(dataset: Dataset) -> None:
    """``date_from``/``date_to`` include both boundary days and leave out the days outside."""
    dataset.ready()
    token = dataset.by_order_id
    rows = _listed(dataset.driver, {"search": token})
    for day in sorted({_day(row) for row in rows}):
        on_day = sorted(row["id"] for row in rows if _day(row) == day)
        before, after = day - timedelta(days=1), day + timedelta(days=1)
        cases: list[tuple[dict[str, str], date, date]] = [
            ({"date_from": day.isoformat(), "date_to": day.isoformat()}, day, day),
            ({"date_from": day.isoformat()}, day, date.max),
            ({"date_to": day.isoformat()}, date.min, day),
            ({"date_to": before.isoformat()}, date.min, before),
            ({"date_from": after.isoformat()}, after, date.max),
        ]
        for params, low, high in cases:
            expected = sorted(row["id"] for row in rows if low <= _day(row) <= high)
            received = sorted(row["id"] for row in _listed(dataset.driver, {"search": token, **params}))
            _require(
                dataset.driver,
                expected == received,
                title=f"{params} does not keep exactly the invoices created on the days it covers (inclusive)",
                expected=f"ids {expected} (created {day}: {on_day})",
                received=f"ids {received}",
                rule=_DATE_RULE,
            )


def _sort_values(spec: dict[str, Any], name: str) -> list[str]:
    for param in spec["paths"]["/invoices"]["get"]["parameters"]:
        resolved = param
        if "$ref" in param:
            resolved = spec["components"]["parameters"][param["$ref"].rsplit("/", 1)[-1]]
        if resolved.get("name") == name:
            return list(resolved["schema"]["enum"])
    raise LookupError(name)


def _sort_key(field_name: str, row: dict[str, Any]) -> Any:
    value = row.get(field_name)
    if value is None:
        return None
    if field_name == "amount":
        return money(value)
    if field_name == "created_at":
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return value


def _order_problem(field_name: str, keys: list[Any], descending: bool) -> str | None:
    """Why ``keys`` are not in the requested order, or None; what the docs leave open is not judged."""
    present = [k for k in keys if k is not None]
    nulls = [i for i, k in enumerate(keys) if k is None]
    if nulls and nulls != list(range(len(nulls))) and nulls != list(range(len(keys) - len(nulls), len(keys))):
        return "null values are not together at one end"
    if field_name == "status":
        groups = [k for i, k in enumerate(present) if i == 0 or present[i - 1] != k]
        return None if len(groups) == len(set(groups)) else "equal statuses are not next to each other"
    wanted = sorted(present, reverse=descending)
    if present != wanted:
        return "values are out of order"
    if field_name == "id" and len(set(present)) != len(present):
        return "an id appears twice"
    return None


@pytest.mark.contract(suite="lists", check="sorting", operation="GET /invoices")
def test_lists_every_sort_by_and_sort_order(dataset: Dataset, spec: dict[str, Any]) -> None:
    """Every documented ``sort_by`` in both ``sort_order``s orders the invoices by that field."""
    dataset.ready()
    for sort_by in _sort_values(spec, "sort_by"):
        for sort_order in _sort_values(spec, "sort_order"):
            for token in dataset.groups:
                params = {"search": token, "sort_by": sort_by, "sort_order": sort_order}
                rows = _listed(dataset.driver, params)
                keys = [_sort_key(sort_by, row) for row in rows]
                problem = _order_problem(sort_by, keys, sort_order == "desc")
                _require(
                    dataset.driver,
                    problem is None,
                    title=f"sort_by={sort_by}&sort_order={sort_order}: {problem}",
                    expected=f"{sort_by} in {sort_order} order",
                    received=[row.get(sort_by) for row in rows],
                    rule=_SORT_RULE,
                )


def _refund_rows(driver: Driver, params: dict[str, Any]) -> dict[int, str]:
    rows = walk_pages(driver, "/refunds", params, per_page=2)
    return {int(row["id"]): str(row.get("status")) for row in rows}


def _refund_statuses(dataset: Dataset) -> dict[int, str]:
    statuses: dict[int, str] = {}
    for invoice in dataset.refunded:
        response = dataset.driver.api.get(f"/invoices/{invoice}/refunds")
        body = dataset.driver.body(response, path="/invoices/{id}/refunds")
        statuses |= {int(r["id"]): str(r["status"]) for r in body["refunds"]}
    return statuses


@pytest.mark.contract(suite="lists", check="refund_filters", operation="GET /refunds")
def test_lists_refunds_filter_by_invoice_status_and_date(dataset: Dataset) -> None:
    """``GET /refunds`` with ``invoice_id``, ``status[]`` and a date range returns exactly the matching refunds."""
    dataset.ready()
    if not any(dataset.refunded.values()):
        pytest.skip("needs refunds: the target has no control API to pay (--no-control) or is --profile production")
    before = _refund_statuses(dataset)
    for invoice, refunds in dataset.refunded.items():
        present = sorted({before[r] for r in refunds})
        others = [s for s in dataset.driver.oracle.refund_table.statuses if s not in present][:1]
        for statuses in ([], present, others, present + others):
            params: dict[str, Any] = {"invoice_id": invoice}
            if statuses:
                params["status[]"] = statuses
            got = _refund_rows(dataset.driver, params)
            after = _refund_statuses(dataset)
            stable = [r for r in refunds if before[r] == after[r]]
            expected = sorted(r for r in stable if not statuses or before[r] in statuses)
            received = sorted(r for r in got if r in stable or r not in refunds)
            _refund_require(dataset, expected == received, params, expected, sorted(got))
            before = after
    for row in _first_refund_rows(dataset):
        day = _day(row)
        for params, included in (
            ({"date_from": day.isoformat(), "date_to": day.isoformat()}, True),
            ({"date_to": (day - timedelta(days=1)).isoformat()}, False),
            ({"date_from": (day + timedelta(days=1)).isoformat()}, False),
        ):
            got = _refund_rows(dataset.driver, {"invoice_id": row["invoice_id"], **params})
            wanted = [row["id"]] if included else []
            _refund_require(dataset, (row["id"] in got) == included, params, wanted, sorted(got))


def _first_refund_rows(dataset: Dataset) -> list[dict[str, Any]]:
    """One listed refund of each refunded invoice, to judge the date range on."""
    rows = []
    for invoice in dataset.refunded:
        listed = walk_pages(dataset.driver, "/refunds", {"invoice_id": invoice}, per_page=100)
        rows.extend(listed[:1])
    return rows


def _refund_require(dataset: Dataset, ok: bool, params: dict[str, Any], expected: Any, received: Any) -> None:
    if not ok:
        raise dataset.driver.fail(
            operation="GET /refunds",
            title=f"GET /refunds with {params} does not return exactly the matching refunds",
            message=expected_received(f"ids {expected}", f"ids {received}"),
            rule=_REFUND_FILTER_RULE,
        )
