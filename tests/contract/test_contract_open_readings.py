"""Where the documents leave a behaviour open, ``contract --quick`` passes each reading of it.

Three places the suites once took one reading for the only one: a webhook delivered more than once
(webhooks.md tells receivers to "handle duplicate deliveries"), date filters in a time zone other
than UTC (the 2026-02-13 docs name none; spec 2.1.0 later says Asia/Almaty), and a failed refund
that may or may not still count against ``available_for_refund`` (refunds.md is silent). Each run
is the part of the suites that judges the behaviour, against a mock variant that shows it; a
failure here is a false alarm.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from apipay_harness.mock import MockProcess, running_mock
from apipay_harness.mock import variants as v


def _contract(mock: MockProcess, tmp_path: Path, cli: Any, args_for: Any, select: str) -> None:
    args = ["contract", "--quick", *args_for(mock), "-k", select, "--report-dir", "out"]
    done = cli(args, cwd=tmp_path, timeout=600)
    assert done.code == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " 0 failed, 0 errors" in done.stdout


def _to_utc_time_of_day(mock: MockProcess, *, hour: int, minute: int) -> None:
    """Advance the mock's clock to the next ``hour:minute`` UTC (the clock only moves forward)."""
    with httpx.Client(base_url=mock.control_url, timeout=10) as control:
        now = datetime.fromisoformat(control.get("/clock").json()["now"].replace("Z", "+00:00"))
        target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if target <= now:
            target += timedelta(days=1)
        control.post("/clock/advance", json={"seconds": (target - now).total_seconds()}).raise_for_status()


def test_contract_passes_every_webhook_delivered_twice(tmp_path: Path, cli: Any, args_for: Any) -> None:
    with running_mock(variants=[v.WEBHOOK_DUPLICATES.name, v.WEBHOOKS_DELAYED.name]) as mock:
        _contract(mock, tmp_path, cli, args_for, "test_webhooks")


@pytest.mark.parametrize("variant", [v.REFUNDS_SOMETIMES_FAIL, v.FAILED_REFUNDS_STILL_COUNT], ids=lambda x: x.name)
def test_contract_passes_failed_refunds_counted_or_not(
    variant: v.Variant, tmp_path: Path, cli: Any, args_for: Any
) -> None:
    with running_mock(variants=[variant.name]) as mock:
        _contract(mock, tmp_path, cli, args_for, "test_lifecycle or test_lists or test_concurrency")


@pytest.mark.parametrize(
    ("hour", "minute"),
    [(20, 30), (23, 50), (4, 10)],
    ids=["almaty-day-ahead", "just-before-utc-midnight", "utc-and-almaty-agree"],
)
def test_contract_passes_dates_filtered_by_almaty_days_at_any_time_of_day(
    hour: int, minute: int, tmp_path: Path, cli: Any, args_for: Any
) -> None:
    """From 19:00 to 24:00 UTC an Almaty calendar day is the next UTC day's; the date checks must not mind."""
    with running_mock(variants=[v.DATES_IN_ALMATY.name]) as mock:
        _to_utc_time_of_day(mock, hour=hour, minute=minute)
        _contract(mock, tmp_path, cli, args_for, "test_lists")
