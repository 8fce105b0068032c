"""The exit codes of every command, in one place.

| code | means |
|---|---|
| 0 | the target conforms / the thresholds held / every fault caught |
| 1 | violations found (or a fault escaped, for selftest) |
| 2 | could not run: bad arguments, an operator's mistake, a target out of bounds or unreachable |
| 130 | interrupted (Ctrl-C), as shells report a process ended by SIGINT (128 + 2) |
"""

from __future__ import annotations

__all__ = ["EXIT_CANNOT_RUN", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_VIOLATIONS"]

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_CANNOT_RUN = 2
EXIT_INTERRUPTED = 130
