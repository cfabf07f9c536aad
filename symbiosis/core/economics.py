"""What a link costs and earns (issue 16): investment, operating cost, savings, NPV, payback, abatement cost, who
pays and who gains, and the plan's marginal abatement cost curve (MACC).

Every default is a row of datasets/economics.csv with value, unit, year, region, source and reliability tag (as
datasets/emission_factors.csv); a park overrides rows by id (`EconomicsTable(overrides=...)`). The ledger's prices
(`price_cny_per_unit` of the streams) come first; a default price is used only where the ledger has none, and the
record names which one was used. Method and worked links: docs/economics.md.

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

import pandas as pd

from symbiosis.core.datasets import read_records
from symbiosis.core.errors import DatasetError
from symbiosis.core.exchanges import substitution_rules
from symbiosis.core.factors import FactorTable
from symbiosis.core.park import Park
from symbiosis.core.plan import Link, Plan
from symbiosis.core.rulebook import pumping_factor, tonnes_per_unit
from symbiosis.core.taxonomy import baselines

PIPE_CAPEX_ROW: dict[str, str] = {"pipe_heat": "pipe_capex_hot_water", "pipe_steam": "pipe_capex_steam",
                                   "pipe_water": "pipe_capex_water", "pipe_gas": "pipe_capex_gas"}
HEAT_MODES: frozenset[str] = frozenset({"pipe_heat", "pipe_steam"})
DISPOSAL_SCOPES: frozenset[str] = frozenset({"scope3_cat5"})  # as matching.candidates: a fate that costs a fee
GJ_PER_MWH = 3.6
NOT_BOUGHT: frozenset[str] = frozenset({"self_supplied"})  # as the matcher: nothing is bought, nothing saved


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

    @property
    def annual_net_cost_cny(self) -> float:
        return -self.annual_net_saving_cny

    def to_record(self) -> dict[str, Any]:
        record = asdict(self)
        record["param_ids"] = list(self.param_ids)
        record["annual_net_cost_cny"] = self.annual_net_cost_cny
        return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in record.items()}


def _finite(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _hours(stream: Mapping[str, Any] | None, park: Park, table: EconomicsTable) -> tuple[float, bool]:
    """Operating hours for sizing: the supplier's row, else park.toml, else the table (True when the table's)."""
    hours = _finite(stream.get("hours_per_year")) if stream is not None else None
    if hours and hours > 0:
        return hours, False
    default = park.config.default_hours_per_year
    if default:
        return float(default), False
    return table.value("operating_hours"), True


@cache
def _pretreatment_kwh() -> dict[str, float]:
    rules = substitution_rules()
    out = {}
    for rule_id, kwh in zip(rules["rule_id"], rules["pretreatment_kwh_per_unit"], strict=True):
        value = _finite(kwh)
        out[str(rule_id)] = value or 0.0
    return out


def _row(streams: pd.DataFrame, stream_id: str) -> dict[str, Any] | None:
    if stream_id not in streams.index:
        return None
    return {str(k): v for k, v in streams.loc[stream_id].to_dict().items()}


def _scope_of_baseline() -> dict[str, str]:
    return {b.baseline: b.scope for b in baselines().values()}


def link_economics(link: Link, park: Park, *, table: EconomicsTable | None = None,
                   factors: FactorTable | None = None, electricity_cny_per_kwh: float | None = None,
                   include_scope2: bool = False) -> LinkEconomics:
    """The economics of one link of a plan on `park` (docs/economics.md)."""
    table = table or EconomicsTable(park.config.economics)
    factors = factors or FactorTable(park.config)
    price_kwh = table.value("electricity_cny_per_kwh") if electricity_cny_per_kwh is None \
        else float(electricity_cny_per_kwh)
    rate, years = table.value("discount_rate"), table.value("lifetime_years")
    used: list[str] = ["discount_rate", "lifetime_years"]
    if electricity_cny_per_kwh is None:
        used.append("electricity_cny_per_kwh")
    streams = park.streams.set_index("stream_id", drop=False)
    sup = _row(streams, link.supplier_stream_id)
    rec = _row(streams, link.receiver_stream_id)
    hours, hours_from_table = _hours(sup, park, table)
    q, q_in, km, mode = float(link.quantity), float(link.quantity_in), float(link.distance_km), link.mode
    is_pipe = mode in PIPE_CAPEX_ROW

    # size: MW of the delivered heat or fuel (GJ/a), m3/h of water
    size, size_unit = 0.0, ""
    if is_pipe:
        if mode == "pipe_water":
            size, size_unit = q / hours, "m3/h"
        else:
            gj = q_in if link.unit_in == "GJ/a" else q if link.unit == "GJ/a" else 0.0
            size, size_unit = gj / GJ_PER_MWH / hours, "MW"
        if hours_from_table:
            used.append("operating_hours")

    # investment
    capex_pipe = capex_pump = capex_hx = capex_pre = 0.0
    pump_kwh = 0.0
    if is_pipe:
        row = table.get(PIPE_CAPEX_ROW[mode])
        exponent = table.value("pipe_size_exponent")
        basis = row.basis_value or 1.0
        capex_pipe = row.value * km * (size / basis) ** exponent if size > 0 else row.value * km
        used += [row.param_id, "pipe_size_exponent"]
        pump = pumping_factor(mode, factors)
        if pump is not None:
            pump_kwh = pump.value * q * km
            capex_pump = table.value("pump_capex_per_kw") * pump_kwh / hours
            used.append("pump_capex_per_kw")
        if mode in HEAT_MODES:
            capex_hx = table.value("hx_capex_per_kw") * 1000.0 * size
            used.append("hx_capex_per_kw")
    pre_kwh_per_unit = _pretreatment_kwh().get(link.rule_id, 0.0)
    pre_kwh = pre_kwh_per_unit * q
    if pre_kwh_per_unit > 0 and link.unit == "t/a":
        capex_pre = table.value("pretreatment_capex_per_t_a") * q
        used.append("pretreatment_capex_per_t_a")

    # operating cost
    maintenance = table.value("maintenance_share_pipe") * capex_pipe + \
        table.value("maintenance_share_equipment") * (capex_pump + capex_hx + capex_pre)
    if capex_pipe:
        used.append("maintenance_share_pipe")
    if capex_pump + capex_hx + capex_pre:
        used.append("maintenance_share_equipment")
    transport = contract = 0.0
    if mode == "truck":
        tonnes = (tonnes_per_unit(link.material_out, link.unit) or 0.0) * q
        transport = table.value("truck_cny_per_tkm") * tonnes * km
        contract = table.value("handling_truck")
        used += ["truck_cny_per_tkm", "handling_truck"]
    elif is_pipe:
        contract = table.value("contract_pipe")
        used.append("contract_pipe")
    elec_pump, elec_pre = price_kwh * pump_kwh, price_kwh * pre_kwh
    # the supplier's share: pre-treatment; the rest is the receiver's
    supplier_opex = elec_pre + table.value("maintenance_share_equipment") * capex_pre

    # savings and earnings
    scope = _scope_of_baseline()
    base_in = str(rec.get("baseline") or "") if rec else ""
    base_out = str(sup.get("baseline") or "") if sup else ""
    purchase_price: float | None = None
    purchase_source = "none"
    if base_in not in NOT_BOUGHT:
        purchase_price = _finite(rec.get("price_cny_per_unit")) if rec else None
        if purchase_price is not None:
            purchase_source = "ledger"
        else:
            default = (table.find("price_heat_", base_in) if base_in else None) or \
                table.find("price_material_", link.material_in) or \
                (table.find("price_material_", base_in) if base_in else None)
            if default is not None:
                purchase_price, purchase_source = default.value, default.param_id
                used.append(default.param_id)
    saving_purchase = (purchase_price or 0.0) * q_in
    disposal_fee: float | None = None
    disposal_source = "none"
    lost_sale = 0.0
    if scope.get(base_out) in DISPOSAL_SCOPES:
        disposal_fee = _finite(sup.get("price_cny_per_unit")) if sup else None
        if disposal_fee is not None:
            disposal_source = "ledger"
        else:
            default = table.find("disposal_fee_", base_out)
            if default is not None:
                disposal_fee, disposal_source = default.value, default.param_id
                used.append(default.param_id)
    elif base_out == "sold":
        sale = _finite(sup.get("price_cny_per_unit")) if sup else None
        lost_sale = (sale or 0.0) * q
    saving_disposal = (disposal_fee or 0.0) * q

    capex = capex_pipe + capex_pump + capex_hx + capex_pre
    opex = elec_pump + elec_pre + maintenance + transport + contract
    savings = saving_purchase + saving_disposal - lost_sale
    crf = capital_recovery_factor(rate, years)
    annual_cash = savings - opex
    annual_net = annual_cash - capex * crf
    npv = -capex + annual_cash / crf
    payback = capex / annual_cash if annual_cash > 0 else None
    net_t = link.net_tco2e(include_scope2)
    abatement = -annual_net / net_t if net_t > 0 else None

    supplier = saving_disposal - lost_sale - supplier_opex - capex_pre * crf
    receiver = annual_net - supplier
    payer = _side(supplier < 0, receiver < 0)
    gainer = _side(supplier > 0, receiver > 0)
    unit = f"CNY/{link.unit.split('/')[0]}" if "/" in link.unit else "CNY/unit"
    t_min = t_max = t_mid = None
    if annual_net >= 0 and q > 0:
        t_min, t_max = -supplier / q, receiver / q
        if supplier < 0 or receiver < 0:
            t_mid = (t_min + t_max) / 2.0
    return LinkEconomics(
        link_id=link.link_id, supplier_id=link.supplier_id, receiver_id=link.receiver_id, mode=mode,
        material_out=link.material_out, material_in=link.material_in, net_tco2e=net_t,
        capex_pipe_cny=capex_pipe, capex_pump_cny=capex_pump, capex_hx_cny=capex_hx,
        capex_pretreatment_cny=capex_pre, opex_electricity_pumping_cny=elec_pump,
        opex_electricity_pretreatment_cny=elec_pre, opex_maintenance_cny=maintenance, opex_transport_cny=transport,
        opex_contract_cny=contract, saving_purchase_cny=saving_purchase, saving_disposal_cny=saving_disposal,
        lost_sale_cny=lost_sale, purchase_price=purchase_price, purchase_price_source=purchase_source,
        disposal_fee=disposal_fee, disposal_fee_source=disposal_source, discount_rate=rate, lifetime_years=years,
        electricity_cny_per_kwh=price_kwh, operating_hours=hours, size=size, size_unit=size_unit, capex_cny=capex,
        opex_cny=opex, savings_cny=savings, annual_cash_cny=annual_cash, annualised_capex_cny=capex * crf,
        annual_net_saving_cny=annual_net, npv_cny=npv, payback_years=payback,
        abatement_cost_cny_per_tco2e=abatement, supplier_annual_cny=supplier, receiver_annual_cny=receiver,
        payer=payer, gainer=gainer, transfer_price_min=t_min, transfer_price_max=t_max, transfer_price=t_mid,
        transfer_unit=unit, param_ids=tuple(dict.fromkeys(used)))


def _side(supplier: bool, receiver: bool) -> str:
    return "both" if supplier and receiver else "supplier" if supplier else "receiver" if receiver else "none"


def _electricity_price(plan: Plan, electricity_cny_per_kwh: float | None) -> float | None:
    if electricity_cny_per_kwh is not None:
        return float(electricity_cny_per_kwh)
    return _finite(plan.options.get("electricity_cny_per_kwh")) if plan.options else None


def plan_economics(plan: Plan, park: Park, *, overrides: Mapping[str, float] | None = None,
                   electricity_cny_per_kwh: float | None = None) -> list[LinkEconomics]:
    """One LinkEconomics per link of the plan, in the plan's order. The rows in force: datasets/economics.csv,
    replaced by park.toml [economics], replaced by `overrides`. The electricity price is the argument, else the
    run's option (plan.options['electricity_cny_per_kwh']), else the economics row."""
    table = EconomicsTable({**park.config.economics, **(overrides or {})})
    factors = FactorTable(park.config)
    price = _electricity_price(plan, electricity_cny_per_kwh)
    return [link_economics(link, park, table=table, factors=factors, electricity_cny_per_kwh=price,
                           include_scope2=plan.include_scope2) for link in plan.links]


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
