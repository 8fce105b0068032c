"""Webhook receivers for the judge to face: one written the way the docs' webhook page prescribes, and sloppy ones
that each make one mistake integrators make. Each is a small Flask app served on a free loopback port.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, abort, jsonify, request
from werkzeug.serving import make_server

SECRET = "whsec_tests_5b1f0c9e7a2d4e68"


def _verify(payload: bytes, signature: str, secret: str) -> bool:
    """The docs' Python verification, verbatim in spirit: HMAC over the raw bytes, compared in constant time."""
    expected = "sha256=" + hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


Key = tuple[str, int, str]
"""What a receiver de-duplicates on: ("invoice", id, status), or ("refund", id, status) for a refund event."""


def _key(event: dict[str, Any], *, by_refund: bool = True) -> Key | None:
    """The docs' idempotency key of an event: its refund's id and status where it carries one (2.1), else the
    invoice's id and status; None for an event about no real invoice (``webhook.test``)."""
    refund = event.get("refund")
    if by_refund and isinstance(refund, dict) and isinstance(refund.get("id"), int):
        return ("refund", int(refund["id"]), str(refund.get("status")))
    invoice = event.get("invoice") or {}
    if isinstance(invoice.get("id"), int):
        return ("invoice", int(invoice["id"]), str(invoice.get("status")))
    return None


def _verified_body(secret: str) -> bytes:
    """The request's raw bytes once their signature checks out; a 401 otherwise."""
    payload = request.get_data()
    if not _verify(payload, request.headers.get("X-Webhook-Signature", ""), secret):
        abort(401)
    return payload


@dataclass
class Ledger:
    """What a receiver did: how often it processed each key."""

    processed: Counter[Key]
    lock: threading.Lock

    def add(self, key: Key | None) -> None:
        if key is not None:
            with self.lock:
                self.processed[key] += 1


def _ledger() -> Ledger:
    return Ledger(Counter(), threading.Lock())


def _add_probe(app: Flask, ledger: Ledger) -> None:
    """The probe contract of docs/receiver.md: how often the key the query names was processed."""

    @app.get("/probe")
    def probe() -> Response:
        try:
            if "refund_id" in request.args:
                key: Key = ("refund", int(request.args["refund_id"]), request.args.get("status", ""))
            else:
                key = ("invoice", int(request.args["invoice_id"]), request.args.get("status", ""))
        except (KeyError, ValueError):
            abort(400)
        with ledger.lock:
            return jsonify(processed=ledger.processed.get(key, 0))


def documented(secret: str = SECRET, *, by_refund: bool = True) -> Flask:
    """As the docs prescribe: verify the signature over the raw bytes, answer 2xx at once, de-duplicate on the
    event's key (``invoice.id`` + ``status``; a refund event of 2.1 on ``refund.id`` + ``refund.status``).

    ``by_refund=False`` keys refund events by the invoice too, as a receiver written for the 2026-02-13 docs does.
    """
    app = Flask("documented" if by_refund else "dedups_refunds_by_invoice")
    ledger = _ledger()
    seen: set[Key] = set()
    lock = threading.Lock()

    @app.post("/webhook")
    def webhook() -> tuple[str, int]:
        payload = _verified_body(secret)
        key = _key(json.loads(payload), by_refund=by_refund)
        if key is not None:
            with lock:
                if key in seen:
                    return "duplicate ignored", 200
                seen.add(key)
            ledger.add(key)
        return "OK", 200

    _add_probe(app, ledger)
    return app


def no_signature_check(secret: str = SECRET) -> Flask:
    """Trusts every request: the signature is never looked at."""
    app = Flask("no_signature_check")

    @app.post("/webhook")
    def webhook() -> tuple[str, int]:
        request.get_json()
        return "OK", 200

    return app


def reserialised_signature(secret: str = SECRET) -> Flask:
    """Verifies the signature over the parsed JSON serialised again (compact, as JavaScript's JSON.stringify),
    not over the bytes received."""
    app = Flask("reserialised_signature")

    @app.post("/webhook")
    def webhook() -> tuple[str, int]:
        event = request.get_json()
        again = json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()
        if not _verify(again, request.headers.get("X-Webhook-Signature", ""), secret):
            abort(401)
        return "OK", 200

    return app


def naive_reserialised_signature(secret: str = SECRET) -> Flask:
    """Verifies the signature over ``json.dumps(request.json)`` with Python's defaults."""
    app = Flask("naive_reserialised_signature")

    @app.post("/webhook")
    def webhook() -> tuple[str, int]:
        again = json.dumps(request.get_json()).encode()
        if not _verify(again, request.headers.get("X-Webhook-Signature", ""), secret):
            abort(401)
        return "OK", 200

    return app


def slow(secret: str = SECRET, *, release: threading.Event | None = None) -> Flask:
    """Fulfils a paid order before answering: the answer to a ``paid`` delivery waits until ``release`` is set."""
    app = Flask("slow")
    gate = release or threading.Event()

    @app.post("/webhook")
    def webhook() -> tuple[str, int]:
        payload = _verified_body(secret)
        invoice = json.loads(payload).get("invoice") or {}
        if invoice.get("status") == "paid":
            gate.wait(timeout=30)
        return "OK", 200

    app.config["release"] = gate
    return app


def fails_on_duplicate(secret: str = SECRET) -> Flask:
    """Inserts each event's key under a unique constraint and lets the violation become a 500."""
    app = Flask("fails_on_duplicate")
    rows: set[Key] = set()
    lock = threading.Lock()

    @app.post("/webhook")
    def webhook() -> tuple[str, int]:
        payload = _verified_body(secret)
        key = _key(json.loads(payload))
        if key is not None:
            with lock:
                if key in rows:
                    return "IntegrityError: duplicate key", 500
                rows.add(key)
        return "OK", 200

    return app


def processes_duplicates(secret: str = SECRET) -> Flask:
    """Answers every correct delivery 2xx but acts on each one again: only its probe can show it."""
    app = Flask("processes_duplicates")
    ledger = _ledger()

    @app.post("/webhook")
    def webhook() -> tuple[str, int]:
        payload = _verified_body(secret)
        ledger.add(_key(json.loads(payload)))
        return "OK", 200

    _add_probe(app, ledger)
    return app


def echoes_secret(secret: str = SECRET) -> Flask:
    """A hostile receiver that puts the secret, and pieces of it, into every answer."""
    app = Flask("echoes_secret")

    @app.post("/webhook")
    def webhook() -> tuple[str, int]:
        payload = request.get_data()
        text = f"secret={secret} half={secret[: len(secret) // 2]} tail={secret[-9:]} mid={secret[3:12]}"
        ok = _verify(payload, request.headers.get("X-Webhook-Signature", ""), secret)
        return text, 200 if ok else 401

    return app


@dataclass(frozen=True)
class Served:
    """A receiver listening on loopback."""

    root: str

    @property
    def url(self) -> str:
        return f"{self.root}/webhook"

    @property
    def probe_url(self) -> str:
        return f"{self.root}/probe"


@contextmanager
def serving(app: Flask, *, on_stop: Callable[[], None] | None = None) -> Iterator[Served]:
    """Serve ``app`` on a free loopback port (threaded) for the block's duration."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_port}")
    finally:
        if on_stop is not None:
            on_stop()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
