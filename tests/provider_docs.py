"""Where the provider's published documents are, for tests that judge against them.

They are read in place (``../shared/provider`` beside the checkout, or ``APIPAY_PROVIDER_DIR``), never copied into the
project. CI sets ``APIPAY_REQUIRE_PROVIDER_EXAMPLES=1`` so that a missing folder fails instead of skipping.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

__all__ = ["PROVIDER_DIR", "provider_file", "require_provider"]

PROVIDER_DIR = Path(
    os.environ.get("APIPAY_PROVIDER_DIR") or Path(__file__).resolve().parents[1].parent / "shared" / "provider"
)
"""The provider's dated folders (``2026-02-13/``, ``2026-04-08/``, ``2026-08-24/``)."""


def require_provider(what: str) -> None:
    """Skip (or, in CI, fail) a test whose provider document is missing."""
    if os.environ.get("APIPAY_REQUIRE_PROVIDER_EXAMPLES") == "1":
        pytest.fail(f"{what}; APIPAY_REQUIRE_PROVIDER_EXAMPLES=1 demands it")
    pytest.skip(what)


def provider_file(*parts: str) -> Path:
    """A file of the provider's documents; the calling test skips (fails in CI) when it is absent."""
    path = PROVIDER_DIR.joinpath(*parts)
    if not path.is_file():
        require_provider(f"the provider's document is not at {path} (set APIPAY_PROVIDER_DIR)")
    return path
