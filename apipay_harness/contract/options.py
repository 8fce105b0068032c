"""The options of a contract run, declared once: ``apipay-harness contract``, the pytest plugin and ``APIPAY_*``.

``CONTRACT_OPTIONS`` lists every option; ``RunOptions`` holds one run's values under the same names. The command
line's flags (``cli``), the plugin's ``--base-url``/``--apipay-base-url`` pairs (``contract.plugin``), the
environment variables (``core.options``) and the command line that starts a run in another process
(``command_line``, used by the selftest) are all derived from that one list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from apipay_harness.core.errors import UsageError
from apipay_harness.core.options import API_VERSION, CONTROL, REPORT_DIR, TARGET_OPTIONS, Option
from apipay_harness.core.spec import SIMULATE_STATUS_PATH, load_spec
from apipay_harness.core.target import Profile, Target
from apipay_harness.core.versions import get_version

__all__ = ["CONTRACT_OPTIONS", "KEYWORD", "QUICK", "SEED", "RunOptions"]

QUICK = Option(
    "quick", "--quick", "Fewer examples and shorter state machines: for CI gates.", kind="flag", default=False
)
KEYWORD = Option("keyword", "-k", "Only the checks matching EXPR (pytest -k).", metavar="EXPR", pytest=False)
SEED = Option("seed", "--seed", "Replay a run [default: a fresh one, printed with the replay command].", kind="int")

CONTRACT_OPTIONS: tuple[Option, ...] = (*TARGET_OPTIONS, CONTROL, API_VERSION, REPORT_DIR, QUICK, KEYWORD, SEED)
"""Every option of a contract run, in the order ``--help`` lists them."""


@dataclass(frozen=True, slots=True)
class RunOptions:
    """The values of one contract run, one field per entry of ``CONTRACT_OPTIONS`` (a test keeps them equal)."""

    base_url: str | None = None
    api_key: str | None = None
    api_key_2: str | None = None
    unverified_key: str | None = None
    rate_limited_key: str | None = None
    control_url: str | None = None
    no_control: bool = False
    profile: Profile = "sandbox"
    control: str = "api"
    """``api`` (a control API drives payments) or ``sandbox`` (the API's simulate-status does)."""
    api_version: str | None = None
    """The provider's API version the suites speak (None: the default)."""
    report_dir: str | None = None
    """None: no report (a plain pytest run asked for none); the command always gives one."""
    quick: bool = False
    keyword: str | None = None
    seed: int | None = None

    @classmethod
    def from_values(cls, values: Mapping[str, object]) -> RunOptions:
        """The run ``values`` (option name → value, as any adapter parsed them) describe; unknown names are ignored."""
        known = {f.name for f in fields(cls)}
        given = {name: value for name, value in values.items() if name in known and value is not None}
        if "seed" in given:
            given["seed"] = int(str(given["seed"]))
        if given.get("report_dir") is not None:
            given["report_dir"] = str(given["report_dir"])
        for flag in ("no_control", "quick"):
            if flag in given:
                given[flag] = bool(given[flag])
        return cls(**given)  # type: ignore[arg-type]

    @property
    def mode(self) -> str:
        """``quick`` or ``default``."""
        return "quick" if self.quick else "default"

    def build_target(self, environ: Mapping[str, str] | None = None) -> Target | None:
        """The target the flags and ``APIPAY_*`` name; ``None`` means: start the embedded mock.

        Raises ``UsageError`` on clashing flags, a target without a key, or ``--control sandbox`` on an API
        version without simulate-status. Nothing is sent: the preflight (``core.preflight.check_target``) judges
        the target once, before any suite starts.
        """
        if self.control == "sandbox" and SIMULATE_STATUS_PATH not in load_spec(version=self.api_version).get(
            "paths", {}
        ):
            version = get_version(self.api_version).name
            raise UsageError(
                f"--control sandbox needs the sandbox's simulate-status, which API {version} does not have"
            )
        return Target.from_options(
            base_url=self.base_url,
            api_key=self.api_key,
            api_key_2=self.api_key_2,
            control_url=self.control_url,
            no_control=self.no_control,
            unverified_key=self.unverified_key,
            rate_limited_key=self.rate_limited_key,
            profile=self.profile,
            control=self.control,
            api_version=self.api_version,
            environ=environ,
        )

    def command_line(self) -> list[str]:
        """``contract`` and its flags for these values, for a run in another process (keys included)."""
        args = ["contract"]
        for option in CONTRACT_OPTIONS:
            value = getattr(self, option.name)
            if option.kind == "flag":
                if value:
                    args.append(option.flag)
            elif value is not None and value != option.default:
                args += [option.flag, str(value)]
        return args
