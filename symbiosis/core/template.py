"""The fill-in template: an .xlsx a planner sends to enterprises, which the loader reads back as a park package.

Layout (docs/template.md):
* one sheet per table of the schema (enterprises, streams, exchanges; named in the chosen language, as the loader
  reads them), row 1 the headers in the chosen language, each with a note giving the other language's header and
  description; from row 2 one example row (two enterprises, as the example exchange needs a receiver) and empty
  rows with dropdowns and input hints down to row TEMPLATE_ROWS + 1;
* a `park` / `园区` sheet: park.toml's lines in column A (the loader's park sheet);
* a hidden sheet LISTS_SHEET holding the dropdown lists (direction, unit, material, water grade, baseline), each a
  column of names in the chosen language beside a column of the keys they resolve to. The loader reads only the
  table and park sheets, so this sheet, the notes and the validations are not part of the package.

Every cell goes through the export guard (symbiosis.core.excel); every text a user reads is a registered code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from symbiosis.core.excel import (
    add_validation,
    list_source,
    new_workbook,
    set_cell,
    set_comment,
    workbook_bytes,
)
from symbiosis.core.i18n import LANGS, Lang, as_lang, pick, register, render, word
from symbiosis.core.schema import TABLES, Column, columns, description, header, sheet_name
from symbiosis.core.taxonomy import CATEGORIES, baselines, materials, water_grades
from symbiosis.core.units import ACCEPTED_EXAMPLES

TEMPLATE_ROWS = 500  # rows below the header that carry the dropdowns and hints
LISTS_SHEET = "_lists"  # hidden; no table or park sheet name, so the loader never reads it
# Units offered in the unit dropdown: the ones the schema names, and a few more ledgers write often. Any unit the
# unit grammar reads is accepted (the dropdown questions, never refuses, another one).
COMMON_UNITS: tuple[str, ...] = (*ACCEPTED_EXAMPLES.split(", "), "t/d", "kt/a", "m³/d", "万Nm³/a", "GJ/h")
# Columns whose values come from a list, and how strictly: "stop" refuses other text, "warning" asks (the loader
# also reads aliases and other units).
LIST_COLUMNS: dict[str, str] = {"direction": "direction", "unit": "unit", "material": "material",
                                "quality": "quality", "baseline": "baseline", "enterprise_id": "enterprise",
                                "supplier_id": "enterprise", "receiver_id": "enterprise"}
LIST_STYLES: dict[str, str] = {"direction": "stop"}
NON_NEGATIVE: frozenset[str] = frozenset({"quantity", "hours_per_year", "uncertainty", "distance_km"})

TEXTS = register("template", {
    "req_yes": ("Required.", "必填。"),
    "req_no": ("Optional.", "选填。"),
    "req_position": ("Position: give x_km and y_km, or lon and lat.", "位置：填写 X/Y 坐标或经纬度，二选一。"),
    "req_heat": ("Required on heat rows.", "热流行必填。"),
    "req_water": ("Required on water rows.", "水流行必填。"),
    "pick_list": ("Choose from the list.", "请从下拉列表中选择。"),
    "pick_or_alias": ("Choose from the list; other names the loader knows are accepted too.",
                      "请从下拉列表中选择；加载器认识的其他名称也可使用。"),
    "pick_enterprise": ("An enterprise id of the enterprises sheet.", "企业表中的企业编号。"),
    "error_title": ("Not in the list", "不在列表中"),
    "error_stop": ("'{column}' takes a value from the list.", "“{column}”须从下拉列表中选择。"),
    "error_warning": ("'{column}': this value is not in the list. The loader also reads aliases and other units "
                      "(docs/park-data-package.md); keep it?",
                      "“{column}”：该值不在列表中。加载器也识别别名和其他单位（见 docs/park-data-package.md）；是否保留？"),
    "number_title": ("A number", "须为数字"),
    "number_error": ("'{column}' takes a number of zero or more.", "“{column}”须为大于或等于零的数字。"),
    "about": ("The Excel template has a dropdown for direction, unit, material, water grade, baseline and enterprise "
              "ids, a hint on every column (select a cell), the other language's header in each header's note, and "
              "one example row per table to overwrite or delete; the loader reads it back as it is.",
              "Excel 模板为方向、单位、物料、水质等级、现状和企业编号提供下拉列表，每列都有填写提示（选中单元格即可看到），"
              "表头批注给出另一种语言的表头，每张表有一行示例（请改写或删除）；填好后可直接上传加载。"),
    "park_sheet": ("park", "园区"),
    "example_note": ("Example row: overwrite or delete it", "示例行：请改写或删除"),
    "key_header": ("{column}: key", "{column}：键"),
    "other_header": ("{header} (in the other language)", "{header}（另一种语言的表头）"),
    "toml_head": ("# The park's settings (optional). A line starting with # is a comment.",
                  "# 园区设置（可选）。以 # 开头的行为注释。"),
    "toml_region": ("# region: the grid region of the electricity factor, one of", "# region：电网排放因子区域，可选"),
    "toml_regions_1": ("#   national, north, northeast, east,", "#   national（全国）、north（华北）、northeast（东北）、east（华东）、"),
    "toml_regions_2": ("#   central, northwest, south, southwest", "#   central（华中）、northwest（西北）、south（南方）、southwest（西南）"),
    "toml_hours": ("# default_hours_per_year: operating hours for rows in t/h or kW that give none",
                   "# default_hours_per_year：以 t/h 或 kW 计且未填年运行小时的行所用的年运行小时"),
    "toml_reach": ("# reach_km: the farthest a link may go by each mode, km", "# reach_km：各运输方式的最远距离，千米"),
})
DIRECTION_WORDS = register("template.direction", {"output": ("output", "产出"), "input": ("input", "投入")})

_REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")  # required: orange
_CONDITION_FILL = PatternFill("solid", fgColor="FFE699")  # required on some rows (heat, water, position): yellow
_OPTIONAL_FILL = PatternFill("solid", fgColor="D9E1F2")  # optional: blue-grey
_EXAMPLE_FONT = Font(italic=True, color="7F7F7F")
_BOLD = Font(bold=True)


def other_lang(lang: Lang | str) -> Lang:
    """The language a template gives as the second hint."""
    return next(x for x in LANGS if x != as_lang(lang))


@dataclass(frozen=True)
class DropdownList:
    """One dropdown: the names shown (chosen language) and the key each resolves to ("" for units)."""

    name: str
    values: tuple[str, ...]
    keys: tuple[str, ...]
    style: str = "warning"


def dropdown_lists(lang: Lang | str) -> dict[str, DropdownList]:
    """The dropdown lists of a template in `lang`, from the datasets (every material, grade and baseline)."""
    mats = sorted(materials().values(), key=lambda m: CATEGORIES.index(m.category))  # grouped, stable within
    bases = sorted(baselines().values(), key=lambda b: b.direction != "output")  # the fates, then the supplies
    grades = sorted(water_grades().values(), key=lambda g: -g.rank)
    lists = [
        DropdownList("direction", tuple(word(DIRECTION_WORDS, d, lang) for d in DIRECTION_WORDS),
                     tuple(DIRECTION_WORDS), style="stop"),
        DropdownList("unit", COMMON_UNITS, tuple("" for _ in COMMON_UNITS)),
        DropdownList("material", tuple(m.name(lang) for m in mats), tuple(m.key for m in mats)),
        DropdownList("quality", tuple(_name(g.name_en, g.name_zh, lang) for g in grades),
                     tuple(g.grade for g in grades)),
        DropdownList("baseline", tuple(_name(b.name_en, b.name_zh, lang) for b in bases),
                     tuple(b.baseline for b in bases)),
    ]
    return {x.name: x for x in lists}


def _name(en: str, zh: str, lang: Lang | str) -> str:
    return pick(en, zh, lang)


def _example_rows(lang: Lang | str) -> dict[str, list[dict[str, Any]]]:
    """One example row per table (two enterprises: the example exchange goes from one to the other)."""
    note = render(TEXTS.code("example_note"), lang)
    fly_ash = materials()["fly_ash"].name(lang)
    return {
        "enterprises": [
            {"enterprise_id": "E01", "name": _name("Example CHP plant", "示例热电厂", lang),
             "sector": _name("power and heat", "电力、热力生产和供应业", lang), "x_km": 0.0, "y_km": 0.0,
             "notes": note},
            {"enterprise_id": "E02", "name": _name("Example cement works", "示例水泥厂", lang),
             "sector": _name("cement", "水泥制造", lang), "x_km": 2.5, "y_km": 1.0, "notes": note},
        ],
        "streams": [
            {"stream_id": "E01-1", "enterprise_id": "E01", "direction": word(DIRECTION_WORDS, "output", lang),
             "material": fly_ash, "quantity": 120000, "unit": "t/a",
             "baseline": _name(baselines()["landfill"].name_en, baselines()["landfill"].name_zh, lang),
             "notes": note},
        ],
        "exchanges": [
            {"exchange_id": "X01", "supplier_id": "E01", "receiver_id": "E02", "material": fly_ash,
             "quantity": 30000, "unit": "t/a", "distance_km": 2.7, "notes": note},
        ],
    }


def park_lines(lang: Lang | str) -> list[str]:
    """park.toml's lines as the park sheet holds them (after its title cell "park.toml")."""
    def say(key: str) -> str:
        return render(TEXTS.code(key), lang)

    return [say("toml_head"), 'name = "My park"', 'name_zh = "我的园区"', say("toml_region"), say("toml_regions_1"),
            say("toml_regions_2"), 'region = "national"',
            "year = 2023", "dt_min_k = 10.0", say("toml_hours"), "default_hours_per_year = 8000", "",
            say("toml_reach"), "[reach_km]", "truck = 50.0", "pipe_water = 10.0", "pipe_heat = 5.0",
            "pipe_steam = 3.0", "pipe_gas = 10.0"]


def _required_text(col: Column, lang: Lang | str) -> str:
    return render(TEXTS.code(f"req_{col.required}"), lang)


def _fill(col: Column) -> PatternFill:
    return {"yes": _REQUIRED_FILL, "no": _OPTIONAL_FILL}.get(col.required, _CONDITION_FILL)


def _write_lists(wb: Workbook, lists: dict[str, DropdownList], lang: Lang | str) -> dict[str, str]:
    """The hidden lists sheet; returns each list's source range."""
    ws = wb.create_sheet(LISTS_SHEET)
    headers = {c.name: header(c, lang) for c in columns("streams")}
    sources: dict[str, str] = {}
    j = 1
    for dl in lists.values():
        set_cell(ws, 1, j, headers[dl.name]).font = _BOLD
        for i, value in enumerate(dl.values, start=2):
            set_cell(ws, i, j, value)
        sources[dl.name] = list_source(LISTS_SHEET, j, 2, len(dl.values) + 1)
        width = 12
        if any(dl.keys):
            set_cell(ws, 1, j + 1, render(TEXTS.code("key_header"), lang, column=headers[dl.name])).font = _BOLD
            for i, key in enumerate(dl.keys, start=2):
                set_cell(ws, i, j + 1, key)
            ws.column_dimensions[get_column_letter(j + 1)].width = 22
            width = 26
        ws.column_dimensions[get_column_letter(j)].width = width
        j += 2 if any(dl.keys) else 1
    ws.sheet_state = "hidden"
    return sources


def _width(text: str) -> float:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) + 4


def _write_table(wb: Workbook, table: str, lang: Lang | str, sources: dict[str, str],
                 lists: dict[str, DropdownList], examples: list[dict[str, Any]]) -> Worksheet:
    ws = wb.create_sheet(sheet_name(table, lang))
    other = other_lang(lang)
    last = TEMPLATE_ROWS + 1
    for j, col in enumerate(columns(table), start=1):
        title = header(col, lang)
        cell = set_cell(ws, 1, j, title)
        cell.font = _BOLD
        cell.fill = _fill(col)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        set_comment(cell, f"{header(col, other)}\n{description(col, other)}\n{_required_text(col, other)}")
        for i, row in enumerate(examples, start=2):
            set_cell(ws, i, j, row.get(col.name), label=title).font = _EXAMPLE_FONT
        letter = get_column_letter(j)
        ref = f"{letter}2:{letter}{last}"
        hint = f"{description(col, lang)}\n{_required_text(col, lang)}"
        kind = LIST_COLUMNS.get(col.name)
        if kind == "enterprise":
            add_validation(ws, ref, kind="list", source=list_source(sheet_name("enterprises", lang), 1, 2, last),
                           prompt_title=title, prompt=f"{render(TEXTS.code('pick_enterprise'), lang)}\n{hint}",
                           error_title=render(TEXTS.code("error_title"), lang),
                           error=render(TEXTS.code("error_warning"), lang, column=title), style="warning")
        elif kind is not None:
            style = lists[kind].style
            pick_key = "pick_list" if style == "stop" else "pick_or_alias"
            add_validation(ws, ref, kind="list", source=sources[kind], prompt_title=title,
                           prompt=f"{render(TEXTS.code(pick_key), lang)}\n{hint}",
                           error_title=render(TEXTS.code("error_title"), lang),
                           error=render(TEXTS.code(f"error_{style}"), lang, column=title), style=style)
        elif col.name in NON_NEGATIVE:
            add_validation(ws, ref, kind="decimal", operator="greaterThanOrEqual", source="0", prompt_title=title,
                           prompt=hint, error_title=render(TEXTS.code("number_title"), lang),
                           error=render(TEXTS.code("number_error"), lang, column=title), style="warning")
        else:
            add_validation(ws, ref, prompt_title=title, prompt=hint)
        if col.dtype == "str":
            ws.column_dimensions[letter].number_format = "@"  # ids such as 001 stay text as typed
        shown = [title, *(str(row.get(col.name, "")) for row in examples)]
        ws.column_dimensions[letter].width = max(12.0, *(_width(x) for x in shown))
    ws.freeze_panes = "A2"
    _print_one_page_wide(ws)
    return ws


def _print_one_page_wide(ws: Worksheet) -> None:
    """Printed (or rendered to PDF) in landscape, one page wide."""
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0


def _write_park(wb: Workbook, lang: Lang | str) -> Worksheet:
    ws = wb.create_sheet(visible_sheets(lang)[-1])
    set_cell(ws, 1, 1, "park.toml").font = _BOLD
    for i, line in enumerate(park_lines(lang), start=2):
        set_cell(ws, i, 1, line)
    ws.column_dimensions["A"].width = 1.2 * max(_width(x) for x in park_lines(lang))
    _print_one_page_wide(ws)
    return ws


def about(lang: Lang | str = "zh") -> str:
    """What the template holds, in a sentence (the app shows it beside the download)."""
    return render(TEXTS.code("about"), lang)


def visible_sheets(lang: Lang | str = "zh") -> list[str]:
    """The sheets a template shows, in order: the tables, then the park sheet (the lists sheet is hidden)."""
    return [*(sheet_name(table, lang) for table in TABLES), render(TEXTS.code("park_sheet"), lang)]


def template_workbook(lang: Lang | str = "zh") -> Workbook:
    """The fill-in template as an openpyxl workbook (see the module's docstring for its layout)."""
    wb = new_workbook()
    lists = dropdown_lists(lang)
    examples = _example_rows(lang)
    sources = _write_lists(wb, lists, lang)
    for table in TABLES:
        _write_table(wb, table, lang, sources, lists, examples[table])
    _write_park(wb, lang)
    wb.move_sheet(LISTS_SHEET, offset=len(wb.sheetnames) - 1)  # last, hidden; the first table sheet is active
    wb.active = wb[sheet_name(TABLES[0], lang)]
    return wb


def template_bytes(lang: Lang | str = "zh") -> bytes:
    return workbook_bytes(template_workbook(lang))


def write_template(path: str | Path, lang: Lang | str = "zh") -> Path:
    target = Path(path)
    target.write_bytes(template_bytes(lang))
    return target
