"""The contract suites: pytest modules that judge any ApiPay target (run them with ``apipay-harness contract``)."""

from __future__ import annotations

__all__: list[str] = []
