"""Per-enterprise workbooks (symbiosis.core.workbooks): a folder, .zip or upload of workbooks, or one workbook with a
sheet per enterprise, each sheet a header block above a stream table, merged into one park with every row's
origin; conflicts name both places; limits hold."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from openpyxl.worksheet.worksheet import Worksheet
from park_builders import BASIC_ENTERPRISES, BASIC_STREAMS, STREAMS_HEADER, write_park

from symbiosis import ParkError, load_files, load_park
from symbiosis.core import loader
from symbiosis.core.errors import Problem
from symbiosis.core.limits import LIMITS
from symbiosis.core.loader import build_park, read_package
from symbiosis.core.park import Park
from symbiosis.core.schema import columns
from symbiosis.core.workbooks import BLOCK_LABELS, block_labels, find_table_header, read_sheet

ROOT = Path(__file__).resolve().parent.parent
ZH_STREAMS = ["方向", "物料", "数量", "单位", "温度", "回水温度", "水质等级", "现状", "危废代码", "年运行小时"]
TITLE_ROWS = 1  # the title line above each header block
TABLE_HEADER_ROW = 6  # the stream table's header row in sheets written by fill()


def block(code: object, name: object, x: object, y: object) -> list[list[object]]:
    """A header block as enterprises write it: a title, the name, the code, the position (two pairs on a row)."""
    return [[f"{name} 物料流台账"], ["企业名称", name], ["企业编号", code], ["X坐标(km)", x, "Y坐标(km)", y], []]


def fill(ws: Worksheet, head: Sequence[Sequence[object]], code: str, header: Sequence[str] = ZH_STREAMS,
         streams: Sequence[Sequence[object]] = BASIC_STREAMS) -> None:
    """The block, the table's header, and the streams of `code` (with their enterprise column when the header has
    one)."""
    for row in head:
        ws.append(list(row))
    ws.append(list(header))
    for r in streams:
        if r[0] == code:
            ws.append(list(r) if "企业编号" in header else list(r[1:]))


def book_bytes(sheets: dict[str, tuple[list[list[object]], str]], extra: dict[str, list[list[object]]]
               | None = None) -> bytes:
    wb = openpyxl.Workbook()
    first = True
    for title, (head, code) in sheets.items():
        ws = wb.active if first else wb.create_sheet()
        assert isinstance(ws, Worksheet)
        ws.title = title
        fill(ws, head, code)
        first = False
    for title, rows in (extra or {}).items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def enterprise_books() -> dict[str, bytes]:
    """One workbook per enterprise of the basic park (Chinese headers)."""
    return {f"{e[0]}.xlsx": book_bytes({str(e[0]): (block(*e), str(e[0]))}) for e in BASIC_ENTERPRISES}


def zip_of(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def folder_of(folder: Path, files: dict[str, bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def problems_of(path: Path, data: bytes | None = None) -> list[Problem]:
    with pytest.raises(ParkError) as info:
        load_park(path, data)
    return info.value.problems


def one(problems: list[Problem], code: str) -> Problem:
    found = [p for p in problems if p.code == code]
    assert found, f"no {code} among {[(p.code, p.file, p.row, p.column) for p in problems]}"
    return found[0]


# --- the three forms merge to one park -----------------------------------------------------------------------
def test_a_folder_a_zip_an_upload_and_one_workbook_with_three_sheets_give_the_same_park(tmp_path: Path) -> None:
    books = enterprise_books()
    from_folder = load_park(folder_of(tmp_path / "books", books))
    from_zip = load_park("park.zip", data=zip_of({f"台账/{n}": d for n, d in books.items()}))
    from_upload = load_files(books)
    one_book = book_bytes({str(e[0]): (block(*e), str(e[0])) for e in BASIC_ENTERPRISES})
    from_book = load_park("park.xlsx", data=one_book)
    for park in (from_zip, from_upload, from_book):
        assert park.equals(from_folder)
    assert len(from_folder.enterprises) == 3 and len(from_folder.streams) == len(BASIC_STREAMS)
    # the same quantities as the one-table-per-file package
    package = load_park(write_park(tmp_path / "package"))
    assert sorted(from_folder.streams["quantity"].round(6)) == sorted(package.streams["quantity"].round(6))
    assert from_folder.enterprises[["enterprise_id", "name", "x_km", "y_km"]].equals(
        package.enterprises[["enterprise_id", "name", "x_km", "y_km"]])


def test_every_row_keeps_its_workbook_sheet_and_row(tmp_path: Path) -> None:
    books = enterprise_books()
    park = load_park(folder_of(tmp_path / "books", books))
    e = park.enterprises.set_index("enterprise_id")
    assert e.loc["E2", "source_file"] == "E2.xlsx:E2" and e.loc["E2", "source_row"] == 3  # the code's row
    s = park.streams
    e2 = s[s["enterprise_id"] == "E2"]
    assert set(e2["source_file"]) == {"E2.xlsx:E2"}
    assert e2["source_row"].tolist() == [TABLE_HEADER_ROW + 1, TABLE_HEADER_ROW + 2]
    assert e2["stream_id"].tolist() == ["E2-7", "E2-8"]  # generated from the sheet's row, as for streams.csv
    zipped = load_park("p.zip", data=zip_of(books))
    assert set(zipped.streams["source_file"]) == {"p.zip:E1.xlsx:E1", "p.zip:E2.xlsx:E2", "p.zip:E3.xlsx:E3"}
    book = load_park("park.xlsx", data=book_bytes({"热电厂": (block(*BASIC_ENTERPRISES[0]), "E1")}))
    assert set(book.streams["source_file"]) == {"park.xlsx:热电厂"}
    # the title above the block is kept, in a column of its own
    assert e.loc["E1", "header_text"] == "热电厂 CHP plant 物料流台账"


def test_the_merged_park_round_trips_through_a_folder_and_a_workbook(tmp_path: Path) -> None:
    park = load_park(folder_of(tmp_path / "books", enterprise_books()))
    again = load_park(park.to_folder(tmp_path / "written"))
    assert again.equals(park)
    buffer = io.BytesIO()
    park.to_excel(buffer)
    assert load_park("park.xlsx", data=buffer.getvalue()).equals(park)


def test_the_layout_is_detected_and_said(tmp_path: Path) -> None:
    books = enterprise_books()
    package = read_package(folder_of(tmp_path / "books", books))
    assert package.layout == "per_enterprise"
    notice = one(list(build_park(package).warnings), "workbooks_read")
    assert "3 enterprise(s)" in notice.text() and "3 workbook(s)" in notice.text()
    assert "每家企业一个工作簿" in notice.text("zh")
    # enterprises.csv + streams.csv: the existing layout, workbooks beside them or not
    plain = write_park(tmp_path / "plain")
    (plain / "E1.xlsx").write_bytes(books["E1.xlsx"])
    assert read_package(plain).layout == "package"
    assert not [w for w in load_park(plain).warnings if w.code == "workbooks_read"]
    buffer = io.BytesIO()
    load_park(plain).to_excel(buffer)
    assert read_package("park.xlsx", buffer.getvalue()).layout == "package"


def test_validate_says_which_layout_was_read(tmp_path: Path) -> None:
    folder = folder_of(tmp_path / "books", enterprise_books())
    result = subprocess.run([sys.executable, "-m", "symbiosis", "validate", str(folder), "--format", "json"],
                            capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert any(w["code"] == "workbooks_read" for w in out["warnings"])
    assert {f["file"] for f in out["files"]} == {"E1.xlsx:E1", "E2.xlsx:E2", "E3.xlsx:E3"}
    assert {f["file"]: f["rows_loaded"] for f in out["files"]}["E1.xlsx:E1"] == 4


# --- header blocks ------------------------------------------------------------------------------------------
def test_english_labels_inline_values_one_cell_coordinates_and_lon_lat(tmp_path: Path) -> None:
    english: list[list[object]] = [["Enterprise name:", "CHP plant"], ["Enterprise code", "E1"], ["Sector", "power"],
               ["Position (km)", "0, 0"], ["Contact", "Ms Li"], []]
    inline: list[list[object]] = [["企业名称：水泥厂"], ["企业编号：E2"], ["坐标", 3, 4], []]
    lonlat: list[list[object]] = [["单位名称", "化工厂"], ["企业代码", "E3"], ["经纬度", "120.10，30.20"], []]
    books = {"a.xlsx": book_bytes({"CHP": (english, "E1")}), "b.xlsx": book_bytes({"水泥": (inline, "E2")})}
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    fill(ws, lonlat, "E3", header=STREAMS_HEADER[1:])
    buffer = io.BytesIO()
    wb.save(buffer)
    books["c.xlsx"] = buffer.getvalue()
    # the position systems must not be mixed: give E1 and E2 lon/lat as well
    park_problems = problems_of(folder_of(tmp_path / "mixed", books))
    assert one(park_problems, "position_mixed")
    english[3] = ["lon/lat", 120.0, 30.1]
    inline[2] = ["经度", 120.05, "纬度", 30.15]
    books["a.xlsx"] = book_bytes({"CHP": (english, "E1")})
    books["b.xlsx"] = book_bytes({"水泥": (inline, "E2")})
    park = load_park(folder_of(tmp_path / "books", books))
    e = park.enterprises.set_index("enterprise_id")
    assert e.loc["E1", "name"] == "CHP plant" and e.loc["E2", "name"] == "水泥厂" and e.loc["E3", "name"] == "化工厂"
    assert e.loc["E1", "sector"] == "power" and e.loc["E1", "Contact"] == "Ms Li" and e.loc["E2", "Contact"] == ""
    assert e.loc["E3", "lon"] == pytest.approx(120.10) and e.loc["E3", "lat"] == pytest.approx(30.20)
    assert set(e["position_from"]) == {"lonlat"}
    contact = one(list(park.warnings), "unknown_column")  # a label the schema does not know: kept, and said
    assert contact.file == "a.xlsx:CHP" and contact.column.startswith("B5") and contact.value == "Contact"


def test_labels_accepted_cover_the_schema_and_the_block_vocabulary() -> None:
    labels = block_labels()
    for text, fields in {"企业名称": ("name",), "企业编号": ("enterprise_id",), "行业": ("sector",),
                         "x坐标(km)": ("x_km",), "经度": ("lon",), "纬度": ("lat",), "备注": ("notes",),
                         "enterprisecode": ("enterprise_id",), "坐标": ("x_km", "y_km"),
                         "经纬度": ("lon", "lat")}.items():
        assert labels[text] == fields
    rows = [["企业名称", "A"], ["方向", "物料", "数量", "单位"]]
    assert find_table_header(rows) == 1
    assert find_table_header([["名称", "A", "编号", "E1"]]) is None  # a block row is no table header


def test_a_header_block_without_a_code_names_the_cell(tmp_path: Path) -> None:
    books = enterprise_books()
    books["E2.xlsx"] = book_bytes({"E2": (block("", "水泥厂 Cement works", 3, 4), "E2")})
    problems = problems_of(folder_of(tmp_path / "blank", books))
    blank = one(problems, "required_blank")
    assert (blank.file, blank.row) == ("E2.xlsx:E2", 3) and blank.column.startswith("B3")
    assert "企业编号" in blank.column
    # no code label at all: the block is named, with the row to add
    head = [r for r in block("E2", "水泥厂", 3, 4) if r[:1] != ["企业编号"]]
    books["E2.xlsx"] = book_bytes({"E2": (head, "E2")})
    missing = one(problems_of(folder_of(tmp_path / "none", books)), "header_field_missing")
    assert missing.file == "E2.xlsx:E2" and missing.column.startswith("A2:") and "企业编号 |" in missing.accepted
    assert "企业编号" in missing.text("zh") and "enterprise_id" in missing.text()


def test_the_same_code_twice_and_two_positions_name_both_origins(tmp_path: Path) -> None:
    books = enterprise_books()
    books["E3.xlsx"] = book_bytes({"E3": (block("E2", "化工厂", 1, 1), "E3")})
    problems = problems_of(folder_of(tmp_path / "twice", books))
    twice = one(problems, "enterprise_code_twice")
    assert (twice.file, twice.row, twice.value) == ("E3.xlsx:E3", 3, "E2") and twice.column.startswith("B3")
    assert "E2.xlsx:E2!B3" in twice.text() and "E2.xlsx:E2!B3" in twice.text("zh")
    position = one(problems, "enterprise_position_twice")
    assert position.file == "E3.xlsx:E3" and position.value == "1, 1" and "3, 4" in position.text()
    assert "E2.xlsx:E2!B4" in position.text()
    assert not [p for p in problems if p.code == "duplicate_id"]  # said once, with both places


def test_a_row_naming_another_enterprise_than_its_sheet(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    fill(ws, block("E2", "水泥厂", 3, 4), "E2", header=["企业编号", *ZH_STREAMS],
         streams=[["E2", *BASIC_STREAMS[4][1:]], ["E2", *BASIC_STREAMS[5][1:]]])
    ws.cell(row=TABLE_HEADER_ROW + 2, column=1, value="E3")
    buffer = io.BytesIO()
    wb.save(buffer)
    mismatch = one(problems_of(Path("e2.xlsx"), buffer.getvalue()), "header_code_mismatch")
    assert (mismatch.file, mismatch.row, mismatch.value, mismatch.accepted) == ("e2.xlsx:Sheet", 8, "E3", "E2")
    assert "e2.xlsx:Sheet!B3" in mismatch.text()


def test_two_positions_in_one_header_block(tmp_path: Path) -> None:
    books = enterprise_books()
    head = block("E2", "水泥厂", 3, 4)
    head.insert(4, ["坐标(km)", "3.5, 4"])
    books["E2.xlsx"] = book_bytes({"E2": (head, "E2")})
    problem = one(problems_of(folder_of(tmp_path / "p", books)), "enterprise_position_twice")
    assert (problem.file, problem.row, problem.value) == ("E2.xlsx:E2", 5, "3.5")
    assert "E2.xlsx:E2!B4" in problem.text() and "3.5" in problem.text()


def test_stream_problems_name_the_sheet_and_row(tmp_path: Path) -> None:
    rows = [list(r) for r in BASIC_STREAMS]
    rows[4][STREAMS_HEADER.index("material")] = "cementt"
    books = enterprise_books()
    books["E2.xlsx"] = book_bytes({"E2": (block(*BASIC_ENTERPRISES[1]), "E2")})
    wb = openpyxl.load_workbook(io.BytesIO(books["E2.xlsx"]))
    ws = wb.active
    assert ws is not None
    ws.cell(row=TABLE_HEADER_ROW + 1, column=2, value="cementt")
    buffer = io.BytesIO()
    wb.save(buffer)
    books["E2.xlsx"] = buffer.getvalue()
    with pytest.raises(ParkError) as info:
        load_park(folder_of(tmp_path / "p", books))
    problem = one(info.value.problems, "unknown_material")
    assert (problem.file, problem.row, problem.column, problem.value) == ("E2.xlsx:E2", 7, "material", "cementt")
    accounts = {a.file: a for a in info.value.accounts}
    assert accounts["E2.xlsx:E2"].rows_with_errors == 1 and accounts["E1.xlsx:E1"].rows_with_errors == 0


def test_a_stream_id_used_in_two_sheets_names_both(tmp_path: Path) -> None:
    header = ["流编号", *ZH_STREAMS]
    books = {}
    for e in BASIC_ENTERPRISES:
        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        fill(ws, block(*e), str(e[0]), header=header,
             streams=[[r[0], "S1" if r is BASIC_STREAMS[0] or r is BASIC_STREAMS[4] else "", *r[1:]]
                      for r in BASIC_STREAMS])
        buffer = io.BytesIO()
        wb.save(buffer)
        books[f"{e[0]}.xlsx"] = buffer.getvalue()
    problem = one(problems_of(folder_of(tmp_path / "p", books)), "duplicate_id")
    assert (problem.file, problem.row) == ("E2.xlsx:Sheet", 7) and "7 (E1.xlsx:Sheet)" in problem.text()


def test_sheets_that_are_not_an_enterprise(tmp_path: Path) -> None:
    data = book_bytes({"E1": (block(*BASIC_ENTERPRISES[0]), "E1")},
                      extra={"说明": [["请按模板填写"]], "E2": [list[object](ZH_STREAMS), ["产出", "fly_ash", 1, "t/a"]]})
    problems = problems_of(Path("park.xlsx"), data)
    assert one(problems, "header_block_missing").file == "park.xlsx:E2"
    assert one(problems, "sheet_not_read").severity == "warning"
    assert one(problems, "sheet_not_read").file == "park.xlsx:说明"
    # a block whose table headers are not recognised: its rows are not lost silently
    head: list[list[object]] = [*block(*BASIC_ENTERPRISES[0]), ["物品", "多少"], ["fly_ash", 3]]
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in head:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    result = read_sheet([[str(c) if c is not None else "" for c in r] for r in ws.iter_rows(values_only=True)], "x")
    assert result.kind == "piece" and [p.code for p in result.problems] == ["stream_table_missing"]
    assert result.problems[0].row == 6


def test_exchanges_and_park_toml_still_apply(tmp_path: Path) -> None:
    books = enterprise_books()
    exchanges = "供方企业编号,需方企业编号,物料,数量,单位\nE1,E2,fly_ash,10000,t/a\n"
    folder = folder_of(tmp_path / "p", {**books, "exchanges.csv": exchanges.encode(),
                                        "park.toml": b'name = "Riverside"\ndefault_hours_per_year = 8000\n'})
    park = load_park(folder)
    assert park.name == "Riverside" and len(park.exchanges) == 1
    assert park.exchanges["source_file"].tolist() == ["exchanges.csv"]
    # as sheets of one workbook
    data = book_bytes({str(e[0]): (block(*e), str(e[0])) for e in BASIC_ENTERPRISES},
                      extra={"现有交换": [["供方企业编号", "需方企业编号", "物料", "数量", "单位"],
                                       ["E1", "E2", "fly_ash", 10000, "t/a"]],
                             "park": [['name = "Riverside"'], ["default_hours_per_year = 8000"]]})
    from_book = load_park("park.xlsx", data=data)
    assert from_book.equals(park)
    # twice: an error naming both
    twice = one(problems_of(folder_of(tmp_path / "q", {**books, "exchanges.csv": exchanges.encode(),
                                                       "x.xlsx": data})), "file_twice")
    assert "exchanges.csv" in twice.value and "x.xlsx:现有交换" in twice.value


def test_nothing_to_read(tmp_path: Path) -> None:
    data = book_bytes({}, extra={"说明": [["请按模板填写"]]})
    problem = one(problems_of(folder_of(tmp_path / "p", {"a.xlsx": data})), "workbooks_empty")
    assert problem.file.endswith("p")
    # a lone workbook that is no package of either layout: the existing message
    assert one(problems_of(Path("a.xlsx"), data), "file_missing")


# --- limits -------------------------------------------------------------------------------------------------
def test_limits_hold_for_workbooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    books = enterprise_books()
    folder = folder_of(tmp_path / "p", books)
    monkeypatch.setattr(loader, "LIMITS", replace(LIMITS, archive_members=2))
    assert one(problems_of(folder), "limit_exceeded").accepted.startswith("archive_members")
    # each sheet within the rows of one table (10 rows at most), the merged streams (12 rows) not
    e4 = book_bytes({"E4": (block("E4", "E4", 5, 5), "E1")})
    monkeypatch.setattr(loader, "LIMITS", replace(LIMITS, rows_per_table=9))
    rows = one(problems_of(folder_of(tmp_path / "rows", {**books, "E4.xlsx": e4})), "limit_exceeded")
    assert rows.accepted.startswith("rows_per_table") and rows.file == "E4.xlsx:E4"
    # the decompressed bytes of every workbook count against one budget
    monkeypatch.setattr(loader, "LIMITS", LIMITS)
    one_book = len(zipfile.ZipFile(io.BytesIO(books["E1.xlsx"])).read("xl/styles.xml"))
    size = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(books["E1.xlsx"])).infolist())
    monkeypatch.setattr(loader, "MAX_PACKAGE_BYTES", 2 * size + one_book)
    assert one(problems_of(Path("p.zip"), zip_of(books)), "limit_exceeded").accepted.startswith("package_bytes")
    assert one(problems_of(folder), "limit_exceeded").accepted.startswith("package_bytes")


def test_excel_lock_files_and_other_files_are_skipped(tmp_path: Path) -> None:
    books = enterprise_books()
    folder = folder_of(tmp_path / "p", {**books, "~$E1.xlsx": b"owner", "readme.txt": b"x"})
    assert load_park(folder).equals(load_park(folder_of(tmp_path / "q", books)))


def test_a_loaded_park_is_a_park(tmp_path: Path) -> None:
    assert isinstance(load_files(enterprise_books()), Park)


def test_the_example_workbooks_load_and_the_doc_names_every_label() -> None:
    park = load_park(ROOT / "datasets" / "examples" / "per_enterprise")
    assert sorted(park.enterprises["enterprise_id"]) == ["E01", "E02", "E04"] and len(park.exchanges) == 2
    assert not [w for w in park.warnings if w.code not in ("workbooks_read", "unknown_column")]
    doc = (ROOT / "docs" / "workbooks.md").read_text(encoding="utf-8")
    for label in [*BLOCK_LABELS, *(h for c in columns("enterprises") for h in c.headers)]:
        assert label in doc, label


# --- hostile per-enterprise packages (a seeded sample; see the report for the fuzzer) ----------------------
def _hostile_case(number: int) -> tuple[str, dict[str, bytes], dict[str, list[list[object]]]]:
    """A per-enterprise package with hostile cells, repeated or missing labels and odd sheet names, packed as a
    folder (upload), a zip or one workbook, the container sometimes corrupted; also the sheets as written."""
    import random

    from benchmarks.fuzz import HOSTILE_CELLS, _corrupt_container

    rng = random.Random(f"workbooks:{number}")
    sheets: dict[str, list[list[object]]] = {}
    for e in BASIC_ENTERPRISES:
        rows: list[list[object]] = [*block(*e), list[object](ZH_STREAMS)]
        rows += [list(r[1:]) for r in BASIC_STREAMS if r[0] == e[0]]
        sheets[str(e[0])] = rows
    for _ in range(rng.choice((1, 2, 3))):
        rows = sheets[rng.choice(list(sheets))]
        how = rng.choice((0, 0, 1, 1, 2, 3, 3, 4, 5, 5, 6))
        r = rng.randrange(len(rows))
        hostile = rng.choice(HOSTILE_CELLS)[:2000]
        if how == 0 and rows[r]:  # a hostile cell anywhere
            rows[r][rng.randrange(len(rows[r]))] = hostile
        elif how == 1:  # a label given twice, with the same value or another
            label = rng.choice(["企业编号", "企业名称", "X坐标(km)"])
            given = next((row[1] for row in rows[:5] if row[:1] == [label] and len(row) > 1), "")
            rows.insert(rng.randrange(1, 5), [label, given if rng.random() < 0.5 else hostile])
        elif how == 2 and 1 <= r <= 4:  # a block row dropped
            del rows[r]
        elif how == 3:  # blank rows, and text beyond the table's columns
            rows.insert(rng.randrange(1, len(rows) + 1), [])
            rows[-1] = [*rows[-1], "", "", hostile]
        elif how == 4:  # the table's header row lost
            rows[:] = [row for row in rows if row != ZH_STREAMS]
        elif how == 5:  # a label the schema does not know, its value hostile
            rows.insert(rng.randrange(1, 5), [rng.choice(["联系人", "统一社会信用代码", "Contact:"]), hostile])
        else:  # a hostile title
            rows.insert(0, [hostile])
    kind = rng.choice(("folder", "zip", "xlsx"))

    def book(named: dict[str, list[list[object]]]) -> bytes | None:
        wb = openpyxl.Workbook()
        assert wb.active is not None
        wb.remove(wb.active)
        for title, rows in named.items():
            ws = wb.create_sheet(title)
            for row in rows:
                try:
                    ws.append(row)
                except Exception:  # a character Excel forbids: left out of the sheet
                    ws.append([])
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()

    if kind == "xlsx":
        data = book(sheets)
        assert data is not None
        if rng.random() < 0.3:
            data, _ = _corrupt_container(rng, data)
        return kind, {"park.xlsx": data}, sheets
    files = {f"{t}.xlsx": book({t: rows}) for t, rows in sheets.items()}
    books = {n: d for n, d in files.items() if d is not None}
    if kind == "zip":
        data = zip_of(books)
        if rng.random() < 0.3:
            data, _ = _corrupt_container(rng, data)
        return kind, {"park.zip": data}, sheets
    return kind, books, sheets


@pytest.mark.parametrize("number", range(60))
def test_hostile_workbooks_end_in_a_park_or_a_park_error_and_lose_nothing(number: int) -> None:
    kind, files, written = _hostile_case(number)
    try:
        if kind == "folder":
            park = load_files(files, source="fuzz")
        else:
            (name, data), = files.items()
            park = load_park(name, data=data)
    except ParkError as exc:
        assert exc.errors and all(p.file for p in exc.errors)
        return
    warned = {(p.file, p.row) for p in park.warnings}
    loaded = set(zip(park.streams["source_file"], park.streams["source_row"].astype(int), strict=True))
    for title, rows in written.items():
        label = f"{title}.xlsx:{title}" if kind == "folder" else (
            f"park.zip:{title}.xlsx:{title}" if kind == "zip" else f"park.xlsx:{title}")
        header = find_table_header([["" if c is None else str(c) for c in row] for row in rows])
        assert header is not None  # a park without it is refused (stream_table_missing)
        for i, row in enumerate(rows[header + 1:], start=header + 2):
            if any(str(c).strip() for c in row if c is not None) and (label, i) not in warned:
                assert (label, i) in loaded, f"{label} row {i} not loaded and not reported"
        written_name = next(row[1] for row in rows[:header] if row[:1] == ["企业名称"])
        got = park.enterprises.loc[park.enterprises["source_file"] == label, "name"].tolist()
        assert got == [written_name] or any(f == label for f, _ in warned), (label, got, written_name)
