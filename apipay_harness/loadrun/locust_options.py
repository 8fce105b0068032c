"""The ``--apipay-*`` options of the locustfiles, declared once for Locust's parser, the runner and the users.

Locust reads each option from its flag, its environment variable or its web UI, and a worker gets
the master's values when it is told to spawn users. ``apipay-harness load`` writes its command
line with ``master_args`` and hands the API key over in the environment (``API_KEY.env_var``) only,
so a key never shows in a process list. Nothing here imports locust or gevent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from apipay_harness.core.options import ENV_VARS
from apipay_harness.core.target import DEFAULT_API_KEY
from apipay_harness.core.versions import DEFAULT_VERSION
from apipay_harness.loadrun.audit import DEFAULT_CANCEL_DEADLINE
from apipay_harness.loadrun.thresholds import DEFAULT_MAX_FAIL_RATIO, DEFAULT_MAX_P95_MS, DEFAULT_MIN_RPS, Thresholds

__all__ = [
    "API_KEY",
    "API_VERSION",
    "ArgumentParser",
    "CANCEL_DEADLINE",
    "CONTROL_URL",
    "DEFAULT_THINK_TIME",
    "LocustOption",
    "MAX_FAIL_RATIO",
    "MAX_P95_MS",
    "MAX_REQUESTS",
    "MIN_RPS",
    "NO_CONTROL",
    "OPTIONS",
    "RUN_FILE",
    "RunSettings",
    "THINK_TIME",
    "UserSettings",
    "add_options",
    "control_url",
    "master_args",
    "run_settings",
    "user_settings",
]

DEFAULT_THINK_TIME = 0.2
"""Most seconds a user waits between tasks: enough to look like clients, little enough to load the target."""
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class ArgumentParser(Protocol):
    """Locust's parser as far as these options need it (``env_var``, ``is_secret``, ``include_in_web_ui``)."""

    def add_argument(self, *flags: str, **kwargs: Any) -> object:
        """Declare one option."""


@dataclass(frozen=True, slots=True)
class LocustOption:
    """One ``--apipay-*`` option: its flag, type, default and where else Locust may read it."""

    flag: str
    help: str
    default: str | int | float | bool
    env_var: str | None = None
    secret: bool = False
    in_web_ui: bool = True

    @property
    def dest(self) -> str:
        """The attribute name on Locust's parsed options."""
        return self.flag.removeprefix("--").replace("-", "_")

    def register(self, parser: ArgumentParser) -> None:
        """Declare this option on Locust's parser."""
        kwargs: dict[str, Any] = {"default": self.default, "help": self.help}
        if isinstance(self.default, bool):
            kwargs["action"] = "store_true"
        else:
            kwargs["type"] = type(self.default)
        if self.env_var:
            kwargs["env_var"] = self.env_var
        if self.secret:
            kwargs["is_secret"] = True
        if not self.in_web_ui:
            kwargs["include_in_web_ui"] = False
        parser.add_argument(self.flag, **kwargs)

    def read(self, options: object | None) -> Any:
        """The value in Locust's parsed options (the default when absent)."""
        return getattr(options, self.dest, self.default)


API_KEY = LocustOption(
    "--apipay-api-key", "API key sent as X-API-Key", DEFAULT_API_KEY, env_var=ENV_VARS["api_key"], secret=True
)
CONTROL_URL = LocustOption(
    "--apipay-control-url",
    "control API (/_control) for payments and expiry; derived from a loopback host if unset",
    "",
    env_var=ENV_VARS["control_url"],
)
NO_CONTROL = LocustOption(
    "--apipay-no-control", "the target has no control API: payment steps give way to create -> cancel", False
)
RUN_FILE = LocustOption(
    "--apipay-run-file", "where the master writes records, thresholds and totals at the end", "", in_web_ui=False
)
MAX_REQUESTS = LocustOption("--apipay-max-requests", "hard cap on requests (0: none)", 0)
MAX_P95_MS = LocustOption("--apipay-max-p95-ms", "p95 limit per endpoint", DEFAULT_MAX_P95_MS)
MAX_FAIL_RATIO = LocustOption("--apipay-max-fail-ratio", "failure ratio limit", DEFAULT_MAX_FAIL_RATIO)
MIN_RPS = LocustOption("--apipay-min-rps", "minimum requests/s", DEFAULT_MIN_RPS)
THINK_TIME = LocustOption(
    "--apipay-think-time", "most seconds a user waits between tasks (0: none)", DEFAULT_THINK_TIME
)
CANCEL_DEADLINE = LocustOption(
    "--apipay-cancel-deadline", "seconds an accepted cancel may stay cancelling", DEFAULT_CANCEL_DEADLINE
)
API_VERSION = LocustOption("--apipay-api-version", "the API version the target speaks", DEFAULT_VERSION)
OPTIONS: tuple[LocustOption, ...] = (
    API_KEY,
    API_VERSION,
    CONTROL_URL,
    NO_CONTROL,
    RUN_FILE,
    MAX_REQUESTS,
    MAX_P95_MS,
    MAX_FAIL_RATIO,
    MIN_RPS,
    THINK_TIME,
    CANCEL_DEADLINE,
)


def add_options(parser: ArgumentParser) -> None:
    """Declare every ``--apipay-*`` option (the ``init_command_line_parser`` listener calls this)."""
    for option in OPTIONS:
        option.register(parser)


@dataclass(frozen=True, slots=True)
class UserSettings:
    """What each load user takes from the options."""

    api_key: str = field(repr=False)
    control_url: str | None
    """The control API that pays and expires invoices; ``None``: those steps give way to create → cancel."""
    cancel_deadline: float
    think_time: float
    api_version: str = DEFAULT_VERSION
    """The API version the users speak (its spec's statuses and shapes, its refund rules)."""


@dataclass(frozen=True, slots=True)
class RunSettings:
    """What the process that ends the run takes from the options."""

    thresholds: Thresholds
    max_requests: int
    run_file: str
    cancel_deadline: float


def control_url(options: object | None, *, host: str | None) -> str | None:
    """The control API: as given, else next to a loopback ``…/api/v1`` host, else none (and none with no-control)."""
    if options is None or NO_CONTROL.read(options):
        return None
    given = str(CONTROL_URL.read(options) or "")
    if given:
        return given.rstrip("/")
    parts = urlsplit(host or "")
    if parts.hostname in _LOOPBACK and parts.path.rstrip("/").endswith("/api/v1"):
        return f"{parts.scheme}://{parts.netloc}/_control"
    return None


def user_settings(options: object | None, *, host: str | None) -> UserSettings:
    """The users' settings from Locust's parsed options (the defaults when there are none)."""
    return UserSettings(
        api_key=str(API_KEY.read(options)),
        control_url=control_url(options, host=host),
        cancel_deadline=float(CANCEL_DEADLINE.read(options)),
        think_time=float(THINK_TIME.read(options)),
        api_version=str(API_VERSION.read(options) or DEFAULT_VERSION),
    )


def run_settings(options: object | None) -> RunSettings:
    """The end of the run's settings from Locust's parsed options."""
    return RunSettings(
        thresholds=Thresholds(
            max_p95_ms=float(MAX_P95_MS.read(options)),
            max_fail_ratio=float(MAX_FAIL_RATIO.read(options)),
            min_rps=float(MIN_RPS.read(options)),
        ),
        max_requests=int(MAX_REQUESTS.read(options) or 0),
        run_file=str(RUN_FILE.read(options) or ""),
        cancel_deadline=float(CANCEL_DEADLINE.read(options)),
    )


def master_args(
    *,
    run_file: Path,
    max_requests: int,
    thresholds: Thresholds,
    cancel_deadline: float,
    think_time: float,
    control: str | None,
    no_control: bool,
    api_version: str = DEFAULT_VERSION,
) -> Sequence[str]:
    """The ``--apipay-*`` part of the master's command line (never the key: that goes in the environment)."""
    args = [
        RUN_FILE.flag, str(run_file),
        MAX_REQUESTS.flag, str(max_requests),
        MAX_P95_MS.flag, repr(thresholds.max_p95_ms),
        MAX_FAIL_RATIO.flag, repr(thresholds.max_fail_ratio),
        MIN_RPS.flag, repr(thresholds.min_rps),
        CANCEL_DEADLINE.flag, repr(cancel_deadline),
        THINK_TIME.flag, repr(think_time),
        API_VERSION.flag, api_version,
    ]  # fmt: skip
    if no_control:
        args.append(NO_CONTROL.flag)
    elif control:
        args += [CONTROL_URL.flag, control]
    return args
