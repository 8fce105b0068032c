from __future__ import annotations

import re
from html.parser import HTMLParser

from apipay_harness.core.results import CheckResult, RunInfo
from apipay_harness.report.html import render_html
from apipay_harness.report.summary import Summary


class _Tags(HTMLParser):
    """Collect start tags and their attributes, and the text of a chosen element id."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def test_html_report_escapes_markup_from_responses(write_report, sample_results: list[CheckResult]) -> None:
    html = (write_report(sample_results) / "conformance.html").read_text()
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    assert not [tag for tag, _ in _tags(html) if tag == "script"]


def test_html_report_escapes_markup_in_every_field(run_info: RunInfo) -> None:
    evil = '"><img src=x onerror=alert(1)>'
    result = CheckResult(evil, evil, evil, "failed", title=evil, message=evil, rule=evil, reproducer=evil)
    html = render_html(Summary.build(run_info, [result]))
    assert evil not in html
    assert not [tag for tag, _ in _tags(html) if tag == "img"]
    assert all("onerror" not in attrs for _, attrs in _tags(html))


def test_html_report_is_self_contained(write_report, sample_results: list[CheckResult]) -> None:
    html = (write_report(sample_results) / "conformance.html").read_text()
    for tag, attrs in _tags(html):
        assert tag not in ("script", "link", "iframe", "img", "object")
        for name in ("src", "href"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), (tag, name, value)
    assert not re.search(r"url\(|@import", html)


def test_html_report_matrix_cells_say_their_verdict_in_text(write_report, sample_results: list[CheckResult]) -> None:
    html = (write_report(sample_results) / "conformance.html").read_text()
    cells = re.findall(r'<td class="cell v-(\w+)"[^>]*>(.*?)</td>', html.split('id="matrix"')[1].split("</table>")[0])
    assert ("failed", '<span aria-hidden="true">✗</span> 1 failed') in cells
    assert ("error", '<span aria-hidden="true">!</span> 1 error') in cells
    assert ("skipped", '<span aria-hidden="true">–</span> 2 skipped') in cells
    for verdict, text in cells:
        assert verdict in text


def test_html_report_lists_failures_with_rule_and_reproducer(write_report, sample_results: list[CheckResult]) -> None:
    html = (write_report(sample_results) / "conformance.html").read_text()
    articles = re.findall(r'<article class="failure (\w+)".*?</article>', html, flags=re.S)
    assert articles == ["failed", "failed", "error"]
    assert "<code>#/components/schemas/InvoiceStatus/x-status-transitions</code>" in html
    assert '<pre class="repro">curl -sS -i -X POST http://127.0.0.1:8080/api/v1/invoices/42/refund \\' in html


def test_html_report_chart_has_a_bar_per_suite(write_report, sample_results: list[CheckResult]) -> None:
    html = (write_report(sample_results) / "conformance.html").read_text()
    svg = html.split("<svg", 1)[1].split("</svg>", 1)[0]
    titles = re.findall(r"<rect[^>]*><title>([^<]+)</title>", svg)
    assert titles == [
        "schema: 2 passed",
        "bounds: 1 failed",
        "lifecycle: 1 passed",
        "lifecycle: 1 failed",
        "auth: 1 passed",
        "webhooks: 2 skipped",
        "concurrency: 1 error",
    ]


def test_html_report_without_results_says_nothing_ran(run_info: RunInfo) -> None:
    html = render_html(Summary.build(run_info, []))
    assert "No checks were recorded." in html and ">SKIPPED" in html


def test_html_chart_keeps_a_lone_failure_visible(run_info: RunInfo) -> None:
    results = [CheckResult("schema", f"GET /x{i}", "c", "passed") for i in range(999)]
    results.append(CheckResult("schema", "GET /y", "c", "failed"))
    html = render_html(Summary.build(run_info, results))
    widths = dict(re.findall(r'<rect class="bar-(\w+)"[^>]*width="(\d+)"', html))
    assert int(widths["failed"]) >= 4
    assert int(widths["passed"]) + int(widths["failed"]) == 480
