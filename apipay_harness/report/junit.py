"""``junit.xml``: the file CI systems read to show each check as a test (one testsuite per suite)."""

from __future__ import annotations

import re
import socket
import xml.etree.ElementTree as ET
from collections import defaultdict
from datetime import UTC, datetime

from apipay_harness.core.results import CheckResult, RunEnd
from apipay_harness.report.summary import Collector, Summary, write_atomically

__all__ = ["JUnitWriter", "render_junit"]

# Characters XML 1.0 cannot carry at all; a response body may contain them.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", text)


def _timestamp(iso: str) -> dict[str, str]:
    """The schema's timestamp: UTC, no offset (``2026-11-25T19:00:00``); left out when unreadable."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return {}
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return {"timestamp": moment.strftime("%Y-%m-%dT%H:%M:%S")}


def _seconds(value: float) -> str:
    return f"{max(value, 0.0):.3f}"


def _first_line(text: str, limit: int = 200) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _body(result: CheckResult) -> str:
    """Failure text a CI page shows: the message, the rule and the reproducer."""
    parts = [result.message.strip()]
    if result.rule:
        parts.append(f"Rule: {result.rule}")
    if result.cases:
        parts.append(f"Cases: {result.cases}, failing: {result.failures}")
    if result.reproducer:
        parts.append(f"Reproducer:\n{result.reproducer.strip()}")
    return "\n\n".join(p for p in parts if p)


def _testcase(parent: ET.Element, result: CheckResult) -> None:
    case = ET.SubElement(
        parent,
        "testcase",
        {"classname": result.suite, "name": f"{result.check} [{result.operation}]", "time": _seconds(result.seconds)},
    )
    if result.verdict in ("failed", "error"):
        tag = "failure" if result.verdict == "failed" else "error"
        message = result.title or _first_line(result.message) or result.verdict
        node = ET.SubElement(case, tag, {"message": _clean(message), "type": _clean(result.rule or tag)})
        node.text = _clean(_body(result))
    elif result.verdict == "skipped":
        ET.SubElement(case, "skipped", {"message": _clean(result.message.strip() or "skipped")})


def _counts(results: list[CheckResult]) -> dict[str, str]:
    return {
        "tests": str(len(results)),
        "failures": str(sum(r.verdict == "failed" for r in results)),
        "errors": str(sum(r.verdict == "error" for r in results)),
        "skipped": str(sum(r.verdict == "skipped" for r in results)),
        "time": _seconds(sum(r.seconds for r in results)),
    }


def _cut_short_suite(root: ET.Element, summary: Summary) -> None:
    """A run cut short shows in the CI's test view as an errored ``run`` check, never as all green."""
    node = ET.SubElement(root, "testsuite", {"name": "run", "tests": "1", "failures": "0", "errors": "1"})
    case = ET.SubElement(node, "testcase", {"classname": "run", "name": "all selected checks ran", "time": "0.000"})
    error = ET.SubElement(case, "error", {"message": _clean(_first_line(summary.cut_short)), "type": "cut_short"})
    error.text = _clean(summary.cut_short)
    root.set("tests", str(int(root.get("tests", "0")) + 1))
    root.set("errors", str(int(root.get("errors", "0")) + 1))


def render_junit(summary: Summary) -> ET.ElementTree[ET.Element]:
    """The report as a JUnit XML tree."""
    info = summary.info
    root = ET.Element("testsuites", {"name": "apipay-harness contract", **_counts(list(summary.results))})
    by_suite: dict[str, list[CheckResult]] = defaultdict(list)
    for result in summary.results:
        by_suite[result.suite].append(result)
    hostname = socket.gethostname()
    for suite in summary.suites:
        results = by_suite[suite]
        attrs = {"name": suite, **_counts(results), **_timestamp(info.started_at), "hostname": hostname}
        node = ET.SubElement(root, "testsuite", attrs)
        props = ET.SubElement(node, "properties")
        for name, value in (
            ("target", info.target),
            ("spec_version", info.spec_version),
            ("mode", info.mode),
            ("seed", "" if info.seed is None else str(info.seed)),
            ("replay", info.replay),
            ("profile", info.profile),
            ("complete", "true" if summary.end.complete else "false"),
            ("cut_short", summary.cut_short),
        ):
            if value or name in ("target", "spec_version", "mode", "profile", "complete"):
                ET.SubElement(props, "property", {"name": name, "value": _clean(value)})
        for result in results:
            _testcase(node, result)
    if not summary.end.complete:
        _cut_short_suite(root, summary)
    ET.indent(root)
    return ET.ElementTree(root)


class JUnitWriter(Collector):
    """Writes ``junit.xml`` at the end of the run."""

    def finish(self, end: RunEnd | None = None) -> None:
        """Write the report out."""
        tree = render_junit(self.summary(end))
        text = ET.tostring(tree.getroot(), encoding="unicode", xml_declaration=False)
        write_atomically(self.path, '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n")
