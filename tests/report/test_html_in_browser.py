"""The HTML report as a person sees it: rendered by headless Chromium, inspected through the DevTools protocol.

Chromium is driven over ``--remote-debugging-pipe`` (file descriptors 3 and 4, NUL-separated JSON), so the
test needs no extra Python package and opens no port. CI sets ``APIPAY_REQUIRE_BROWSER=1``: then a missing
browser fails the test instead of skipping it.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from apipay_harness.core.results import CheckResult

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
DEADLINE = 30.0


def _find_browser() -> str:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    message = "headless Chromium not found (Debian: apt-get install -y chromium)"
    if os.environ.get("APIPAY_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{message}; APIPAY_REQUIRE_BROWSER=1 demands it")
    pytest.skip(message)


def _above_nine(fd: int) -> int:
    high = fcntl.fcntl(fd, fcntl.F_DUPFD, 10)
    os.close(fd)
    return high


class _Browser:
    """A headless Chromium spoken to over the DevTools pipe."""

    def __init__(self, executable: str, profile_dir: Path) -> None:
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # Lift the child's ends above 9 so that moving them onto 3 and 4 cannot clobber one another.
        to_child_r, from_child_w = (_above_nine(fd) for fd in (to_child_r, from_child_w))
        flags = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--no-default-browser-check",
            "--hide-scrollbars",
            "--mute-audio",
            f"--user-data-dir={profile_dir}",
            "--remote-debugging-pipe",
            "about:blank",
        ]
        # Chromium reads commands on fd 3 and writes answers on fd 4; bash moves our pipe ends there.
        script = f'exec 3<&{to_child_r} 4>&{from_child_w} {to_child_r}<&- {from_child_w}>&-; exec "$@"'
        self._proc = subprocess.Popen(
            ["bash", "-c", script, "browser", executable, *flags],
            pass_fds=(to_child_r, from_child_w),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        self.session = ""
        self._target_id = ""

    def send(self, method: str, params: dict[str, Any] | None = None, *, session: bool = True) -> dict[str, Any]:
        """Send one command and wait for its answer, keeping the events that arrive meanwhile."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + DEADLINE
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self._events.append(reply)

    def wait_event(self, method: str) -> dict[str, Any]:
        """Wait (with a deadline) for an event, e.g. the page's load event."""
        deadline = time.monotonic() + DEADLINE
        while True:
            for i, event in enumerate(self._events):
                if event.get("method") == method:
                    return self._events.pop(i)
            self._events.append(self._read(deadline))

    def events(self, method: str) -> list[dict[str, Any]]:
        """Events of one kind received so far."""
        return [e for e in self._events if e.get("method") == method]

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("Chromium did not answer within the deadline")
            ready, _, _ = select.select([self._from_child], [], [], left)
            if ready:
                chunk = os.read(self._from_child, 65536)
                if not chunk:
                    raise AssertionError(f"Chromium exited (code {self._proc.poll()})")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def open(self, url: str, *, width: int, height: int) -> None:
        """Open ``url`` in a fresh tab of the given size and wait until it has loaded."""
        if self._target_id:
            self.send("Target.closeTarget", {"targetId": self._target_id}, session=False)
        target = self.send("Target.createTarget", {"url": "about:blank"}, session=False)
        self._target_id = target["targetId"]
        attached = self.send("Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}, session=False)
        self.session = attached["sessionId"]
        self._events.clear()
        self.send("Network.enable")
        self.send("Page.enable")
        self.resize(width=width, height=height)
        navigated = self.send("Page.navigate", {"url": url})
        assert "errorText" not in navigated, f"{url}: {navigated['errorText']}"
        self.wait_event("Page.loadEventFired")

    def resize(self, *, width: int, height: int) -> None:
        """Set the viewport, as a window of that size would."""
        params = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        self.send("Emulation.setDeviceMetricsOverride", params)

    def evaluate(self, expression: str) -> Any:
        """Evaluate JavaScript in the page and return its JSON value."""
        reply = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in reply:
            raise AssertionError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def screenshot(self, path: Path) -> bytes:
        """Capture what the viewport shows as PNG."""
        data = base64.b64decode(self.send("Page.captureScreenshot", {"format": "png"})["data"])
        path.write_bytes(data)
        return data

    def close(self) -> None:
        """Close the browser and wait for it to exit."""
        try:
            self.send("Browser.close", session=False)
        except AssertionError:
            pass
        try:
            self._proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(timeout=10)
        os.close(self._to_child)
        os.close(self._from_child)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Browser]:
    executable = _find_browser()
    chrome = _Browser(executable, tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield chrome
    finally:
        chrome.close()


@pytest.fixture
def page(browser: _Browser, write_report, sample_results: list[CheckResult]) -> _Browser:
    report = write_report(sample_results) / "conformance.html"
    browser.open(report.as_uri(), width=1280, height=900)
    return browser


def _box(selector: str) -> str:
    return f"""(() => {{
        const el = document.querySelector({json.dumps(selector)});
        if (!el) return null;
        const r = el.getBoundingClientRect(), s = getComputedStyle(el);
        return {{text: el.innerText, top: r.top, bottom: r.bottom, width: r.width, height: r.height,
                 visible: s.visibility === 'visible' && s.display !== 'none' && r.width > 0 && r.height > 0,
                 fontSize: parseFloat(s.fontSize), color: s.color, background: s.backgroundColor,
                 userSelect: s.userSelect}};
    }})()"""


def test_browser_shows_the_verdict_big_above_the_fold(page: _Browser) -> None:
    verdict = page.evaluate(_box("#verdict"))
    assert verdict["visible"]
    assert verdict["text"].startswith("FAILED")
    assert "2 failed · 1 error · 4 passed · 2 skipped" in verdict["text"]
    assert verdict["bottom"] <= 900 and verdict["fontSize"] >= 32
    assert verdict["color"] != verdict["background"]
    assert page.evaluate("document.title").startswith("ApiPay contract: FAILED")


def test_browser_shows_run_facts(page: _Browser) -> None:
    facts = page.evaluate("document.querySelector('#facts').innerText")
    for fact in ("http://127.0.0.1:8080/api/v1", "1.2.0", "quick", "1234"):
        assert fact in facts


def test_browser_renders_response_markup_as_text_without_running_it(page: _Browser) -> None:
    assert page.evaluate("typeof window.__pwned") == "undefined"
    messages = page.evaluate("[...document.querySelectorAll('pre.message')].map(p => p.innerText)")
    assert any('"<script>window.__pwned = 1</script>"' in m for m in messages)


def test_browser_matrix_cells_carry_text_not_only_colour(page: _Browser) -> None:
    cells = page.evaluate(
        """[...document.querySelectorAll('.matrix td.cell')].map(td => ({
            verdict: [...td.classList].find(c => c.startsWith('v-')).slice(2),
            text: td.innerText, background: getComputedStyle(td).backgroundColor,
            row: td.parentElement.querySelector('th').innerText,
            column: td.closest('table').querySelectorAll('thead th')[td.cellIndex].innerText}))"""
    )
    by_place = {(c["row"], c["column"]): c for c in cells}
    refund = by_place[("POST /invoices/{id}/refund", "lifecycle")]
    assert refund["text"] == "✗ 1 failed"
    assert by_place[("POST /invoices", "schema")]["text"] == "✓ 1 passed"
    assert refund["background"] != by_place[("POST /invoices", "schema")]["background"]
    for cell in cells:
        assert cell["verdict"] in cell["text"]


def test_browser_shows_reproducer_whole_and_selectable(page: _Browser, sample_results: list[CheckResult]) -> None:
    expected = next(r.reproducer for r in sample_results if r.check == "refunds_add_up_to_amount")
    page.evaluate("document.querySelector('#failure-2').scrollIntoView()")
    repro = page.evaluate(_box("#failure-2 pre.repro"))
    assert repro["visible"] and 0 <= repro["top"] < 900
    assert repro["text"].strip() == expected
    assert repro["userSelect"] == "all"
    rule = page.evaluate("document.querySelector('#failure-2 .rule').innerText")
    assert "#/components/schemas/InvoiceStatus/x-status-transitions" in rule


def test_browser_shows_skip_reasons(page: _Browser) -> None:
    text = page.evaluate("document.querySelector('#skipped').innerText")
    assert "webhooks\t2\tneeds the control API (--no-control)" in text


def test_browser_draws_the_chart(page: _Browser) -> None:
    chart = page.evaluate(
        """(() => { const svg = document.querySelector('#suites svg'); const r = svg.getBoundingClientRect();
            const drawn = [...svg.querySelectorAll('rect')].filter(b => b.getBoundingClientRect().width > 0);
            return {width: r.width, height: r.height, bars: drawn.length}; })()"""
    )
    assert chart["width"] > 300 and chart["height"] > 100
    assert chart["bars"] == 7


def test_browser_page_loads_nothing_but_itself(page: _Browser) -> None:
    urls = [e["params"]["request"]["url"] for e in page.events("Network.requestWillBeSent")]
    assert urls and all(u.startswith("file://") for u in urls)
    assert len(urls) == 1


@pytest.mark.parametrize("width", [1280, 420])
def test_browser_page_never_scrolls_sideways(page: _Browser, width: int) -> None:
    page.resize(width=width, height=900)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_browser_screenshot_shows_the_page(page: _Browser, tmp_path: Path) -> None:
    target = Path(os.environ.get("APIPAY_SCREENSHOT_DIR", tmp_path)) / "conformance-report.png"
    png = page.screenshot(target)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (1280, 900)


def test_browser_missing_fails_when_ci_requires_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setenv("APIPAY_REQUIRE_BROWSER", "1")
    with pytest.raises(pytest.fail.Exception, match="APIPAY_REQUIRE_BROWSER=1"):
        _find_browser()


def test_browser_missing_skips_with_a_reason_locally(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("APIPAY_REQUIRE_BROWSER", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        _find_browser()
