"""The fill-in template (`symbiosis template`, the app's Excel template download): headers in two languages,
dropdowns from the datasets, input hints, example rows, and a filled template loads back as written."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from symbiosis.core.excel import VALIDATION_TEXT_CHARS, VALIDATION_TITLE_CHARS
from symbiosis.core.loader import load_park
from symbiosis.core.schema import TABLES, columns, header, sheet_name
from symbiosis.core.taxonomy import (
    baseline_vocabulary,
    baselines,
    material_vocabulary,
    materials,
    resolve_direction,
    water_grade_vocabulary,
    water_grades,
)
from symbiosis.core.template import (
    LISTS_SHEET,
    TEMPLATE_ROWS,
    dropdown_lists,
    other_lang,
    template_bytes,
    visible_sheets,
    write_template,
)
from symbiosis.core.units import parse_unit

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("zh", "en")


def _book(lang: str) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(template_bytes(lang)))


def _validations(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, object]:
    """The data validation of each column (by its header), checked to cover rows 2..TEMPLATE_ROWS + 1."""
    out: dict[str, object] = {}
    headers = {cell.column: cell.value for cell in ws[1]}
    for dv in ws.data_validations.dataValidation:
        (ref,) = str(dv.sqref).split()
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        assert min_col == max_col and (min_row, max_row) == (2, TEMPLATE_ROWS + 1)
        out[headers[min_col]] = dv
    return out


def _list_values(book: openpyxl.Workbook, source: str) -> list[str]:
    """The cells a list validation's source range names ('sheet'!$C$2:$C$96)."""
    sheet, ref = source.rsplit("!", 1)
    ws = book[sheet.strip("'")]
    min_col, min_row, _, max_row = range_boundaries(ref.replace("$", ""))
    return [ws.cell(row=r, column=min_col).value for r in range(min_row, max_row + 1)]


def _value(lang: str, list_name: str, key: str) -> str:
    dl = dropdown_lists(lang)[list_name]
    return dl.values[dl.keys.index(key)]


@pytest.mark.parametrize("lang", LANGS)
def test_sheets_headers_and_the_other_language_in_notes(lang: str) -> None:
    book = _book(lang)
    assert book.sheetnames == [*visible_sheets(lang), LISTS_SHEET]
    assert book[LISTS_SHEET].sheet_state == "hidden" and book.active.title == sheet_name("enterprises", lang)
    other = other_lang(lang)
    assert other != lang
    for table in TABLES:
        ws = book[sheet_name(table, lang)]
        assert [c.value for c in ws[1]] == [header(c, lang) for c in columns(table)]
        for cell, col in zip(ws[1], columns(table), strict=True):
            assert cell.comment is not None and cell.comment.text.startswith(header(col, other) + "\n")
        assert ws.freeze_panes == "A2"
    park_sheet = book[visible_sheets(lang)[-1]]
    assert park_sheet["A1"].value == "park.toml"


@pytest.mark.parametrize("lang", LANGS)
def test_the_dropdowns_hold_the_datasets_lists(lang: str) -> None:
    book = _book(lang)
    lists = dropdown_lists(lang)
    streams = _validations(book[sheet_name("streams", lang)])
    h = {c.name: header(c, lang) for c in columns("streams")}
    expected = {"direction": "direction", "unit": "unit", "material": "material", "quality": "quality",
                "baseline": "baseline"}
    for column, list_name in expected.items():
        dv = streams[h[column]]
        assert dv.type == "list" and dv.formula1.startswith(f"'{LISTS_SHEET}'!")  # type: ignore[attr-defined]
        assert _list_values(book, dv.formula1) == list(lists[list_name].values)  # type: ignore[attr-defined]
        assert dv.showInputMessage and dv.prompt and dv.promptTitle == h[column]  # type: ignore[attr-defined]
    assert streams[h["direction"]].errorStyle == "stop"  # type: ignore[attr-defined]
    assert streams[h["material"]].errorStyle == "warning"  # aliases are accepted: the dropdown only asks
    # every material, grade and baseline of the datasets, each resolving to its key; every unit parses
    assert set(lists["material"].keys) == set(materials()) and len(lists["material"].values) == len(materials())
    assert set(lists["quality"].keys) == set(water_grades()) and set(lists["baseline"].keys) == set(baselines())
    for list_name, resolve in (("material", material_vocabulary().resolve),
                               ("quality", water_grade_vocabulary().resolve),
                               ("baseline", baseline_vocabulary().resolve), ("direction", resolve_direction)):
        assert [resolve(v) for v in lists[list_name].values] == list(lists[list_name].keys)
    for unit in lists["unit"].values:
        parse_unit(unit)
    assert {"t/a", "万t/a", "m³/a", "GJ/a", "kWh/a", "t/h"} <= set(lists["unit"].values)
    # enterprise ids come from the enterprises sheet; every column has a hint within Excel's limits
    ent = f"'{sheet_name('enterprises', lang)}'!$A$2:$A${TEMPLATE_ROWS + 1}"
    assert streams[h["enterprise_id"]].formula1 == ent  # type: ignore[attr-defined]
    for table in TABLES:
        dvs = _validations(book[sheet_name(table, lang)])
        assert set(dvs) == {header(c, lang) for c in columns(table)}
        for dv in dvs.values():
            assert 0 < len(dv.prompt) <= VALIDATION_TEXT_CHARS  # type: ignore[attr-defined]
            assert len(dv.promptTitle) <= VALIDATION_TITLE_CHARS  # type: ignore[attr-defined]
            assert len(dv.error or "") <= VALIDATION_TEXT_CHARS  # type: ignore[attr-defined]
    exchanges = _validations(book[sheet_name("exchanges", lang)])
    hx = {c.name: header(c, lang) for c in columns("exchanges")}
    assert exchanges[hx["material"]].formula1 == streams[h["material"]].formula1  # type: ignore[attr-defined]
    assert exchanges[hx["supplier_id"]].formula1 == exchanges[hx["receiver_id"]].formula1 == ent  # type: ignore[attr-defined]


@pytest.mark.parametrize("lang", LANGS)
def test_the_example_rows_load_without_a_warning(lang: str, tmp_path: Path) -> None:
    park = load_park(write_template(tmp_path / f"template_{lang}.xlsx", lang))
    assert park.warnings == ()  # the lists sheet, the notes and the validations are not part of the package
    assert park.enterprises["enterprise_id"].tolist() == ["E01", "E02"]
    assert park.streams[["stream_id", "direction", "material", "baseline", "quantity"]].values.tolist() == [
        ["E01-1", "output", "fly_ash", "landfill", 120000.0]]
    assert park.exchanges[["supplier_id", "receiver_id", "material"]].values.tolist() == [["E01", "E02", "fly_ash"]]
    assert park.config.name == "My park" and park.config.reach_km["truck"] == 50.0


@pytest.mark.parametrize("lang", LANGS)
def test_a_filled_template_loads_the_rows_as_written(lang: str, tmp_path: Path) -> None:
    """Write the template, fill three stream rows with dropdown values as a user would, load it back."""
    book = _book(lang)
    ws = book[sheet_name("streams", lang)]
    col = {c.name: j for j, c in enumerate(columns("streams"), start=1)}
    rows = [
        {"enterprise_id": "E02", "direction": _value(lang, "direction", "input"),
         "material": _value(lang, "material", "fly_ash"), "quantity": 30000, "unit": "t/a",
         "baseline": _value(lang, "baseline", "virgin"), "notes": "替代黏土 / replaces clay"},
        {"stream_id": "E01-hw", "enterprise_id": "E01", "direction": _value(lang, "direction", "output"),
         "material": _value(lang, "material", "hot_water_heat"), "quantity": 50000, "unit": "GJ/a",
         "temperature_c": 85, "temperature_return_c": 40, "baseline": _value(lang, "baseline", "discharge")},
        {"enterprise_id": "E02", "direction": _value(lang, "direction", "input"),
         "material": _value(lang, "material", "industrial_water"), "quantity": 1.2, "unit": "万m³/a",
         "quality": _value(lang, "quality", "cooling"), "baseline": _value(lang, "baseline", "tap_water"),
         "hours_per_year": 8000},
    ]
    for i, row in enumerate(rows, start=3):  # below the example row
        for name, value in row.items():
            ws.cell(row=i, column=col[name], value=value)
    path = tmp_path / "filled.xlsx"
    book.save(path)
    park = load_park(path)
    assert park.warnings == ()
    got = park.streams.set_index("source_row")
    assert got.loc[3, ["enterprise_id", "direction", "material", "quantity", "unit", "baseline", "notes"]].tolist() == [
        "E02", "input", "fly_ash", 30000.0, "t/a", "virgin", "替代黏土 / replaces clay"]
    assert got.loc[4, ["stream_id", "material", "quantity", "temperature_c", "temperature_return_c", "baseline"]
                   ].tolist() == ["E01-hw", "hot_water_heat", 50000.0, 85.0, 40.0, "discharge"]
    assert got.loc[5, ["material", "quantity", "unit_entered", "quality", "baseline", "hours_per_year"]].tolist() == [
        "industrial_water", 12000.0, "万m³/a", "cooling", "tap_water", 8000.0]
    assert got.loc[5, "quantity_entered"] == 1.2
    assert got.loc[3, "stream_id"] == "E02-3"  # a blank id is generated from the enterprise and the row


def test_the_command_writes_the_template(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "模板.xlsx"
    result = subprocess.run([sys.executable, "-m", "symbiosis", "template", "--lang", "en", "--out", str(out)],
                            capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert out.exists() and str(out) in result.stdout and "Traceback" not in result.stderr
    assert openpyxl.load_workbook(out).sheetnames == [*visible_sheets("en"), LISTS_SHEET]
    assert len(load_park(out).streams) == 1
    bad = subprocess.run([sys.executable, "-m", "symbiosis", "template", "--out", str(tmp_path / "x.csv")],
                         capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)
    assert bad.returncode == 2 and ".xlsx" in bad.stdout and not (tmp_path / "x.csv").exists()


def test_the_app_download_is_the_template() -> None:
    from app import data as dh

    for lang in LANGS:
        book = openpyxl.load_workbook(io.BytesIO(dh.template_xlsx(lang)))  # type: ignore[arg-type]
        assert book.sheetnames == [*visible_sheets(lang), LISTS_SHEET]
        assert book[LISTS_SHEET].sheet_state == "hidden"
