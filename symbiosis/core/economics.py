"""What a link costs and earns (issue 16): investment, operating cost, savings, NPV, payback, abatement cost, who
pays and who gains, and the plan's marginal abatement cost curve (MACC).

Every default is a row of datasets/economics.csv with value, unit, year, region, source and reliability tag (as
datasets/emission_factors.csv); a park overrides rows by id (`EconomicsTable(overrides=...)`). The ledger's prices
(`price_cny_per_unit` of the streams) come first; a default price is used only where the ledger has none, and the
record names which one was used. Method and worked links: docs/economics.md.

One cost rule: `cost_terms` prices links column-wise as a fixed part and a part per unit of flow; the matcher
(matching.candidates) takes its objective and constraint coefficients from it and `link_economics` /
`plan_economics` evaluate it at a link's flow, so a link's annual net cost is the same in the model and here. The
pipe's sized investment, concave in the flow, enters as its tangent at the design flow (the candidate's capacity,
`Link.design_quantity`), the linear form a MILP can hold.

Conventions (docs/economics.md): the receiver builds and runs the link (pipe, pumps, heat exchanger, pumping
electricity, maintenance, truck freight, contract and handling); the supplier pays the pre-treatment a rule names
(its investment, maintenance and electricity). The transfer price moves money from receiver to supplier per unit
of the supplier's output.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, replace
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from symbiosis.core.datasets import read_records
from symbiosis.core.errors import DatasetError
from symbiosis.core.exchanges import substitution_rules
from symbiosis.core.factors import FactorTable
from symbiosis.core.i18n import pair, register
from symbiosis.core.park import Park
from symbiosis.core.plan import Link, Plan
from symbiosis.core.rulebook import pumping_factor, tonnes_per_unit
from symbiosis.core.taxonomy import baselines

PIPE_CAPEX_ROW: dict[str, str] = {"pipe_heat": "pipe_capex_hot_water", "pipe_steam": "pipe_capex_steam",
                                   "pipe_water": "pipe_capex_water", "pipe_gas": "pipe_capex_gas"}
HEAT_MODES: frozenset[str] = frozenset({"pipe_heat", "pipe_steam"})
DISPOSAL_SCOPES: frozenset[str] = frozenset({"scope3_cat5"})  # a fate that costs a fee (a Scope 3 cat. 5 baseline)
GJ_PER_MWH = 3.6
NOT_BOUGHT: frozenset[str] = frozenset({"self_supplied"})  # as the matcher: nothing is bought, nothing saved
ELECTRICITY_ROW = "electricity_cny_per_kwh"

# The notes a link's economics carry (codes "economics.note.<key>").
NOTES = register("economics.note", {
    "unsized_gas": ("gas pipe for {material} not sized: its flow is in {unit} and the material table gives no net "
                    "calorific value to turn it into MW, so the pipe costs its row's basis "
                    "({row} x km, pipe_size_exponent not applied)",
                    "{material}燃气管道未按规模计：流量单位为{unit}，物料表无低位发热量可折算为MW，"
                    "管道按该行基准计价（{row} × km，未使用 pipe_size_exponent）"),
})


@dataclass(frozen=True)
class EconomicParam:
    param_id: str
    name_zh: str
    name_en: str
    value: float
    unit: str
    applies_to: str
    basis_value: float | None
    basis_unit: str
    region: str
    year: str
    source: str
    reliability: str
    notes: str = ""
    overridden: bool = False

    def as_record(self) -> dict[str, Any]:
        return asdict(self)


@cache
def _all_params() -> dict[str, EconomicParam]:
    out: dict[str, EconomicParam] = {}
    for r in read_records("economics"):
        pid = r["param_id"]
        try:
            value = float(r["value"])
            basis = float(r["basis_value"]) if r["basis_value"] else None
        except ValueError as exc:
            raise DatasetError(f"economics.csv: {pid} has a value that is not a number") from exc
        if pid in out:
            raise DatasetError(f"economics.csv: param_id {pid} appears twice")
        out[pid] = EconomicParam(pid, r["name_zh"], r["name_en"], value, r["unit"], r["applies_to"], basis,
                                 r["basis_unit"], r["region"], r["year"], r["source"], r["reliability"], r["notes"])
    return out


class EconomicsTable:
    """The economic rows in force: shipped rows with overrides (by param_id) applied, marked overridden."""

    def __init__(self, overrides: Mapping[str, float] | None = None):
        base = _all_params()
        merged = dict(overrides or {})
        unknown = sorted(set(merged) - set(base))
        if unknown:
            raise DatasetError(f"economics overrides name unknown param_id(s): {', '.join(unknown)}")
        self.params = {k: replace(p, value=float(merged[k]), overridden=True) if k in merged else p
                       for k, p in base.items()}

    def get(self, param_id: str) -> EconomicParam:
        return self.params[param_id]

    def value(self, param_id: str) -> float:
        return self.params[param_id].value

    def find(self, prefix: str, applies_to: str) -> EconomicParam | None:
        """The row `<prefix><applies_to>` if there is one (default prices and fees by material or baseline)."""
        return self.params.get(prefix + applies_to)

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([p.as_record() for p in self.params.values()])

    def placeholders(self) -> list[str]:
        return [k for k, p in self.params.items() if p.reliability == "R" and not p.overridden]


def capital_recovery_factor(rate: float, years: float) -> float:
    """CRF = r (1+r)^n / ((1+r)^n - 1); 1/n at r = 0."""
    if rate == 0:
        return 1.0 / years
    growth = (1.0 + rate) ** years
    return rate * growth / (growth - 1.0)


@dataclass(frozen=True)
class LinkEconomics:
    """What one link costs and earns (CNY, CNY/a), its NPV, payback and abatement cost (CNY/tCO2e)."""

    link_id: str
    supplier_id: str
    receiver_id: str
    mode: str
    material_out: str
    material_in: str
    net_tco2e: float
    # investment, CNY
    capex_pipe_cny: float
    capex_pump_cny: float
    capex_hx_cny: float
    capex_pretreatment_cny: float
    # operating cost, CNY/a
    opex_electricity_pumping_cny: float
    opex_electricity_pretreatment_cny: float
    opex_maintenance_cny: float
    opex_transport_cny: float
    opex_contract_cny: float
    # savings and earnings, CNY/a (a lost sale counts negative)
    saving_purchase_cny: float
    saving_disposal_cny: float
    lost_sale_cny: float
    purchase_price: float | None
    purchase_price_source: str  # ledger, a param_id, or none
    disposal_fee: float | None
    disposal_fee_source: str
    # settings
    discount_rate: float
    lifetime_years: float
    electricity_cny_per_kwh: float
    operating_hours: float
    size: float  # MW (heat, steam, gas pipes) or m3/h (water pipes); 0 for trucks
    size_unit: str
    # results
    capex_cny: float
    opex_cny: float
    savings_cny: float
    annual_cash_cny: float  # savings - opex
    annualised_capex_cny: float  # capex x CRF
    annual_net_saving_cny: float  # savings - opex - capex x CRF
    npv_cny: float
    payback_years: float | None  # capex / (savings - opex); None when it never pays back
    abatement_cost_cny_per_tco2e: float | None  # -annual_net_saving / net tCO2e; None when nothing is avoided
    supplier_annual_cny: float  # annualised, before any transfer
    receiver_annual_cny: float
    payer: str  # who bears the link's net annual cost: supplier, receiver, both or none
    gainer: str
    transfer_price_min: float | None  # CNY per unit of output paid by receiver to supplier: both gain within
    transfer_price_max: float | None
    transfer_price: float | None  # midpoint (the surplus split equally) when one side would lose; else None
    transfer_unit: str
    param_ids: tuple[str, ...] = ()
    notes: tuple[tuple[str, str], ...] = ()  # (English, Chinese) pairs, e.g. a gas pipe that could not be sized
    # the flow the pipe is sized for (the candidate's capacity in a matched plan; the flow itself otherwise):
    # `size` is at this flow; the pipe's investment is the tangent of the sized cost there (`cost_terms`)
    design_quantity: float | None = None

    @property
    def annual_net_cost_cny(self) -> float:
        return -self.annual_net_saving_cny

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        record["param_ids"] = list(self.param_ids)
        record["notes"] = [list(n) for n in self.notes]
        record["annual_net_cost_cny"] = self.annual_net_cost_cny
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in record.items()}


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def annuity_factor(rate: float, years: float) -> float:
    """The present value of 1 CNY a year over the lifetime: 1 / CRF."""
    return 1.0 / capital_recovery_factor(rate, years)


@cache
def _pretreatment_kwh() -> dict[str, float]:
    rules = substitution_rules()
    out = {}
    for rule_id, kwh in zip(rules["rule_id"], rules["pretreatment_kwh_per_unit"], strict=True):
        value = _finite(kwh)
        out[str(rule_id)] = value or 0.0
    return out


@cache
def _scope_of_baseline() -> dict[str, str]:
    return {b.baseline: b.scope for b in baselines().values()}


# What the cost rule reads of each link: the columns of the frame `cost_terms` takes (one row per link or
# candidate link). in_per_unit: the receiver's input replaced per unit of the supplier's output (ratio x the share
# delivered); design_quantity: the flow the pipe is sized for (NaN: the link's own flow, `link_economics`).
TERM_COLUMNS: tuple[str, ...] = ("supplier_stream_id", "receiver_stream_id", "mode", "distance_km", "rule_id",
                                 "material_out", "unit_out", "material_in", "unit_in", "in_per_unit",
                                 "design_quantity")


def cost_terms(links: pd.DataFrame, park: Park, *, table: EconomicsTable, factors: FactorTable,
               electricity_cny_per_kwh: float | None = None) -> pd.DataFrame:
    """The one cost rule (docs/economics.md), column-wise: every money item of each link as a fixed part (CNY or
    CNY/a, paid when the link is built) and a part per unit of the supplier's output (CNY or CNY/a per unit).

    The matcher's objective and constraints (matching.candidates) and the economics of a plan's links
    (`link_economics`) both come from here, so the model's annual net cost of a link is the economics' one. The
    only item not linear in the flow, the pipe's investment row x km x (size / basis) ^ exponent, is replaced by
    its tangent at the design flow (`design_quantity`: the candidate's capacity in the matcher): fixed
    (1 - exponent) x f(design), per unit exponent x f(design) / design; exact at the design flow, above the
    sized cost below it (the pipe is laid for what the link could carry).

    `links` has the columns TERM_COLUMNS; the result has the same index."""
    n = len(links)
    price_kwh = table.value("electricity_cny_per_kwh") if electricity_cny_per_kwh is None \
        else float(electricity_cny_per_kwh)
    streams = park.streams.drop_duplicates("stream_id").set_index("stream_id")

    def column(name: str, ids: pd.Series) -> np.ndarray:
        if name not in streams.columns:
            return np.full(n, np.nan if name != "baseline" else "", dtype=object)
        return ids.map(streams[name]).to_numpy(dtype=object)

    sup_ids = links["supplier_stream_id"].astype(str)
    rec_ids = links["receiver_stream_id"].astype(str)
    mode = links["mode"].astype(str).to_numpy(dtype=object)
    km = links["distance_km"].to_numpy(dtype=float)
    unit_out = links["unit_out"].astype(str).to_numpy(dtype=object)
    unit_in = links["unit_in"].astype(str).to_numpy(dtype=object)
    in_per_unit = links["in_per_unit"].to_numpy(dtype=float)
    used: list[list[str]] = [["discount_rate", "lifetime_years"] for _ in range(n)]
    if electricity_cny_per_kwh is None:
        for u in used:
            u.append("electricity_cny_per_kwh")

    # operating hours for sizing: the supplier's row, else park.toml, else the table
    row_hours = pd.to_numeric(pd.Series(column("hours_per_year", sup_ids)), errors="coerce").to_numpy(dtype=float)
    default = park.config.default_hours_per_year
    fallback = float(default) if default else table.value("operating_hours")
    own = np.isfinite(row_hours) & (row_hours > 0)
    hours = np.where(own, row_hours, fallback)
    hours_from_table = ~own & (not default)

    # size per unit of the supplier's output: MW of delivered heat or fuel (GJ/a), m3/h of water
    is_pipe = np.isin(mode, list(PIPE_CAPEX_ROW))
    water = mode == "pipe_water"
    gj_per_unit = np.array([_gj_per_unit(mi, ui, ipu, mo, uo) for mi, ui, ipu, mo, uo in zip(
        links["material_in"].astype(str), unit_in, in_per_unit, links["material_out"].astype(str), unit_out,
        strict=True)], dtype=float)
    # a gas pipe whose flow cannot be turned into MW (a mass gas without a calorific value: CO2, ...) is unsized
    unsized_gas = (mode == "pipe_gas") & ~(gj_per_unit > 0)
    gj_per_unit = np.where(np.isfinite(gj_per_unit), gj_per_unit, 0.0)
    size_per_unit = np.where(is_pipe, np.where(water, 1.0 / hours, gj_per_unit / GJ_PER_MWH / hours), 0.0)
    size_unit = np.where(is_pipe, np.where(water, "m3/h", "MW"), "")

    # pipe: its row x km x (size / basis) ^ exponent, as the tangent at the design flow
    exponent = table.value("pipe_size_exponent")
    row_value = np.array([table.value(PIPE_CAPEX_ROW[m]) if m in PIPE_CAPEX_ROW else 0.0 for m in mode])
    basis = np.array([(table.get(PIPE_CAPEX_ROW[m]).basis_value or 1.0) if m in PIPE_CAPEX_ROW else 1.0
                      for m in mode])
    design = links["design_quantity"].to_numpy(dtype=float)
    design_size = size_per_unit * design
    sized = is_pipe & np.isfinite(design_size) & (design_size > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        at_design = row_value * km * np.where(sized, design_size / basis, 1.0) ** exponent
        pipe_fixed = np.where(sized, (1.0 - exponent) * at_design, np.where(is_pipe, row_value * km, 0.0))
        pipe_unit = np.where(sized, exponent * at_design / np.where(sized, design, 1.0), 0.0)

    # pumps (modes with a pumping row), heat exchangers (heat and steam pipes), pre-treatment (mass links)
    pump_per_km = {m: (f.value if (f := pumping_factor(str(m), factors)) else None) for m in set(mode.tolist())}
    pumps = np.array([pump_per_km[m] is not None for m in mode], dtype=bool) & is_pipe
    pump_kwh = np.where(pumps, np.array([pump_per_km[m] or 0.0 for m in mode]) * km, 0.0)
    pump_unit = table.value("pump_capex_per_kw") * pump_kwh / hours
    heat = np.isin(mode, list(HEAT_MODES))
    hx_unit = np.where(heat, table.value("hx_capex_per_kw") * 1000.0 * size_per_unit, 0.0)
    pre_kwh = np.array([_pretreatment_kwh().get(str(r), 0.0) for r in links["rule_id"]], dtype=float)
    pre = (pre_kwh > 0) & (unit_out == "t/a")
    pre_unit = np.where(pre, table.value("pretreatment_capex_per_t_a"), 0.0)

    # operating cost
    share_pipe, share_eq = table.value("maintenance_share_pipe"), table.value("maintenance_share_equipment")
    maint_fixed = share_pipe * pipe_fixed
    maint_unit = share_pipe * pipe_unit + share_eq * (pump_unit + hx_unit + pre_unit)
    truck = mode == "truck"
    tonnes = np.array([(tonnes_per_unit(m, u) or 0.0) if t else 0.0
                       for m, u, t in zip(links["material_out"], unit_out, truck, strict=True)], dtype=float)
    transport_unit = np.where(truck, table.value("truck_cny_per_tkm") * tonnes * km, 0.0)
    contract = np.where(truck, table.value("handling_truck"), np.where(is_pipe, table.value("contract_pipe"), 0.0))
    elec_pump_unit, elec_pre_unit = price_kwh * pump_kwh, price_kwh * pre_kwh

    # savings and earnings: the ledger's prices first, then the tagged defaults
    scope = _scope_of_baseline()
    base_in = np.array(["" if not isinstance(b, str) else b for b in column("baseline", rec_ids)], dtype=object)
    base_out = np.array(["" if not isinstance(b, str) else b for b in column("baseline", sup_ids)], dtype=object)
    price_in = np.array([_finite(v) for v in column("price_cny_per_unit", rec_ids)], dtype=object)
    price_out = np.array([_finite(v) for v in column("price_cny_per_unit", sup_ids)], dtype=object)
    purchase: list[float | None] = []
    purchase_source: list[str] = []
    disposal: list[float | None] = []
    disposal_source: list[str] = []
    lost: list[float] = []
    for k in range(n):
        price: float | None = None
        source = "none"
        if base_in[k] not in NOT_BOUGHT:
            price = price_in[k]
            if price is not None:
                source = "ledger"
            else:
                found = (table.find("price_heat_", base_in[k]) if base_in[k] else None) or \
                    table.find("price_material_", str(links["material_in"].iloc[k])) or \
                    (table.find("price_material_", base_in[k]) if base_in[k] else None)
                if found is not None:
                    price, source = found.value, found.param_id
                    used[k].append(found.param_id)
        purchase.append(price)
        purchase_source.append(source)
        fee: float | None = None
        fee_source = "none"
        sale = 0.0
        if scope.get(base_out[k]) in DISPOSAL_SCOPES:
            fee = price_out[k]
            if fee is not None:
                fee_source = "ledger"
            else:
                found = table.find("disposal_fee_", base_out[k])
                if found is not None:
                    fee, fee_source = found.value, found.param_id
                    used[k].append(found.param_id)
        elif base_out[k] == "sold":
            sale = price_out[k] or 0.0
        disposal.append(fee)
        disposal_source.append(fee_source)
        lost.append(sale)
    purchase_unit = np.array([p or 0.0 for p in purchase], dtype=float) * in_per_unit
    disposal_unit = np.array([f or 0.0 for f in disposal], dtype=float)
    lost_unit = np.array(lost, dtype=float)

    crf = capital_recovery_factor(table.value("discount_rate"), table.value("lifetime_years"))
    capex_fixed = pipe_fixed
    capex_unit = pipe_unit + pump_unit + hx_unit + pre_unit
    opex_fixed = maint_fixed + contract
    opex_unit = elec_pump_unit + elec_pre_unit + maint_unit + transport_unit
    savings_unit = purchase_unit + disposal_unit - lost_unit
    # the supplier's share, annualised: its avoided fee or lost sale, less the pre-treatment it runs
    supplier_unit = disposal_unit - lost_unit - elec_pre_unit - share_eq * pre_unit - pre_unit * crf

    for k in range(n):  # which rows each link's figures rest on, in the order they are used
        u = used[k]
        if is_pipe[k]:
            if hours_from_table[k]:
                u.append("operating_hours")
            u.append(PIPE_CAPEX_ROW[mode[k]])
            if sized[k]:  # the exponent enters only a sized pipe
                u.append("pipe_size_exponent")
            if pumps[k]:
                u.append("pump_capex_per_kw")
            if heat[k]:
                u.append("hx_capex_per_kw")
        if pre[k]:
            u.append("pretreatment_capex_per_t_a")
        if is_pipe[k]:
            u.append("maintenance_share_pipe")
        if pumps[k] or heat[k] or pre[k]:
            u.append("maintenance_share_equipment")
        if truck[k]:
            u += ["truck_cny_per_tkm", "handling_truck"]
        elif is_pipe[k]:
            u.append("contract_pipe")
    return pd.DataFrame({
        "hours": hours, "size_per_unit": size_per_unit, "size_unit": size_unit, "design_quantity": design,
        "capex_pipe_fixed": pipe_fixed, "capex_pipe_per_unit": pipe_unit, "capex_pump_per_unit": pump_unit,
        "capex_hx_per_unit": hx_unit, "capex_pre_per_unit": pre_unit,
        "elec_pump_per_unit": elec_pump_unit, "elec_pre_per_unit": elec_pre_unit,
        "maintenance_fixed": maint_fixed, "maintenance_per_unit": maint_unit,
        "transport_per_unit": transport_unit, "contract_fixed": contract,
        "purchase_price": purchase, "purchase_price_source": purchase_source, "purchase_per_unit": purchase_unit,
        "disposal_fee": disposal, "disposal_fee_source": disposal_source, "disposal_per_unit": disposal_unit,
        "lost_sale_per_unit": lost_unit, "supplier_per_unit": supplier_unit,
        "capex_fixed": capex_fixed, "capex_per_unit": capex_unit,
        "annual_cost_fixed": capex_fixed * crf + opex_fixed,
        "annual_cost_per_unit": capex_unit * crf + opex_unit - savings_unit,
        "crf": crf, "electricity_cny_per_kwh": price_kwh,
        "param_ids": [tuple(dict.fromkeys(u)) for u in used],
        "notes": [(pair(NOTES.code("unsized_gas"), material=str(links["material_out"].iloc[k]),
                        unit=str(unit_out[k]), row=PIPE_CAPEX_ROW["pipe_gas"]),) if unsized_gas[k] else ()
                  for k in range(n)],
    }, index=links.index)


def _gj_per_unit(material_in: str, unit_in: str, in_per_unit: float, material_out: str, unit_out: str) -> float:
    """GJ of the delivered energy (or fuel) per unit of the supplier's output: the receiver's input in GJ/a, else
    the output in GJ/a, else a mass (or volume) flow turned into GJ by its material's net calorific value (the
    rule-book's units, symbiosis.core.rulebook.tonnes_per_unit); NaN when none of these can say."""
    if unit_in == "GJ/a":
        return float(in_per_unit)
    if unit_out == "GJ/a":
        return 1.0
    for material, unit, per in ((material_in, unit_in, float(in_per_unit)), (material_out, unit_out, 1.0)):
        tonnes_per_gj = tonnes_per_unit(material, "GJ/a")  # t per GJ: 1 / NCV
        tonnes = tonnes_per_unit(material, unit)  # t per unit of this flow
        if tonnes_per_gj and tonnes:
            return per * tonnes / tonnes_per_gj
    return math.nan


def terms_frame(links: Iterable[Link]) -> pd.DataFrame:
    """The TERM_COLUMNS of plan links (design_quantity: the link's own, else its flow)."""
    rows = [{"supplier_stream_id": x.supplier_stream_id, "receiver_stream_id": x.receiver_stream_id,
             "mode": x.mode, "distance_km": float(x.distance_km), "rule_id": x.rule_id,
             "material_out": x.material_out, "unit_out": x.unit, "material_in": x.material_in, "unit_in": x.unit_in,
             "in_per_unit": float(x.quantity_in) / float(x.quantity) if x.quantity else 0.0,
             "design_quantity": _design(x)} for x in links]
    return pd.DataFrame(rows, columns=list(TERM_COLUMNS))


def _design(link: Link) -> float:
    design = _finite(getattr(link, "design_quantity", None))
    return design if design is not None and design > 0 else float(link.quantity)


def link_economics(link: Link, park: Park, *, table: EconomicsTable | None = None,
                   factors: FactorTable | None = None, electricity_cny_per_kwh: float | None = None,
                   include_scope2: bool = False) -> LinkEconomics:
    """The economics of one link of a plan on `park` (docs/economics.md)."""
    table = table or EconomicsTable(park.config.economics)
    factors = factors or FactorTable(park.config)
    terms = cost_terms(terms_frame([link]), park, table=table, factors=factors,
                       electricity_cny_per_kwh=electricity_cny_per_kwh)
    return _evaluate(link, terms.iloc[0], table, include_scope2)


def _evaluate(link: Link, t: pd.Series, table: EconomicsTable, include_scope2: bool) -> LinkEconomics:
    """A link's economics at its flow from its cost terms: fixed part + per-unit part x flow."""
    q = float(link.quantity)
    rate, years = table.value("discount_rate"), table.value("lifetime_years")
    crf = float(t["crf"])
    capex_pipe = float(t["capex_pipe_fixed"]) + float(t["capex_pipe_per_unit"]) * q
    capex_pump, capex_hx = float(t["capex_pump_per_unit"]) * q, float(t["capex_hx_per_unit"]) * q
    capex_pre = float(t["capex_pre_per_unit"]) * q
    elec_pump, elec_pre = float(t["elec_pump_per_unit"]) * q, float(t["elec_pre_per_unit"]) * q
    maintenance = float(t["maintenance_fixed"]) + float(t["maintenance_per_unit"]) * q
    transport, contract = float(t["transport_per_unit"]) * q, float(t["contract_fixed"])
    saving_purchase = float(t["purchase_per_unit"]) * q
    saving_disposal, lost_sale = float(t["disposal_per_unit"]) * q, float(t["lost_sale_per_unit"]) * q

    capex = capex_pipe + capex_pump + capex_hx + capex_pre
    opex = elec_pump + elec_pre + maintenance + transport + contract
    savings = saving_purchase + saving_disposal - lost_sale
    annual_cash = savings - opex
    annual_net = annual_cash - capex * crf
    npv = -capex + annual_cash / crf
    payback = capex / annual_cash if annual_cash > 0 else None
    net_t = link.net_tco2e(include_scope2)
    abatement = -annual_net / net_t if net_t > 0 else None

    supplier = float(t["supplier_per_unit"]) * q
    receiver = annual_net - supplier
    payer = _side(supplier < 0, receiver < 0)
    gainer = _side(supplier > 0, receiver > 0)
    unit = f"CNY/{link.unit.split('/')[0]}" if "/" in link.unit else "CNY/unit"
    t_min = t_max = t_mid = None
    if annual_net >= 0 and q > 0:
        t_min, t_max = -supplier / q, receiver / q
        if supplier < 0 or receiver < 0:
            t_mid = (t_min + t_max) / 2.0
    design = float(t["design_quantity"])
    return LinkEconomics(
        link_id=link.link_id, supplier_id=link.supplier_id, receiver_id=link.receiver_id, mode=link.mode,
        material_out=link.material_out, material_in=link.material_in, net_tco2e=net_t,
        capex_pipe_cny=capex_pipe, capex_pump_cny=capex_pump, capex_hx_cny=capex_hx,
        capex_pretreatment_cny=capex_pre, opex_electricity_pumping_cny=elec_pump,
        opex_electricity_pretreatment_cny=elec_pre, opex_maintenance_cny=maintenance, opex_transport_cny=transport,
        opex_contract_cny=contract, saving_purchase_cny=saving_purchase, saving_disposal_cny=saving_disposal,
        lost_sale_cny=lost_sale, purchase_price=t["purchase_price"], purchase_price_source=t["purchase_price_source"],
        disposal_fee=t["disposal_fee"], disposal_fee_source=t["disposal_fee_source"], discount_rate=rate,
        lifetime_years=years, electricity_cny_per_kwh=float(t["electricity_cny_per_kwh"]),
        operating_hours=float(t["hours"]), size=float(t["size_per_unit"]) * design, size_unit=str(t["size_unit"]),
        capex_cny=capex, opex_cny=opex, savings_cny=savings, annual_cash_cny=annual_cash,
        annualised_capex_cny=capex * crf, annual_net_saving_cny=annual_net, npv_cny=npv, payback_years=payback,
        abatement_cost_cny_per_tco2e=abatement, supplier_annual_cny=supplier, receiver_annual_cny=receiver,
        payer=payer, gainer=gainer, transfer_price_min=t_min, transfer_price_max=t_max, transfer_price=t_mid,
        transfer_unit=unit, param_ids=tuple(t["param_ids"]), notes=tuple(t["notes"]), design_quantity=design)


def _side(supplier: bool, receiver: bool) -> str:
    return "both" if supplier and receiver else "supplier" if supplier else "receiver" if receiver else "none"


def plan_table(plan: Plan, park: Park, *, overrides: Mapping[str, float] | None = None,
               electricity_cny_per_kwh: float | None = None) -> EconomicsTable:
    """The economics rows in force for a plan: datasets/economics.csv, replaced by park.toml [economics], by the
    run's option `economics` (plan.options), then by `overrides`. The electricity price is a row too: the argument,
    else an `overrides` row, else the run's resolved price (plan.options['electricity_cny_per_kwh']) where it
    differs from the row, replaces it (marked overridden). The one table `plan_economics` prices with and the
    report's row tables show (symbiosis.reporting.macc)."""
    options = plan.options or {}
    merged = {**park.config.economics, **(options.get("economics") or {}), **(overrides or {})}
    price = _finite(electricity_cny_per_kwh)
    if price is None and ELECTRICITY_ROW not in (overrides or {}):
        price = _finite(options.get(ELECTRICITY_ROW))
    if price is not None and price != EconomicsTable(merged).value(ELECTRICITY_ROW):
        merged[ELECTRICITY_ROW] = price
    return EconomicsTable(merged)


def plan_economics(plan: Plan, park: Park, *, overrides: Mapping[str, float] | None = None,
                   electricity_cny_per_kwh: float | None = None) -> list[LinkEconomics]:
    """One LinkEconomics per link of the plan, in the plan's order, priced with the rows of `plan_table` (the
    electricity price among them, so every link names the row); the pumping factor the run's (its factor
    overrides). So a matched plan's links cost here what they cost in the model (matching.candidates uses
    `cost_terms` too)."""
    options = plan.options or {}
    table = plan_table(plan, park, overrides=overrides, electricity_cny_per_kwh=electricity_cny_per_kwh)
    factors = FactorTable(park.config, options.get("factor_overrides") or None)
    if not plan.links:
        return []
    terms = cost_terms(terms_frame(plan.links), park, table=table, factors=factors)
    return [_evaluate(link, terms.iloc[k], table, plan.include_scope2) for k, link in enumerate(plan.links)]


def economics_table(plan: Plan, park: Park, **kwargs: Any) -> pd.DataFrame:
    """The economics of every link as a table (one row per link, the columns of LinkEconomics.to_record)."""
    return pd.DataFrame([e.to_record() for e in plan_economics(plan, park, **kwargs)])


@dataclass(frozen=True)
class MaccBar:
    link_id: str
    x_from: float  # cumulative tCO2e/a before this link
    x_to: float
    width: float  # the link's net avoided tCO2e/a
    height: float  # abatement cost, CNY/tCO2e
    below_carbon_price: bool  # worth building at the carbon price
    annual_net_cost_cny: float
    economics: LinkEconomics


@dataclass(frozen=True)
class Macc:
    bars: tuple[MaccBar, ...]
    carbon_price: float
    excluded: tuple[str, ...]  # links avoiding nothing net (no abatement cost)

    @property
    def total_tco2e(self) -> float:
        return self.bars[-1].x_to if self.bars else 0.0

    @property
    def below_price_tco2e(self) -> float:
        return float(sum(b.width for b in self.bars if b.below_carbon_price))

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"link_id": b.link_id, "x_from": b.x_from, "x_to": b.x_to, "width": b.width,
                              "height": b.height, "below_carbon_price": b.below_carbon_price,
                              "annual_net_cost_cny": b.annual_net_cost_cny, "supplier_id": b.economics.supplier_id,
                              "receiver_id": b.economics.receiver_id, "mode": b.economics.mode,
                              "material_out": b.economics.material_out, "material_in": b.economics.material_in,
                              "capex_cny": b.economics.capex_cny, "npv_cny": b.economics.npv_cny,
                              "payback_years": b.economics.payback_years} for b in self.bars],
                            columns=["link_id", "x_from", "x_to", "width", "height", "below_carbon_price",
                                     "annual_net_cost_cny", "supplier_id", "receiver_id", "mode", "material_out",
                                     "material_in", "capex_cny", "npv_cny", "payback_years"])

    def to_record(self) -> dict[str, Any]:
        return {"carbon_price": self.carbon_price, "total_tco2e": self.total_tco2e,
                "below_price_tco2e": self.below_price_tco2e, "excluded": list(self.excluded),
                "bars": [{k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                          for k, v in row.items()} for row in self.to_frame().to_dict(orient="records")]}


def macc_from(economics: Iterable[LinkEconomics], carbon_price: float) -> Macc:
    """The MACC of links already costed: ascending abatement cost (ties by link_id), widths cumulated."""
    items = list(economics)
    costed = sorted((e for e in items if e.abatement_cost_cny_per_tco2e is not None),
                    key=lambda e: (e.abatement_cost_cny_per_tco2e, e.link_id))
    bars, x = [], 0.0
    for e in costed:
        height = float(e.abatement_cost_cny_per_tco2e)  # type: ignore[arg-type]
        bars.append(MaccBar(e.link_id, x, x + e.net_tco2e, e.net_tco2e, height, height <= carbon_price,
                            e.annual_net_cost_cny, e))
        x += e.net_tco2e
    excluded = tuple(e.link_id for e in items if e.abatement_cost_cny_per_tco2e is None)
    return Macc(tuple(bars), float(carbon_price), excluded)


def macc(plan: Plan, park: Park, carbon_price: float, *, overrides: Mapping[str, float] | None = None,
         electricity_cny_per_kwh: float | None = None) -> Macc:
    """The plan's marginal abatement cost curve at `carbon_price` (CNY/tCO2e; the matcher's default is
    matching.options.DEFAULT_CARBON_PRICE, passed in by the caller: the core does not import matching)."""
    return macc_from(plan_economics(plan, park, overrides=overrides,
                                    electricity_cny_per_kwh=electricity_cny_per_kwh), carbon_price)
