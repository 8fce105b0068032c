"""The contract options are declared once: the command line, the pytest plugin and ``APIPAY_*`` read them alike.

Every value is parsed by the real parsers (click's for ``apipay-harness contract``, pytest's for the plugin) from
a command line written from the declarations, so an option added to ``CONTRACT_OPTIONS`` is checked here without
touching this file.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from _pytest.config.argparsing import Parser

from apipay_harness.cli import cli
from apipay_harness.contract import plugin
from apipay_harness.contract.options import CONTRACT_OPTIONS, RunOptions
from apipay_harness.core.errors import UsageError
from apipay_harness.core.options import CONTROL_CLASH, ENV_VARS, TARGET_OPTIONS, Option
from apipay_harness.core.target import Target

SAMPLE = RunOptions(
    base_url="http://127.0.0.1:9/api/v1",
    api_key="key-one",
    api_key_2="key-two",
    unverified_key="key-unverified",
    rate_limited_key="key-limited",
    control_url="http://127.0.0.1:9/_control",
    no_control=False,
    profile="production",
    api_version="2.1",
    report_dir="out",
    quick=True,
    keyword="test_auth or test_bounds",
    seed=4242,
)
"""Every option set to something other than its default (``no_control`` and ``control`` are tried below)."""


def _by_click(args: list[str]) -> RunOptions:
    command = cli.commands["contract"]
    context = command.make_context("contract", list(args))
    return RunOptions.from_values(context.params)


def _pytest_parser() -> Parser:
    parser = Parser()
    parser.getgroup("general")._addoption("-k", dest="keyword", default="")  # pytest's own, as pytest declares it
    plugin.pytest_addoption(parser)
    return parser


def _by_pytest(args: list[str]) -> RunOptions:
    namespace = _pytest_parser().parse(args)
    values: dict[str, object] = {option.name: getattr(namespace, option.dest) for option in plugin.PYTEST_OPTIONS}
    values["keyword"] = namespace.keyword or None
    return RunOptions.from_values(values)


def _pytest_args(options: RunOptions, *, own_spelling: bool) -> list[str]:
    """The plugin's flags for ``options``: ``--base-url`` … or ``--apipay-base-url`` …"""
    args = options.command_line()[1:]
    if not own_spelling:
        return args
    renamed = {option.flag: option.pytest_flag for option in plugin.PYTEST_OPTIONS}
    return [renamed.get(arg, arg) for arg in args]


def test_the_options_model_has_one_field_per_declared_option_in_order() -> None:
    assert [f.name for f in dataclasses.fields(RunOptions)] == [option.name for option in CONTRACT_OPTIONS]
    assert len({option.flag for option in CONTRACT_OPTIONS}) == len(CONTRACT_OPTIONS)


def test_every_declared_option_is_a_flag_of_the_command_and_of_the_plugin() -> None:
    command_flags = {flag for param in cli.commands["contract"].params for flag in param.opts}
    assert command_flags == {option.flag for option in CONTRACT_OPTIONS}
    parser = _pytest_parser()
    parsed = parser.parse([])
    for option in plugin.PYTEST_OPTIONS:
        assert hasattr(parsed, option.dest)
        assert option.flag in _pytest_help(parser) and option.pytest_flag in _pytest_help(parser)
    assert {option.name for option in CONTRACT_OPTIONS if not option.pytest} == {"keyword"}


def _pytest_help(parser: Parser) -> str:
    return "\n".join(" ".join(opt.names()) for group in parser._groups for opt in group.options)


@pytest.mark.parametrize(
    "options",
    [
        SAMPLE,
        dataclasses.replace(SAMPLE, control_url=None, no_control=True),
        dataclasses.replace(SAMPLE, control_url=None, control="sandbox"),
    ],
)
def test_the_command_line_and_the_plugin_read_the_same_values(options: RunOptions) -> None:
    args = options.command_line()
    assert args[0] == "contract"
    assert _by_click(args[1:]) == options
    assert _by_pytest(_pytest_args(options, own_spelling=False)) == options
    assert _by_pytest(_pytest_args(options, own_spelling=True)) == options


def test_the_command_line_and_the_plugin_share_their_defaults() -> None:
    by_click = _by_click([])
    by_pytest = _by_pytest([])
    assert by_click == RunOptions(report_dir="reports")  # the command always writes a report
    assert by_pytest == RunOptions()  # a plain pytest run writes one only when asked
    assert dataclasses.replace(by_click, report_dir=None) == by_pytest


def test_every_variable_builds_the_target_its_flag_builds() -> None:
    flagged = SAMPLE.build_target(environ={})
    with_env = [option for option in TARGET_OPTIONS if option.env]
    assert {option.name for option in with_env} == set(ENV_VARS) == {"base_url", "api_key", "api_key_2", "control_url"}
    environ = {str(option.env): str(getattr(SAMPLE, option.name)) for option in with_env}
    unset = dataclasses.replace(SAMPLE, base_url=None, api_key=None, api_key_2=None, control_url=None)
    assert unset.build_target(environ=environ) == flagged
    other = {name: f"{value}-other" for name, value in environ.items()}
    assert SAMPLE.build_target(environ=other) == flagged  # a flag wins over its variable


def test_every_variable_is_named_in_the_help_of_both_adapters() -> None:
    click_help = {param.name: getattr(param, "help", "") for param in cli.commands["contract"].params}
    for option in CONTRACT_OPTIONS:
        if option.env:
            assert option.env in str(click_help[option.name])
            assert option.env in plugin.addoption_kwargs(option)["help"]


def test_no_control_overrides_the_control_url_variable() -> None:
    options = RunOptions(base_url="http://127.0.0.1:9/api/v1", api_key="k", no_control=True)
    target = options.build_target(environ={"APIPAY_CONTROL_URL": "http://127.0.0.1:9/_control"})
    assert target is not None and target.control_url is None


@pytest.mark.parametrize("base_url", [None, "http://127.0.0.1:9/api/v1"])
def test_control_url_with_no_control_is_refused_with_or_without_a_target(base_url: str | None) -> None:
    options = RunOptions(base_url=base_url, api_key="k", control_url="http://127.0.0.1:9/_control", no_control=True)
    with pytest.raises(UsageError, match="contradict"):
        options.build_target(environ={})
    with pytest.raises(UsageError, match="contradict"):
        Target.from_options(base_url=base_url, api_key="k", control_url="http://x/_control", no_control=True)


def test_the_control_clash_is_worded_and_checked_in_one_place() -> None:
    package = Path(__file__).resolve().parents[2] / "apipay_harness"
    sayers = [p for p in package.rglob("*.py") if "contradict each other" in p.read_text(encoding="utf-8")]
    assert [p.relative_to(package).as_posix() for p in sayers] == ["core/options.py"]
    checkers = [p for p in package.rglob("*.py") if re.search(r"\bcheck_control\(", p.read_text(encoding="utf-8"))]
    assert sorted(p.relative_to(package).as_posix() for p in checkers) == ["core/options.py", "core/target.py"]
    assert "--control-url" in CONTROL_CLASH and "--no-control" in CONTROL_CLASH


def test_a_run_without_a_base_url_is_the_embedded_mock() -> None:
    assert RunOptions().build_target(environ={}) is None
    assert RunOptions().build_target(environ={"APIPAY_BASE_URL": "http://127.0.0.1:9/api/v1", "APIPAY_API_KEY": "k"})


def test_secret_options_are_the_keys() -> None:
    secret = {option.name for option in CONTRACT_OPTIONS if option.secret}
    assert secret == {"api_key", "api_key_2", "unverified_key", "rate_limited_key"}
    assert all(isinstance(option, Option) for option in CONTRACT_OPTIONS)


@pytest.mark.parametrize(
    ("extra", "names"),
    [({"control_url": "http://127.0.0.1:9/_control"}, "--control-url"), ({"no_control": True}, "--no-control")],
)
def test_sandbox_control_with_a_control_api_is_refused(extra: dict[str, object], names: str) -> None:
    options = dataclasses.replace(RunOptions(api_key="k", api_version="2.1", control="sandbox"), **extra)
    with pytest.raises(UsageError, match=f"drop {names}"):
        options.build_target(environ={})


def test_sandbox_control_ignores_the_control_url_variable() -> None:
    options = RunOptions(base_url="http://127.0.0.1:9/api/v1", api_key="k", api_version="2.1", control="sandbox")
    target = options.build_target(environ={"APIPAY_CONTROL_URL": "http://127.0.0.1:9/_control"})
    assert target is not None and target.control_url is None and target.sandbox_control


def test_sandbox_control_needs_a_version_with_simulate_status() -> None:
    with pytest.raises(UsageError, match="simulate-status, which API 2026-02-13 does not have"):
        RunOptions(control="sandbox").build_target(environ={})
