from __future__ import annotations

import shutil
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from apipay_harness.core.redact import REDACTED, Redactor
from apipay_harness.core.reproducer import CLIENT_HEADERS, Curl, curl

KEY = "test-key"
CURL = shutil.which("curl")


@dataclass(frozen=True)
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


class _Recorder(BaseHTTPRequestHandler):
    seen: list[Seen]

    def _record(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        self.server.seen.append(Seen(self.command, self.path, headers, body))  # type: ignore[attr-defined]
        payload = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _record

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.seen = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


@pytest.fixture
def client(server: ThreadingHTTPServer) -> Iterator[httpx.Client]:
    host, port = server.server_address[:2]
    with httpx.Client(base_url=f"http://{host!s}:{port}/api/v1", headers={"X-API-Key": KEY}, timeout=5) as c:
        yield c


def _send_and_replay(server: ThreadingHTTPServer, client: httpx.Client, request: httpx.Request) -> tuple[Seen, Seen]:
    """Send ``request`` with httpx, then run its curl reproducer; return what the server saw each time."""
    if CURL is None:
        pytest.fail("curl is not installed; it is required to check reproducers")
    seen: list[Seen] = server.seen  # type: ignore[attr-defined]
    seen.clear()
    client.send(request)
    command = curl(request, redactor=Redactor([KEY])).command
    done = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=15, check=False)
    assert done.returncode == 0, done.stderr
    assert len(seen) == 2
    return seen[0], seen[1]


def _own_headers(seen: Seen) -> dict[str, str]:
    """Headers the caller chose (not the ones an HTTP client adds by itself)."""
    return {k: v for k, v in seen.headers.items() if k not in CLIENT_HEADERS and k != "accept"}


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        pytest.param(
            "POST",
            "/invoices",
            {"json": {"amount": "1500.50", "description": 'it\'s $HOME `id` "quoted" !x Ω', "phone_number": "87001"}},
            id="post-json-shell-metacharacters",
        ),
        pytest.param(
            "GET", "/invoices", {"params": {"status[]": ["paid", "pending"], "search": "a b&c"}}, id="get-params"
        ),
        pytest.param("PATCH", "/catalog/101", {"json": {"selling_price": "10.00"}}, id="patch"),
        pytest.param("DELETE", "/catalog/205", {}, id="delete"),
        pytest.param("GET", "/invoices?status[]=paid&per_page=5", {}, id="raw-brackets-need-globoff"),
        pytest.param(
            "POST", "/invoices/7/refund", {"content": b"amount=1", "headers": {"Content-Type": "text/plain"}}, id="text"
        ),
    ],
)
def test_curl_reproduces_the_request_sent(
    server: ThreadingHTTPServer, client: httpx.Client, method: str, path: str, kwargs: dict[str, object]
) -> None:
    request = client.build_request(method, path, **kwargs)  # type: ignore[arg-type]
    original, replay = _send_and_replay(server, client, request)
    assert replay.method == original.method
    assert replay.target == original.target
    assert replay.body == original.body
    expected = _own_headers(original) | {"x-api-key": REDACTED}
    assert _own_headers(replay) == expected


def test_curl_redacts_the_api_key(client: httpx.Client) -> None:
    reproducer = curl(client.build_request("GET", "/invoices/1"), redactor=Redactor([KEY]))
    assert KEY not in reproducer.command
    assert f"X-API-Key: {REDACTED}" in reproducer.command
    assert any("X-API-Key" in w for w in reproducer.warnings)


def test_curl_redacts_the_api_key_without_a_redactor(client: httpx.Client) -> None:
    assert KEY not in curl(client.build_request("GET", "/invoices/1")).command


def test_curl_redacts_known_secret_inside_body(client: httpx.Client) -> None:
    request = client.build_request(
        "POST", "/webhooks", json={"url": "http://h/hook", "secret": "whsec-1", "n": "whsec-1"}
    )
    command = curl(request, redactor=Redactor(["whsec-1"])).command
    assert "whsec-1" not in command
    assert '"url":"http://h/hook"' in command


def test_curl_drops_headers_the_client_added(client: httpx.Client) -> None:
    command = curl(client.build_request("POST", "/invoices", json={"amount": "1.00"})).command.lower()
    for header in ("user-agent", "accept-encoding", "connection", "content-length", "host:"):
        assert header not in command
    assert "content-type: application/json" in command


def test_curl_uses_globoff_only_for_brackets(client: httpx.Client) -> None:
    assert " -g " in curl(client.build_request("GET", "/invoices?status[]=paid")).command
    assert " -g " not in curl(client.build_request("GET", "/invoices", params={"status[]": "paid"})).command


def test_curl_multipart_body_is_a_placeholder_with_warning(client: httpx.Client) -> None:
    request = client.build_request("POST", "/catalog/upload-image", files={"image": ("a.png", b"\x89PNG\r\n\x00\x01")})
    reproducer = curl(request)
    assert "--data-binary @request-body.bin" in reproducer.command
    assert any("multipart" in w for w in reproducer.warnings)
    assert "PNG" not in reproducer.command


def test_curl_binary_body_is_a_placeholder_with_warning(client: httpx.Client) -> None:
    request = client.build_request("POST", "/x", content=b"\x00\xff\xfe binary")
    reproducer = curl(request)
    assert "@request-body.bin" in reproducer.command
    assert any("binary" in w for w in reproducer.warnings)


def test_curl_text_form_lists_warnings_as_comments() -> None:
    reproducer = Curl(command="curl http://h", warnings=("a", "b"))
    assert str(reproducer) == "# warning: a\n# warning: b\ncurl http://h"
