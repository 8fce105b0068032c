"""Thresholds that turn a load run into a CI gate: p95 per endpoint, failure ratio, minimum throughput."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

__all__ = [
    "DEFAULT_MAX_FAIL_RATIO",
    "DEFAULT_MAX_P95_MS",
    "DEFAULT_MIN_RPS",
    "Breach",
    "EndpointStats",
    "Thresholds",
    "evaluate",
]

DEFAULT_MAX_P95_MS = 500.0
DEFAULT_MAX_FAIL_RATIO = 0.01
DEFAULT_MIN_RPS = 1.0


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The limits a load run must stay within.

    **max_p95_ms** – the 95th-percentile response time every endpoint must stay at or under.
    **max_fail_ratio** – failed requests / all requests, at most.
    **min_rps** – requests per second over the whole run, at least.

    | call | means |
    |---|---|
    | ``Thresholds()`` | p95 ≤ 500 ms on every endpoint, ≤ 1 % failures, ≥ 1 request/s |
    | ``Thresholds(max_p95_ms=50, min_rps=200)`` | a tighter gate for the embedded mock |
    """

    max_p95_ms: float = DEFAULT_MAX_P95_MS
    max_fail_ratio: float = DEFAULT_MAX_FAIL_RATIO
    min_rps: float = DEFAULT_MIN_RPS

    def __post_init__(self) -> None:
        if self.max_p95_ms <= 0:
            raise ValueError(f"--max-p95-ms must be above 0, got {self.max_p95_ms}")
        if not 0 <= self.max_fail_ratio <= 1:
            raise ValueError(f"--max-fail-ratio must be between 0 and 1, got {self.max_fail_ratio}")
        if self.min_rps < 0:
            raise ValueError(f"--min-rps must not be negative, got {self.min_rps}")

    def to_dict(self) -> dict[str, float]:
        """Plain-data form for JSON and for passing to the locustfile."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class EndpointStats:
    """One row of the run's statistics: an endpoint (``method`` + ``name``) or the aggregate."""

    method: str
    name: str
    requests: int
    failures: int
    p95_ms: float
    rps: float = 0.0

    @property
    def label(self) -> str:
        """``POST /invoices`` as reports show it."""
        return f"{self.method} {self.name}".strip()

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form for the run file."""
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Breach:
    """One threshold a run broke, and by how much."""

    threshold: str
    """``max_p95_ms``, ``max_fail_ratio``, ``min_rps`` or ``exceptions``."""
    subject: str
    limit: float
    observed: float
    message: str

    def to_dict(self) -> dict[str, Any]:
        """Plain-data form for JSON."""
        return asdict(self)


def evaluate(
    thresholds: Thresholds, endpoints: Iterable[EndpointStats], total: EndpointStats, *, exceptions: int = 0
) -> list[Breach]:
    """Every threshold broken by a run, each saying by how much; empty when the run held."""
    breaches = [b for row in endpoints if (b := _p95_breach(thresholds, row)) is not None]
    found = (_fail_ratio_breach(thresholds, total), _rps_breach(thresholds, total), _exceptions_breach(exceptions))
    return breaches + [b for b in found if b is not None]


def _p95_breach(thresholds: Thresholds, row: EndpointStats) -> Breach | None:
    """An endpoint whose p95 is above the limit (one without requests has no p95)."""
    if not row.requests or row.p95_ms <= thresholds.max_p95_ms:
        return None
    over = row.p95_ms - thresholds.max_p95_ms
    return Breach(
        threshold="max_p95_ms",
        subject=row.label,
        limit=thresholds.max_p95_ms,
        observed=row.p95_ms,
        message=f"p95 of {row.label} is {row.p95_ms:g} ms, above --max-p95-ms {thresholds.max_p95_ms:g} by {over:g} ms",
    )


def _fail_ratio_breach(thresholds: Thresholds, total: EndpointStats) -> Breach | None:
    """Failed requests above the allowed share of all requests."""
    ratio = total.failures / total.requests if total.requests else 0.0
    if ratio <= thresholds.max_fail_ratio:
        return None
    return Breach(
        threshold="max_fail_ratio",
        subject="all requests",
        limit=thresholds.max_fail_ratio,
        observed=ratio,
        message=f"failure ratio is {ratio:.4f} ({total.failures}/{total.requests}), above --max-fail-ratio"
        f" {thresholds.max_fail_ratio:g} by {ratio - thresholds.max_fail_ratio:.4f}",
    )


def _rps_breach(thresholds: Thresholds, total: EndpointStats) -> Breach | None:
    """Throughput over the whole run below the minimum."""
    if total.rps >= thresholds.min_rps:
        return None
    return Breach(
        threshold="min_rps",
        subject="all requests",
        limit=thresholds.min_rps,
        observed=total.rps,
        message=f"throughput is {total.rps:.1f} requests/s, below --min-rps {thresholds.min_rps:g}"
        f" by {thresholds.min_rps - total.rps:.1f}",
    )


def _exceptions_breach(exceptions: int) -> Breach | None:
    """Load users that crashed: their flows were not judged, so the run cannot pass."""
    if not exceptions:
        return None
    return Breach(
        threshold="exceptions",
        subject="load users",
        limit=0,
        observed=exceptions,
        message=f"{exceptions} unhandled exception(s) in the load users (see the Locust report)",
    )
