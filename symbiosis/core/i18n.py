"""Two languages, spoken in one place: the language type, the catalogue of messages and the renderer.

A message is a code with parameters. Each layer keeps its own table of (English, 中文) templates and registers it
here when its module is imported (`register`); lookup, language fallback, parameter formatting and the behaviour
for an unknown code all live in this module, and nowhere else does a module choose between English and Chinese:

- `render(code, lang, **params)` renders one message; `pair(code, **params)` gives (English, 中文) for a record
  that must carry both.
- `word(table, key, lang)` names a value of a fixed vocabulary (a registered table keyed by values): an unknown
  value is shown as it is, never dropped.
- `pick(en, zh, lang)` chooses between two texts that come from data (datasets' name_en/name_zh, a ledger's
  Chinese name); `lang_column(en, zh, lang)` chooses between two columns holding them.
- `number` and `quantity` format numbers the same way in both languages.

Rules, for every message:
- `lang` is "zh" for Chinese; any other value gives English. An empty Chinese text falls back to English.
- An unknown code is a bug: `KeyError` (a test checks that every code the program asks for exists).
- A parameter the caller did not give is shown as `{name}`, never a crash.
- In Chinese, a parameter `x_zh` given next to `x` is used for `{x}`; and a table registered with
  `localize=("material", ...)` shows those parameters' keys by their Chinese names (materials.csv, baselines.csv,
  emission_factors.csv name_zh). So both templates name the same placeholders with the same format specs: a
  number is formatted the same way in both languages.
- A code registered twice is an error at import.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from typing import Any, Literal, TypeVar

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")

K = TypeVar("K")


class MessageTable(dict[K, tuple[str, str]]):
    """One registered table: key -> (English, 中文). Its codes in the catalogue are `namespace.key` (or the bare key
    for the core's messages, namespace "")."""

    namespace: str
    name: str
    localize: frozenset[str]

    def code(self, key: object) -> str:
        return f"{self.namespace}.{key}" if self.namespace else str(key)


# code -> (English, 中文); code -> the table it came from
_CATALOGUE: dict[str, tuple[str, str]] = {}
_TABLE_OF: dict[str, MessageTable[Any]] = {}
_TABLES: dict[str, MessageTable[Any]] = {}


class DuplicateCodeError(ValueError):
    """Two registered tables (or one table registered twice) give the same message code."""


def register(namespace: str, entries: Mapping[K, tuple[str, str]], *, name: str | None = None,
             localize: Iterable[str] = ()) -> MessageTable[K]:
    """Add a table of (English, 中文) templates to the catalogue under `namespace` and return it as a
    `MessageTable` (a dict, so it reads as before). `name` (default: the namespace) names the table; several
    tables may share a namespace as long as their keys differ. `localize` names parameters whose values are
    dataset keys to be shown by their Chinese names in Chinese (see `ZH_NAMES`)."""
    name = name or namespace
    if name in _TABLES:
        raise DuplicateCodeError(f"message table {name!r} is registered twice")
    unknown = set(localize) - set(ZH_NAMES)
    if unknown:
        raise ValueError(f"no Chinese names for parameters {sorted(unknown)}; known: {sorted(ZH_NAMES)}")
    table: MessageTable[K] = MessageTable(entries)
    table.namespace = namespace
    table.name = name
    table.localize = frozenset(localize)
    clashes = [table.code(k) for k in table if table.code(k) in _CATALOGUE]
    if clashes:
        owners = sorted({_TABLE_OF[c].name for c in clashes})
        raise DuplicateCodeError(f"codes {clashes} of table {name!r} are already registered by {owners}")
    for key, texts in table.items():
        _CATALOGUE[table.code(key)] = texts
        _TABLE_OF[table.code(key)] = table
    _TABLES[name] = table
    return table


def catalogue() -> Mapping[str, tuple[str, str]]:
    """Every registered code with its two templates (what the modules imported so far have registered)."""
    return dict(_CATALOGUE)


def tables() -> Mapping[str, MessageTable[Any]]:
    return dict(_TABLES)


def is_zh(lang: Lang | str) -> bool:
    return lang == "zh"


def as_lang(value: Lang | str) -> Lang:
    """Any language setting as a `Lang`: "zh" is Chinese, everything else English."""
    return "zh" if is_zh(value) else "en"


def pick(en: str, zh: str | None, lang: Lang | str) -> str:
    """One of two texts that come with both languages from data; an empty Chinese text falls back to English."""
    return zh if is_zh(lang) and zh else en


def lang_column(en_column: str, zh_column: str, lang: Lang | str) -> str:
    """Which of two columns (e.g. name_en / name_zh, reason_en / reason_zh) holds the text in `lang`."""
    return zh_column if is_zh(lang) else en_column


# --- numbers, the same in both languages ---------------------------------------------------------------------------
def number(value: float | None, digits: int = 6) -> str:
    """A number as a reader sees it in a sentence: thousands separated, no exponent for ordinary sizes."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.{digits}g}"


def quantity(value: float) -> str:
    """A quantity as a planner reads it: thousands separated, no exponent, about four significant digits."""
    if value != value:  # NaN
        return "—"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 1 or magnitude == 0:
        return f"{value:,.4g}"
    return f"{value:.3g}"


# --- Chinese names of dataset keys used as parameters --------------------------------------------------------------
def _material_zh(value: str) -> str:
    """Material keys (one, or comma-joined) by their Chinese names; anything else as is."""
    from symbiosis.core.taxonomy import materials  # import here: taxonomy imports errors, which imports this

    mats = materials()
    parts = [p.strip() for p in value.split(",")]
    if parts and all(p in mats for p in parts):
        return "、".join(mats[p].name_zh for p in parts)
    return value


def _baseline_zh(value: str) -> str:
    from symbiosis.core.taxonomy import baselines

    row = baselines().get(value)
    return row.name_zh if row is not None else value


@cache
def _factor_names_zh() -> dict[str, str]:
    from symbiosis.core.datasets import read_records

    return {r["factor_id"]: r["name_zh"] for r in read_records("emission_factors")}


def _factor_zh(value: str) -> str:
    return _factor_names_zh().get(value, value)


def _grade_zh(value: str) -> str:
    from symbiosis.core.taxonomy import water_grades

    found = water_grades().get(value)
    return found.name_zh if found is not None else value


def _mode_zh(value: str) -> str:
    return word("mode", value, "zh")


ZH_NAMES: dict[str, Callable[[str], str]] = {
    "material": _material_zh, "materials": _material_zh, "baseline": _baseline_zh, "factor_id": _factor_zh,
    "grade": _grade_zh, "mode": _mode_zh,
}


# --- the renderer --------------------------------------------------------------------------------------------------
class _Formatter(string.Formatter):
    """str.format, except that a parameter not given is shown as `{name}` (unformatted) instead of raising."""

    def get_value(self, key: int | str, args: Any, kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str) and key not in kwargs:
            return _Missing(key)
        return super().get_value(key, args, kwargs)

    def format_field(self, value: Any, format_spec: str) -> Any:
        if isinstance(value, _Missing):
            return "{" + value.name + "}"
        return super().format_field(value, format_spec)

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        return value if isinstance(value, _Missing) else super().convert_field(value, conversion)


class _Missing:
    def __init__(self, name: str):
        self.name = name


_FORMATTER = _Formatter()


def placeholders(template: str) -> set[tuple[str, str, str]]:
    """The placeholders of a template as (name, conversion, format spec); en and zh must have the same set."""
    return {(name, conv or "", spec or "") for _, name, spec, conv in string.Formatter().parse(template)
            if name is not None}


def _zh_params(table: MessageTable[Any] | None, params: Mapping[str, Any]) -> dict[str, Any]:
    localize = table.localize if table is not None else frozenset()
    shown = {k: ZH_NAMES[k](v) if k in localize and isinstance(v, str) and v else v for k, v in params.items()}
    shown.update({k[:-3]: v for k, v in params.items() if k.endswith("_zh")})
    return shown


def template(code: str, lang: Lang | str) -> str:
    """The raw template of `code` in `lang` (English when the Chinese one is empty). Unknown code: KeyError."""
    try:
        en, zh = _CATALOGUE[code]
    except KeyError:
        raise KeyError(f"unknown message code {code!r} (is the module that registers its table imported?)") from None
    return pick(en, zh, lang)


def render(code: str, lang: Lang | str = "en", /, **params: Any) -> str:
    """Message `code` in `lang` with `params` filled in (see the module's rules)."""
    text = template(code, lang)
    if is_zh(lang):
        params = _zh_params(_TABLE_OF.get(code), params)
    return _FORMATTER.vformat(text, (), params)


def pair(code: str, /, **params: Any) -> tuple[str, str]:
    """Message `code` in English and in Chinese, for a record that must carry both."""
    return render(code, "en", **params), render(code, "zh", **params)


def word(table: MessageTable[Any] | str, key: object, lang: Lang | str) -> str:
    """A value of a registered vocabulary (`table` or its name) in `lang`; an unknown value is shown as it is
    (never dropped)."""
    code = (_TABLES[table] if isinstance(table, str) else table).code(key)
    return render(code, lang) if code in _CATALOGUE else str(key)


MESSAGES: dict[str, tuple[str, str]] = {
    "file_missing": ("Required file {file_name} is missing (accepted names: {accepted})",
                     "缺少必需文件 {file_name}（可接受的名称：{accepted}）"),
    "file_unreadable": ("Cannot read the file: {reason}", "无法读取文件：{reason}"),
    "encoding": ("The file is not in a supported encoding ({accepted})",
                 "文件编码不受支持（可接受：{accepted}）"),
    "package_unknown": ("Not a park data package: give a folder, an .xlsx or a .zip ({reason})",
                        "不是园区数据包：请提供文件夹、.xlsx 或 .zip（{reason}）"),
    "column_missing": ("Required column '{column}' is missing (accepted headers: {accepted})",
                       "缺少必需列“{column}”（可接受的表头：{accepted}）"),
    "column_duplicate": ("Two headers map to the same column '{column}'", "两个表头对应同一列“{column}”"),
    "file_twice": ("The table is given more than once ({value}); keep one", "同一张表出现多次（{value}）；请只保留一份"),
    "value_range": ("'{value}' is out of range (accepted: {accepted})", "“{value}”超出范围（可接受：{accepted}）"),
    "required_blank": ("Required value is blank", "必填值为空"),
    "not_number": ("'{value}' is not a number", "“{value}”不是数字"),
    "negative": ("'{value}' is negative; quantities must be zero or more", "“{value}”为负数；数量须大于或等于零"),
    "duplicate_id": ("Id '{value}' appears more than once (also on row {other_row})",
                     "编号“{value}”重复（另见第 {other_row} 行）"),
    "unknown_enterprise": ("Enterprise '{value}' is not in enterprises", "企业“{value}”不在企业表中"),
    "unknown_direction": ("Direction '{value}' is not known (accepted: {accepted})",
                          "方向“{value}”无法识别（可接受：{accepted}）"),
    "unknown_material": ("Material '{value}' is not known; nearest: {accepted}",
                         "物料“{value}”无法识别；最接近的是：{accepted}"),
    "unknown_unit": ("Unit '{value}' is not understood (accepted, e.g.: {accepted})",
                     "单位“{value}”无法识别（可接受的例如：{accepted}）"),
    "unit_too_long": ("Unit '{value:.40}…' is too long: a unit has at most {limit} characters (accepted, e.g.: "
                      "{accepted})",
                      "单位“{value:.40}…”过长：单位最多 {limit} 个字符（可接受的例如：{accepted}）"),
    "unit_dimension": ("Unit '{value}' does not fit material {material} measured as {dimension} (accepted: {accepted})",
                       "单位“{value}”与物料 {material}（计量为{dimension}）不符（可接受：{accepted}）"),
    "unit_needs_property": ("Unit '{value}' needs {property} of {material}, which the material table does not give",
                            "单位“{value}”需要物料 {material} 的{property}，物料表中没有"),
    "hours_needed": ("Unit '{value}' is a rate per hour or a power: give hours_per_year (年运行小时) on this row "
                     "or default_hours_per_year in park.toml",
                     "单位“{value}”是小时速率或功率：请在本行填写年运行小时，或在 park.toml 中设置 default_hours_per_year"),
    "hours_range": ("hours_per_year '{value}' must be between 1 and 8784", "年运行小时“{value}”须在 1 到 8784 之间"),
    "heat_temps_missing": ("Heat stream needs both temperature_c and temperature_return_c",
                           "热流需要同时填写温度和回水温度"),
    "heat_return_above_supply": ("Output heat: return temperature {value} °C is above the supply temperature {supply} °C",
                                 "产出热流：回水温度 {value} °C 高于供热温度 {supply} °C"),
    "heat_input_inlet_above_target": ("Input heat: inlet temperature {value} °C is above the target {supply} °C",
                                      "投入热流：进口温度 {value} °C 高于目标温度 {supply} °C"),
    "steam_pressure_range": ("Steam pressure {value} MPa: {reason}",
                             "蒸汽压力 {value} MPa：{reason}"),
    "pressure_not_steam": ("pressure_mpa {value} is given on a row that is not steam: it is not used",
                           "非蒸汽行填写了压力 {value} MPa：不使用"),
    "acid_dew_point_range": ("Acid dew point {value} °C on this row: {reason}",
                             "本行酸露点 {value} °C：{reason}"),
    "steam_needs_temperature": ("Steam in '{value}' needs temperature_c and temperature_return_c for its enthalpy",
                                "以“{value}”计的蒸汽需要温度和回水温度来计算焓值"),
    "steam_temperature_range": ("Steam temperature {value} °C is outside the saturated-steam table ({accepted})",
                                "蒸汽温度 {value} °C 超出饱和蒸汽表范围（{accepted}）"),
    "hazardous_code_format": ("Hazardous-waste code '{value}' is not in the national list format ({accepted})",
                              "危废代码“{value}”不符合国家危险废物名录格式（{accepted}）"),
    "hazardous_code_expected": ("Material {value} is typically hazardous ({accepted}) but the row gives no hazardous_code",
                                "物料 {value} 通常属危险废物（{accepted}），但本行未填写危废代码"),
    "unknown_quality": ("Water quality '{value}' is not known (accepted: {accepted})",
                        "水质等级“{value}”无法识别（可接受：{accepted}）"),
    "quality_missing": ("Water stream has no quality grade; it is matched only as the lowest grade (supply) "
                        "or needs the highest grade (demand)",
                        "水流未填写水质等级；作为供给按最低等级、作为需求按最高等级匹配"),
    "unknown_baseline": ("Baseline '{value}' is not known for a {direction} (accepted: {accepted})",
                         "现状“{value}”不适用于{direction}（可接受：{accepted}）"),
    "displaced_use_not_sold": ("displaced_use '{value}' is given on a row that is not an output sold today "
                               "({accepted})", "原用户替代品“{value}”所在行不是现状外售的产出（{accepted}）"),
    "position_missing": ("Position missing: give x_km and y_km, or lon and lat", "缺少位置：请填写 x_km 和 y_km，或经纬度"),
    "position_mixed": ("Enterprises mix x/y and lon/lat positions; use one system for all",
                       "企业位置混用了平面坐标与经纬度；请统一使用一种"),
    "gas_m3_as_nm3": ("'{value}' for a fuel gas is read as normal cubic metres (Nm³), as gas is billed",
                      "燃气的“{value}”按标准立方米（Nm³）计，与计费口径一致"),
    "unknown_column": ("Column '{value}' is not part of the schema; it is kept as is",
                       "列“{value}”不在表结构中；原样保留"),
    "toml_invalid": ("park.toml is not valid TOML: {reason}", "park.toml 不是有效的 TOML：{reason}"),
    "toml_key": ("park.toml: '{value}' {reason} (accepted: {accepted})", "park.toml：“{value}”{reason}（可接受：{accepted}）"),
    "exchange_material_mismatch": ("Exchange material {value} is not an output of supplier {supplier}",
                                   "交换物料 {value} 不是供方 {supplier} 的产出"),
    "empty_table": ("The table has no data rows", "该表没有数据行"),
    "months_invalid": ("Operating months '{value}' cannot be read: {reason} (accepted: {accepted})",
                       "运行月份“{value}”无法识别：{reason}（可接受：{accepted}）"),
    "months_not_heat": ("Operating months '{value}' on a row that is not heat: material and water balances are "
                        "annual, so the months are kept but not used",
                        "非热流行填写了运行月份“{value}”：物料和水的平衡按全年计，月份保留但不参与计算"),
}


MESSAGES = register("", MESSAGES, name="core")

# Vocabularies shared by several layers (codes "mode.<key>").
MODE_NAMES = register("mode", {
    "truck": ("truck", "汽车运输"), "pipe_water": ("water pipe", "输水管道"), "pipe_heat": ("hot-water pipe", "热水管道"),
    "pipe_steam": ("steam pipe", "蒸汽管道"), "pipe_gas": ("gas pipe", "输气管道"),
})
