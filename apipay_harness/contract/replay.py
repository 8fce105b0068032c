"""The command that replays a contract run: the same seed, selection and target, never a key."""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apipay_harness.contract.options import RunOptions

__all__ = ["replay_command"]


def replay_command(options: RunOptions, *, embedded: bool) -> str:
    """``apipay-harness contract --seed N …`` for the run ``options`` describe.

    Keys are left out: the replay takes them from the same ``--api-key``/``APIPAY_API_KEY`` the user has. A run
    against the embedded mock replays against a fresh one, so its URL is left out too.
    """
    parts = ["apipay-harness", "contract", "--seed", str(options.seed)]
    if options.quick:
        parts.append("--quick")
    if options.keyword:
        parts += ["-k", options.keyword]
    if not embedded and options.base_url:
        parts += ["--base-url", options.base_url]
    if options.no_control:
        parts.append("--no-control")
    elif not embedded and options.control_url:
        parts += ["--control-url", options.control_url]
    if options.control != "api":
        parts += ["--control", options.control]
    if options.api_version is not None:
        parts += ["--api-version", options.api_version]
    if options.profile != "sandbox":
        parts += ["--profile", options.profile]
    return shlex.join(parts)
