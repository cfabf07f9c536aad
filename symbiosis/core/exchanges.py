"""Existing exchanges taken off the ledger: the one rule deciding which rows an exchange comes from and feeds.

An existing symbiosis exchange (`Park.exchanges`: supplier_id, receiver_id, material, quantity) already happens,
so the metabolism graph (flows/) draws it in place of part of the ledger rows' boundary flows, and the matcher
(matching/) offers only what is left of those rows. Both must take it off the same rows by the same amounts, or
the after-state of a plan does not add up; so both call `allocate_exchanges` and neither has a rule of its own.

The rule, exchange by exchange in file order, each against what the earlier ones left:

* supplier: its output rows of the exchanged material, in ledger order;
* receiver, the first of these that the receiver has:
  1. its input rows of the same material, in ledger order (ratio 1, rule id `same:<material>`);
  2. heat (matched by temperature, so it has no substitution rules): its heat inputs whose target temperature the
     supplied heat reaches (target <= the hottest supplier row of that material; an unknown temperature on either
     side does not exclude a row), in ledger order (ratio 1, rule id `heat`). No ΔTmin: the exchange exists, the
     question is only which demand it serves;
  3. the inputs a substitution rule links the material to, best first: the largest net avoided emission per unit
     given (symbiosis.core.accounting, counted as a link of zero distance would be: the receiver's avoided purchase or
     fuel less any combustion added; the supplier's side is the same for every input, so it does not reorder),
     then the larger share cap, then ledger order. ratio x quantity comes off the first; only what that input has
     no room for spills to the next.
* What the ledger cannot cover is a shortfall with a message in English and Chinese (codes "exchange.<key>");
  nothing is guessed away.

The substitution rules (datasets/substitutions.csv and the implicit same-material rules) live here as well: they
are the one copy the matcher builds its candidates from, so the allocation and the candidates never disagree on
what a rule is.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from symbiosis.core.accounting import net_per_unit, unit_coefficients
from symbiosis.core.datasets import read_table
from symbiosis.core.errors import DatasetError
from symbiosis.core.factors import FactorTable
from symbiosis.core.i18n import pair, pick, register
from symbiosis.core.park import DEFAULT_REACH_KM, Park
from symbiosis.core.taxonomy import materials
from symbiosis.core.units import as_float

# --- the substitution rules ---------------------------------------------------------------------------------------
PIPE_BY_CATEGORY: dict[str, str] = {"water": "pipe_water", "wastewater": "pipe_water", "liquid": "pipe_water",
                                    "gas": "pipe_gas", "energy": "pipe_gas", "heat": "pipe_heat"}
# Same-material matching: an output of material M may feed another enterprise's input of M (scrap to an EAF's
# scrap input, waste paper to a paper mill, waste oil to a re-refiner, cullet to a glass plant, hydrogen to a
# hydrogenation plant). These implicit identity rules (rule_id `same:<M>`, ratio 1, max share 1) are not rows of
# substitutions.csv; the mode is that of M's category. Heat is matched by temperature, and energy carriers and
# wastewater are not exchanged this way.
IDENTITY_MODES: dict[str, str] = {"solid": "truck", "organic": "truck", "liquid": "truck", "raw_material": "truck",
                                  "water": "pipe_water", "gas": "pipe_gas"}
IDENTITY_PREFIX = "same:"
HEAT_RULE_ID = "heat"  # what a heat exchange (or a heat candidate link) is matched by: temperature, not a rule


@cache
def dataset_rules() -> pd.DataFrame:
    """datasets/substitutions.csv with typed columns (ratio, max_share, kWh, hazardous flag, quality rank, enabled,
    off_reason). Disabled rules are kept: the matcher leaves them out, the reports can say why."""
    raw = read_table("substitutions")
    rules = pd.DataFrame({
        "rule_id": raw["rule_id"].str.strip(),
        "output_material": raw["output_material"].str.strip(),
        "input_material": raw["input_material"].str.strip(),
        "ratio": pd.to_numeric(raw["ratio"], errors="coerce"),
        "max_share": pd.to_numeric(raw["max_share"].replace("", "1"), errors="coerce"),
        "rule_mode": raw["mode"].str.strip(),
        "pretreatment_kwh_per_unit": pd.to_numeric(raw["pretreatment_kwh_per_unit"].replace("", "0"),
                                                   errors="coerce"),
        "hazardous_allowed": raw["hazardous_allowed"].str.strip().str.lower() == "true",
        "min_quality_rank": pd.to_numeric(raw["min_quality_rank"].replace("", np.nan), errors="coerce"),
        # switched off by default (issue 12: no source found, or a use the rule cannot account for) and why; a table
        # without the columns (an old user-supplied datasets folder) has every rule on
        "enabled": (raw["enabled"].str.strip().str.lower().isin(("", "true", "1", "yes"))
                    if "enabled" in raw.columns else True),
        "off_reason": raw["off_reason"].str.strip() if "off_reason" in raw.columns else "",
    })
    rules["enabled"] = rules["enabled"].astype(bool)
    rules["off_reason"] = rules["off_reason"].astype(str)
    bad = rules[rules["ratio"].isna() | (rules["ratio"] <= 0) | rules["max_share"].isna()
                | (rules["max_share"] <= 0) | (rules["max_share"] > 1) | rules["pretreatment_kwh_per_unit"].isna()]
    if len(bad):
        raise DatasetError(f"substitutions.csv: rules {', '.join(bad['rule_id'])} have a bad ratio, max_share or kWh")
    known_modes = {*DEFAULT_REACH_KM, "pipe"}  # the modes are the keys of the reach table (matching.options.MODES)
    odd = rules[~rules["rule_mode"].isin(known_modes)]
    if len(odd):
        raise DatasetError(f"substitutions.csv: rules {', '.join(odd['rule_id'])} have a mode outside "
                           f"{', '.join(sorted(known_modes))}")
    return rules


@cache
def identity_rules() -> pd.DataFrame:
    """One implicit rule per material whose category is exchanged as is (IDENTITY_MODES), unless the dataset
    already has a rule from that material to itself. A hazardous output may use it only when the material itself
    is a hazardous-waste type (materials.csv hazardous_code_typical: waste oil, waste solvent, spent acids...): the
    receiver takes that very waste as its input, so it is its licensed user (the link is flagged all the same). A
    stream of an ordinary material that carries a hazardous code (fly ash coded HW18) is not taken this way."""
    own = dataset_rules()
    listed = set(own.loc[own["output_material"] == own["input_material"], "output_material"])
    keys = [m.key for m in materials().values() if m.category in IDENTITY_MODES and m.key not in listed]
    return pd.DataFrame({
        "rule_id": [IDENTITY_PREFIX + k for k in keys], "output_material": keys, "input_material": keys,
        "ratio": 1.0, "max_share": 1.0,
        "rule_mode": [IDENTITY_MODES[materials()[k].category] for k in keys],
        "pretreatment_kwh_per_unit": 0.0,
        "hazardous_allowed": [bool(materials()[k].hazardous_code_typical) for k in keys], "min_quality_rank": np.nan,
        "enabled": True, "off_reason": "",
    })


@cache
def substitution_rules() -> pd.DataFrame:
    """Every rule there is: the rows of substitutions.csv, then the implicit same-material rules."""
    return pd.concat([dataset_rules(), identity_rules()], ignore_index=True)


def is_identity_rule(rule_id: str) -> bool:
    return rule_id.startswith(IDENTITY_PREFIX)


def rule_mode(rule_mode_text: str, category: str) -> str:
    """A rule's mode. The shipped rules name the specific mode; a generic 'pipe' (accepted in a user-supplied
    substitutions table) becomes the pipe for the material's category."""
    if rule_mode_text == "pipe":
        return PIPE_BY_CATEGORY.get(category, "pipe_gas")
    return rule_mode_text


# --- the allocation -----------------------------------------------------------------------------------------------
SUPPLIER, RECEIVER = "supplier", "receiver"
ALLOCATION_COLUMNS: tuple[str, ...] = ("exchange_id", "side", "stream_id", "quantity", "ratio", "rule_id")
SHORTFALL_COLUMNS: tuple[str, ...] = ("exchange_id", "side", "code", "short", "unit")
SHORTFALL_CODES: tuple[str, ...] = ("no_supplier_stream", "exceeds_supply", "no_receiver_stream", "exceeds_demand")
_REL_EPS = 1e-9  # what is left below this share of an exchange is rounding, not a shortfall
# Why (part of) an exchange is not covered by the ledger (codes "exchange.<key>"): "message" names the exchange
# and says `why`, one of the others; in Chinese, material keys are shown by their Chinese names. Quantities come
# formatted (`_fmt`), the same in both languages.
EXCHANGE_TEXTS = register("exchange", {
    "message": ("existing exchange {exchange_id}: {why}", "现有交换 {exchange_id}：{why}"),
    "no_supplier_stream": ("supplier {supplier} has no output row of {material}; {quantity} {unit} are not taken off "
                           "its ledger", "供方 {supplier} 没有{material}产出行；{quantity} {unit} 未从其台账扣减"),
    "exceeds_supply": ("{quantity} {unit} of {material} is more than supplier {supplier}'s output rows have left "
                       "({left} {unit}); {short} {unit} are not taken off its ledger",
                       "{material} {quantity} {unit} 超过供方 {supplier} 产出行余量（{left} {unit}）；{short} {unit} "
                       "未从其台账扣减"),
    "no_heat_input": ("receiver {receiver} has no heat input whose target temperature the supplied heat "
                      "({t_supply:g} °C) reaches; only the supplier's side is subtracted",
                      "需方 {receiver} 没有目标温度在供热温度（{t_supply:g} °C）以内的热投入；仅扣减供方"),
    "no_receiver_stream": ("receiver {receiver} has no input row of {material} nor of a material it can replace; "
                           "only the supplier's side is subtracted",
                           "需方 {receiver} 没有{material}或其可替代物料的投入行；仅扣减供方"),
    "exceeds_demand": ("the {materials} input of receiver {receiver} has no room left for {short} {unit} of it; that "
                       "rest is not subtracted on the receiver's side",
                       "需方 {receiver} 的{materials}投入不足以接收其中 {short} {unit}；这部分在需方不扣减"),
}, localize=("material", "materials"))


@dataclass(frozen=True)
class ExchangeMessage:
    """Why (part of) an exchange is not covered by the ledger, in both languages."""

    exchange_id: str
    code: str  # one of SHORTFALL_CODES
    en: str
    zh: str

    def text(self, lang: str = "en") -> str:
        return pick(self.en, self.zh, lang)


@dataclass(frozen=True, eq=False)
class ExchangeAllocation:
    """Which ledger rows the park's existing exchanges take, and how much.

    `rows`: one row per (exchange, side, stream) with quantity > 0, in the order taken: quantity in the stream's
    canonical unit (for a receiver row: of its input, i.e. ratio x the exchanged quantity it takes); ratio (input
    units per unit of the exchanged material; 1 on the supplier's side); rule_id (`same:<material>`, `heat` or a
    substitutions.csv rule on the receiver's side; "" on the supplier's). `shortfalls`: what the ledger cannot
    cover, `short` in units of the exchanged material. `messages`: the same, as bilingual sentences.
    """

    rows: pd.DataFrame
    shortfalls: pd.DataFrame
    messages: tuple[ExchangeMessage, ...] = field(default=())

    def of(self, exchange_id: str, side: str | None = None) -> pd.DataFrame:
        """The rows one exchange takes (one side, or both)."""
        hit = self.rows["exchange_id"] == exchange_id
        if side is not None:
            hit &= self.rows["side"] == side
        return self.rows[hit]

    def taken(self) -> dict[str, float]:
        """stream_id -> everything the exchanges take from that row."""
        return {str(k): float(v) for k, v in self.rows.groupby("stream_id", sort=False)["quantity"].sum().items()}

    def rule_use(self) -> dict[tuple[str, str], float]:
        """(receiver stream_id, rule_id) -> input the exchanges give it under that rule: a link under the same rule
        may only fill the rest of the rule's share cap. Heat has no share cap, so it is left out."""
        rec = self.rows[(self.rows["side"] == RECEIVER) & (self.rows["rule_id"] != HEAT_RULE_ID)]
        sums = rec.groupby(["stream_id", "rule_id"], sort=False)["quantity"].sum()
        return {(str(sid), str(rule)): float(v) for (sid, rule), v in zip(sums.index, sums.to_numpy(), strict=True)}

    def message_pairs(self) -> list[tuple[str, str]]:
        """The messages as (en, zh) pairs."""
        return [(m.en, m.zh) for m in self.messages]




def _fmt(value: float) -> str:
    """A quantity as a planner reads it: thousands separated, no exponent."""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _category(material: str, stated: Any) -> str:
    found = materials().get(material)
    return found.category if found is not None else _text(stated)


class _Ledger:
    """The stream rows by position (ledger order) with what is still unallocated."""

    def __init__(self, streams: pd.DataFrame):
        self.frame = streams.reset_index(drop=True)
        self.ids = [str(x) for x in self.frame["stream_id"]]
        self.material = [str(x) for x in self.frame["material"]]
        self.category = [str(x) for x in self.frame["category"]]
        self.temperature = [as_float(x) for x in self.frame["temperature_c"]]
        self.left = [as_float(x) or 0.0 for x in self.frame["quantity"]]
        self.by_enterprise: dict[tuple[str, str], list[int]] = {}
        for i, (ent, direction) in enumerate(zip(self.frame["enterprise_id"], self.frame["direction"], strict=True)):
            self.by_enterprise.setdefault((str(ent), str(direction)), []).append(i)

    def rows_of(self, enterprise: str, direction: str) -> list[int]:
        return self.by_enterprise.get((enterprise, direction), [])


def _rule_targets(ledger: _Ledger, positions: list[int], material: str, baseline_out: str, unit_out: str,
                  factors: FactorTable, include_scope2: bool) -> list[tuple[int, float, str]]:
    """The rows at `positions` (the receiver's inputs) a rule links `material` to, best first, as
    (position, ratio, rule_id). The same-material rules are left out: a same-material input is taken before any."""
    rules = substitution_rules()
    via = rules[(rules["output_material"] == material) & ~rules["rule_id"].map(is_identity_rule)][
        ["rule_id", "input_material", "ratio", "max_share", "rule_mode", "pretreatment_kwh_per_unit"]]
    inputs = ledger.frame.iloc[positions].assign(position=positions)
    fed = inputs.merge(via, left_on="material", right_on="input_material")
    if fed.empty:
        return []
    category = _category(material, None)
    pairs = pd.DataFrame({
        "material_out": material, "unit_out": unit_out, "baseline_out": baseline_out,
        "material_in": fed["material"].to_numpy(), "unit_in": fed["unit"].to_numpy(),
        "baseline_in": fed["baseline"].fillna("").astype(str).to_numpy(),
        "ratio": fed["ratio"].to_numpy(dtype=float), "delivered_fraction": 1.0, "distance_km": 0.0,
        "mode": [rule_mode(str(m), category) for m in fed["rule_mode"]],
        "pretreatment_kwh_per_unit": fed["pretreatment_kwh_per_unit"].to_numpy(dtype=float),
    })
    fed["net"] = net_per_unit(unit_coefficients(pairs, factors), include_scope2)
    # position is ledger order: the last tie-break, so equal inputs are used as the ledger lists them
    fed = fed.sort_values(["net", "max_share", "position"], ascending=[False, False, True], kind="stable")
    return [(int(p), float(r), str(i)) for p, r, i in zip(fed["position"], fed["ratio"], fed["rule_id"], strict=True)]


def _reachable_heat(ledger: _Ledger, positions: Iterable[int], t_supply: float | None) -> list[int]:
    """Heat inputs whose target temperature `t_supply` reaches; an unknown temperature excludes nothing."""

    def reached(i: int) -> bool:
        target = ledger.temperature[i]
        return t_supply is None or target is None or target <= t_supply

    return [i for i in positions if ledger.category[i] == "heat" and reached(i)]


def allocate_exchanges(park: Park, factors: FactorTable | None = None, *,
                       include_scope2: bool = False) -> ExchangeAllocation:
    """Take the park's existing exchanges off its ledger rows (see the module docstring for the rule).

    `factors` and `include_scope2` only rank the inputs a rule links a material to (by net avoided emission per
    unit); pass the ones the caller counts emissions with (the matcher: its settings) so that the ranking is the
    one its links are ranked by. Default: the park's own factor table, Scope 1 + 3.
    """
    rows: list[dict[str, Any]] = []
    shorts: list[dict[str, Any]] = []
    messages: list[ExchangeMessage] = []
    ex = park.exchanges
    if ex is not None and not ex.empty:
        table = factors if factors is not None else FactorTable(park.config)
        ledger = _Ledger(park.streams)
        for record in ex.to_dict(orient="records"):
            e = {str(k): v for k, v in record.items()}
            _allocate_one(ledger, e, table, include_scope2, rows, shorts, messages)
    return ExchangeAllocation(
        rows=pd.DataFrame.from_records(rows, columns=list(ALLOCATION_COLUMNS)).astype(
            {"quantity": float, "ratio": float}),
        shortfalls=pd.DataFrame.from_records(shorts, columns=list(SHORTFALL_COLUMNS)).astype({"short": float}),
        messages=tuple(messages))


def _allocate_one(ledger: _Ledger, e: dict[str, Any], factors: FactorTable, include_scope2: bool,
                  rows: list[dict[str, Any]], shorts: list[dict[str, Any]], messages: list[ExchangeMessage]) -> None:
    """One exchange against what the earlier ones left: the supplier's rows, then the receiver's (module
    docstring); rows taken go to `rows`, what the ledger cannot cover to `shorts` and `messages`."""
    x = _Exchange.of(e, shorts, messages)
    candidates, used_out = _take_supplier(ledger, x, rows)
    inputs = ledger.rows_of(x.receiver, "input")
    targets, t_supply = _receiver_targets(ledger, x, e.get("category"), inputs, candidates, used_out, factors,
                                          include_scope2)
    if not targets:
        if t_supply is not None and any(ledger.category[i] == "heat" for i in inputs):
            x.short(RECEIVER, "no_receiver_stream", x.q, EXCHANGE_TEXTS.code("no_heat_input"), receiver=x.receiver,
                    t_supply=t_supply)
        else:
            x.short(RECEIVER, "no_receiver_stream", x.q, EXCHANGE_TEXTS.code("no_receiver_stream"),
                    receiver=x.receiver, material=x.material)
        return
    _take_receiver(ledger, x, targets, rows)


@dataclass
class _Exchange:
    """One exchange being allocated, and where its shortfalls go."""

    xid: str
    supplier: str
    receiver: str
    material: str
    unit: str
    q: float
    eps: float  # what is left below this is rounding, not a shortfall
    shorts: list[dict[str, Any]]
    messages: list[ExchangeMessage]

    @classmethod
    def of(cls, e: dict[str, Any], shorts: list[dict[str, Any]], messages: list[ExchangeMessage]) -> _Exchange:
        q = as_float(e["quantity"]) or 0.0
        material = str(e["material"])
        return cls(xid=str(e["exchange_id"]), supplier=str(e["supplier_id"]), receiver=str(e["receiver_id"]),
                   material=material, unit=str(e["unit"]), q=q, eps=_REL_EPS * max(q, 1.0), shorts=shorts,
                   messages=messages)

    def short(self, side: str, code: str, amount: float, why: str, **params: object) -> None:
        """A shortfall `code` (SHORTFALL_CODES) of `amount`, and its message: the exchange, then message `why`
        (an "exchange.<key>" code) with `params`."""
        self.shorts.append({"exchange_id": self.xid, "side": side, "code": code, "short": amount, "unit": self.unit})
        why_en, why_zh = pair(why, **params)
        self.messages.append(ExchangeMessage(self.xid, code, *pair(EXCHANGE_TEXTS.code("message"),
                                                                   exchange_id=self.xid, why=why_en, why_zh=why_zh)))


def _take_supplier(ledger: _Ledger, x: _Exchange, rows: list[dict[str, Any]]) -> tuple[list[int], list[int]]:
    """Take the exchange off the supplier's output rows of its material, in ledger order. Returns those rows and
    the ones actually used; a shortfall when it has none or they have too little left."""
    candidates = [i for i in ledger.rows_of(x.supplier, "output") if ledger.material[i] == x.material]
    todo = x.q
    used_out: list[int] = []
    for i in candidates:
        step = min(ledger.left[i], todo)
        if step <= 0:
            continue
        ledger.left[i] -= step
        todo -= step
        used_out.append(i)
        rows.append({"exchange_id": x.xid, "side": SUPPLIER, "stream_id": ledger.ids[i], "quantity": step,
                     "ratio": 1.0, "rule_id": ""})
        if todo <= x.eps:
            break
    q, unit = x.q, x.unit
    if not candidates:
        x.short(SUPPLIER, "no_supplier_stream", q, EXCHANGE_TEXTS.code("no_supplier_stream"), supplier=x.supplier,
                material=x.material, quantity=_fmt(q), unit=unit)
    elif todo > x.eps:
        x.short(SUPPLIER, "exceeds_supply", todo, EXCHANGE_TEXTS.code("exceeds_supply"), supplier=x.supplier,
                material=x.material, quantity=_fmt(q), left=_fmt(q - todo), short=_fmt(todo), unit=unit)
    return candidates, used_out


def _receiver_targets(ledger: _Ledger, x: _Exchange, stated_category: Any, inputs: list[int], candidates: list[int],
                      used_out: list[int], factors: FactorTable,
                      include_scope2: bool) -> tuple[list[tuple[int, float, str]], float | None]:
    """The receiver's input rows the exchange may feed, in the order it feeds them, as (position, ratio, rule_id):
    the same material; else heat by temperature; else rule inputs, best first. And, for heat, the temperature of
    the heat supplied (None otherwise, or when no row says)."""
    material = x.material
    if same := [i for i in inputs if ledger.material[i] == material]:
        return [(i, 1.0, IDENTITY_PREFIX + material) for i in same], None
    if _category(material, stated_category) == "heat":
        # the supplied heat is as hot as the hottest row it comes from (the rows of that material, if it came
        # from none: an exchange the supplier's ledger does not cover still feeds the receiver's demand)
        source = used_out or candidates
        known = [t for t in (ledger.temperature[i] for i in source) if t is not None]
        t_supply = max(known) if known else None
        return [(i, 1.0, HEAT_RULE_ID) for i in _reachable_heat(ledger, inputs, t_supply)], t_supply
    first = candidates[0] if candidates else None
    baseline_out = "" if first is None else _text(ledger.frame.at[first, "baseline"])
    unit_out = x.unit if first is None else str(ledger.frame.at[first, "unit"])
    return _rule_targets(ledger, inputs, material, baseline_out, unit_out, factors, include_scope2), None


def _take_receiver(ledger: _Ledger, x: _Exchange, targets: list[tuple[int, float, str]],
                   rows: list[dict[str, Any]]) -> None:
    """Take ratio x the exchanged quantity off the receiver's target rows in order, each up to what it has left;
    a shortfall for what none has room for."""
    todo = x.q  # in units of the exchanged material
    for i, ratio, rule_id in targets:
        used_in = min(ledger.left[i], todo * ratio)
        if used_in <= 0:
            continue
        ledger.left[i] -= used_in
        todo -= used_in / ratio
        rows.append({"exchange_id": x.xid, "side": RECEIVER, "stream_id": ledger.ids[i], "quantity": used_in,
                     "ratio": ratio, "rule_id": rule_id})
        if todo <= x.eps:
            break
    if todo > x.eps:
        held = list(dict.fromkeys(ledger.material[i] for i, _, _ in targets))
        x.short(RECEIVER, "exceeds_demand", todo, EXCHANGE_TEXTS.code("exceeds_demand"), receiver=x.receiver,
                materials=", ".join(held), short=_fmt(todo), unit=x.unit)


__all__ = ["ALLOCATION_COLUMNS", "HEAT_RULE_ID", "IDENTITY_MODES", "IDENTITY_PREFIX", "PIPE_BY_CATEGORY",
           "RECEIVER", "SHORTFALL_CODES", "SHORTFALL_COLUMNS", "SUPPLIER", "ExchangeAllocation", "ExchangeMessage",
           "allocate_exchanges", "dataset_rules", "identity_rules", "is_identity_rule", "rule_mode",
           "substitution_rules"]
