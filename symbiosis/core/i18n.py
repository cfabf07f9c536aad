"""Bilingual messages. Each message code has an English and a Chinese template."""

from __future__ import annotations

from typing import Any, Literal

Lang = Literal["en", "zh"]
LANGS: tuple[Lang, ...] = ("en", "zh")

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
}


def message(code: str, lang: Lang = "en", **params: Any) -> str:
    """Render message `code` in `lang`; unknown codes fall back to the code itself."""
    templates = MESSAGES.get(code)
    if templates is None:
        return code
    template = templates[0] if lang == "en" else templates[1]

    class _Default(dict[str, Any]):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    return template.format_map(_Default(params))
