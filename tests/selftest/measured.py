"""Run one command and measure its peak resident memory honestly: ``python measured.py OUT.json LIMIT_MB -- CMD...``.

The command runs as this small program's only child, so ``RUSAGE_CHILDREN``'s ``ru_maxrss`` after it ends is
the peak of that command (or of its largest descendant) and of nothing else in the test session. While it
runs, its tree is polled with psutil and killed once it passes ``LIMIT_MB``, so a harness that balloons fails
the test without taking the shared machine down with it. OUT.json gets ``{"code", "peak_mb", "killed"}``; the
command's output goes to this program's stdout and stderr.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import threading

import psutil

_POLL = 0.05


def _tree_rss(process: psutil.Process) -> int:
    total = 0
    for proc in [process, *process.children(recursive=True)]:
        try:
            total = max(total, proc.memory_info().rss)
        except psutil.Error:
            continue
    return total


def main(argv: list[str]) -> int:
    out, limit_mb, separator, *cmd = argv
    assert separator == "--" and cmd, "usage: measured.py OUT.json LIMIT_MB -- CMD..."
    limit = float(limit_mb) * 1024 * 1024
    child = subprocess.Popen(cmd, stdin=subprocess.DEVNULL)
    watched = psutil.Process(child.pid)
    polled = 0
    killed = threading.Event()
    while True:
        try:
            code = child.wait(timeout=_POLL)
            break
        except subprocess.TimeoutExpired:
            pass
        try:
            polled = max(polled, _tree_rss(watched))
        except psutil.Error:
            continue
        if polled > limit and not killed.is_set():
            killed.set()
            for proc in [*watched.children(recursive=True), watched]:
                try:
                    proc.kill()
                except psutil.Error:
                    continue
    peak = max(polled, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({"code": code, "peak_mb": round(peak / 1024 / 1024, 1), "killed": killed.is_set()}, handle)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
