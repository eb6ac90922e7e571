"""Bad CLI input gets a clear Chinese error and exit status 2; good input works."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from govsite.cli import main


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["farm", "manifest", "--sites", "0"], "--sites"),
        (["farm", "manifest", "--sites", "abc"], "--sites"),
        (["farm", "manifest", "--sites", "999999"], "--sites"),
        (["farm", "manifest", "--seed", "-1"], "--seed"),
        (["farm", "manifest", "--seed", "x1"], "--seed"),
        (["farm", "manifest", "--as-of", "2017-13-01"], "--as-of"),
        (["farm", "manifest", "--as-of", "yesterday"], "--as-of"),
        (["farm", "manifest", "--port", "70000"], "--port"),
        (["farm", "serve", "--sites", "-5"], "--sites"),
        (["farm", "serve", "--time-warp", "0"], "--time-warp"),
        (["farm", "serve", "--time-warp", "fast"], "--time-warp"),
        (["farm", "manifest", "--opt-in", "stale_replies,nonsense"], "--opt-in"),
    ],
)
def test_bad_input(args: list[str], needle: str) -> None:
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 2
    assert "错误" in r.output and needle in r.output
    assert "Traceback" not in r.output


def test_manifest_cli(tmp_path) -> None:  # noqa: ANN001
    out = tmp_path / "m.json"
    r = CliRunner().invoke(main, ["farm", "manifest", "--sites", "4", "--seed", "2", "--as-of", "2017-09-14",
                                  "--port", "9000", "-o", str(out)])
    assert r.exit_code == 0, r.output
    m = json.loads(out.read_text(encoding="utf-8"))
    assert m["as_of"] == "2017-09-14" and m["seed"] == 2 and len(m["sites"]) == 4
    assert all(s["url"].endswith(":9000/") for s in m["sites"])


def test_manifest_opt_in_kinds(tmp_path) -> None:  # noqa: ANN001
    """--opt-in seeds the off-by-default kinds on some sites; without it none appear."""
    def kinds(*extra: str) -> set[str]:
        out = tmp_path / "m.json"
        r = CliRunner().invoke(main, ["farm", "manifest", "--sites", "40", "--seed", "7", "--as-of", "2017-09-14",
                                      "-o", str(out), *extra])
        assert r.exit_code == 0, r.output
        return {d["kind"] for s in json.loads(out.read_text(encoding="utf-8"))["sites"] for d in s["defects"]}

    assert not kinds() & {"stale_replies", "slow_replies"}
    assert {"stale_replies", "slow_replies"} <= kinds("--opt-in", "stale_replies", "--opt-in", "slow_replies")
    assert kinds("--opt-in", "slow_replies") & {"stale_replies", "slow_replies"} == {"slow_replies"}


def test_export_refuses_non_empty_dir(tmp_path) -> None:  # noqa: ANN001
    (tmp_path / "x").write_text("keep")
    r = CliRunner().invoke(main, ["farm", "export", str(tmp_path), "--sites", "1"])
    assert r.exit_code == 2 and "非空" in r.output
    assert (tmp_path / "x").read_text() == "keep"


def test_serve_port_in_use_is_clear_error() -> None:
    import socket
    import subprocess
    import sys
    from pathlib import Path

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = subprocess.run([str(Path(sys.executable).with_name("govsite")), "farm", "serve", "--sites", "2",
                            "--port", str(port)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "错误" in r.stderr and str(port) in r.stderr and "Traceback" not in r.stderr
