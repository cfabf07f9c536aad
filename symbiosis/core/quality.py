"""How complete a loaded park's ledgers are, per enterprise, and which missing values matter most.

The summary (`quality(park)`) answers three questions a planner asks before a workshop:

1. **What share of each enterprise's rows is complete?** A stream row is complete when it has every field the
   matcher needs of it: both temperatures on a heat row; a water grade on a water or wastewater row; a baseline
   where one is needed (every output — without one no avoided disposal is counted —, and an input whose
   receiver side the rule-book cannot count without one, `rulebook.receiver_side`); and a position of its
   enterprise. A row that needs none of these is complete.
2. **Which assumptions did the loader make?** Its warnings (m³ of gas read as Nm³, a water row without a grade,
   names read in context, …), steam given by mass turned into heat at the saturated enthalpy, and an hourly
   quantity turned into an annual one with park.toml's `default_hours_per_year` because the row left it blank.
3. **Which missing values would change the plan most?** Without the matcher (the core cannot import it), rows are
   ranked by what the gap does to matching, then by size: first rows that cannot be matched at all (a heat row
   without temperatures, an enterprise without a position), then rows that are matched under a restriction (a
   water row without a grade counts as the lowest grade as a supply and needs the highest as a demand), then rows
   whose links count nothing avoided (an output without a baseline: no avoided disposal; an input without a
   needed baseline: nothing avoided on the receiver's side); within each level by the row's share of the park's
   quantity of its category, direction and unit (a dimensionless size that compares steam with slag), larger
   first.

Every text is a registered code (`quality.*`) rendered in either language.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from symbiosis.core.errors import Problem
from symbiosis.core.factors import FactorTable
from symbiosis.core.i18n import Lang, register, render, word
from symbiosis.core.park import Park, ParkConfig
from symbiosis.core.rulebook import receiver_side
from symbiosis.core.units import UnitError, parse_rate

WATER_CATEGORIES: frozenset[str] = frozenset({"water", "wastewater"})
# The fields a row may lack, in the order of what their absence does to matching (first: worst).
FIELDS: tuple[str, ...] = ("temperatures", "position", "water_grade", "baseline")
# What a missing field does: 1 cannot be matched at all, 2 matched under a restriction, 3 nothing avoided counted.
IMPACT_LEVEL: dict[str, int] = {"temperatures": 1, "position": 1, "water_grade": 2, "baseline": 3}

QUALITY_COLUMNS = register("quality.column", {
    "enterprise_id": ("enterprise", "企业"), "name": ("name", "名称"), "rows": ("rows", "行数"),
    "complete_rows": ("complete rows", "完整行数"), "share_complete": ("complete (%)", "完整率（%）"),
    "temperatures": ("heat rows with temperatures", "热行有温度"),
    "water_grade": ("water rows with a grade", "水行有水质等级"),
    "baseline": ("rows with a needed baseline", "需现状的行已填写"),
    "position": ("position", "位置"), "assumptions": ("assumptions", "程序假设"),
    "stream_id": ("stream", "物料流"), "material": ("material", "物料"), "direction": ("direction", "方向"),
    "quantity": ("quantity", "数量"), "unit": ("unit", "单位"), "share": ("share of its kind (%)", "占同类比例（%）"),
    "missing": ("missing", "缺少"), "effect": ("what it does to the plan", "对方案的影响"),
    "file": ("file", "文件"), "row": ("row", "行"), "assumption": ("assumption", "假设"),
})
QUALITY_WORDS = register("quality.word", {
    "yes": ("yes", "有"), "no": ("no", "无"), "none_needed": ("not needed", "不需要"),
    "temperatures": ("temperatures", "温度"), "position": ("position", "位置"),
    "water_grade": ("water grade", "水质等级"), "baseline": ("baseline", "现状去向/来源"),
})
QUALITY_EFFECTS = register("quality.effect", {
    "temperatures": ("a heat row without both temperatures cannot be matched at all",
                     "热行缺少供/回温度：完全无法匹配"),
    "position": ("an enterprise without a position has no distances: its rows cannot be matched",
                 "企业缺少位置：无法计算距离，其各行均无法匹配"),
    "water_grade": ("without a grade the water counts as the lowest grade as a supply and needs the highest as a "
                    "demand: fewer links", "缺少水质等级：作为供水按最低等级、作为需水按最高等级计，可匹配链接减少"),
    "baseline_output": ("an output without a baseline gets no avoided disposal in any link",
                        "产出未填写现状去向：任何链接都不计避免的处置排放"),
    "baseline_input": ("an input without a baseline: a link avoids nothing on the receiver's side",
                       "投入未填写现状来源：链接在需方不计避免排放"),
})
QUALITY_ASSUMPTIONS = register("quality.assumption", {
    "steam_enthalpy": ("steam given by mass turned into heat at the saturated enthalpy between its temperatures",
                       "按质量填写的蒸汽：以供/回温度间的饱和焓换算为热量"),
    "hours_defaulted": ("hourly quantity made annual with park.toml's default_hours_per_year ({hours:g} h/a)",
                        "小时量按 park.toml 的 default_hours_per_year（{hours:g} 小时/年）换算为年量"),
})
QUALITY_TEXTS = register("quality", {
    "heading": ("Data quality:", "数据质量："),
    "heading_missing": ("Missing values that would change the plan most (first: cannot be matched, then matched "
                        "under a restriction, then nothing avoided counted; by size within each):",
                        "对方案影响最大的缺失值（依次为：无法匹配、受限匹配、不计避免排放；同级按规模排序）："),
    "heading_assumptions": ("Assumptions the loader made:", "加载时作出的假设："),
    "summary": ("{complete} of {rows} stream rows complete ({share:.0f} %); {assumptions} assumption(s) by the "
                "loader; {missing} row(s) miss a value the matcher needs",
                "{rows} 条物料流中 {complete} 条完整（{share:.0f}%）；加载时作出 {assumptions} 项假设；"
                "{missing} 行缺少匹配所需的数值"),
})


@dataclass(frozen=True)
class EnterpriseQuality:
    """One enterprise's rows: how many, how many complete, and per field how many have it of those that need it."""

    enterprise_id: str
    name: str
    rows: int
    complete_rows: int
    needed: dict[str, int] = field(default_factory=dict)  # field -> rows that need it
    present: dict[str, int] = field(default_factory=dict)  # field -> of those, rows that have it
    has_position: bool = True
    assumptions: int = 0

    @property
    def share_complete(self) -> float:
        """Complete rows / rows (1.0 for an enterprise without stream rows: nothing is missing)."""
        return self.complete_rows / self.rows if self.rows else 1.0

    def as_record(self) -> dict[str, Any]:
        return {"enterprise_id": self.enterprise_id, "name": self.name, "rows": self.rows,
                "complete_rows": self.complete_rows, "share_complete": round(self.share_complete, 4),
                "needed": dict(self.needed), "present": dict(self.present), "has_position": self.has_position,
                "assumptions": self.assumptions}


@dataclass(frozen=True)
class Assumption:
    """One assumption the loader made on a row: a warning's code, steam_enthalpy or hours_defaulted."""

    enterprise_id: str
    code: str
    file: str
    row: int | None
    column: str = ""
    value: str = ""
    problem: Problem | None = None
    hours: float = 0.0

    def text(self, lang: Lang = "en") -> str:
        if self.problem is not None:
            return self.problem.text(lang)
        return render(QUALITY_ASSUMPTIONS.code(self.code), lang, hours=self.hours)

    def as_record(self, lang: Lang = "en") -> dict[str, Any]:
        return {"enterprise_id": self.enterprise_id, "code": self.code, "file": self.file, "row": self.row,
                "column": self.column, "value": self.value, "text": self.text(lang)}


@dataclass(frozen=True)
class MissingValue:
    """A row that lacks a field the matcher needs, with what that does to the plan and how large the row is."""

    stream_id: str
    enterprise_id: str
    material: str
    direction: str
    quantity: float
    unit: str
    missing: str  # one of FIELDS (the worst one the row lacks)
    share: float  # the row's share of the park's quantity of its category, direction and unit (0..1)
    file: str = ""
    row: int | None = None

    @property
    def level(self) -> int:
        return IMPACT_LEVEL[self.missing]

    @property
    def effect_key(self) -> str:
        return f"baseline_{self.direction}" if self.missing == "baseline" else self.missing

    def effect(self, lang: Lang = "en") -> str:
        return render(QUALITY_EFFECTS.code(self.effect_key), lang)

    def as_record(self, lang: Lang = "en") -> dict[str, Any]:
        return {"stream_id": self.stream_id, "enterprise_id": self.enterprise_id, "material": self.material,
                "direction": self.direction, "quantity": _finite(self.quantity), "unit": self.unit,
                "missing": self.missing, "level": self.level, "share": round(self.share, 6),
                "effect": self.effect(lang), "file": self.file, "row": self.row}


@dataclass(frozen=True)
class QualityReport:
    enterprises: tuple[EnterpriseQuality, ...]
    assumptions: tuple[Assumption, ...]
    missing: tuple[MissingValue, ...]  # ranked: most consequential first

    @property
    def rows(self) -> int:
        return sum(e.rows for e in self.enterprises)

    @property
    def complete_rows(self) -> int:
        return sum(e.complete_rows for e in self.enterprises)

    @property
    def share_complete(self) -> float:
        return self.complete_rows / self.rows if self.rows else 1.0

    def headline(self, lang: Lang = "en") -> str:
        return render(QUALITY_TEXTS.code("summary"), lang, complete=self.complete_rows, rows=self.rows,
                      share=100 * self.share_complete, assumptions=len(self.assumptions), missing=len(self.missing))

    def as_record(self, lang: Lang = "en", top: int | None = None) -> dict[str, Any]:
        """Strict-JSON-ready (no NaN): totals, per enterprise, every assumption, the ranked missing values."""
        missing = self.missing if top is None else self.missing[:top]
        return {"rows": self.rows, "complete_rows": self.complete_rows,
                "share_complete": round(self.share_complete, 4),
                "enterprises": [e.as_record() for e in self.enterprises],
                "assumptions": [a.as_record(lang) for a in self.assumptions],
                "missing": [m.as_record(lang) for m in missing]}

    # --- tables -------------------------------------------------------------------------------------------------
    def enterprise_frame(self, lang: Lang = "en") -> pd.DataFrame:
        rows = []
        for e in self.enterprises:
            rows.append({"enterprise_id": e.enterprise_id, "name": e.name, "rows": e.rows,
                         "complete_rows": e.complete_rows, "share_complete": round(100 * e.share_complete, 1),
                         "temperatures": _fraction(e, "temperatures", lang),
                         "water_grade": _fraction(e, "water_grade", lang),
                         "baseline": _fraction(e, "baseline", lang),
                         "position": word(QUALITY_WORDS, "yes" if e.has_position else "no", lang),
                         "assumptions": e.assumptions})
        return _named(pd.DataFrame(rows, columns=_ENTERPRISE_COLUMNS), lang)

    def assumption_frame(self, lang: Lang = "en") -> pd.DataFrame:
        rows = [{"enterprise_id": a.enterprise_id, "file": a.file, "row": "" if a.row is None else str(a.row),
                 "assumption": a.text(lang)} for a in self.assumptions]
        return _named(pd.DataFrame(rows, columns=["enterprise_id", "file", "row", "assumption"]), lang)

    def missing_frame(self, lang: Lang = "en", top: int | None = 20) -> pd.DataFrame:
        shown = self.missing if top is None else self.missing[:top]
        rows = [{"stream_id": m.stream_id, "enterprise_id": m.enterprise_id, "material": m.material,
                 "direction": m.direction, "quantity": m.quantity, "unit": m.unit,
                 "share": round(100 * m.share, 1), "missing": word(QUALITY_WORDS, m.missing, lang),
                 "effect": m.effect(lang), "file": m.file, "row": "" if m.row is None else str(m.row)}
                for m in shown]
        return _named(pd.DataFrame(rows, columns=_MISSING_COLUMNS), lang)


_ENTERPRISE_COLUMNS = ["enterprise_id", "name", "rows", "complete_rows", "share_complete", "temperatures",
                       "water_grade", "baseline", "position", "assumptions"]
_MISSING_COLUMNS = ["stream_id", "enterprise_id", "material", "direction", "quantity", "unit", "share", "missing",
                    "effect", "file", "row"]


def _named(frame: pd.DataFrame, lang: Lang) -> pd.DataFrame:
    return frame.rename(columns={c: word(QUALITY_COLUMNS, c, lang) for c in frame.columns})


def _fraction(e: EnterpriseQuality, name: str, lang: Lang) -> str:
    need = e.needed.get(name, 0)
    return f"{e.present.get(name, 0)}/{need}" if need else word(QUALITY_WORDS, "none_needed", lang)


def _finite(x: float) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


class _BaselineRule:
    """Does the rule-book count nothing on an input's side without a baseline? (`receiver_side` says so by its
    note input_no_baseline; asked once per material and unit.)"""

    def __init__(self, config: ParkConfig) -> None:
        self.factors = FactorTable(config)
        self.known: dict[tuple[str, str], bool] = {}

    def input_needs_baseline(self, material: str, unit: str) -> bool:
        if (material, unit) not in self.known:
            side = receiver_side(material, "", unit, self.factors)
            self.known[(material, unit)] = any(n.code == "input_no_baseline" for n in side.notes)
        return self.known[(material, unit)]


def needed_fields(row: pd.Series, config: ParkConfig | _BaselineRule) -> tuple[str, ...]:
    """The fields of FIELDS a stream row needs (position is the enterprise's and always needed)."""
    rule = config if isinstance(config, _BaselineRule) else _BaselineRule(config)
    need = ["position"]
    if row["category"] == "heat":
        need.append("temperatures")
    if row["category"] in WATER_CATEGORIES:
        need.append("water_grade")
    if row["direction"] == "output" or (
            row["direction"] == "input" and rule.input_needs_baseline(str(row["material"]), str(row["unit"]))):
        need.append("baseline")
    return tuple(f for f in FIELDS if f in need)


def _has(row: pd.Series, name: str, positioned: set[str]) -> bool:
    if name == "temperatures":
        return not (_blank(row["temperature_c"]) or _blank(row["temperature_return_c"]))
    if name == "water_grade":
        return not _blank(row["quality"])
    if name == "baseline":
        return not _blank(row["baseline"])
    return str(row["enterprise_id"]) in positioned


def _hourly(unit_entered: Any) -> bool:
    try:
        return parse_rate(str(unit_entered))[1] == "hourly"
    except (UnitError, ValueError, KeyError, TypeError):
        return False


def _int_or_none(v: Any) -> int | None:
    try:
        return None if _blank(v) else int(v)
    except (TypeError, ValueError):
        return None


def quality(park: Park) -> QualityReport:
    """The data-quality summary of a loaded park (see the module's docstring for the rules)."""
    ent = park.enterprises
    streams = park.streams
    positioned = {str(r["enterprise_id"]) for _, r in ent.iterrows()
                  if not (_blank(r.get("x_km")) or _blank(r.get("y_km")))}
    names = {str(r["enterprise_id"]): str(r.get("name", "") or "") for _, r in ent.iterrows()}
    # the park's total per (category, direction, unit): the size a row is measured against
    totals = streams.groupby(["category", "direction", "unit"], dropna=False)["quantity"].sum(min_count=1)
    rows_of: Counter[str] = Counter()
    complete_of: Counter[str] = Counter()
    needed: dict[str, Counter[str]] = {}
    present: dict[str, Counter[str]] = {}
    missing: list[MissingValue] = []
    assumptions: list[Assumption] = []
    where: dict[tuple[str, int], str] = {}  # (file, row) -> enterprise_id, for the loader's warnings
    for _, r in ent.iterrows():
        row_no = _int_or_none(r.get("source_row"))
        if row_no is not None:
            where[(str(r.get("source_file", "")), row_no)] = str(r["enterprise_id"])
    hours = park.config.default_hours_per_year
    rule = _BaselineRule(park.config)
    for _, r in streams.iterrows():
        eid = str(r["enterprise_id"])
        file, row_no = str(r.get("source_file", "")), _int_or_none(r.get("source_row"))
        if row_no is not None:
            where[(file, row_no)] = eid
        rows_of[eid] += 1
        lacking = []
        for name in needed_fields(r, rule):
            needed.setdefault(eid, Counter())[name] += 1
            if _has(r, name, positioned):
                present.setdefault(eid, Counter())[name] += 1
            else:
                lacking.append(name)
        if not lacking:
            complete_of[eid] += 1
        else:
            total = totals.get((r["category"], r["direction"], r["unit"]), math.nan)
            q = float(r["quantity"]) if not _blank(r["quantity"]) else math.nan
            share = q / total if math.isfinite(q) and isinstance(total, float) and math.isfinite(total) and total > 0 \
                else 0.0
            missing.append(MissingValue(stream_id=str(r["stream_id"]), enterprise_id=eid, material=str(r["material"]),
                                        direction=str(r["direction"]), quantity=q, unit=str(r["unit"]),
                                        missing=lacking[0], share=share, file=file, row=row_no))
        if r.get("conversion_note") and str(r["conversion_note"]).startswith("steam given by mass"):
            assumptions.append(Assumption(eid, "steam_enthalpy", file, row_no, "unit", str(r.get("unit_entered", ""))))
        if hours is not None and _blank(r.get("hours_per_year")) and _hourly(r.get("unit_entered", "")):
            assumptions.append(Assumption(eid, "hours_defaulted", file, row_no, "hours_per_year", "", hours=hours))
    for p in park.warnings:
        if p.severity != "warning":
            continue
        eid = where.get((p.file, p.row), "") if p.row is not None else ""
        assumptions.append(Assumption(eid, p.code, p.file, p.row, p.column, p.value, problem=p))
    assumptions.sort(key=lambda a: (a.enterprise_id == "", a.enterprise_id, a.file, a.row or 0))
    per_ent = Counter(a.enterprise_id for a in assumptions)
    enterprises = tuple(
        EnterpriseQuality(enterprise_id=eid, name=names.get(eid, ""), rows=rows_of[eid], complete_rows=complete_of[eid],
                          needed=dict(needed.get(eid, {})), present={k: present.get(eid, Counter())[k]
                                                                     for k in needed.get(eid, {})},
                          has_position=eid in positioned, assumptions=per_ent[eid])
        for eid in [str(x) for x in ent["enterprise_id"]])
    missing.sort(key=lambda m: (m.level, -m.share, -(m.quantity if math.isfinite(m.quantity) else 0.0), m.stream_id))
    return QualityReport(enterprises=enterprises, assumptions=tuple(assumptions), missing=tuple(missing))


__all__ = ["FIELDS", "IMPACT_LEVEL", "Assumption", "EnterpriseQuality", "MissingValue", "QualityReport",
           "needed_fields", "quality"]
