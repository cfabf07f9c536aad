"""The project's own error types. Every problem with user input is a `Problem` naming where it is."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

from symbiosis.core.i18n import Lang, register, render

# Messages of the loader's checks for hostile or damaged input (bounded reads, silent losses); registered next to
# the core's messages (same bare codes, so a Problem's code is the catalogue's code).
LOADER_MESSAGES = register("", name="loader", entries={
    "cell_holds_rows": ("This quoted cell holds {lines} line(s) that look like rows of the file: loaded as one cell, "
                        "as its quotes say. If those are rows, a quote in this cell was meant to be closed earlier",
                        "此带引号的单元格内有 {lines} 行看起来像文件中的数据行：已按引号读作一个单元格。"
                        "若它们是数据行，请检查此单元格中的引号是否应更早闭合"),
    "quality_not_water": ("Water quality '{value}' on a row that is not water or wastewater: kept as written, "
                          "not used by matching",
                          "非水/废水行填写了水质“{value}”：按原文保留，匹配时不使用"),
    "limit_exceeded": ("Over a limit: {what} may be at most {limit_value} ({limit}); found {value}. "
                       "See docs/limits.md",
                       "超出限制：{what}最多为 {limit_value}（{limit}）；实际为 {value}。见 docs/limits.md"),
    "unbalanced_quote": ("A quote (\") opens this cell and is never closed, so {lines} following line(s) of the file "
                         "were read into it as text: close the quote or remove it",
                         "此单元格以引号（\"）开头但未闭合，文件后面的 {lines} 行被读成了它的文字：请补上或删去引号"),
    "line_break_in_cell": ("The cell holds a line break (kept as is); check that no quote is left open",
                           "单元格内有换行（原样保留）；请确认没有未闭合的引号"),
    "too_many_fields": ("The row has {fields} fields but the header has {header_fields}: a value stands in a column "
                        "without a header (a stray comma?)",
                        "该行有 {fields} 个字段而表头只有 {header_fields} 个：有值落在没有表头的列中（多了逗号？）"),
    "trailing_fields": ("{count} row(s) end with empty fields beyond the header (a trailing comma); they were "
                        "ignored, no column was shifted",
                        "{count} 行在表头之外多出空字段（行尾多了逗号）；已忽略，各列未错位"),
    "control_character": ("The text holds a control character ({value}); it is kept as is",
                          "文字中含控制字符（{value}）；原样保留"),
    "formula_without_value": ("Cell {value} holds a formula without a computed value; open and save the workbook "
                              "in Excel, or paste values",
                              "单元格 {value} 是没有计算结果的公式；请在 Excel 中打开并保存，或粘贴为数值"),
    "column_renamed": ("Column '{value}' has the name of a column the loader adds; it is kept as '{new_name}' and "
                       "written back as '{value}'",
                       "列“{value}”与程序生成的列同名；以“{new_name}”保留，写回时恢复为“{value}”"),
    "id_folded": ("Id '{value}' is read as '{accepted}' (full-width characters and outer spaces are folded in ids; "
                  "{count} cell(s) of this column)",
                  "编号“{value}”按“{accepted}”读取（编号中的全角字符和首尾空格被规整；本列共 {count} 处）"),
})

# A generic material word read by its row (taxonomy.read_material): the reading, shown as a warning, or why the
# row does not choose one key. {context} lists what the row says (context.* pieces); {deciding} the columns that
# would choose (context.column.*, joined by context.or).
CONTEXT_MESSAGES = register("", name="context", entries={
    "material_read_in_context": ("Read '{value}' as {name} ({accepted}) from this row: {context}",
                                 "“{value}”按本行读作{name}（{accepted}）：{context}"),
    "material_ambiguous": ("Material '{value}' may be any of {accepted} in this row ({context}); {deciding} would "
                           "decide, or write the material meant",
                           "物料“{value}”在本行（{context}）可能是以下任一种：{accepted}；填写{deciding}可以区分，"
                           "或直接填写所指的物料"),
    "material_no_fit": ("Material '{value}' may name {accepted}, but none of them fits this row ({context}); "
                        "write the material meant",
                        "物料“{value}”可指 {accepted}，但都不符合本行（{context}）；请直接填写所指的物料"),
    "context.unit": ("unit {unit}", "单位 {unit}"),
    "context.direction.output": ("output", "产出"),
    "context.direction.input": ("input", "投入"),
    "context.temperature": ("at {temperature} °C", "温度 {temperature} °C"),
    "context.baseline": ("baseline {baseline}", "现状 {baseline}"),
    "context.nothing": ("the row gives no unit, direction, temperature or baseline",
                        "本行未给出单位、方向、温度或现状"),
    "context.sep": (", ", "，"),  # zh: a full-width comma
    "context.or": (" or ", "或"),
    "context.column.unit": ("the unit (t, m³, GJ, t/h of steam)", "单位（t、m³、GJ、蒸汽 t/h）"),
    "context.column.direction": ("the direction", "方向"),
    "context.column.temperature_c": ("the temperature", "温度"),
    "context.column.baseline": ("the baseline", "现状"),
    "context.column.material": ("a more specific material name", "更具体的物料名称"),
}, localize=("baseline",))

# Messages of the per-enterprise workbooks (symbiosis.core.workbooks): the layout read, and what a header block or a
# merge of sheets can get wrong. A cell is named as `E02.xlsx:滨江钢铁!B3`.
WORKBOOK_MESSAGES = register("", name="workbooks", entries={
    "workbooks_read": ("Read as per-enterprise workbooks: {enterprises} enterprise(s) from the header blocks of "
                       "{sheets} sheet(s) in {workbooks} workbook(s), merged into one park",
                       "按“每家企业一个工作簿”读取：{workbooks} 个工作簿中 {sheets} 张工作表的表头区共 "
                       "{enterprises} 家企业，已合并为一个园区"),
    "workbooks_empty": ("No sheet holds an enterprise: each needs a header block above a stream table "
                        "(accepted: {accepted})",
                        "没有工作表包含企业：每张表需在物料流表上方有表头区（可接受：{accepted}）"),
    "enterprise_code_twice": ("Enterprise code '{value}' heads two sheets: here ({column}) and at {other}; one "
                              "header block per enterprise",
                              "企业编号“{value}”出现在两张工作表的表头区：此处（{column}）和 {other}；每家企业只能有一个表头区"),
    "enterprise_position_twice": ("Two positions for enterprise '{enterprise}': {value} here ({column}) and "
                                  "{other_value} at {other}; keep one",
                                  "企业“{enterprise}”有两个位置：此处（{column}）为 {value}，{other} 为 {other_value}；"
                                  "请只保留一个"),
    "header_field_twice": ("'{label}' is given twice in the header block: '{value}' here ({column}) and "
                           "'{other_value}' at {other}; keep one",
                           "表头区中“{label}”填写了两次：此处（{column}）为“{value}”，{other} 为“{other_value}”；"
                           "请只保留一个"),
    "header_field_missing": ("The header block ({column}) gives no {field}: add a row {accepted} above the stream "
                             "table",
                             "表头区（{column}）缺少{field}：请在物料流表上方加一行 {accepted}"),
    "header_block_missing": ("This sheet holds a stream table (headers on row {header_row}) but no header block "
                             "above it naming the enterprise (accepted labels: {accepted})",
                             "此工作表有物料流表（表头在第 {header_row} 行），但其上方没有注明企业的表头区"
                             "（可接受的标签：{accepted}）"),
    "stream_table_missing": ("'{value}' and {rows} row(s) from here stand below the header block, but no stream "
                             "table was found: its header row needs {accepted}",
                             "表头区下方从此行起有 {rows} 行内容（“{value}”），但未找到物料流表：表头行须包含 {accepted}"),
    "header_code_mismatch": ("The row names enterprise '{value}' but the sheet's header block gives code "
                             "'{accepted}' ({cell}); a sheet holds the streams of its own enterprise",
                             "该行填写的企业为“{value}”，但本表表头区的企业编号为“{accepted}”（{cell}）；"
                             "一张表只填本企业的物料流"),
    "sheet_not_read": ("Sheet '{value}' has no header block and no stream table; it was not read",
                       "工作表“{value}”既没有表头区也没有物料流表；未读取"),
})

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about the user's input: where it is, what is wrong, what would be accepted.

    `row` counts as the user does in a spreadsheet: the header is row 1, the first data row is row 2.
    `code` selects a bilingual message template; `params` fill it.
    """

    code: str
    file: str = ""
    row: int | None = None
    column: str = ""
    value: str = ""
    accepted: str = ""
    severity: Severity = "error"
    params: tuple[tuple[str, str], ...] = ()

    def text(self, lang: Lang = "en") -> str:
        return render(self.code, lang, value=self.value, column=self.column, accepted=self.accepted,
                      **dict(self.params))

    def as_record(self, lang: Lang = "en") -> dict[str, Any]:
        record = asdict(self)
        record.pop("params")
        record["message"] = self.text(lang)
        return record


class SymbiosisError(Exception):
    """Base of every error this project raises on purpose."""


class ParkError(SymbiosisError):
    """The park data package has errors; `problems` lists all of them (warnings included)."""

    def __init__(self, problems: Iterable[Problem], accounts: Sequence[Any] = ()):
        self.problems = list(problems)
        self.accounts = list(accounts)  # symbiosis.core.loader.FileAccount per table file: what became of its rows
        errors = [p for p in self.problems if p.severity == "error"]
        first = errors[0] if errors else (self.problems[0] if self.problems else None)
        where = f" (first: {first.file} row {first.row} column {first.column}: {first.text()})" if first else ""
        super().__init__(f"{len(errors)} error(s) in the park data package{where}")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


class DatasetError(SymbiosisError):
    """A reference table in datasets/ is inconsistent (a bug in the shipped data, or a bad override)."""
