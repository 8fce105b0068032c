"""The webhook signature: ``sha256=`` and the hex HMAC-SHA256 of the exact bytes sent, keyed by the secret.

The judge signs on its own (it does not borrow the mock's signer), so a bug in one cannot hide in the other.
"""

from __future__ import annotations

import hashlib
import hmac

from jsonschema import Draft202012Validator

from apipay_harness.core.errors import SpecError
from apipay_harness.core.types import JSONObject

__all__ = ["check_signature_shape", "sign"]

_PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    """The signature header value a provider sends with ``body``."""
    return _PREFIX + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def check_signature_shape(schema: JSONObject) -> None:
    """Refuse to run when the spec's signature header schema no longer describes the signatures made here."""
    sample = sign("apipay-harness", b"{}")
    if not Draft202012Validator(schema).is_valid(sample):
        raise SpecError(f"the spec's signature header schema rejects a {_PREFIX}<hex HMAC-SHA256> value: {schema}")
