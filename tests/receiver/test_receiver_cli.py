"""``apipay-harness receiver`` as a user runs it: exit codes, one-line refusals, the four reports, no secret leaked."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from apipay_harness.core.versions import version_names
from apipay_harness.report import REPORT_FILES
from tests.cli_run import Done, harness
from tests.receiver import receivers
from tests.receiver.hostile import MODES, hostile_receiver
from tests.receiver.receivers import SECRET, serving

_FRAGMENT = 8


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _judge(tmp_path: Path, url: str, *flags: str, timeout: float = 120) -> Done:
    """``apipay-harness receiver --url URL --secret SECRET FLAGS…`` run as a user runs it."""
    return harness(["receiver", "--url", url, "--secret", SECRET, *flags], cwd=tmp_path, timeout=timeout)


def _one_line_refusal(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.mark.parametrize("version", version_names())
def test_documented_receiver_passes_and_gets_the_four_reports(tmp_path: Path, version: str) -> None:
    with serving(receivers.documented()) as served:
        done = _judge(
            tmp_path,
            served.url,
            *("--api-version", version, "--probe-url", served.probe_url),
            *("--report-dir", str(tmp_path / "out")),
        )
    assert done.code == 0, done.stdout + done.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(REPORT_FILES)
    report = json.loads((tmp_path / "out" / "conformance.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "passed"
    assert done.stdout.strip().endswith(f"report in {tmp_path / 'out'}/")


def test_sloppy_receiver_exits_1_and_names_each_failure(tmp_path: Path) -> None:
    with serving(receivers.fails_on_duplicate()) as served:
        done = _judge(tmp_path, served.url)
    assert done.code == 1
    assert "failed: duplicate_delivery_accepted [invoice.status_changed paid]: the same delivery sent twice" in (
        done.stdout
    )
    assert (tmp_path / "reports" / "junit.xml").is_file()


def test_unreachable_url_is_refused_on_one_line(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/webhook"
    done = _judge(tmp_path, url, timeout=60)
    assert done.code == 2
    line = _one_line_refusal(done.stderr)
    assert f"--url {url} is unreachable (connection refused)" in line
    assert not (tmp_path / "reports" / "conformance.json").exists()


@pytest.mark.parametrize(
    ("flags", "says"),
    [
        pytest.param(["--answer-within", "31"], "--answer-within may only lower the documented 30 s", id="laxer"),
        pytest.param(["--answer-within", "0"], "--answer-within may only lower", id="zero"),
        pytest.param(["--answer-within", "soon"], "--answer-within must be a number", id="not-a-number"),
        pytest.param(
            ["--api-version", "1999-01-01"],
            "unknown API version '1999-01-01'; valid versions:",
            id="unknown-version",
        ),
        pytest.param(["--secret", ""], "--secret is empty", id="empty-secret"),
        pytest.param(["--url", "ftp://127.0.0.1/hook"], "--url must be an http:// or https:// URL", id="scheme"),
        pytest.param(["--probe-url", "not a url"], "--probe-url must be an http:// or https:// URL", id="probe-url"),
    ],
)
def test_bad_flags_are_refused_on_one_line(tmp_path: Path, flags: list[str], says: str) -> None:
    args = ["receiver", "--url", "http://127.0.0.1:9/webhook", "--secret", SECRET, *flags]
    done = harness(args, cwd=tmp_path, timeout=60)
    assert done.code == 2
    assert says in _one_line_refusal(done.stderr)


def test_missing_secret_is_refused(tmp_path: Path) -> None:
    done = harness(["receiver", "--url", "http://127.0.0.1:9/webhook"], cwd=tmp_path, timeout=60)
    assert done.code == 2
    assert "--secret" in _one_line_refusal(done.stderr)


def test_unwritable_report_dir_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory", encoding="utf-8")
    with serving(receivers.documented()) as served:
        done = _judge(
            tmp_path, served.url, "--probe-url", served.probe_url, "--report-dir", str(blocker / "reports"), timeout=60
        )
    assert done.code == 2
    assert "cannot write the report to" in _one_line_refusal(done.stderr)


def test_probe_that_breaks_its_contract_is_refused(tmp_path: Path) -> None:
    with serving(receivers.documented()) as served:
        done = _judge(tmp_path, served.url, "--probe-url", served.url, timeout=60)
    assert done.code == 2
    assert "--probe-url does not follow the probe contract" in _one_line_refusal(done.stderr)


def test_no_piece_of_the_secret_reaches_output_or_reports(tmp_path: Path) -> None:
    """The receiver echoes the secret and parts of it in every answer; none of it may be written anywhere."""
    with serving(receivers.echoes_secret()) as served:
        done = _judge(tmp_path, served.url, "--report-dir", str(tmp_path / "out"))
    assert done.code == 0, done.stdout + done.stderr
    texts = {"stdout": done.stdout, "stderr": done.stderr}
    texts |= {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "out").iterdir()}
    fragments = {SECRET[i : i + _FRAGMENT] for i in range(len(SECRET) - _FRAGMENT + 1)}
    leaks = {name: [f for f in fragments if f in text] for name, text in texts.items()}
    assert not any(leaks.values()), leaks
    assert "sha256=" in texts["conformance.json"] or "answered 401" in texts["conformance.json"]


@pytest.mark.parametrize("mode", MODES)
def test_hostile_receiver_ends_the_run_with_a_verdict(tmp_path: Path, mode: str) -> None:
    with hostile_receiver(mode) as url:
        done = _judge(tmp_path, url, "--answer-within", "1", "--report-dir", str(tmp_path))
    assert done.code == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads((tmp_path / "conformance.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "failed"
    # The flood answers 200 at once (to forgeries too); the others never give a usable answer in time.
    judged = "wrong_signature_rejected" if mode == "flood" else "signed_delivery_accepted"
    verdicts = {c["verdict"] for c in report["checks"] if c["check"] == judged}
    assert verdicts <= {"failed", "error"} and "failed" in verdicts, verdicts


def test_list_checks_prints_the_generated_table(tmp_path: Path) -> None:
    from apipay_harness.receiver.doc import check_table

    done = harness(["receiver", "--list-checks"], cwd=tmp_path, timeout=60)
    assert done.code == 0
    assert done.stdout == check_table()
