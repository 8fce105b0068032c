"""Command options declared once: each one's flag, type, default, help and environment variable.

The command line (click), the contract suites' pytest plugin and the ``APIPAY_*`` environment all read
an option from its one ``Option`` here, so a flag, its help text and its variable cannot drift apart and
adding an option is one declaration. Nothing here imports click or pytest: each adapter turns an ``Option``
into its own kind of flag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from apipay_harness.core.errors import UsageError
from apipay_harness.core.versions import DEFAULT_VERSION, version_names

__all__ = [
    "API_KEY",
    "API_KEY_2",
    "API_VERSION",
    "BASE_URL",
    "CONTROL",
    "CONTROL_CLASH",
    "CONTROL_MODES",
    "CONTROL_URL",
    "ENV_VARS",
    "NO_CONTROL",
    "PROFILE",
    "PROFILES",
    "RATE_LIMITED_KEY",
    "REPORT_DIR",
    "TARGET_OPTIONS",
    "UNVERIFIED_KEY",
    "Kind",
    "Option",
    "check_control",
    "from_environment",
]

Kind = Literal["text", "int", "flag", "choice", "path"]

PROFILES = ("sandbox", "production")
"""``sandbox``: anything goes; ``production``: nothing destructive, capped invoice creation, cleanup."""

CONTROL_CLASH = "--control-url and --no-control contradict each other; give one of them"

CONTROL_MODES = ("api", "sandbox")
"""``api``: a control API (``/_control``) pays, expires and moves time; ``sandbox``: the API's own
``POST /invoices/{id}/simulate-status`` pays and expires, and no control API is used."""


@dataclass(frozen=True, slots=True)
class Option:
    """One option of a command.

    **name** – the attribute on the options model (``base_url``). **flag** – the command's flag
    (``--base-url``); the pytest plugin also offers ``--apipay-<name>``. **env** – the ``APIPAY_*``
    variable read when the flag is not given. **pytest** – whether the contract suites' plugin offers it
    (``-k`` is pytest's own). **secret** – never written into a command line another process can see.
    """

    name: str
    flag: str
    help: str
    kind: Kind = "text"
    default: str | int | bool | None = None
    env: str | None = None
    choices: tuple[str, ...] = ()
    metavar: str | None = None
    pytest: bool = True
    secret: bool = False
    show_default: bool = False

    @property
    def pytest_flag(self) -> str:
        """The plugin's own spelling, free of clashes with other pytest plugins (``--apipay-base-url``)."""
        return f"--apipay-{self.name.replace('_', '-')}"

    @property
    def dest(self) -> str:
        """Where pytest keeps the value; ``base_url`` is shared with the pytest-base-url plugin on purpose."""
        return "base_url" if self.name == "base_url" else f"apipay_{self.name}"

    @property
    def full_help(self) -> str:
        """The help text with the environment variable named, as every adapter shows it."""
        return f"{self.help} [env {self.env}]" if self.env else self.help


BASE_URL = Option(
    "base_url",
    "--base-url",
    "API root of the target; default: a freshly started mock.",
    metavar="URL",
    env="APIPAY_BASE_URL",
)
API_KEY = Option("api_key", "--api-key", "Organization 1's API key.", metavar="K", env="APIPAY_API_KEY", secret=True)
API_KEY_2 = Option(
    "api_key_2",
    "--api-key-2",
    "A second organization's key, for tenancy.",
    metavar="K2",
    env="APIPAY_API_KEY_2",
    secret=True,
)
UNVERIFIED_KEY = Option(
    "unverified_key", "--unverified-key", "A key of an unverified organization (403 checks).", metavar="K", secret=True
)
RATE_LIMITED_KEY = Option(
    "rate_limited_key",
    "--rate-limited-key",
    "A key with a small per-minute limit (429 checks).",
    metavar="K",
    secret=True,
)
CONTROL_URL = Option(
    "control_url", "--control-url", "The target's control API.", metavar="URL", env="APIPAY_CONTROL_URL"
)
NO_CONTROL = Option(
    "no_control",
    "--no-control",
    "The target has no control API: skip what needs payment, expiry or the clock.",
    kind="flag",
    default=False,
)
PROFILE = Option(
    "profile",
    "--profile",
    "production: nothing destructive, capped invoice creation, cleanup.",
    kind="choice",
    default="sandbox",
    choices=PROFILES,
    show_default=True,
)
CONTROL = Option(
    "control",
    "--control",
    "How invoices are paid and expired: api (the control API) or sandbox (the API's own simulate-status; "
    "no control API is used).",
    kind="choice",
    default="api",
    choices=CONTROL_MODES,
    show_default=True,
)
API_VERSION = Option(
    "api_version",
    "--api-version",
    f"API version: {', '.join(version_names())} [default: {DEFAULT_VERSION}].",
    metavar="V",
)
"""Which version of the provider's API a command speaks; unset means the default version. Its names are the version
registry's, checked there (``get_version``), so an unknown one gets the registry's one message, whatever the command."""
REPORT_DIR = Option(
    "report_dir", "--report-dir", "Where the report goes.", kind="path", default="reports", show_default=True
)

TARGET_OPTIONS = (BASE_URL, API_KEY, API_KEY_2, UNVERIFIED_KEY, RATE_LIMITED_KEY, CONTROL_URL, NO_CONTROL, PROFILE)
"""Where the target is and how to reach it: shared by ``contract`` and (a subset) ``load``."""

ENV_VARS = {option.name: option.env for option in TARGET_OPTIONS if option.env}
"""Option name → its ``APIPAY_*`` variable."""


def check_control(control_url: str | None, no_control: bool, control: str = "api") -> None:
    """The one check of the ``--control-url``/``--no-control``/``--control sandbox`` clashes (``UsageError``)."""
    if control_url and no_control:
        raise UsageError(CONTROL_CLASH)
    if control not in CONTROL_MODES:
        raise UsageError(f"--control must be one of {', '.join(CONTROL_MODES)}, got {control!r}")
    if control == "sandbox" and (control_url or no_control):
        given = "--control-url" if control_url else "--no-control"
        raise UsageError(f"--control sandbox uses no control API; drop {given}")


def from_environment(values: Mapping[str, object], environ: Mapping[str, str]) -> dict[str, object]:
    """``values`` with each option left unset filled from its ``APIPAY_*`` variable (a flag wins over the variable).

    ``APIPAY_CONTROL_URL`` is not read under ``--no-control`` or ``--control sandbox``: the flag says this run uses
    no control API.
    """
    filled = dict(values)
    for option in TARGET_OPTIONS:
        if option is CONTROL_URL and (filled.get(NO_CONTROL.name) or filled.get(CONTROL.name) == "sandbox"):
            continue
        if option.env and not filled.get(option.name):
            filled[option.name] = environ.get(option.env) or None
    return filled
