"""Checks before a run starts: an operator's mistake is told apart from a target's violation (exit 2, one line).

Shared by ``contract`` and ``load``. Every answer is read within ``PREFLIGHT_BOUNDS`` (a few seconds each), so
an unreachable or stalling target is said within seconds, never after a hang.

| mistake | how it shows | the one line says |
|---|---|---|
| report directory cannot be created or written | creating it, writing a probe file | the directory and the reason |
| nothing listens at ``--base-url`` | ``GET {base}/status`` fails or times out | start it or fix the URL |
| ``--base-url`` without ``/api/v1`` | ``GET {base}/status`` answers 404 | the URL with ``/api/v1`` to try |
| a server that is not ApiPay | ``/status`` is not the documented ``ServiceStatus`` JSON | what came back |
| wrong ``--api-key`` / ``--api-key-2`` | ``GET /invoices?per_page=1`` answers 401 (403: unverified) | the flag |
| ``--api-key-2`` equal to ``--api-key`` | compared | tenancy needs two organizations |
| unknown ``--unverified-key`` / ``--rate-limited-key`` | the same probe answers 401 | which flag |
| ``--control-url`` not a control API | ``GET {control}/clock`` is not ``200 {"now": date-time}`` | ``--no-control`` |

Only what the documents pin down is judged here: ``/status`` must carry the members its schema requires, but
their values and types are the suites' business (a wrong one is a violation, exit 1). An unverified key that
is answered 200 is not refused here either: that may be the target ignoring verification, which the auth
suite reports.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from apipay_harness.core.errors import HarnessError, TargetUnreachable, UsageError
from apipay_harness.core.http import BoundedClient, Bounds, OutOfBounds
from apipay_harness.core.spec import load_spec, resolve
from apipay_harness.core.target import Target

__all__ = ["PREFLIGHT_BOUNDS", "check_report_dir", "check_target"]

PREFLIGHT_BOUNDS = Bounds(max_bytes=1024 * 1024, seconds=5.0)
"""Each preflight answer: at most 1 MiB (``/status`` is a few dozen bytes), complete within 5 seconds."""

_API_ROOT = "/api/v1"


def check_report_dir(path: Path) -> None:
    """Create ``path`` (and parents) and prove a file can be written in it; ``UsageError`` otherwise."""
    probe = path / f".apipay-write-check-{uuid.uuid4().hex[:8]}"
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise UsageError(f"cannot write the report directory {path}: {reason}; pass a writable --report-dir") from None


def check_target(target: Target) -> None:
    """Raise ``TargetUnreachable`` or ``UsageError`` when the target, a key or the control URL is a mistake."""
    with BoundedClient(bounds=PREFLIGHT_BOUNDS) as client:
        _check_status(client, target.base_url, target.api_version)
        _check_keys(client, target)
        if target.control_url is not None:
            _check_control(client, target.control_url)


def _get(client: BoundedClient, base_url: str, path: str, **kwargs: Any) -> httpx.Response:
    try:
        return client.get(f"{base_url}{path}", **kwargs)
    except OutOfBounds as exc:
        raise HarnessError(f"{exc}; check --base-url") from None
    except httpx.HTTPError as exc:
        raise TargetUnreachable(base_url, type(exc).__name__) from None


def _check_status(client: BoundedClient, base_url: str, api_version: str | None) -> None:
    url = f"{base_url}/status"
    answer = _get(client, base_url, "/status")
    if answer.status_code == 404 and not urlsplit(base_url).path.rstrip("/").endswith(_API_ROOT):
        raise UsageError(
            f"GET {url} answered 404: --base-url must be the API root; try --base-url {base_url}{_API_ROOT}"
        )
    required = _status_members(api_version)
    body = _json(answer)
    if answer.status_code != 200 or not isinstance(body, dict) or not required <= body.keys():
        got = f"{answer.status_code} {answer.headers.get('content-type', 'without a content type')}"
        raise UsageError(
            f"{base_url} does not look like an ApiPay API: GET /status answered {got}, not the documented "
            f"status JSON with {', '.join(sorted(required))}; check --base-url"
        )


def _status_members(api_version: str | None) -> set[str]:
    """The members the spec's ``GET /status`` 200 answer requires."""
    spec = load_spec(version=api_version)
    answer = (((spec.get("paths") or {}).get("/status") or {}).get("get") or {}).get("responses", {}).get("200", {})
    schema = resolve(spec, ((resolve(spec, answer).get("content") or {}).get("application/json") or {}).get("schema"))
    return {str(name) for name in (schema or {}).get("required", [])}


def _check_keys(client: BoundedClient, target: Target) -> None:
    if target.api_key_2 is not None and target.api_key_2 == target.api_key:
        raise UsageError("--api-key-2 is the same as --api-key; tenancy checks need a second organization's key")
    probes = (
        ("--api-key (APIPAY_API_KEY)", target.api_key, True),
        ("--api-key-2 (APIPAY_API_KEY_2)", target.api_key_2, True),
        ("--unverified-key", target.unverified_key, False),
        ("--rate-limited-key", target.rate_limited_key, False),
    )
    for flag, key, verified in probes:
        if key is None:
            continue
        answer = _get(client, target.base_url, "/invoices", params={"per_page": 1}, headers={"X-API-Key": key})
        if answer.status_code == 401:
            raise UsageError(f"the target refused {flag} as unknown (401 on GET /invoices); check the key")
        if answer.status_code == 403 and verified:
            raise UsageError(
                f"the target answered 403 to {flag}: its organization is not verified; "
                "give a verified organization's key"
            )


def _check_control(client: BoundedClient, control_url: str) -> None:
    url = f"{control_url}/clock"
    try:
        answer = client.get(url)
    except httpx.HTTPError as exc:
        raise UsageError(
            f"control API {control_url} is unreachable ({type(exc).__name__}); "
            "start it, fix --control-url / APIPAY_CONTROL_URL, or pass --no-control"
        ) from None
    body = _json(answer)
    now = body.get("now") if isinstance(body, dict) else None
    if answer.status_code != 200 or not isinstance(now, str) or not _is_datetime(now):
        raise UsageError(
            f"--control-url {control_url} is not a control API: GET {url} answered {answer.status_code}, not "
            '{"now": date-time}; give the mock\'s /_control root (APIPAY_CONTROL_URL) or pass --no-control'
        )


def _json(answer: httpx.Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None


def _is_datetime(text: str) -> bool:
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True
