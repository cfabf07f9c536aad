"""`symbiosis validate` as a user runs it: a real process, exit codes, text and JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from park_builders import BASIC_STREAMS, STREAMS_HEADER, write_park

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "datasets" / "demo_park"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "symbiosis", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=120, check=False)


def test_validate_valid_park(tmp_path: Path) -> None:
    result = run("validate", str(write_park(tmp_path / "p")))
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout and "3 enterprises" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_broken_park_lists_every_problem(tmp_path: Path) -> None:
    rows = [list(r) for r in BASIC_STREAMS]
    rows[0][STREAMS_HEADER.index("quantity")] = "-3"
    rows[1][STREAMS_HEADER.index("material")] = "fly ashh"
    result = run("validate", str(write_park(tmp_path / "p", streams=rows)))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "streams.csv" in result.stdout and "fly ashh" in result.stdout and "-3" in result.stdout
    zh = run("validate", str(write_park(tmp_path / "p", streams=rows)), "--lang", "zh")
    assert "数据包未加载" in zh.stderr and "负数" in zh.stdout


def test_validate_json(tmp_path: Path) -> None:
    rows = [list(r) for r in BASIC_STREAMS]
    rows[2][STREAMS_HEADER.index("unit")] = "parsecs"
    result = run("validate", str(write_park(tmp_path / "p", streams=rows)), "--format", "json")
    data = json.loads(result.stdout)
    assert result.returncode == 1 and data["valid"] is False
    problem = next(p for p in data["problems"] if p["code"] == "unknown_unit")
    assert (problem["file"], problem["row"], problem["column"], problem["value"]) == ("streams.csv", 4, "unit",
                                                                                      "parsecs")
    ok = json.loads(run("validate", str(write_park(tmp_path / "q")), "--format", "json").stdout)
    assert ok["valid"] is True and ok["streams"] == 8


def test_validate_missing_path_and_demo(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "nope"))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    if DEMO.exists():
        demo = run("validate", str(DEMO))
        assert demo.returncode == 0, demo.stdout + demo.stderr
        broken = tmp_path / "broken"
        shutil.copytree(DEMO, broken)
        text = (broken / "streams.csv").read_text(encoding="utf-8-sig").splitlines()
        cells = text[3].split(",")
        cells[3] = "many"
        text[3] = ",".join(cells)
        (broken / "streams.csv").write_text("\n".join(text) + "\n", encoding="utf-8-sig")
        result = run("validate", str(broken))
        assert result.returncode == 1 and "many" in result.stdout
