"""The fault catalog itself: every entry is described, and an unknown name is refused by name.

That each fault really breaks its rule, and that a test here notices, is test_killers.py's job.
"""

from __future__ import annotations

import pytest

from apipay_harness.core.errors import UsageError
from apipay_harness.mock import FAULTS
from apipay_harness.mock.faults import Faults


def test_every_fault_has_a_description_and_a_hook() -> None:
    assert len(FAULTS) >= 6
    for fault in FAULTS.values():
        assert fault.description.endswith(".") and fault.hook


def test_unknown_fault_is_a_usage_error_listing_names() -> None:
    with pytest.raises(UsageError, match="tenant_leak_get"):
        Faults(["nope"])
