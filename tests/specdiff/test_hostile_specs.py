"""Specs built to hurt: the diff refuses them with one line (exit 2) instead of hanging or crashing."""

from __future__ import annotations

from pathlib import Path

import pytest

from apipay_harness.cli import main
from apipay_harness.specdiff import loader

SEED = Path(__file__).parents[2] / "openapi" / "apipay.yaml"


def run_diff(capsys: pytest.CaptureFixture[str], old: Path, new: Path) -> tuple[int, str]:
    code = main(["diff", str(old), str(new)])
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("error: "), err
    return code, err


def test_alias_bomb_is_refused_not_walked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Twelve levels of ten YAML aliases is 10**12 paths through one small file."""
    lines = ["openapi: 3.1.0", "x-levels:", "  l0: &l0 {type: string}"]
    for level in range(1, 13):
        props = ", ".join(f"p{i}: *l{level - 1}" for i in range(10))
        lines.append(f"  l{level}: &l{level} {{type: object, properties: {{{props}}}}}")
    lines += ["paths:", "  /x:", "    get:", "      responses:", "        '200':", "          description: ok"]
    lines += ["          content: {application/json: {schema: *l12}}"]
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text(bomb.read_text(encoding="utf-8").replace("type: string", "type: integer"), encoding="utf-8")
    code, err = run_diff(capsys, bomb, other)
    assert code == 2
    assert "too large to compare" in err


@pytest.mark.parametrize("depth", [450, 600], ids=["deeper-than-the-diff-walks", "deeper-than-yaml-reads"])
def test_deep_nesting_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str], depth: int) -> None:
    schema = "{type: string}"
    for _ in range(depth):
        schema = f"{{type: object, properties: {{a: {schema}}}}}"
    deep = tmp_path / "deep.yaml"
    deep.write_text(
        f"openapi: 3.1.0\npaths:\n  /x:\n    get:\n      responses:\n        '200':\n          description: ok\n"
        f"          content: {{application/json: {{schema: {schema}}}}}\n",
        encoding="utf-8",
    )
    code, err = run_diff(capsys, deep, deep)
    assert code == 2
    assert "deeply" in err or "nesting depth" in err


def test_ref_loop_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    loop = tmp_path / "loop.yaml"
    loop.write_text(
        "openapi: 3.1.0\npaths:\n  /x:\n    get:\n      responses:\n        '200': {$ref: '#/components/responses/A'}\n"
        "components:\n  responses:\n"
        "    A: {$ref: '#/components/responses/B'}\n    B: {$ref: '#/components/responses/A'}\n",
        encoding="utf-8",
    )
    code, err = run_diff(capsys, SEED, loop)
    assert code == 2
    assert "refers to itself" in err


def test_oversized_file_is_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(loader, "MAX_SPEC_BYTES", 1000)
    code, err = run_diff(capsys, SEED, SEED)
    assert code == 2
    assert "more than the 1000 a spec may have" in err
