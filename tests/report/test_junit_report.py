from __future__ import annotations

import xml.etree.ElementTree as ET

from apipay_harness.core.results import CheckResult


def _root(report_dir) -> ET.Element:
    return ET.parse(report_dir / "junit.xml").getroot()


def test_junit_report_has_one_testsuite_per_suite(write_report, sample_results: list[CheckResult]) -> None:
    root = _root(write_report(sample_results))
    assert root.tag == "testsuites"
    assert [s.get("name") for s in root.findall("testsuite")] == [
        "schema",
        "bounds",
        "lifecycle",
        "auth",
        "webhooks",
        "concurrency",
    ]
    assert (root.get("tests"), root.get("failures"), root.get("errors"), root.get("skipped")) == ("9", "2", "1", "2")


def test_junit_report_counts_agree_with_testcases(write_report, sample_results: list[CheckResult]) -> None:
    for suite in _root(write_report(sample_results)).findall("testsuite"):
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "-1")) == len(cases)
        assert int(suite.get("failures", "-1")) == sum(c.find("failure") is not None for c in cases)
        assert int(suite.get("errors", "-1")) == sum(c.find("error") is not None for c in cases)
        assert int(suite.get("skipped", "-1")) == sum(c.find("skipped") is not None for c in cases)
        assert float(suite.get("time", "x")) >= 0


def test_junit_report_names_testcases_by_check_and_operation(write_report, sample_results: list[CheckResult]) -> None:
    root = _root(write_report(sample_results))
    names = {(c.get("classname"), c.get("name")) for c in root.iter("testcase")}
    assert ("lifecycle", "refunds_add_up_to_amount [POST /invoices/{id}/refund]") in names
    assert ("webhooks", "signature_over_raw_body [*]") in names


def test_junit_failure_carries_message_rule_and_reproducer(write_report, sample_results: list[CheckResult]) -> None:
    root = _root(write_report(sample_results))
    case = next(c for c in root.iter("testcase") if c.get("name", "").startswith("refunds_add_up_to_amount"))
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == "refund above the available amount was accepted"
    assert failure.get("type") == "#/components/schemas/InvoiceStatus/x-status-transitions"
    text = failure.text or ""
    assert text.startswith("Expected: 422\nReceived: 200")
    assert "Reproducer:\ncurl -sS -i -X POST http://127.0.0.1:8080/api/v1/invoices/42/refund" in text
    assert "<script>window.__pwned = 1</script>" in text


def test_junit_skipped_carries_reason(write_report, sample_results: list[CheckResult]) -> None:
    root = _root(write_report(sample_results))
    skipped = [s.get("message") for s in root.iter("skipped")]
    assert skipped == ["needs the control API (--no-control)"] * 2


def test_junit_report_replaces_characters_xml_cannot_hold(write_report) -> None:
    result = CheckResult("errors", "*", "body", "failed", title="bell\x07", message="Received: \x00\x1b[0m")
    failure = _root(write_report([result])).find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message") == "bell\ufffd"
    assert (failure.text or "").startswith("Received: \ufffd\ufffd[0m")


def test_junit_report_properties_describe_the_run(write_report, sample_results: list[CheckResult]) -> None:
    suite = _root(write_report(sample_results)).find("testsuite")
    assert suite is not None
    props = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert props["target"] == "http://127.0.0.1:8080/api/v1"
    assert props["seed"] == "1234"


# Elements and attributes the common JUnit schema (Jenkins' junit-10.xsd, read by GitLab and GitHub actions) allows.
_ALLOWED = {
    "testsuites": {"name", "time", "tests", "failures", "errors", "skipped", "disabled"},
    "testsuite": {"name", "tests", "failures", "errors", "skipped", "time", "timestamp", "hostname", "id", "package"},
    "properties": set(),
    "property": {"name", "value"},
    "testcase": {"name", "classname", "time", "assertions", "status"},
    "failure": {"message", "type"},
    "error": {"message", "type"},
    "skipped": {"message"},
}
_CHILDREN = {
    "testsuites": {"testsuite"},
    "testsuite": {"properties", "testcase"},
    "properties": {"property"},
    "testcase": {"failure", "error", "skipped"},
}
_REQUIRED = {"testsuite": {"name", "tests"}, "testcase": {"name", "classname"}, "property": {"name", "value"}}


def test_junit_report_uses_only_what_the_common_schema_allows(write_report, sample_results: list[CheckResult]) -> None:
    for element in _root(write_report(sample_results)).iter():
        assert set(element.attrib) <= _ALLOWED[element.tag], element.tag
        assert _REQUIRED.get(element.tag, set()) <= set(element.attrib), element.tag
        assert {child.tag for child in element} <= _CHILDREN.get(element.tag, set()), element.tag
        if element.tag == "testsuite":
            tags = [child.tag for child in element]
            assert tags.count("properties") <= 1 and (not tags or tags[0] == "properties")
        if element.tag == "testcase":
            assert len(element) <= 1
        for name in ("time",):
            if name in element.attrib:
                assert float(element.attrib[name]) >= 0


def test_junit_timestamp_is_utc_without_offset(write_report, sample_results: list[CheckResult]) -> None:
    import re

    for suite in _root(write_report(sample_results)).findall("testsuite"):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", suite.get("timestamp", "")) is not None
        assert suite.get("timestamp") == "2026-11-25T19:00:00"
