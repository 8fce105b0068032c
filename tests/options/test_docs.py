"""The README and the pages of ``docs/`` agree with the code: every page linked, every flag and default real.

A page per command (``docs/<command>.md``) may only name flags its command's ``--help`` has, with the defaults
the command really uses; any line that runs ``apipay-harness X …`` may only pass flags ``X`` takes. The README
stays short enough for a newcomer and keeps the two first commands at its very top.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
import pytest

from apipay_harness.cli import cli

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
DOCS = REPO / "docs"

COMMAND_PAGES = {
    "contract": "contract.md",
    "mock": "mock.md",
    "load": "load.md",
    "selftest": "selftest.md",
    "lint": "lint.md",
    "receiver": "receiver.md",
    "diff": "diff.md",
}

FIRST_COMMANDS = """```bash
# Set up and run the main job: the contract suites against the embedded mock (report in ./reports)
python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/apipay-harness contract
# Set up and run the tests (what CI runs, via .ci/run)
python3 -m venv .venv && .venv/bin/pip install -q -e '.[test]' && .venv/bin/pytest
```"""

_FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
_LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
_RUN = re.compile(r"apipay-harness (contract|mock|load|selftest|lint|receiver|diff)\b")


def _pages() -> list[Path]:
    return sorted([README, *DOCS.glob("*.md")])


def _options(command: str) -> dict[str, click.Option]:
    params = cli.commands[command].params
    return {flag: param for param in params if isinstance(param, click.Option) for flag in param.opts}


def _joined_lines(text: str) -> list[str]:
    """The text's lines with shell continuations (a trailing backslash) joined."""
    return text.replace("\\\n", " ").splitlines()


def test_readme_is_short_and_starts_with_the_two_first_commands() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 300
    assert text.startswith("# apipay-harness\n\n" + FIRST_COMMANDS + "\n")


def test_every_docs_page_is_linked_from_the_readme() -> None:
    linked = {target for target in _LINK.findall(README.read_text(encoding="utf-8"))}
    pages = {f"docs/{page.name}" for page in DOCS.glob("*.md")}
    assert pages - linked == set()
    assert {f"docs/{page}" for page in COMMAND_PAGES.values()} | {"docs/spec.md", "docs/ci.md"} <= linked
    assert {"docs/writing-checks.md", "docs/writing-faults.md"} <= linked


@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.name)
def test_every_relative_link_leads_to_a_file(page: Path) -> None:
    missing = []
    for target in _LINK.findall(page.read_text(encoding="utf-8")):
        if "://" in target or target.startswith("mailto:"):
            continue
        path = (page.parent / target).resolve()
        if not path.exists():
            missing.append(target)
    assert missing == []


@pytest.mark.parametrize("command", sorted(COMMAND_PAGES))
def test_each_flag_of_a_command_page_table_is_in_its_help(command: str) -> None:
    text = (DOCS / COMMAND_PAGES[command]).read_text(encoding="utf-8")
    options = _options(command)
    rows = [line for line in text.splitlines() if line.startswith("| `--")]
    assert rows, f"docs/{COMMAND_PAGES[command]} has no table of {command}'s flags"
    unknown = [flag for row in rows for flag in _FLAG.findall(row.split(" | ")[0]) if flag not in options]
    assert unknown == []


@pytest.mark.parametrize("command", sorted(COMMAND_PAGES))
def test_each_default_a_command_page_states_is_the_real_one(command: str) -> None:
    text = (DOCS / COMMAND_PAGES[command]).read_text(encoding="utf-8")
    options = _options(command)
    wrong = []
    default_column = False
    for line in text.splitlines():
        if re.match(r"\| (option|flag) \| default \|", line):
            default_column = True
        elif not line.startswith("|"):
            default_column = False
        if not line.startswith("| `--"):
            continue
        cells = [cell.strip() for cell in line.strip("|").split(" | ")]
        flags = _FLAG.findall(cells[0])
        if len(flags) != 1 or flags[0] not in options:
            continue
        real = options[flags[0]].default
        if isinstance(real, bool) or not isinstance(real, int | float | str):
            continue  # a flag, a repeatable option or no default: nothing to compare
        stated = [cells[1]] if default_column else re.findall(r"default:? `?(?:\./)?([\w.]+)`?", line)
        for said in stated:
            if not _same_default(said, real):
                wrong.append((flags[0], said, real))
    assert wrong == []


def _same_default(said: str, real: Any) -> bool:
    word = said.strip("`").split()[0].strip("`").removeprefix("./")
    if isinstance(real, int | float):
        try:
            return float(word) == float(real)
        except ValueError:
            return False
    return word == str(real)


@pytest.mark.parametrize("page", _pages(), ids=lambda p: p.name)
def test_every_command_a_page_runs_takes_the_flags_it_is_given(page: Path) -> None:
    wrong = []
    for line in _joined_lines(page.read_text(encoding="utf-8")):
        for found in _RUN.finditer(line):
            rest = re.split(r"`| #|\||&&|;", line[found.end() :], maxsplit=1)[0]
            options = _options(found.group(1))
            wrong += [(found.group(1), flag) for flag in _FLAG.findall(rest) if flag not in options]
    assert wrong == []


def test_the_report_page_states_the_real_default_folder_and_real_check_ids() -> None:
    text = (DOCS / "report.md").read_text(encoding="utf-8")
    assert _options("contract")["--report-dir"].default == "reports"
    assert "default `reports`" in text and "`report/`" not in text
    suites = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "contracts").rglob("*.py"))
    named = re.findall(r'"check": "(\w+)"', text) + re.findall(r"registry name \(`(\w+)`", text)
    assert named and [check for check in named if check not in suites] == []


def test_no_page_promises_a_selftest_time_the_benchmarks_do_not_record() -> None:
    for page in _pages():
        text = page.read_text(encoding="utf-8")
        assert not re.search(r"selftest[^.]*takes? about \d+ minutes", text), page.name
