"""Hostile and damaged packages: corrupt archives, bombs, deep park.toml, text that must survive byte for byte,
and the silent losses of hand-edited CSVs. Each is a clear Problem (file, row, column, value, accepted)."""

from __future__ import annotations

import csv
import io
import json
import struct
import subprocess
import sys
import tempfile
import tracemalloc
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from park_builders import (
    BASIC_ENTERPRISES,
    BASIC_STREAMS,
    ENTERPRISES_HEADER,
    STREAMS_HEADER,
    csv_text,
    write_park,
)

import symbiosis.core.loader as loader
from symbiosis import ParkError, load_park
from symbiosis.core.errors import Problem
from symbiosis.core.limits import LIMITS, Limits
from symbiosis.core.park import ConfigLimitError, parse_config_text
from symbiosis.core.schema import INTERNAL_COLUMNS, USER_COLUMN_PREFIX, original_header

ROOT = Path(__file__).resolve().parent.parent


def problems(path: str | Path, data: bytes | None = None) -> list[Problem]:
    with pytest.raises(ParkError) as info:
        load_park(path, data=data)
    return info.value.problems


def first(found: list[Problem], code: str) -> Problem:
    hits = [p for p in found if p.code == code]
    assert hits, f"no {code} among {[(p.code, p.file, p.text()) for p in found]}"
    return hits[0]


def lower_limits(monkeypatch: pytest.MonkeyPatch, **kwargs: int) -> None:
    monkeypatch.setattr(loader, "LIMITS", replace(LIMITS, **kwargs))


def package_files(tmp: Path, **kwargs: object) -> dict[str, bytes]:
    folder = write_park(tmp / "src", **kwargs)  # type: ignore[arg-type]
    return {f.name: f.read_bytes() for f in folder.iterdir()}


def zip_of(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=method) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def lie_about_sizes(data: bytes, declared: int) -> bytes:
    """Every member's uncompressed size in the local and central headers set to `declared`."""
    out = bytearray(data)
    pos = out.find(b"PK\x03\x04")
    while pos >= 0:
        out[pos + 22:pos + 26] = struct.pack("<I", declared)
        pos = out.find(b"PK\x03\x04", pos + 4)
    pos = out.find(b"PK\x01\x02")
    while pos >= 0:
        out[pos + 24:pos + 28] = struct.pack("<I", declared)
        pos = out.find(b"PK\x01\x02", pos + 4)
    return bytes(out)


# --- A. corrupt archive members --------------------------------------------------------------------------------
def test_a_corrupt_deflate_member_names_the_member(tmp_path: Path) -> None:
    files = package_files(tmp_path)
    data = bytearray(zip_of({"streams.csv": files["streams.csv"], "enterprises.csv": files["enterprises.csv"]}))
    start = data.find(b"PK\x03\x04") + 30 + len("streams.csv")
    data[start:start + 40] = b"\xff" * 40  # the compressed bytes of streams.csv
    problem = first(problems("p.zip", bytes(data)), "file_unreadable")
    assert problem.file == "p.zip:streams.csv"


@pytest.mark.parametrize(("method", "word"), [(zipfile.ZIP_BZIP2, "bzip2"), (zipfile.ZIP_LZMA, "LZMA")])
def test_bzip2_and_lzma_members_are_refused_not_inflated(tmp_path: Path, method: int, word: str) -> None:
    files = package_files(tmp_path)
    found = problems("p.zip", zip_of(files, method))
    problem = first(found, "file_unreadable")
    assert problem.file.startswith("p.zip:") and word in problem.text() and "deflate" in problem.text()


def test_a_truncated_lzma_member_is_a_problem(tmp_path: Path) -> None:
    data = zip_of(package_files(tmp_path), zipfile.ZIP_LZMA)
    assert first(problems("p.zip", data[: len(data) // 2]), "file_unreadable").file.startswith("p.zip")


def test_an_unsupported_compression_method_is_a_problem(tmp_path: Path) -> None:
    data = bytearray(zip_of(package_files(tmp_path)))
    for sig, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):  # method 9 = deflate64
        pos = data.find(sig)
        while pos >= 0:
            data[pos + offset:pos + offset + 2] = struct.pack("<H", 9)
            pos = data.find(sig, pos + 4)
    problem = first(problems("p.zip", bytes(data)), "file_unreadable")
    assert "deflate64" in problem.text()


def test_a_member_name_that_is_not_utf8(tmp_path: Path) -> None:
    data = zip_of({"é.csv": b"x", **package_files(tmp_path)})
    data = data.replace("é".encode(), b"\xff\xfe")  # flag 0x800 says UTF-8; the name is not
    assert first(problems("p.zip", data), "file_unreadable").file == "p.zip"


def test_a_corrupt_xlsx_member_names_the_member(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    load_park(write_park(tmp_path / "p")).to_excel(buffer)
    data = bytearray(buffer.getvalue())
    pos = data.find(b"xl/worksheets/sheet1.xml")
    start = pos + len("xl/worksheets/sheet1.xml")
    data[start + 5:start + 60] = b"\x00" * 55
    problem = first(problems("park.xlsx", bytes(data)), "file_unreadable")
    assert problem.file.startswith("park.xlsx")


# --- B. bounded loads ------------------------------------------------------------------------------------------
def test_a_zip_that_lies_about_its_sizes_is_stopped_while_reading(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    files = package_files(tmp_path)
    big = files["streams.csv"] + b"\n" * (8 * 2**20)  # 8 MiB of blank lines: tiny once compressed
    honest = zip_of({"enterprises.csv": files["enterprises.csv"], "streams.csv": big})
    lower_limits(monkeypatch, package_bytes=2**20)
    problem = first(problems("p.zip", honest), "limit_exceeded")  # honest headers: refused before unpacking
    assert problem.file == "p.zip" and "package_bytes" in problem.text() and "declared" in problem.value
    lying = lie_about_sizes(honest, 1000)
    tracemalloc.start()
    found = problems("p.zip", lying)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert any(p.code in ("limit_exceeded", "file_unreadable") and "streams.csv" in p.file for p in found)
    assert peak < 6 * 2**20


def test_an_xlsx_is_counted_member_by_member_while_unpacking(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    data = _xlsx(tmp_path)
    lower_limits(monkeypatch, package_bytes=3000)
    problem = first(problems("park.xlsx", data), "limit_exceeded")
    assert problem.file.startswith("park.xlsx:") and problem.params[0] == ("limit", "package_bytes")


def test_the_old_limit_name_still_lowers_the_bound(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_PACKAGE_BYTES", 100)
    problem = first(problems(write_park(tmp_path / "p")), "limit_exceeded")
    assert "uncompressed size" in problem.text() and problem.params[0] == ("limit", "package_bytes")


def test_a_folder_reads_only_the_package_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_park(tmp_path / "p")
    (folder / "video.mp4").write_bytes(b"\0" * 3000)
    lower_limits(monkeypatch, package_bytes=2500)
    assert len(load_park(folder).streams) == len(BASIC_STREAMS)


def test_too_many_archive_members(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = package_files(tmp_path)
    lower_limits(monkeypatch, archive_members=5)
    data = zip_of({**files, **{f"junk/{i}.txt": b"" for i in range(10)}})
    assert first(problems("p.zip", data), "limit_exceeded").params[0] == ("limit", "archive_members")


def _xlsx(tmp: Path, streams: list[list[object]] | None = None, header: list[str] | None = None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "enterprises"
    ws.append(ENTERPRISES_HEADER)
    for r in BASIC_ENTERPRISES:
        ws.append(r)
    ws2 = wb.create_sheet("streams")
    ws2.append(header or STREAMS_HEADER)
    for r in streams if streams is not None else BASIC_STREAMS:
        ws2.append(r)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_xlsx_shared_strings_rows_and_columns_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    buffer = io.BytesIO()
    load_park(write_park(tmp_path / "p")).to_excel(buffer)  # written with a shared-strings table? then counted
    rows = [[*r] for r in BASIC_STREAMS] * 5
    data = _xlsx(tmp_path, rows)
    lower_limits(monkeypatch, rows_per_table=20)
    problem = first(problems("park.xlsx", data), "limit_exceeded")
    assert problem.file == "park.xlsx:streams" and problem.params[0] == ("limit", "rows_per_table")
    lower_limits(monkeypatch, columns_per_table=5)
    assert first(problems("park.xlsx", data), "limit_exceeded").params[0] == ("limit", "columns_per_table")
    # a shared-strings table (what Excel writes) with more entries than allowed
    strings = "".join(f"<si><t>s{i}</t></si>" for i in range(50))
    sst = (f'<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
           f'count="1" uniqueCount="1">{strings}</sst>').encode()
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        members = {i.filename: src.read(i) for i in src.infolist()}
    members["xl/sharedStrings.xml"] = sst
    lower_limits(monkeypatch, shared_strings=10)
    problem = first(problems("park.xlsx", zip_of(members)), "limit_exceeded")
    assert problem.params[0] == ("limit", "shared_strings") and "sharedStrings" in problem.file


def test_csv_rows_and_cell_length_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = write_park(tmp_path / "p")
    lower_limits(monkeypatch, rows_per_table=5)
    problem = first(problems(folder), "limit_exceeded")
    assert (problem.file, problem.params[0]) == ("streams.csv", ("limit", "rows_per_table"))
    lower_limits(monkeypatch, cell_chars=100)
    rows = [[*r] for r in BASIC_STREAMS]
    streams = write_park(tmp_path / "q", streams=rows, streams_header=[*STREAMS_HEADER, "notes"])
    text = csv_text([*STREAMS_HEADER, "notes"], [[*r, "x" * 150 if i == 2 else ""] for i, r in enumerate(rows)])
    (streams / "streams.csv").write_text(text, encoding="utf-8")
    problem = first(problems(streams), "limit_exceeded")
    assert (problem.row, problem.column, problem.params[0]) == (4, "notes", ("limit", "cell_chars"))
    monkeypatch.undo()
    (streams / "streams.csv").write_text(text.replace("x" * 150, "y" * 200_000), encoding="utf-8")
    assert first(problems(streams), "limit_exceeded").row == 4  # beyond the csv module's own field limit too


@pytest.mark.parametrize(("toml", "limit"), [
    ("options = " + "{a = " * 400 + "1" + "}" * 400 + "\n", "config_depth"),  # RecursionError inside tomllib
    ("options = " + "[" * 400 + "]" * 400 + "\n", "config_depth"),
    ("[options." + ".".join(f"t{i}" for i in range(5000)) + "]\nx = 1\n", "config_depth"),  # passed, crashed the app
    ("[options]\n" + "".join(f"k{i} = {i}\n" for i in range(3000)), "config_entries"),
    ("# " + "x" * (2 * 2**20) + "\n", "config_bytes"),
])
def test_park_toml_nesting_entries_and_size_are_bounded(tmp_path: Path, toml: str, limit: str) -> None:
    found = problems(write_park(tmp_path / "p", park_toml=toml))
    problem = first(found, "limit_exceeded")
    assert (problem.file, problem.params[0]) == ("park.toml", ("limit", limit))
    with pytest.raises(ConfigLimitError):
        parse_config_text(toml)


def test_a_normal_park_toml_is_within_the_limits() -> None:
    parse_config_text('name = "x"\n[reach_km]\ntruck = 5\n[options]\nweights = [[1, 2], [3, 4]]\n')
    assert {name for name, _, _ in Limits().describe()} >= {"package_bytes", "config_depth", "rows_per_table"}
    assert all(meaning for _, _, meaning in LIMITS.describe())


def test_every_limit_is_documented() -> None:
    doc = (ROOT / "docs" / "limits.md").read_text(encoding="utf-8")
    for name, value, _ in LIMITS.describe():
        assert f"`{name}`" in doc and f"{value:,}" in doc, name
    assert "docs/limits.md" in (ROOT / "README.md").read_text(encoding="utf-8")


# --- C. the user's text is kept byte for byte --------------------------------------------------------------
def test_notes_and_names_are_not_normalised(tmp_path: Path) -> None:
    ents = [list(r) for r in BASIC_ENTERPRISES]
    ents[0][1] = " 热电联产（燃煤）；Ｅ１ "
    rows = [[*r, "备注：全角，标点；①"] for r in BASIC_STREAMS]
    folder = write_park(tmp_path / "p", enterprises=ents, streams=rows, streams_header=[*STREAMS_HEADER, "notes"])
    park = load_park(folder)
    assert park.enterprises["name"].iloc[0] == " 热电联产（燃煤）；Ｅ１ "
    assert park.streams["notes"].eq("备注：全角，标点；①").all()


def test_ids_are_folded_everywhere_with_a_warning(tmp_path: Path) -> None:
    rows = [list(r) for r in BASIC_STREAMS]
    rows[0][0] = "Ｅ１ "
    park = load_park(write_park(tmp_path / "p", streams=rows))
    assert park.streams["enterprise_id"].iloc[0] == "E1"
    warning = first(list(park.warnings), "id_folded")
    assert (warning.row, warning.column, warning.value, warning.accepted) == (2, "enterprise_id", "Ｅ１ ", "E1")


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=20).filter(lambda t: t.strip())
FREE = st.one_of(TEXT, st.sampled_from(["热电联产（燃煤）", "；", "😀 émoji ٣ mixed", "Ｅ１ full-width", "=1+1",
                                       "'quoted", '"', "a\nb", "\u00a0nbsp", "x\r\ny"]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(names=st.lists(FREE, min_size=3, max_size=3), notes=st.lists(FREE, min_size=8, max_size=8))
def test_free_text_survives_load_write_load(names: list[str], notes: list[str]) -> None:
    ents = [[r[0], names[i], *r[2:]] for i, r in enumerate(BASIC_ENTERPRISES)]
    rows = [[*r, notes[i]] for i, r in enumerate(BASIC_STREAMS)]
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_park(Path(tmp) / "p", enterprises=ents, streams=rows,
                            streams_header=[*STREAMS_HEADER, "notes"])
        park = load_park(folder)
        again = load_park(park.to_folder(Path(tmp) / "out"))
        assert again.enterprises["name"].tolist() == park.enterprises["name"].tolist()
        assert again.streams["notes"].tolist() == park.streams["notes"].tolist()
        assert again.equals(park)


@settings(max_examples=40, deadline=None)
@given(notes=st.lists(FREE.filter(lambda t: not t.startswith("'")), min_size=8, max_size=8))
def test_a_hand_written_csv_keeps_its_text_exactly(notes: list[str]) -> None:
    rows = [[*r, notes[i]] for i, r in enumerate(BASIC_STREAMS)]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([[*STREAMS_HEADER, "notes"], *rows])  # CR/LF cells quoted
    with tempfile.TemporaryDirectory() as tmp:
        folder = write_park(Path(tmp) / "p")
        (folder / "streams.csv").write_bytes(buffer.getvalue().encode("utf-8"))
        park = load_park(folder)
        assert park.streams["notes"].tolist() == notes


# --- D. silent losses ------------------------------------------------------------------------------------------
def _streams_text(extra_header: str = "notes", notes: list[str] | None = None) -> str:
    notes = notes or [""] * len(BASIC_STREAMS)
    return csv_text([*STREAMS_HEADER, extra_header], [[*r, notes[i]] for i, r in enumerate(BASIC_STREAMS)])


@pytest.mark.parametrize("closed_with", [None, 'closed here"x', 'closed here"'])
def test_an_unbalanced_quote_that_swallows_rows_is_an_error(tmp_path: Path, closed_with: str | None) -> None:
    folder = write_park(tmp_path / "p")
    lines = _streams_text().splitlines()
    lines[2] = lines[2] + '"oops, a quote left open'  # row 3's note opens a quote
    if closed_with is not None:
        lines[6] = lines[6] + closed_with  # ... and a later note closes it: rows 4-6 vanish into the note
    (folder / "streams.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if closed_with == 'closed here"':
        # closed exactly as CSV wants: the quotes may be meant (a note quoting rows); it loads, and says so
        park = load_park(folder)
        warning = first(list(park.warnings), "cell_holds_rows")
        assert (warning.file, warning.row, warning.column) == ("streams.csv", 3, "notes")
        assert dict(warning.params)["lines"] == "4"
        return
    problem = first(problems(folder), "unbalanced_quote")
    assert (problem.file, problem.row, problem.column) == ("streams.csv", 3, "notes")


def test_a_line_break_in_a_cell_is_kept_with_a_warning(tmp_path: Path) -> None:
    folder = write_park(tmp_path / "p")
    (folder / "streams.csv").write_text(_streams_text(notes=["line one\nline two"] + [""] * 7), encoding="utf-8")
    park = load_park(folder)
    assert park.streams["notes"].iloc[0] == "line one\nline two"
    assert (first(list(park.warnings), "line_break_in_cell").row, len(park.streams)) == (2, len(BASIC_STREAMS))


@pytest.mark.parametrize("name", INTERNAL_COLUMNS)
def test_a_user_column_named_like_an_internal_one_is_renamed_not_lost(tmp_path: Path, name: str) -> None:
    folder = write_park(tmp_path / "p")
    (folder / "streams.csv").write_text(_streams_text(name, [f"mine {i}" for i in range(8)]), encoding="utf-8")
    park = load_park(folder)
    kept = USER_COLUMN_PREFIX + name
    assert park.streams[kept].tolist() == [f"mine {i}" for i in range(8)]
    assert original_header(kept) == name
    warning = first(list(park.warnings), "column_renamed")
    assert warning.column == name and kept in warning.text() and "kept as is" not in warning.text()


def test_control_characters_in_numbers_are_errors_in_text_warnings(tmp_path: Path) -> None:
    rows = [list(r) for r in BASIC_STREAMS]
    rows[0][STREAMS_HEADER.index("quantity")] = "12\x003"
    problem = first(problems(write_park(tmp_path / "p", streams=rows)), "not_number")
    assert (problem.row, problem.column, problem.value) == (2, "quantity", "12\\x003")
    folder = write_park(tmp_path / "q")
    (folder / "streams.csv").write_text(_streams_text(notes=["bell\x07here"] + [""] * 7), encoding="utf-8")
    park = load_park(folder)
    assert park.streams["notes"].iloc[0] == "bell\x07here"
    assert (first(list(park.warnings), "control_character").row, first(list(park.warnings), "control_character")
            .column) == (2, "notes")


def test_a_formula_without_a_computed_value_is_an_error(tmp_path: Path) -> None:
    rows = [list(r) for r in BASIC_STREAMS]
    rows[1][STREAMS_HEADER.index("quantity")] = "=2*5"  # openpyxl saves a formula and no cached value
    found = problems("park.xlsx", _xlsx(tmp_path, rows))
    problem = first(found, "formula_without_value")
    assert (problem.file, problem.row, problem.column) == ("park.xlsx:streams", 3, "D3")
    assert "paste values" in problem.text()


def test_a_trailing_comma_on_data_rows_shifts_nothing(tmp_path: Path) -> None:
    folder = write_park(tmp_path / "p")
    lines = (folder / "streams.csv").read_text(encoding="utf-8").splitlines()
    (folder / "streams.csv").write_text("\n".join([lines[0]] + [x + "," for x in lines[1:]]) + "\n",
                                        encoding="utf-8")
    park = load_park(folder)
    assert park.equals(load_park(write_park(tmp_path / "ref")))
    assert first(list(park.warnings), "trailing_fields").params[0] == ("count", "8")
    lines[3] = lines[3] + ",surprise"
    (folder / "streams.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    problem = first(problems(folder), "too_many_fields")
    assert (problem.row, problem.value, problem.column) == (4, "surprise", f"#{len(STREAMS_HEADER) + 1}")


# --- E. per-file accounting ------------------------------------------------------------------------------------
def test_every_file_is_accounted_for(tmp_path: Path) -> None:
    rows = [list(r) for r in BASIC_STREAMS]
    rows[0][STREAMS_HEADER.index("quantity")] = "-1"
    rows[2][STREAMS_HEADER.index("material")] = "unobtainium"
    folder = write_park(tmp_path / "p", streams=rows)
    text = (folder / "streams.csv").read_text(encoding="utf-8").splitlines()
    text.insert(3, "")
    (folder / "streams.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(ParkError) as info:
        load_park(folder)
    accounts = {a.file: a for a in info.value.accounts}
    s = accounts["streams.csv"]
    assert (s.rows_read, s.rows_loaded, s.rows_with_errors, s.blank_rows) == (8, 0, 2, 1)
    assert accounts["enterprises.csv"].rows_read == 3
    result = subprocess.run([sys.executable, "-m", "symbiosis", "validate", str(folder), "--format", "json"],
                            capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    data = json.loads(result.stdout)
    assert data["valid"] is False and {f["file"]: f["rows_with_errors"] for f in data["files"]}["streams.csv"] == 2
    ok = subprocess.run([sys.executable, "-m", "symbiosis", "validate", str(write_park(tmp_path / "q"))],
                        capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert "Rows per file" in ok.stdout and "rows loaded" in ok.stdout


# --- F. a header-only exchanges.csv -------------------------------------------------------------------------
def test_a_header_only_exchanges_template_reloads_equal(tmp_path: Path) -> None:
    folder = write_park(tmp_path / "p", exchanges="supplier_id,receiver_id,material,quantity,unit\n")
    park = load_park(folder)
    without = load_park(write_park(tmp_path / "q"))
    assert park.exchanges.empty and park.equals(without)
    pd.testing.assert_series_equal(park.exchanges.dtypes, without.exchanges.dtypes)
    assert load_park(park.to_folder(tmp_path / "out")).equals(park)


def test_a_grade_on_a_row_that_is_not_water_is_kept_and_reported(tmp_path: Path) -> None:
    from symbiosis.core.loader import load_park

    park = load_park("datasets/demo_park")
    folder = park.to_folder(tmp_path / "p")
    text = (folder / "streams.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    assert "quality" in header
    first = next(i for i, line in enumerate(text) if ",coal," in line or ",煤炭," in line)
    cells = text[first].split(",")
    cells[header.index("quality")] = "冷却水"
    text[first] = ",".join(cells)
    (folder / "streams.csv").write_text("\n".join(text), encoding="utf-8")
    loaded = load_park(folder)
    warned = [p for p in loaded.warnings if p.code == "quality_not_water"]
    assert [(p.row, p.column, p.value) for p in warned] == [(first + 1, "quality", "冷却水")]
    assert loaded.streams.iloc[first - 1]["quality"] == "冷却水"


def test_a_unit_error_quotes_the_cell_as_written_and_cuts_a_huge_one(tmp_path: Path) -> None:
    from symbiosis.core.errors import ParkError
    from symbiosis.core.loader import load_park

    park = load_park("datasets/demo_park")
    folder = park.to_folder(tmp_path / "p")
    text = (folder / "streams.csv").read_text(encoding="utf-8").splitlines()
    header = text[0].split(",")
    cells = text[1].split(",")
    cells[header.index("unit")] = "Ｘ" * 5000
    text[1] = ",".join(cells)
    (folder / "streams.csv").write_text("\n".join(text), encoding="utf-8")
    with pytest.raises(ParkError) as info:
        load_park(folder)
    unit_problems = [p for p in info.value.errors if p.column == "unit"]
    assert len(unit_problems) == 1
    assert unit_problems[0].value.startswith("Ｘ" * 200)  # as written (full-width), not folded
    assert len(unit_problems[0].value) < 300
