"""Fixing the rows of a package that failed to load, on the Data page: the rows with problems in an editable
table, each fix checked at once, the park opened without a new upload, the corrected package and a change log
downloadable, the original files kept byte for byte."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from park_builders import BASIC_STREAMS, STREAMS_HEADER, write_park
from streamlit.testing.v1 import AppTest

from app import data as dh
from app.state import Workspace
from symbiosis import load_files

ROOT = Path(__file__).resolve().parent.parent
Q = STREAMS_HEADER.index("quantity")


def broken_files(tmp_path: Path, *cells: tuple[int, int, str]) -> dict[str, bytes]:
    """The basic park with cells (stream row index, column index, text) replaced."""
    rows = [list(r) for r in BASIC_STREAMS]
    for i, j, text in cells:
        rows[i][j] = text
    folder = write_park(tmp_path / "broken", streams=rows)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_broken_upload_is_kept_with_its_problem_rows(tmp_path: Path) -> None:
    files = broken_files(tmp_path, (0, Q, "很多"))
    ws = Workspace()
    assert not dh.load_upload(ws, files)
    repair = ws.repair
    assert repair is not None and repair.rows == {"streams": [2]}
    frame = dh.fix_frame(repair, "streams", "en")
    assert list(frame[dh.FIX_ROW]) == [2] and frame.loc[0, "quantity"] == "很多"
    problems = str(frame.loc[0, dh.FIX_PROBLEMS])
    assert "quantity" in problems and "很多" in problems
    assert "数字" in str(dh.fix_frame(repair, "streams", "zh").loc[0, dh.FIX_PROBLEMS])


def test_a_fix_opens_the_park_and_is_logged(tmp_path: Path) -> None:
    files = broken_files(tmp_path, (0, Q, "很多"), (2, STREAMS_HEADER.index("unit"), "parsecs"))
    ws = Workspace()
    assert not dh.load_upload(ws, files)
    repair = ws.repair
    assert repair is not None and repair.rows == {"streams": [2, 4]}
    repair.group = "A组"
    # one of two fixed: still not loaded, one error left, nothing loaded half-way
    assert not dh.apply_fix(ws, "streams", [(2, "quantity", "3")], when="2025-01-01T00:00:00+00:00")
    assert ws.park is None and [p.row for p in repair.problems if p.severity == "error"] == [4]
    assert dh.fix_frame(repair, "streams", "en").loc[0, dh.FIX_PROBLEMS] == "✓ fixed"
    # the other fixed: the park opens, no new upload
    assert dh.apply_fix(ws, "streams", [(4, "unit", "万t/a")])
    assert ws.park is not None and len(ws.park.streams) == 8 and not ws.problems
    assert ws.park.streams.loc[0, "quantity"] == 30_000.0
    log = dh.change_log(repair, "en")
    assert list(log.columns) == ["file", "row", "column", "old value", "new value", "when (UTC)", "group"]
    assert log.iloc[0].tolist() == ["streams.csv", 2, "quantity", "很多", "3", "2025-01-01T00:00:00+00:00", "A组"]
    assert log.iloc[1][["row", "column", "old value", "new value"]].tolist() == [4, "unit", "parsecs", "万t/a"]
    # the corrected package loads as it is, with the change log beside it; the upload stays byte for byte
    with zipfile.ZipFile(io.BytesIO(dh.fixed_package_zip(repair))) as zf:
        names = set(zf.namelist())
        fixed = {n: zf.read(n) for n in names}
    assert {"enterprises.csv", "streams.csv", "park.toml", "change_log.csv"} <= names
    assert dh.park_key(load_files({n: b for n, b in fixed.items() if n != "change_log.csv"})) == ws.park_key
    assert "很多" in fixed["change_log.csv"].decode("utf-8-sig")
    assert dict(dh.original_files(repair)) == files
    assert pd.read_csv(io.BytesIO(dh.change_log_csv(repair, "zh")), encoding="utf-8-sig").columns[0] == "文件"


def test_a_good_upload_drops_the_repair(tmp_path: Path) -> None:
    ws = Workspace()
    dh.load_upload(ws, broken_files(tmp_path, (0, Q, "很多")))
    assert ws.repair is not None
    good = write_park(tmp_path / "good")
    assert dh.load_upload(ws, {p.name: p.read_bytes() for p in good.iterdir()})
    assert ws.repair is None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_fix_rows_in_the_app(tmp_path: Path, lang: str) -> None:
    """AppTest: upload a package with a quantity '很多', type a number in its cell, the park loads."""
    at = AppTest.from_file(str(ROOT / "app_streamlit.py"), default_timeout=60)
    if lang == "zh":
        at.query_params["lang"] = "zh"
    at.run()
    ws = at.session_state["workspace"]
    demo = ws.park_key
    files = broken_files(tmp_path, (0, Q, "很多"))
    at.file_uploader(key="upload").set_value([(n, b, "text/csv") for n, b in files.items()]).run()
    assert not at.exception and ws.park_key == demo and ws.repair is not None
    editor_key = ws.repair.editor_key("streams")
    assert at.get("arrow_data_frame") or at.dataframe  # the fix table is drawn
    at.session_state[editor_key] = {"edited_rows": {0: {"quantity": "3"}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert ws.park_key != demo and ws.park is not None and len(ws.park.streams) == 8 and not ws.problems
    assert [(c.row, c.column, c.old, c.new) for c in ws.repair.log] == [(2, "quantity", "很多", "3")]
    done = "已修正" if lang == "zh" else "Fixed: the park is loaded"
    assert any(done in s.value for s in at.success)
    log = next(f.value for f in at.dataframe if ("原值" if lang == "zh" else "old value") in f.value.columns)
    assert "很多" in set(log.iloc[:, 3])
    downloads = {d.proto.label: d.proto for d in at.get("download_button")}
    original = next(p for label, p in downloads.items() if "streams.csv" in label)
    assert not original.disabled
    fixed = next(p for label, p in downloads.items() if ".zip" in label and "change_log.csv" in label)
    assert not fixed.disabled
