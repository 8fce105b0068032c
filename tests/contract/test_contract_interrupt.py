"""A contract run interrupted mid-way (Ctrl-C) says so: exit 130, "interrupted" on stderr, and a report that
lists the checks that ran and says the run was cut short — never PASSED."""

from __future__ import annotations

import json
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

_SUITE_LINE = re.compile(r"^\w+: \d+ cases, \d+ failed")
"""What the progress display prints (off a terminal) when a suite has finished: the run is under way."""


def _lines(stream: object, into: queue.Queue[str | None]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        into.put(line)
    into.put(None)


def test_contract_interrupted_mid_run_exits_130_and_no_report_says_passed(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "apipay_harness", "contract", "--quick", "--report-dir", "reports"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    stderr: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_lines, args=(process.stderr, stderr), daemon=True)
    reader.start()
    seen: list[str] = []
    deadline = time.monotonic() + 180
    try:
        while time.monotonic() < deadline:  # wait for the first finished suite, then interrupt
            line = stderr.get(timeout=max(0.1, deadline - time.monotonic()))
            assert line is not None, "the run ended before it could be interrupted:\n" + "".join(seen)
            seen.append(line)
            if _SUITE_LINE.match(line):
                break
        else:
            raise AssertionError("no suite finished within 180 s:\n" + "".join(seen))
        process.send_signal(signal.SIGINT)
        process.wait(timeout=120)  # stdout is two lines: it cannot fill its pipe
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    reader.join(timeout=10)
    stdout = process.stdout.read() if process.stdout else ""
    while (line := stderr.get_nowait() if not stderr.empty() else None) is not None:
        seen.append(line)
    errors = "".join(seen)
    assert process.returncode == 130, stdout + errors
    assert "interrupted" in errors and "Traceback" not in errors
    reports = tmp_path / "reports"
    report = json.loads((reports / "conformance.json").read_text(encoding="utf-8"))
    assert report["verdict"] != "passed" and report["complete"] is False
    assert "interrupted" in report["cut_short"] and report["checks"]
    assert 0 < report["tests_finished"] < report["tests_planned"]
    assert "**PASSED**" not in (reports / "conformance.md").read_text(encoding="utf-8")
    assert "Cut short after" in (reports / "conformance.md").read_text(encoding="utf-8")
    assert ">PASSED" not in (reports / "conformance.html").read_text(encoding="utf-8")
    junit = ET.parse(reports / "junit.xml").getroot()
    assert int(junit.get("errors", "0")) >= 1 and junit.find(".//testcase[@classname='run']/error") is not None
