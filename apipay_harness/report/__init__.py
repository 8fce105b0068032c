"""The conformance report: one writer per format, all reading the same result stream, so the files always agree.

| file | writer | read by |
|---|---|---|
| ``conformance.json`` | ``JsonWriter`` | tools, dashboards, later runs |
| ``conformance.md`` | ``MarkdownWriter`` | a pull-request comment |
| ``conformance.html`` | ``HtmlWriter`` | a person |
| ``junit.xml`` | ``JUnitWriter`` | the CI system's test view |
"""

from __future__ import annotations

from pathlib import Path

from apipay_harness.core.results import ResultWriter
from apipay_harness.report.html import HtmlWriter
from apipay_harness.report.json_writer import JsonWriter
from apipay_harness.report.junit import JUnitWriter
from apipay_harness.report.markdown import MarkdownWriter

__all__ = ["REPORT_FILES", "HtmlWriter", "JUnitWriter", "JsonWriter", "MarkdownWriter", "writers_for"]

REPORT_FILES = ("conformance.json", "conformance.md", "conformance.html", "junit.xml")
"""The files a contract run leaves in its report directory."""


def writers_for(report_dir: Path) -> list[ResultWriter]:
    """Create ``report_dir`` and return one writer per report file in it."""
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    json_name, md_name, html_name, junit_name = REPORT_FILES
    return [
        JsonWriter(report_dir / json_name),
        MarkdownWriter(report_dir / md_name),
        HtmlWriter(report_dir / html_name),
        JUnitWriter(report_dir / junit_name),
    ]
