"""``python -m apipay_harness`` runs the command line (used to start the mock as a subprocess)."""

from __future__ import annotations

from apipay_harness.cli import run

if __name__ == "__main__":
    run()
