"""The ``--apipay-*`` options as Locust parses them, on a parser like Locust's (configargparse, without gevent)."""

from __future__ import annotations

from argparse import Action, Namespace
from pathlib import Path
from typing import Any

import configargparse
import pytest

from apipay_harness.core.options import ENV_VARS
from apipay_harness.loadrun.locust_options import (
    API_KEY,
    OPTIONS,
    RunSettings,
    add_options,
    control_url,
    master_args,
    run_settings,
    user_settings,
)
from apipay_harness.loadrun.thresholds import Thresholds


class _LocustLikeParser(configargparse.ArgumentParser):
    """configargparse plus the keywords Locust's own parser takes (``is_secret``, ``include_in_web_ui``)."""

    def add_argument(self, *args: Any, **kwargs: Any) -> Action:
        secret = kwargs.pop("is_secret", False)
        in_web_ui = kwargs.pop("include_in_web_ui", True)
        action = super().add_argument(*args, **kwargs)
        action.is_secret = secret  # type: ignore[attr-defined]
        action.include_in_web_ui = in_web_ui  # type: ignore[attr-defined]
        return action


def _parse(args: list[str], env: dict[str, str] | None = None) -> tuple[Namespace, _LocustLikeParser]:
    parser = _LocustLikeParser()
    add_options(parser)
    return parser.parse_args(args, env_vars=env or {}), parser


def test_locust_options_parse_the_runner_command_line_back_to_what_it_was_given(tmp_path: Path) -> None:
    thresholds = Thresholds(max_p95_ms=12.5, max_fail_ratio=0.05, min_rps=3.0)
    args = master_args(
        run_file=tmp_path / "run.json", max_requests=151, thresholds=thresholds, cancel_deadline=7.5,
        think_time=0.0, control="http://10.0.0.1/_control", no_control=False,
    )  # fmt: skip
    options, _ = _parse(list(args), {ENV_VARS["api_key"]: "sk-from-env"})
    assert run_settings(options) == RunSettings(
        thresholds=thresholds, max_requests=151, run_file=str(tmp_path / "run.json"), cancel_deadline=7.5
    )
    user = user_settings(options, host="https://staging.example/api/v1")
    assert (user.api_key, user.control_url, user.cancel_deadline, user.think_time) == (
        "sk-from-env", "http://10.0.0.1/_control", 7.5, 0.0,
    )  # fmt: skip


def test_locust_options_never_put_the_key_on_the_command_line(tmp_path: Path) -> None:
    args = master_args(
        run_file=tmp_path / "r", max_requests=0, thresholds=Thresholds(), cancel_deadline=30.0, think_time=0.2,
        control=None, no_control=True,
    )  # fmt: skip
    assert API_KEY.flag not in args and "--apipay-no-control" in args


def test_locust_options_key_is_a_secret_read_from_the_same_variable_as_the_target() -> None:
    _, parser = _parse([])
    (action,) = [a for a in parser._actions if a.dest == API_KEY.dest]
    assert action.is_secret and API_KEY.env_var == ENV_VARS["api_key"]  # type: ignore[attr-defined]


def test_locust_options_defaults_match_the_settings_without_options() -> None:
    options, _ = _parse([])
    assert run_settings(options) == run_settings(None)
    assert user_settings(options, host=None) == user_settings(Namespace(), host=None)
    assert {option.dest for option in OPTIONS} <= set(vars(options))


@pytest.mark.parametrize(
    ("args", "host", "expected"),
    [
        pytest.param([], "http://127.0.0.1:8080/api/v1", "http://127.0.0.1:8080/_control", id="loopback-derived"),
        pytest.param([], "https://staging.example/api/v1", None, id="remote-none"),
        pytest.param(["--apipay-control-url", "http://c/ctl/"], "https://s/api/v1", "http://c/ctl", id="given"),
        pytest.param(["--apipay-no-control"], "http://127.0.0.1:8080/api/v1", None, id="no-control"),
    ],
)
def test_locust_options_control_url(args: list[str], host: str, expected: str | None) -> None:
    options, _ = _parse(args)
    assert control_url(options, host=host) == expected
