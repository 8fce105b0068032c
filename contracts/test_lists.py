"""Lists suite: pagination, status filters, date ranges, search and every sort of the invoice and refund lists.

Every check runs on invoices this suite created, found by search tokens unique to the run,
so other data on a real target cannot interfere. What each filter must return comes from
the suites' own model, never from the list being judged: the model knows each invoice's
status (re-read where the server may move it on by itself: an invoice whose status moved
during one filtered request is left out of that one comparison) and the instants between which
each invoice and refund was created (the target's clock read from ``GET /status`` around each
creation; with a control API the clock is moved a day on between creations, so every date
range has rows inside it and rows outside). Each filter is tried with data it must return
and data it must not.

Where the spec names the zone ``date_from``/``date_to`` are calendar days in (``x-time-zone``: 2.1 says
Asia/Almaty), every answer must fit that zone's calendar. The documents of 2026-02-13 do not say, so there
the date checks assume none: every answer of a check must fit one and the same zone from UTC−12 to UTC+14
(``contracts/model_dates.py``). Filters, sort fields and page shapes are read from the spec
(``contracts/list_params.py``, ``contracts/model_pages.py``), as are the amounts the suite creates.

The dataset is built by the most tolerant path: a rule broken while building it is reported
once, by the first check of this module that runs, and every check still judges whatever
does not depend on the broken step (``contracts/model_build.py``).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from apipay_harness.core.checks import (
    DATE_RANGE_INCLUSIVE,
    PAGES_YIELD_EACH_ONCE,
    REFUND_FILTERS,
    SEARCH_DESCRIPTION_AND_ORDER_ID,
    SORTING,
    STATUS_FILTER,
)
from apipay_harness.core.target import Target
from contracts.client import ApiClient
from contracts.control import Control, Sandbox
from contracts.invoice_amounts import AmountRule
from contracts.list_params import filter_values, parameter_pointer, query_parameter, zone_offsets
from contracts.model_build import BuildLog
from contracts.model_dates import Window, ZoneJudge, instants, zone_name, zones_shown
from contracts.model_driver import SETTLE_SECONDS, Driver
from contracts.model_pages import page_shape, walk_pages
from contracts.model_schemas import SchemaBook
from contracts.oracle import Oracle, money
from contracts.version import active_spec
from contracts.violations import Violation, expected_received

_SPEC = active_spec()
_SEARCH_RULE = f"{parameter_pointer(_SPEC, '/invoices', 'search')}/description"
_STATUS_RULE = f"{parameter_pointer(_SPEC, '/invoices', 'status[]')}/description"
_DATE_RULE = f"{parameter_pointer(_SPEC, '/invoices', 'date_to')}/description"
_SORT_RULE = f"{parameter_pointer(_SPEC, '/invoices', 'sort_by')}/schema"
_REFUND_FILTER_RULE = "#/paths/~1refunds/get/description"
_SIZES = {"quick": 6, "default": 10}
"""Invoices per search group for each run mode."""
_AMOUNTS = tuple(AmountRule.of(_SPEC).at_most(a) for a in (Decimal("9.50"), Decimal("10.50"), Decimal("100.50")))
"""Amounts whose text order differs from their number order, within the spec's amount rule (whole tenge in 2.1)."""
_DAYS = 3
"""Days the date group is spread over when the target's clock can be moved."""
_DAY_SECONDS = 86400


@dataclass
class Dataset:
    """The invoices this suite made: one group moved through the statuses, one spread over days."""

    driver: Driver
    log: BuildLog
    by_description: str
    """The search token of the status group (in the description)."""
    by_order_id: str
    """The search token of the date group (in the external order id)."""
    groups: dict[str, list[int]] = field(default_factory=dict)
    windows: dict[int, Window] = field(default_factory=dict)
    """When each invoice was created, from the target's clock read around its creation."""
    refunded: dict[int, list[int]] = field(default_factory=dict)
    """Refund ids per invoice."""
    refund_windows: dict[int, Window] = field(default_factory=dict)
    """When each refund was created."""
    paid_windows: dict[int, Window] = field(default_factory=dict)
    """When each invoice the suite paid was paid."""
    pay_tried: set[int] = field(default_factory=set)
    """Every invoice the suite tried to pay (the others of the status group never carry ``paid_at``)."""

    def now(self) -> datetime | None:
        """The target's clock, from ``GET /status`` (None when that answer broke a rule, recorded)."""

        def read() -> datetime:
            response = self.driver.api.get("/status")
            self.driver.expect_status(response, {200}, path="/status", method="get", why="reading the clock")
            stamp = str(self.driver.body(response, path="/status")["timestamp"])
            return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(UTC)

        return self.log.attempt(read)

    def model_statuses(self, ids: list[int]) -> dict[int, str]:
        """The model's status of each judged invoice, re-read (and reconciled) where the server may move it."""
        oracle = self.driver.oracle
        for invoice in self.log.judged(ids):
            if oracle.expected_statuses(invoice) != {oracle.invoices[invoice].status}:
                self.driver.check(invoice)
        return {i: oracle.invoices[i].status for i in self.log.judged(ids)}


@pytest.fixture(scope="module")
def dataset(
    api: ApiClient,
    spec: dict[str, Any],
    run_mode: str,
    target: Target,
    sandbox: Sandbox | None,
    request: pytest.FixtureRequest,
) -> Iterator[Dataset]:
    """Invoices in as many statuses and on as many days as the target lets the suite reach.

    Without a control API, the sandbox's simulate-status (``--control sandbox``) pays and expires them.
    """
    control: Control | None
    try:
        control = request.getfixturevalue("control")
    except pytest.skip.Exception:
        control = None
    driver = Driver(api=api, oracle=Oracle.from_spec(spec), book=SchemaBook(spec), control=control, sandbox=sandbox)
    data = Dataset(
        driver,
        BuildLog("building the lists dataset"),
        by_description=f"ld{uuid.uuid4().hex[:12]}",
        by_order_id=f"lo{uuid.uuid4().hex[:12]}",
    )
    production = target.profile == "production"  # no refunds on a real account, and few invoices
    size = _SIZES["quick" if production else run_mode]
    _build_date_group(data, size=size)
    _build_status_group(data, size=size, refunds=not production)
    yield data


def _create(data: Dataset, **fields: Any) -> int | None:
    """Create one invoice, noting the days it may carry; a broken rule is recorded and the build goes on."""
    before = data.now()
    created = data.log.create(lambda: data.driver.create(**fields))
    after = data.now()
    if created is not None and before is not None and after is not None:
        data.windows[created] = (before, after)
    return created


def _to_zone_evening(data: Dataset) -> None:
    """Move the target's clock to a time of day when the spec's zone is on another date than UTC.

    Rows created then carry different days in that zone and in UTC, so a server counting days in UTC (or any
    zone but the documented one) answers the date filters differently. Only where the spec names a zone and
    the clock can be moved.
    """
    now = data.now()
    if data.driver.control is None or now is None:
        return
    offsets = zone_offsets(data.driver.book.spec, "/invoices", "date_from", [now])
    if not offsets or offsets[0] == 0:
        return
    target = (-offsets[0] * 60 // 2) % _DAY_SECONDS
    since_midnight = now.hour * 3600 + now.minute * 60 + now.second
    data.log.attempt(lambda: data.driver.advance((target - since_midnight) % _DAY_SECONDS))


def _build_date_group(data: Dataset, *, size: int) -> None:
    """The date group first: with a control API its invoices are spread over days, the rest happens on the last."""
    _to_zone_evening(data)
    spread = _DAYS if data.driver.control is not None else 1
    ids: list[int] = []
    for n in range(size):
        if n and n * spread // size != (n - 1) * spread // size:
            data.driver.advance(_DAY_SECONDS)
        created = _create(data, amount=_AMOUNTS[n % 3], external_order_id=data.by_order_id)
        if created is not None:
            ids.append(created)
    data.groups[data.by_order_id] = ids


def _build_status_group(data: Dataset, *, size: int, refunds: bool) -> None:
    """One group moved through every status the target lets the suite reach, with refunds when it can pay."""
    driver, log = data.driver, data.log
    ids = [
        created
        for n in range(size)
        if (created := _create(data, amount=_AMOUNTS[n % 3], description=data.by_description)) is not None
    ]
    data.groups[data.by_description] = ids

    def step(index: int, action: Any) -> None:
        if index < len(ids):
            log.attempt(lambda: action(ids[index]), invoices=[ids[index]])

    step(0, driver.cancel)
    if driver.control is None and driver.sandbox is None:
        return
    step(3, driver.expire)
    names = ["amir", "bota", "dana", "erlan"]
    for n in (1, 2, *range(5, size, 2)):
        step(n, lambda i, n=n: _pay(data, i, names[n % len(names)] if n != 2 else None))
    if not refunds:
        return
    step(1, lambda i: _refund(data, i, Decimal("10.00")))
    step(7, lambda i: _refund(data, i, None))
    if driver.control is not None:
        log.attempt(lambda: driver.advance(SETTLE_SECONDS))
    step(2, lambda i: _refund(data, i, Decimal("1.00")))


def _pay(data: Dataset, invoice: int, client_name: str | None) -> None:
    """Have the invoice paid, noting between which instants it was (``date_field=paid_at`` filters by them)."""
    data.pay_tried.add(invoice)
    before = data.now()
    data.driver.pay(invoice, client_name=client_name)
    after = data.now()
    if before is not None and after is not None:
        data.paid_windows[invoice] = (before, after)


def _refund(data: Dataset, invoice: int, amount: Decimal | None) -> None:
    """Refund ``amount`` of the invoice, noting the refund and the days it may carry."""
    before = data.now()
    data.refunded.setdefault(invoice, [])
    refund = data.driver.refund(invoice, amount)
    after = data.now()
    if refund is not None:
        data.refunded[invoice].append(refund)
        if before is not None and after is not None:
            data.refund_windows[refund] = (before, after)


def _listed(driver: Driver, params: dict[str, Any], *, expected_total: int | None) -> list[dict[str, Any]]:
    return walk_pages(driver, "/invoices", params, per_page=100, expected_total=expected_total)


def _count(dataset: Dataset, token: str) -> int | None:
    """How many invoices carry ``token`` for the model (None once a creation broke: one may be unknown)."""
    return None if dataset.log.lost else len(dataset.groups[token])


def _require(driver: Driver, ok: bool, *, title: str, expected: Any, received: Any, rule: str) -> None:
    if not ok:
        raise driver.fail(
            operation="GET /invoices",
            title=title,
            message=expected_received(expected, received),
            rule=rule,
        )


@pytest.mark.contract(check=PAGES_YIELD_EACH_ONCE, operation="GET /invoices")
def test_lists_pages_yield_each_invoice_once(dataset: Dataset) -> None:
    """Walking small pages yields every matching invoice exactly once, and each page's meta counts the model's rows."""
    with dataset.log.judging():
        for (token, ids), per_page in itertools.product(dataset.groups.items(), (2, 3)):
            params = {"search": token, "sort_by": "id"}
            rows = walk_pages(
                dataset.driver, "/invoices", params, per_page=per_page, expected_total=_count(dataset, token)
            )
            listed = [int(row["id"]) for row in rows if not dataset.log.unjudged(int(row["id"]), ids)]
            _require(
                dataset.driver,
                sorted(listed) == sorted(ids),
                title=f"walking every page of {per_page} does not yield each matching invoice exactly once",
                expected=sorted(ids),
                received=listed,
                rule=page_shape(dataset.driver.book.spec, "/invoices").rule,
            )


@pytest.mark.contract(check=SEARCH_DESCRIPTION_AND_ORDER_ID, operation="GET /invoices")
def test_lists_search_matches_description_and_external_order_id(dataset: Dataset) -> None:
    """``search`` finds invoices by description and by external order id, and nothing else."""
    with dataset.log.judging():
        for token, ids in dataset.groups.items():
            rows = _listed(dataset.driver, {"search": token}, expected_total=_count(dataset, token))
            listed = sorted(int(row["id"]) for row in rows if not dataset.log.unjudged(int(row["id"]), ids))
            _require(
                dataset.driver,
                listed == sorted(ids),
                title=f"search={token} does not return exactly the invoices carrying it",
                expected=sorted(ids),
                received=listed,
                rule=_SEARCH_RULE,
            )


def _status_sets(dataset: Dataset, statuses: dict[int, str]) -> list[tuple[str, ...]]:
    """Every value ``status[]`` takes alone, and two sets of several the model's invoices are in.

    The values are the parameter's ``enum`` (2.1 leaves ``error`` out of it: not a filter value).
    """
    values = filter_values(dataset.driver.book.spec, "/invoices", "status[]")
    present = sorted(set(statuses.values()) & set(values))
    sets: list[tuple[str, ...]] = [(s,) for s in values]
    if len(present) >= 2:
        sets += [tuple(present[:2]), tuple(present[-3:])]
    return sets


@pytest.mark.contract(check=STATUS_FILTER, operation="GET /invoices")
def test_lists_status_filter_with_several_values(dataset: Dataset) -> None:
    """``status[]`` with one or several values returns exactly the invoices the model has in those statuses."""
    with dataset.log.judging():
        token = dataset.by_description
        group = dataset.groups[token]
        before = dataset.model_statuses(group)
        if not before:
            pytest.skip("no invoice of the status group is known to the model: nothing to filter")
        for wanted in _status_sets(dataset, before):
            params = {"search": token, "status[]": list(wanted)}
            rows = {int(row["id"]): row.get("status") for row in _listed(dataset.driver, params, expected_total=None)}
            after = dataset.model_statuses(group)
            stable = {i for i in before if before[i] == after.get(i)}
            expected = sorted(i for i in stable if before[i] in wanted)
            received = sorted(i for i in rows if i in stable)
            wrong = {i: s for i, s in rows.items() if s not in wanted}
            _require(
                dataset.driver,
                expected == received and not wrong,
                title=f"status[]={'&status[]='.join(wanted)} does not return exactly the invoices in those statuses",
                expected=f"ids {expected} (the model's statuses: {before})",
                received=f"ids {sorted(rows)} (statuses outside the filter: {wrong})",
                rule=_STATUS_RULE,
            )
            before = after


def _zone_judge(dataset: Dataset, path: str, windows: dict[int, Window]) -> ZoneJudge:
    """A judge of the zones the spec allows ``path``'s calendar days in: the one it names, else any."""
    moments = [moment for window in windows.values() for moment in window]
    offsets = zone_offsets(dataset.driver.book.spec, path, "date_from", moments)
    return ZoneJudge(zones=offsets) if offsets else ZoneJudge()


def _date_cases(day: date) -> list[tuple[dict[str, str], date, date]]:
    """(query, first day, last day) of each range around ``day``: on it, from it, up to it, before it, after it."""
    before, after = day - timedelta(days=1), day + timedelta(days=1)
    return [
        ({"date_from": day.isoformat(), "date_to": day.isoformat()}, day, day),
        ({"date_from": day.isoformat()}, day, date.max),
        ({"date_to": day.isoformat()}, date.min, day),
        ({"date_to": before.isoformat()}, date.min, before),
        ({"date_from": after.isoformat()}, after, date.max),
    ]


def _zone_failure(
    dataset: Dataset, judge: ZoneJudge, windows: dict[int, Window], params: dict[str, Any], got: set[int], **where: Any
) -> Violation:
    """No zone still standing explains this answer: show what the zones that stood until now expected."""
    (low, high) = where["bounds"]
    shown = {z for z in (0, judge.zones[0], judge.zones[-1]) if z in judge.zones} or {judge.zones[0]}
    wanted = "; ".join(f"{zone_name(z)}: ids {sorted(judge.expected(windows, low, high, z)[0])}" for z in sorted(shown))
    return dataset.driver.fail(
        operation=where["operation"],
        title=f"{params} keeps the rows of no one time zone's calendar days (inclusive at both ends)",
        message=expected_received(
            f"in {zones_shown(judge.zones)} (the zones every earlier answer fits): {wanted}",
            f"ids {sorted(got & set(windows))} (of {sorted(windows)}, created at {instants(windows)})",
        ),
        rule=where["rule"],
    )


@pytest.mark.contract(check=DATE_RANGE_INCLUSIVE, operation="GET /invoices")
def test_lists_date_range_includes_boundary_days(dataset: Dataset) -> None:
    """``date_from``/``date_to`` include both boundary days and leave out the days outside, in one time zone.

    The zone is the one the spec names (2.1: Asia/Almaty); where it names none every answer must fit the same
    zone, any from UTC−12 to UTC+14, by the instants the model knows each invoice was created between. Where
    ``date_field`` exists, the window is also judged on each other moment it names (``paid_at``).
    """
    with dataset.log.judging():
        token = dataset.by_order_id
        windows = {i: dataset.windows[i] for i in dataset.groups[token] if i in dataset.windows}
        if not windows:
            pytest.skip("no invoice of the date group has a known creation time: nothing to filter")
        judge = _zone_judge(dataset, "/invoices", windows)
        for day in judge.days(windows):
            for params, low, high in _date_cases(day):
                rows = _listed(dataset.driver, {"search": token, **params}, expected_total=None)
                got = {int(row["id"]) for row in rows}
                if not judge.judge(windows, low, high, got):
                    raise _zone_failure(
                        dataset,
                        judge,
                        windows,
                        params,
                        got,
                        bounds=(low, high),
                        operation="GET /invoices",
                        rule=_DATE_RULE,
                    )
        _require(
            dataset.driver,
            judge.included > 0 and judge.excluded > 0,
            title="the date ranges asked about had no row they must return, or none they must leave out",
            expected="rows inside and rows outside the ranges",
            received=f"{judge.included} rows inside, {judge.excluded} outside",
            rule=_DATE_RULE,
        )
        _judge_date_fields(dataset)


def _judge_date_fields(dataset: Dataset) -> None:
    """Each other moment ``date_field`` may name (2.1: ``paid_at``) moves the window onto that moment.

    The status group's paid invoices are judged by when they were paid, as the creation dates are; an invoice
    the suite never paid carries no such moment and must drop out of every such window. A spec without
    ``date_field`` (2026-02-13) has only the creation date, judged above.
    """
    spec = dataset.driver.book.spec
    try:
        schema = query_parameter(spec, "/invoices", "date_field")["schema"]
    except LookupError:
        return
    rule = f"{parameter_pointer(spec, '/invoices', 'date_field')}/description"
    token = dataset.by_description
    group = set(dataset.log.judged(dataset.groups[token]))
    known = {"paid_at": dataset.paid_windows}
    for value in schema.get("enum") or ():
        if value == schema.get("default") or value not in known:
            continue
        windows = {i: w for i, w in known[value].items() if i in group}
        never = group - dataset.pay_tried
        if not windows:
            continue
        judge = _zone_judge(dataset, "/invoices", windows)
        for day in judge.days(windows):
            for params, low, high in _date_cases(day):
                query = {"search": token, "date_field": value, **params}
                got = {int(row["id"]) for row in _listed(dataset.driver, query, expected_total=None)}
                _require(
                    dataset.driver,
                    not got & never,
                    title=f"date_field={value} returns invoices that have no {value}",
                    expected=f"none of {sorted(never)} (never paid)",
                    received=f"ids {sorted(got)}",
                    rule=rule,
                )
                if not judge.judge(windows, low, high, got):
                    raise _zone_failure(
                        dataset, judge, windows, query, got, bounds=(low, high), operation="GET /invoices", rule=rule
                    )
        _require(
            dataset.driver,
            judge.included > 0,
            title=f"the date_field={value} ranges asked about had no row they must return",
            expected="rows inside the ranges",
            received=f"{judge.included} rows inside",
            rule=rule,
        )


def _sort_values(spec: dict[str, Any], name: str) -> list[str]:
    """The documented values of a sort parameter: its ``enum``, else the fields its ``examples`` name.

    2.1's ``sort_by`` refuses no value (an unknown one sorts by ``created_at``), so its fields are examples.
    """
    schema = query_parameter(spec, "/invoices", name)["schema"]
    return [str(v) for v in schema.get("enum") or schema.get("examples") or ()]


def _sort_key(field_name: str, row: dict[str, Any]) -> Any:
    value = row.get(field_name)
    if value is None:
        return None
    if field_name == "amount":
        return money(value)
    if field_name in ("created_at", "paid_at"):
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


@pytest.mark.contract(check=SORTING, operation="GET /invoices")
def test_lists_every_sort_by_and_sort_order(dataset: Dataset, spec: dict[str, Any]) -> None:
    """Every documented ``sort_by`` in both ``sort_order``s orders the invoices by that field."""
    with dataset.log.judging():
        for sort_by in _sort_values(spec, "sort_by"):
            for sort_order in _sort_values(spec, "sort_order"):
                for token in dataset.groups:
                    params = {"search": token, "sort_by": sort_by, "sort_order": sort_order}
                    rows = _listed(dataset.driver, params, expected_total=_count(dataset, token))
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


def _refund_rows(driver: Driver, params: dict[str, Any], *, expected_total: int | None) -> list[int]:
    return [int(row["id"]) for row in walk_pages(driver, "/refunds", params, per_page=2, expected_total=expected_total)]


def _refund_statuses(dataset: Dataset) -> dict[int, str]:
    """The model's status of each refund of the judged refunded invoices, re-read (the server moves refunds on)."""
    statuses: dict[int, str] = {}
    for invoice in dataset.log.judged(dataset.refunded):
        dataset.driver.check(invoice)
        statuses |= {r.id: r.status for r in dataset.driver.oracle.invoices[invoice].refunds}
    return statuses


@pytest.mark.contract(check=REFUND_FILTERS, operation="GET /refunds")
def test_lists_refunds_filter_by_invoice_status_and_date(dataset: Dataset) -> None:
    """``GET /refunds`` by ``invoice_id``, ``status[]`` and date range returns exactly the model's matching refunds."""
    with dataset.log.judging():
        refunded = {i: dataset.refunded[i] for i in dataset.log.judged(dataset.refunded) if dataset.refunded[i]}
        if not refunded:
            pytest.skip(
                "needs refunds: the target can pay through neither a control API nor simulate-status (--no-control), "
                "or is --profile production"
            )
        before = _refund_statuses(dataset)
        for invoice, refunds in refunded.items():
            present = sorted({before[r] for r in refunds})
            others = [s for s in dataset.driver.oracle.refund_table.statuses if s not in present][:1]
            for statuses in ([], present, others, present + others):
                params: dict[str, Any] = {"invoice_id": invoice}
                if statuses:
                    params["status[]"] = statuses
                total = None if statuses else len(dataset.driver.oracle.invoices[invoice].refunds)
                got = _refund_rows(dataset.driver, params, expected_total=total)
                after = _refund_statuses(dataset)
                stable = [r for r in refunds if before[r] == after[r]]
                expected = sorted(r for r in stable if not statuses or before[r] in statuses)
                received = sorted(r for r in got if r in stable or r not in refunds)
                _refund_require(dataset, expected == received, params, expected, sorted(got))
                before = after
        _judge_refund_dates(dataset, refunded)


def _judge_refund_dates(dataset: Dataset, refunded: dict[int, list[int]]) -> None:
    """Each refunded invoice's refunds by date range, all answers fitting one zone's calendar (as for invoices)."""
    every = {r: w for r, w in dataset.refund_windows.items() if any(r in rs for rs in refunded.values())}
    judge = _zone_judge(dataset, "/refunds", every)
    for invoice, refunds in refunded.items():
        windows = {r: dataset.refund_windows[r] for r in refunds if r in dataset.refund_windows}
        for day in judge.days(windows):
            before, after = day - timedelta(days=1), day + timedelta(days=1)
            for params, low, high in (
                ({"date_from": day.isoformat(), "date_to": day.isoformat()}, day, day),
                ({"date_to": before.isoformat()}, date.min, before),
                ({"date_from": after.isoformat()}, after, date.max),
            ):
                got = set(_refund_rows(dataset.driver, {"invoice_id": invoice, **params}, expected_total=None))
                if not judge.judge(windows, low, high, got):
                    raise _zone_failure(
                        dataset,
                        judge,
                        windows,
                        {"invoice_id": invoice, **params},
                        got,
                        bounds=(low, high),
                        operation="GET /refunds",
                        rule=_REFUND_FILTER_RULE,
                    )


def _refund_require(dataset: Dataset, ok: bool, params: dict[str, Any], expected: Any, received: Any) -> None:
    if not ok:
        raise dataset.driver.fail(
            operation="GET /refunds",
            title=f"GET /refunds with {params} does not return exactly the matching refunds",
            message=expected_received(f"ids {expected}", f"ids {received}"),
            rule=_REFUND_FILTER_RULE,
        )
