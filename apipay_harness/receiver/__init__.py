"""``apipay-harness receiver``: judge a merchant's webhook endpoint against the documented webhook contract.

| module | job |
|---|---|
| ``rules`` | the events, statuses, answer time and signature header, read from the spec |
| ``payloads`` | realistic deliveries built from the event schemas, and their tampered copies |
| ``signing`` | the ``sha256=<hex HMAC>`` signature |
| ``exchange`` | one bounded request to the receiver |
| ``probe`` | the optional probe that says how often the receiver processed an event |
| ``judge`` | what the checks share: fresh invoices, signed sends, findings |
| ``checks`` | the registered checks |
| ``run`` | flags, preflight, reports, exit code |
"""

from __future__ import annotations

from apipay_harness.receiver.checks import CHECKS
from apipay_harness.receiver.run import NOT_SENT, ReceiverOptions, ReceiverOutcome, run_receiver

__all__ = ["CHECKS", "NOT_SENT", "ReceiverOptions", "ReceiverOutcome", "run_receiver"]
