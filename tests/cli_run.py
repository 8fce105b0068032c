"""Run ``apipay-harness`` as a user does: a child process with a deadline, shared by the CLI tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Done:
    """A finished command: exit code and output."""

    code: int
    stdout: str
    stderr: str


def harness(args: Sequence[str], *, cwd: Path, timeout: float = 240) -> Done:
    """Run ``python -m apipay_harness ARGS``; a run past ``timeout`` seconds fails the test as a hang."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "apipay_harness", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"apipay-harness {' '.join(args)} hung past {timeout:g}s") from exc
    return Done(done.returncode, done.stdout, done.stderr)
