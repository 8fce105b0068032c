"""``conformance.html``: one self-contained page a person reads (inline CSS and SVG, no scripts, no assets)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import jinja2

from apipay_harness.core.results import RunEnd
from apipay_harness.report.summary import Collector, Summary, cell_verdict, count, describe, write_atomically

__all__ = ["HtmlWriter", "render_html"]

_TEMPLATE = "conformance.html.j2"
_LABEL = {"passed": "passed", "failed": "failed", "error": "error", "skipped": "skipped"}
_SYMBOL = {"passed": "✓", "failed": "✗", "error": "!", "skipped": "–"}
_CHART_ORDER = ("passed", "failed", "error", "skipped")
_BAR_WIDTH = 480
_BAR_HEIGHT = 22
_BAR_GAP = 10
_LABEL_WIDTH = 120
_MIN_SEGMENT = 4


@dataclass(frozen=True, slots=True)
class _Segment:
    verdict: str
    x: int
    width: int
    count: int


@dataclass(frozen=True, slots=True)
class _Bar:
    suite: str
    y: int
    segments: tuple[_Segment, ...]
    checks: int
    cases: int
    label_x: int


def _chart(summary: Summary) -> dict[str, Any]:
    """Geometry of the verdict-share bar per suite (each bar is 100 % of that suite's checks)."""
    bars = []
    for i, (suite, c) in enumerate(summary.suite_counts().items()):
        checks = sum(c[v] for v in _CHART_ORDER)
        shares = {v: c[v] for v in _CHART_ORDER if c[v]}
        # Every verdict present stays visible, however small its share.
        widths = {v: max(round(_BAR_WIDTH * n / max(checks, 1)), _MIN_SEGMENT) for v, n in shares.items()}
        if widths:
            biggest = max(widths, key=lambda v: widths[v])
            widths[biggest] -= sum(widths.values()) - _BAR_WIDTH
        x = _LABEL_WIDTH
        segments = []
        for verdict, width in widths.items():
            segments.append(_Segment(verdict=verdict, x=x, width=width, count=shares[verdict]))
            x += width
        y = i * (_BAR_HEIGHT + _BAR_GAP)
        bars.append(_Bar(suite, y, tuple(segments), checks, c["cases"], _LABEL_WIDTH + _BAR_WIDTH + 8))
    height = max(len(bars) * (_BAR_HEIGHT + _BAR_GAP), _BAR_HEIGHT)
    return {"bars": bars, "width": _LABEL_WIDTH + _BAR_WIDTH + 260, "height": height, "bar_height": _BAR_HEIGHT}


def _matrix(summary: Summary) -> list[dict[str, Any]]:
    """Rows of operations × suites; each cell has a verdict, readable text and the checks behind it."""
    cells = summary.matrix()
    rows = []
    for operation in summary.operations:
        row: list[dict[str, str] | None] = []
        for suite in summary.suites:
            results = cells.get((operation, suite), [])
            if not results:
                row.append(None)
                continue
            counts: Counter[str] = Counter(r.verdict for r in results)
            verdict = cell_verdict(counts)
            text = ", ".join(f"{counts[v]} {_LABEL[v]}" for v in ("failed", "error", "passed", "skipped") if counts[v])
            checks = "\n".join(f"{_SYMBOL[r.verdict]} {r.check}: {r.verdict}" for r in results)
            row.append({"verdict": verdict, "symbol": _SYMBOL[verdict], "text": text, "checks": checks})
        rows.append({"operation": operation, "cells": row})
    return rows


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("apipay_harness.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["count"] = count
    return env


def render_html(summary: Summary) -> str:
    """The report as one HTML page; every value from the run is escaped by the template engine."""
    seconds = summary.duration_seconds
    template = _environment().get_template(_TEMPLATE)
    return template.render(
        info=summary.info,
        summary=summary,
        cut_short=summary.cut_short,
        verdict=summary.verdict,
        totals=summary.totals,
        duration="unknown" if seconds is None else f"{seconds:.1f} s",
        suites=summary.suites,
        suite_counts=summary.suite_counts(),
        matrix=_matrix(summary),
        problems=summary.with_verdict("failed", "error"),
        skip_reasons=summary.skip_reasons(),
        chart=_chart(summary),
        symbol=_SYMBOL,
        describe=describe,
    )


class HtmlWriter(Collector):
    """Writes ``conformance.html`` at the end of the run."""

    def finish(self, end: RunEnd | None = None) -> None:
        """Write the report out."""
        write_atomically(self.path, render_html(self.summary(end)))
