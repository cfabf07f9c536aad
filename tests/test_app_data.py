"""The Data page's plain functions: upload, validation report, nothing loaded half-way, edits, templates."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from park_builders import write_park

from app import data as dh
from app.export import csv_bytes, park_xlsx, park_zip, xlsx_bytes
from app.state import Workspace, get_workspace
from symbiosis import load_files, load_park
from symbiosis.core.excel import excel_safe, safe_cell
from symbiosis.core.schema import TABLES


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


@pytest.fixture
def park_folder(tmp_path: Path) -> Path:
    return write_park(tmp_path / "p")


def test_workspace_is_per_session_state() -> None:
    a: dict[str, object] = {}
    b: dict[str, object] = {}
    wa, wb = get_workspace(a), get_workspace(b)
    assert wa is not wb and get_workspace(a) is wa
    wa.ui["x"] = 1
    assert "x" not in wb.ui


def test_upload_of_csvs_opens_the_park(park_folder: Path) -> None:
    ws = Workspace()
    assert dh.load_upload(ws, files_of(park_folder))
    assert ws.park is not None and len(ws.park.streams) == 8 and not ws.problems
    assert ws.park_key == dh.park_key(load_park(park_folder))  # content, not origin of the bytes, decides the key


def test_failed_upload_keeps_the_open_park_and_lists_every_problem(park_folder: Path) -> None:
    ws = Workspace()
    dh.load_upload(ws, files_of(park_folder))
    before, key = ws.park, ws.park_key
    broken = files_of(park_folder)
    broken["streams.csv"] = broken["streams.csv"].replace(b"landfill", b"moon").replace(b"3,", b"three,", 1)
    assert not dh.load_upload(ws, broken)
    assert ws.park is before and ws.park_key == key
    table = dh.problems_table(ws, "en")
    assert {"file", "row", "column", "value", "accepted"} <= set(table.columns)
    assert {"moon", "three"} <= set(table["value"])
    zh = dh.problems_table(ws, "zh")
    assert {"文件", "行", "列", "值", "可接受"} <= set(zh.columns)
    assert ws.last_upload_key == dh.files_key(broken)


def test_upload_of_one_zip_and_one_xlsx(park_folder: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in files_of(park_folder).items():
            zf.writestr(f"park/{name}", data)
    ws = Workspace()
    assert dh.load_upload(ws, {"park.zip": buffer.getvalue()})
    xlsx = park_xlsx(load_park(park_folder))
    ws2 = Workspace()
    assert dh.load_upload(ws2, {"park.xlsx": xlsx})
    assert ws2.park is not None and ws.park is not None
    assert ws2.park.streams["quantity"].tolist() == pytest.approx(ws.park.streams["quantity"].tolist())


def test_upload_size_limit() -> None:
    assert not dh.upload_size_problem({"a.csv": 1000})
    assert dh.upload_size_problem({"a.csv": dh.MAX_UPLOAD_BYTES, "b.csv": 1})


def test_editor_edits_are_validated_recorded_and_undone(park_folder: Path) -> None:
    ws = Workspace()
    dh.open_park(ws, load_park(park_folder), "test")
    frame = dh.editor_frame(ws.park)  # type: ignore[arg-type]
    assert list(frame.columns) == list(dh.EDITOR_SHOWN)
    row = frame.index[frame["stream_id"] == "E1-2"][0]
    edits = dh.edits_from_editor(frame, {row: {"quantity": 4.0, "material": "ignored", "baseline": "landfill"}})
    assert [(e.stream_id, e.column, e.value) for e in edits] == [("E1-2", "quantity", 4.0)]  # unchanged dropped
    version = ws.editor_version
    assert dh.apply_scenario_edits(ws, edits)
    assert ws.park.streams.set_index("stream_id").loc["E1-2", "quantity"] == pytest.approx(40_000)  # type: ignore[union-attr]
    assert ws.editor_version == version + 1 and ws.park_key != ws.base_key
    # a bad edit: reported with the stream, nothing changes
    park, key = ws.park, ws.park_key
    steam = frame.index[frame["stream_id"] == "E1-3"][0]
    assert not dh.apply_scenario_edits(ws, dh.edits_from_editor(frame, {steam: {"temperature_c": 50.0}}))
    assert ws.park is park and ws.park_key == key and len(ws.scenario.edits) == 1
    table = dh.problems_table(ws, "en")
    assert "E1-3" in set(table["stream_id"])
    assert dh.undo_edits(ws) and ws.scenario.edits == () and ws.park_key == ws.base_key


def test_opening_a_new_park_starts_a_new_scenario(park_folder: Path, tmp_path: Path) -> None:
    ws = Workspace()
    dh.open_park(ws, load_park(park_folder), "a")
    dh.apply_scenario_edits(ws, dh.edits_from_editor(dh.editor_frame(ws.park), {0: {"quantity": 1.0}}))  # type: ignore[arg-type]
    ws.scenario = ws.scenario.force(("E1-2", "E2-6"))
    dh.open_park(ws, load_park(write_park(tmp_path / "other")), "b")
    assert ws.scenario.edits == () and ws.scenario.forced == () and ws.plan is None


def test_shipped_park_names_only() -> None:
    assert dh.shipped_park("../../etc") is None
    assert dh.shipped_park("/etc") is None
    assert dh.shipped_park("no_such_park") is None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_templates_have_the_schema_headers_and_load_once_filled(lang: str, tmp_path: Path) -> None:
    with zipfile.ZipFile(io.BytesIO(dh.template_zip(lang))) as zf:  # type: ignore[arg-type]
        names = zf.namelist()
        header = zf.read(names[1]).decode("utf-8-sig").splitlines()[0]
    assert len(names) == 4 and "park.toml" in names
    assert ("企业编号" in header) == (lang == "zh")
    sheets = pd.read_excel(io.BytesIO(dh.template_xlsx(lang)), sheet_name=None)  # type: ignore[arg-type]
    assert len(sheets) == len(TABLES) + 2  # the tables, the park sheet and the hidden dropdown lists
    assert not dh.column_help("streams", lang).empty  # type: ignore[arg-type]


# --- export safety ----------------------------------------------------------------------------------------------
def test_excel_injection_is_neutralised_but_numbers_stay_numbers() -> None:
    assert safe_cell("=cmd|' /C calc'!A0") == "'=cmd|' /C calc'!A0"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("+1+1+cmd") == "'+1+1+cmd"
    assert safe_cell("-12.5") == "-12.5" and safe_cell(-12.5) == -12.5
    assert safe_cell("粉煤灰") == "粉煤灰"
    frame = pd.DataFrame({"name": ["=HYPERLINK(\"x\")", "ok"], "net": [-3.5, 2.0]})
    safe = excel_safe(frame)
    assert safe["name"].tolist() == ["'=HYPERLINK(\"x\")", "ok"] and safe["net"].tolist() == [-3.5, 2.0]
    assert frame["name"][0].startswith("=")  # the input is not changed
    text = csv_bytes(frame).decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "-3.5" in text and "'-3.5" not in text
    book = pd.read_excel(io.BytesIO(xlsx_bytes({"t": frame})), sheet_name="t")
    assert book["net"].tolist() == [-3.5, 2.0] and book["name"][0] == frame["name"][0]  # a string cell, as written
    cell = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"t": frame})))["t"]["A2"]
    assert cell.data_type == "s" and cell.quotePrefix  # Excel keeps it text, even when the cell is edited


def test_cleaned_park_exports_reload(park_folder: Path, tmp_path: Path) -> None:
    park = load_park(park_folder)
    with zipfile.ZipFile(io.BytesIO(park_zip(park))) as zf:
        assert {"enterprises.csv", "streams.csv", "park.toml"} <= set(zf.namelist())
    assert load_files({"park.zip": park_zip(park)}).equals(park)
    assert load_files({"park.xlsx": park_xlsx(park)}).streams["quantity"].tolist() == pytest.approx(
        park.streams["quantity"].tolist())


def test_categorical_text_is_neutralised_too() -> None:
    frame = pd.DataFrame({"c": pd.Categorical(["=1+1", "ok"])})
    assert excel_safe(frame)["c"].tolist() == ["'=1+1", "ok"]
