"""The park's metabolism as a networkx MultiDiGraph: enterprises, explicit boundary nodes, one edge per flow.

Every ledger row ends up on edges: an output row's quantity goes to the enterprises its exchanges (and plan links)
name, and what is left goes to the boundary node of its `baseline` (landfill, market, atmosphere...); an input
row's quantity comes from exchanges/links first and the rest from its baseline's boundary node (grid, tap water,
virgin suppliers...). Nothing is dropped: where an exchange cannot be matched to the ledger a `FlowWarning` says
so, and the exchange edge is still drawn with its stated quantity.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd

from flows.labels import BOUNDARY_NODES, Lang, boundary_node_id, fmt_quantity
from flows.tables import validate_edges
from symbiosis.core.errors import SymbiosisError
from symbiosis.core.exchanges import (
    HEAT_RULE_ID,
    RECEIVER,
    SUPPLIER,
    ExchangeAllocation,
    allocate_exchanges,
    substitution_rules,
)
from symbiosis.core.factors import FactorTable
from symbiosis.core.i18n import pair, pick, register, word
from symbiosis.core.park import Park
from symbiosis.core.plan import AccountingLine, Link, Plan
from symbiosis.core.rulebook import (
    BOILER_FUEL,
    GJ_PER_KWH,
    OWN_PRODUCTION,
    boiler_efficiency,
    link_kwh_per_unit,
    own_production_side,
    process_held,
    stood_for_fuel,
)
from symbiosis.core.taxonomy import baselines, materials
from symbiosis.core.units import as_float

EDGE_COLUMNS: tuple[str, ...] = (
    "source", "target", "key", "kind", "material", "category", "dimension", "unit", "quantity", "temperature_c",
    "temperature_return_c", "quality", "baseline", "enterprise_id", "stream_ids", "exchange_id", "link_id",
    "net_tco2e", "rows",
)
GJ_PER_MWH = 3.6
GRID_ELECTRICITY = frozenset({"electricity"})  # materials bought from the grid when no baseline says otherwise
_REL_EPS = 1e-9  # residuals below this share of a row are rounding, not flow
# Set to "1" (tests/conftest.py does) to check every edge table against flows.tables.EDGE_SCHEMA; off by default:
# the check costs about a third of what building the graph does.
CHECK_TABLES_ENV = "SYMBIOSIS_CHECK_TABLES"

# What building the graph found (FlowWarning codes; "no_baseline" is an assumption, graph.graph["assumptions"]).
WARNINGS = register("flows.warning", {
    "link_unknown_stream": ("Plan link {link_id}: {role} stream {stream_id} is not in the ledger",
                            "方案链接 {link_id}：{role}流 {stream_id} 不在台账中"),
    "link_exceeds_stream": ("Plan link {link_id}: takes {amount} from {role} stream {stream_id}, which has only "
                            "{left} left after existing exchanges and earlier links",
                            "方案链接 {link_id}：自{role}流 {stream_id} 取 {amount}，扣除现有交换和其他链接后仅余 {left}"),
    "link_electricity_unknown": ("Plan link {link_id}: no grid factor to turn its added electricity emissions into "
                                 "electricity; left out of the after-state energy use",
                                 "方案链接 {link_id}：缺少电网排放因子，无法将其新增用电排放折算为电量；未计入方案后能耗"),
    "boiler_efficiency_missing": ("Plan link {link_id}: no boiler efficiency ({efficiency_id}) to turn the heat it "
                                  "replaces into fuel saved; the fuel row is left as it is",
                                  "方案链接 {link_id}：缺少锅炉效率（{efficiency_id}），无法折算节省的燃料；燃料行未扣减"),
    "link_exceeds_fuel": ("Plan link {link_id}: saves {amount} GJ of boiler fuel, more than the receiver's fuel rows "
                          "have left ({left})",
                          "方案链接 {link_id}：节省锅炉燃料 {amount} GJ，超过需方燃料行余量（{left}）"),
    "no_baseline": ("no baseline given: taken as {node}", "未填现状：按{node}计"),
})
ROLE_NAMES = register("flows.role", {"supplier": ("supplier", "供方"), "receiver": ("receiver", "需方")})


@dataclass(frozen=True)
class RowRef:
    """Where an edge's number comes from: one ledger row (streams.csv or exchanges.csv) or one plan link."""

    source_file: str
    source_row: int | None
    stream_id: str  # the stream id; for an exchange row its exchange_id, for a plan link its link_id
    role: str = "stream"  # stream (a boundary edge's own row), exchange, link, supplier or receiver

    def as_text(self) -> str:
        row = "" if self.source_row is None else f":{self.source_row}"
        return f"{self.stream_id} ({self.source_file}{row})"


@dataclass(frozen=True)
class FlowWarning:
    """A whole-park finding while building the graph (an exchange or link the ledger does not cover)."""

    code: str
    message_en: str
    message_zh: str
    file: str = ""
    row: int | None = None
    ref: str = ""

    def text(self, lang: Lang | str = "en") -> str:
        return pick(self.message_en, self.message_zh, lang)

    def as_record(self, lang: Lang | str = "en") -> dict[str, Any]:
        return {"code": self.code, "file": self.file, "row": self.row, "ref": self.ref, "message": self.text(lang)}


def source_key(row: pd.Series | dict[str, Any]) -> tuple[str, bool]:
    """Boundary node an input row's remainder comes from, and whether that was assumed (blank baseline)."""
    baseline, category, material = row["baseline"], row["category"], row["material"]
    mat = materials().get(material)
    is_fuel = mat is not None and (mat.is_fossil_fuel or mat.ncv_gj_per_t is not None) and category == "energy"
    fixed = {"natural_gas_boiler": "boilers", "coal_boiler": "boilers", "electric_boiler": "boilers",
             "grid_electricity": "grid", "purchased_steam": "steam_supply", "tap_water": "water_supply",
             "self_supplied": "self_supply"}
    if baseline in fixed:
        return fixed[baseline], False
    if baseline == "virgin":
        return ("fuel_supply" if category == "energy" else "virgin_supply"), False
    # Blank baseline: grid electricity and bought fuels are what Chinese energy statistics assume; say so.
    if material in GRID_ELECTRICITY:
        return "grid", True
    if is_fuel:
        return "fuel_supply", True
    return "unspecified_supply", False


def sink_key(row: pd.Series | dict[str, Any]) -> str:
    """Boundary node an output row's remainder goes to, from its baseline."""
    fixed = {"vent": "atmosphere", "flare": "atmosphere", "landfill": "landfill", "incineration": "incineration",
             "discharge": "discharge", "sold": "market", "stored": "storage",
             "hazardous_treatment": "hazardous_treatment", "wastewater_treatment": "wastewater_treatment",
             "composting": "composting"}
    return fixed.get(row["baseline"], "unspecified_fate")




def _row_number(value: Any) -> int | None:
    number = as_float(value)
    return None if number is None else int(number)


def _ref(row: pd.Series, role: str = "stream") -> RowRef:
    return RowRef(str(row.get("source_file", "")), _row_number(row.get("source_row")), str(row["stream_id"]), role)


@dataclass(frozen=True)
class _Where:
    file: str
    row: int | None
    ref: str

    def warn(self, code: str, **params: Any) -> FlowWarning:
        """The warning `code` of WARNINGS here, in both languages."""
        return self.note(code, *pair(WARNINGS.code(code), **params))

    def note(self, code: str, message_en: str, message_zh: str) -> FlowWarning:
        """A warning whose two texts come ready-made (an exchange's shortfall, symbiosis.core.exchanges)."""
        return FlowWarning(code, message_en, message_zh, self.file, self.row, self.ref)


def _role(role: str) -> dict[str, str]:
    """A link end ("supplier"/"receiver") as a message parameter, with its Chinese name."""
    return {"role": role, "role_zh": word(ROLE_NAMES, role, "zh")}


class _Ledger:
    """Stream rows with what is still unallocated; exchanges and links take from it in order."""

    def __init__(self, streams: pd.DataFrame):
        self.rows: dict[str, pd.Series] = {str(r["stream_id"]): r for _, r in streams.iterrows()}
        self.residual: dict[str, float] = {sid: (as_float(r["quantity"]) or 0.0) for sid, r in self.rows.items()}
        self.by_enterprise: dict[tuple[str, str], list[str]] = {}
        for sid, r in self.rows.items():
            self.by_enterprise.setdefault((str(r["enterprise_id"]), str(r["direction"])), []).append(sid)

    def rows_of(self, enterprise: str, direction: str) -> list[str]:
        return self.by_enterprise.get((enterprise, direction), [])

    def fuel_rows(self, enterprise: str, baseline: str, material: str = "") -> list[str]:
        """The enterprise's input rows of the fuel a row of `baseline` stands for (its own boiler's fuel, the fuel
        of an intermediate it makes itself; rulebook.stood_for_fuel); empty for other baselines."""
        fuel = stood_for_fuel(material, baseline)
        return [s for s in self.rows_of(enterprise, "input") if fuel and self.rows[s]["material"] == fuel]

    def own_made(self, enterprise: str) -> set[str]:
        """The intermediates the enterprise makes in-house (input rows of baseline own_production)."""
        return {str(self.rows[s]["material"]) for s in self.rows_of(enterprise, "input")
                if self.rows[s]["baseline"] == OWN_PRODUCTION}

    def take(self, stream_ids: Iterable[str], amount: float) -> tuple[list[str], float]:
        """Take `amount` from the rows in order; returns the rows used and what could not be taken."""
        used: list[str] = []
        left = amount
        for sid in stream_ids:
            if left <= 0:
                break
            available = self.residual[sid]
            if available <= 0:
                continue
            step = min(available, left)
            self.residual[sid] = available - step
            left -= step
            used.append(sid)
        return used, max(left, 0.0)


def _temperature(ledger: _Ledger, stream_ids: list[str], column: str) -> float | None:
    values = [as_float(ledger.rows[s][column]) for s in stream_ids]
    known = [v for v in values if v is not None]
    return max(known) if known else None


def build_graph(park: Park, plan: Plan | None = None, *, factors: FactorTable | None = None,
                allocation: ExchangeAllocation | None = None) -> nx.MultiDiGraph:
    """The metabolism graph of `park`; with `plan`, the after-state with the plan's links in place.

    Nodes: one per enterprise (kind "enterprise") and one per boundary node used (kind "boundary", id
    "boundary:<key>", see flows.labels.BOUNDARY_NODES). Edges (key "s:<stream_id>", "x:<exchange_id>" or
    "l:<link_id>") carry kind ("supply", "fate", "exchange", "link"), material, category, dimension, unit, quantity
    (canonical unit per year), temperature_c/temperature_return_c (heat), quality (water), baseline, stream_ids
    and rows (RowRef: source_file, source_row, stream_id). graph.graph holds "warnings" (FlowWarning list),
    "assumptions", "state" ("before"/"after"), "park_name", "config" and "plan_status".

    Own boilers: a heat input whose baseline is an own boiler gets boiler_fuel_listed=True when the enterprise
    also lists an input of that boiler's fuel (ledgers usually do: the fuel row then already holds the boiler's
    fuel). A plan link replacing such heat also takes quantity_in / boiler efficiency off that fuel row
    (edge attribute fuel_saved); existing exchanges do not, as the ledger already shows today's fuel.

    Existing exchanges come off the rows symbiosis.core.exchanges.allocate_exchanges picks, the same rule and the same
    rows the matcher subtracts before it sizes a plan. `factors` (default: the park's) and, with a plan, the plan's
    Scope 2 setting rank the inputs a rule could feed, as the matcher ranks them. `allocation`: that allocation
    already made (with the same factors and Scope 2 setting), e.g. a session's one allocation; None: allocate here.
    """
    graph = _new_graph(park, plan)
    warnings: list[FlowWarning] = graph.graph["warnings"]
    ledger = _Ledger(park.streams)
    table = factors if factors is not None else FactorTable(park.config)
    if allocation is None:
        allocation = allocate_exchanges(park, table, include_scope2=plan.include_scope2 if plan is not None else False)
    for sid, amount in allocation.taken().items():
        ledger.residual[sid] -= amount
    for _, x in park.exchanges.iterrows():
        _add_exchange(graph, ledger, x, allocation, warnings)
    if plan is not None:
        for link in plan.links:
            _add_link(graph, ledger, link, plan.include_scope2, warnings, table)
            _add_link_electricity(graph, link, warnings, table)
    _route_sewer(graph, ledger)
    _add_boundary_edges(graph, ledger)
    return graph


def _new_graph(park: Park, plan: Plan | None) -> nx.MultiDiGraph:
    """The graph with its attributes and one node per enterprise (boundary nodes are added as edges need them)."""
    graph = nx.MultiDiGraph(park_name=park.name, park_name_zh=park.config.name_zh or park.name, config=park.config, state="after" if plan else "before",
                            plan_status=plan.status if plan else "", warnings=[], assumptions=[])
    for _, e in park.enterprises.iterrows():
        eid = str(e["enterprise_id"])
        if eid.startswith("boundary:"):
            raise ValueError(f"enterprise id {eid!r} clashes with the boundary node names")
        name = str(e.get("name", "") or eid)
        graph.add_node(eid, kind="enterprise", name=name, name_en=str(e.get("name_en", "") or name),
                       name_zh=str(e.get("name_zh", "") or name), sector=str(e.get("sector", "") or ""),
                       x_km=as_float(e.get("x_km")), y_km=as_float(e.get("y_km")),
                       notes=str(e.get("notes", "") or ""))
    return graph


def _add_boundary_edges(graph: nx.MultiDiGraph, ledger: _Ledger) -> None:
    """What is left of each ledger row, once exchanges, links and the sewer have taken theirs, as one edge between
    its enterprise and the boundary node of its baseline (an output's fate, an input's source). A source assumed
    for a blank baseline is noted in graph.graph["assumptions"]."""
    for sid, row in ledger.rows.items():
        left = ledger.residual[sid]
        total = as_float(row["quantity"]) or 0.0
        if left <= _REL_EPS * max(total, 1.0):
            continue
        enterprise = str(row["enterprise_id"])
        if row["direction"] == "output":
            key = sink_key(row)
            u, v, kind = enterprise, boundary_node_id(key), "fate"
        else:
            key, assumed = source_key(row)
            u, v, kind = boundary_node_id(key), enterprise, "supply"
            if assumed:
                node = BOUNDARY_NODES[key]
                message_en, message_zh = pair(WARNINGS.code("no_baseline"), node=node.name_en, node_zh=node.name_zh)
                graph.graph["assumptions"].append({"stream_id": sid, "message_en": message_en,
                                                   "message_zh": message_zh})
        _ensure_boundary(graph, key)
        graph.add_edge(u, v, key=f"s:{sid}", kind=kind, material=row["material"], category=row["category"],
                       dimension=row["dimension"], unit=row["unit"], quantity=left,
                       temperature_c=as_float(row["temperature_c"]) if row["category"] == "heat" else None,
                       temperature_return_c=(as_float(row["temperature_return_c"]) if row["category"] == "heat"
                                             else None),
                       quality=str(row.get("quality", "") or ""), baseline=str(row["baseline"]),
                       enterprise_id=enterprise, stream_ids=(sid,), exchange_id="", link_id="", net_tco2e=None,
                       hazardous_code=str(row.get("hazardous_code", "") or ""), rows=(_ref(row),),
                       boiler_fuel_listed=bool(ledger.fuel_rows(enterprise, str(row["baseline"]),
                                                                str(row["material"]))),
                       calcination_held=bool(kind == "supply" and process_held(str(row["material"]),
                                                                           ledger.own_made(enterprise))))


def _route_sewer(graph: nx.MultiDiGraph, ledger: _Ledger) -> None:
    """Wastewater sent to treatment reaches the park's own treatment plant through the sewer.

    An enterprise that lists an input row of `wastewater` treats wastewater: what other enterprises send to
    treatment (output rows with baseline wastewater_treatment) goes to it, up to that input row, as edges of kind
    "sewer"; the rest of its input row comes from its source (municipal sewage from outside the park), and
    wastewater beyond what it takes in goes to the boundary node as before.
    """
    plants = [sid for sid, r in ledger.rows.items() if r["direction"] == "input" and r["material"] == "wastewater"]
    if not plants:
        return
    for sid, row in ledger.rows.items():
        if row["direction"] != "output" or row["baseline"] != "wastewater_treatment" or row["unit"] != "m3/a":
            continue
        enterprise = str(row["enterprise_id"])
        for plant_sid in plants:
            plant = ledger.rows[plant_sid]
            receiver = str(plant["enterprise_id"])
            left = ledger.residual[sid]
            if receiver == enterprise or left <= 0:
                continue
            _, short = ledger.take([plant_sid], left)
            amount = left - short
            if amount <= 0:
                continue
            ledger.residual[sid] = left - amount
            graph.add_edge(enterprise, receiver, key=f"w:{sid}", kind="sewer", material=row["material"],
                           category=row["category"], dimension=row["dimension"], unit=row["unit"], quantity=amount,
                           temperature_c=None, temperature_return_c=None, quality=str(row.get("quality", "") or ""),
                           baseline=str(row["baseline"]), enterprise_id=enterprise, stream_ids=(sid, plant_sid),
                           exchange_id="", link_id="", net_tco2e=None, hazardous_code="",
                           rows=(_ref(row), _ref(plant, "receiver")))


def _rule_pretreatment_kwh(rule_id: str) -> float | None:
    """kWh of pre-treatment per unit of output the link's rule states (0 for heat); None for a rule not known."""
    if rule_id == HEAT_RULE_ID:
        return 0.0
    rules = substitution_rules()
    hit = rules.loc[rules["rule_id"] == rule_id, "pretreatment_kwh_per_unit"]
    return float(hit.iloc[0]) if len(hit) else None


def link_electricity_gj(link: Link, factors: FactorTable) -> float | None:
    """The grid electricity (GJ/a) a plan link adds for pumping and pre-treatment, straight from the rule-book:
    its rule's kWh per unit plus the mode's pumping per unit and km, times the quantity. None when the link's rule
    is not one the rule-book knows (a plan written by hand)."""
    pretreatment = _rule_pretreatment_kwh(link.rule_id)
    if pretreatment is None:
        return None
    kwh = float(link_kwh_per_unit(pretreatment, [link.mode], link.distance_km, factors)[0]) * float(link.quantity)
    return kwh * GJ_PER_KWH


def _stated_electricity(link: Link, warnings: list[FlowWarning], factors: FactorTable) -> list[tuple[str, float]]:
    """(owner, GJ) of the electricity a hand-written link states as added_energy tCO2e, recovered with the grid
    factor its line names: such a link has no rule the rule-book could size it by."""
    lines = [a for a in link.accounting if a.item == "added_energy" and a.tco2e]
    if not lines and link.added_energy_tco2e:
        lines = [AccountingLine("added_energy", "scope2", link.supplier_id, link.added_energy_tco2e,
                                link.factor_ids)]
    out: list[tuple[str, float]] = []
    for line in lines:
        grid = next((factors.factors[f] for f in line.factor_ids
                     if f in factors.factors and factors.factors[f].scope_role == "scope2_electricity"), None)
        if grid is None:
            try:
                grid = factors.grid()
            except SymbiosisError:
                grid = None
        if grid is None or grid.value <= 0:
            warnings.append(_Where("plan", None, link.link_id).warn("link_electricity_unknown", link_id=link.link_id))
            continue
        out.append((line.enterprise_id, line.tco2e / grid.value * GJ_PER_MWH))
    return out


def _add_link_electricity(graph: nx.MultiDiGraph, link: Link, warnings: list[FlowWarning],
                          factors: FactorTable) -> None:
    """The grid electricity a plan link adds (pumping, pre-treatment) as a supply edge into its supplier, who buys
    it (Scope 2 of the supplier, symbiosis.core.accounting): so the after-state's energy use and Scope 2 hold it like
    any other grid purchase. The kWh come from the rule-book (`link_electricity_gj`); only a link whose rule it does
    not know keeps the electricity its own accounting line states."""
    direct = link_electricity_gj(link, factors)
    parts = [(link.supplier_id, direct)] if direct is not None else _stated_electricity(link, warnings, factors)
    for i, (enterprise, gj) in enumerate(p for p in parts if p[1] > 0):
        owner = enterprise if enterprise in graph else link.supplier_id
        _ensure_boundary(graph, "grid")
        graph.add_edge(boundary_node_id("grid"), owner, key=f"e:{link.link_id}" + (f":{i}" if i else ""),
                       kind="supply", material="electricity", category="energy", dimension="energy", unit="GJ/a",
                       quantity=gj, temperature_c=None, temperature_return_c=None, quality="",
                       baseline="grid_electricity", enterprise_id=owner, stream_ids=(), exchange_id="",
                       link_id=link.link_id, net_tco2e=None, hazardous_code="", added_by_link=True,
                       rows=(RowRef("plan", None, link.link_id, "link"),))


def _ensure_boundary(graph: nx.MultiDiGraph, key: str) -> None:
    node = boundary_node_id(key)
    if node not in graph:
        b = BOUNDARY_NODES[key]
        graph.add_node(node, kind="boundary", boundary=key, role=b.role, name=b.name_en, name_en=b.name_en,
                       name_zh=b.name_zh)


def _add_exchange(graph: nx.MultiDiGraph, ledger: _Ledger, x: pd.Series, allocation: ExchangeAllocation,
                  warnings: list[FlowWarning]) -> None:
    """The edge of one existing exchange, its ledger rows as the allocation took them, and its shortfalls."""
    supplier, receiver, material = str(x["supplier_id"]), str(x["receiver_id"]), str(x["material"])
    xid, category = str(x["exchange_id"]), str(x["category"])
    q = as_float(x["quantity"]) or 0.0
    where = _Where(str(x.get("source_file", "")), _row_number(x.get("source_row")), xid)
    for message in allocation.messages:
        if message.exchange_id == xid:
            warnings.append(where.note(f"exchange_{message.code}", message.en, message.zh))
    sup = allocation.of(xid, SUPPLIER)
    rec = allocation.of(xid, RECEIVER)
    sup_rows = [str(s) for s in sup["stream_id"]]
    rec_rows = [str(s) for s in rec["stream_id"]]
    rows = (RowRef(where.file, where.row, xid, "exchange"),
            *(_ref(ledger.rows[s], "supplier") for s in sup_rows), *(_ref(ledger.rows[s], "receiver") for s in rec_rows))
    mat = materials().get(material)
    # the edge's temperatures and grade are those of the rows the flow comes from
    graph.add_edge(supplier, receiver, key=f"x:{xid}", kind="exchange", material=material, category=category,
                   dimension=mat.dimension if mat else "", unit=str(x["unit"]), quantity=q,
                   temperature_c=_temperature(ledger, sup_rows, "temperature_c") if category == "heat" else None,
                   temperature_return_c=(_temperature(ledger, sup_rows, "temperature_return_c")
                                         if category == "heat" else None),
                   quality=str(ledger.rows[sup_rows[0]].get("quality", "") or "") if sup_rows else "",
                   baseline="", enterprise_id=supplier, stream_ids=tuple(dict.fromkeys([*sup_rows, *rec_rows])),
                   exchange_id=xid, link_id="", net_tco2e=None, hazardous_code="",
                   # input units per unit given, of the first input fed (a spill-over may feed others at theirs)
                   ratio=float(rec["ratio"].iloc[0]) if len(rec) else 1.0,
                   rule_id=str(rec["rule_id"].iloc[0]) if len(rec) else "", rows=rows,
                   # what each receiver row is fed (its own units): the inventory counts a fuel burnt from it
                   inputs=tuple(_fed(ledger.rows[s], float(q)) for s, q in zip(rec_rows, rec["quantity"], strict=True)))


def _fed(row: pd.Series, quantity: float) -> tuple[str, str, str, float]:
    """(material, unit, baseline, quantity) of an input row fed by an exchange or a link."""
    return str(row["material"]), str(row["unit"]), str(row["baseline"] or ""), quantity


def _add_link(graph: nx.MultiDiGraph, ledger: _Ledger, link: Link, include_scope2: bool,
              warnings: list[FlowWarning], factors: FactorTable) -> None:
    where = _Where("plan", None, link.link_id)
    for sid, role, amount in ((link.supplier_stream_id, "supplier", link.quantity),
                              (link.receiver_stream_id, "receiver", link.quantity_in)):
        if sid not in ledger.rows:
            warnings.append(where.warn("link_unknown_stream", link_id=link.link_id, stream_id=sid, **_role(role)))
            continue
        _, short = ledger.take([sid], amount)
        if short > _REL_EPS * max(amount, 1.0):
            warnings.append(where.warn("link_exceeds_stream", link_id=link.link_id, stream_id=sid,
                                       amount=fmt_quantity(amount), left=fmt_quantity(amount - short), **_role(role)))
    supplier_row = ledger.rows.get(link.supplier_stream_id)
    fuel_saved = _boiler_fuel_saved(ledger, link, warnings, factors, where)
    mat = materials().get(link.material_out)
    rows = (RowRef("plan", None, link.link_id, "link"),
            *(_ref(ledger.rows[s], role) for s, role in ((link.supplier_stream_id, "supplier"),
                                                        (link.receiver_stream_id, "receiver")) if s in ledger.rows),
            *(_ref(ledger.rows[s], "receiver") for s in fuel_saved))
    graph.add_edge(link.supplier_id, link.receiver_id, key=f"l:{link.link_id}", kind="link",
                   material=link.material_out, category=link.category, dimension=mat.dimension if mat else "",
                   unit=link.unit, quantity=float(link.quantity),
                   temperature_c=link.temperature_supply_c if link.category == "heat" else None,
                   temperature_return_c=(as_float(supplier_row["temperature_return_c"])
                                         if supplier_row is not None and link.category == "heat" else None),
                   quality=str(supplier_row.get("quality", "") or "") if supplier_row is not None else "",
                   baseline="", enterprise_id=link.supplier_id,
                   stream_ids=(link.supplier_stream_id, link.receiver_stream_id), exchange_id="",
                   link_id=link.link_id, net_tco2e=link.net_tco2e(include_scope2), hazardous_code=link.hazardous_code,
                   material_in=link.material_in, quantity_in=float(link.quantity_in), fuel_saved=fuel_saved,
                   mode=link.mode, distance_km=float(link.distance_km),
                   construction_tco2e=float(link.added_construction_tco2e),
                   displaced_tco2e=float(link.added_displaced_tco2e), rows=rows,
                   inputs=((_fed(ledger.rows[link.receiver_stream_id], float(link.quantity_in)),)
                           if link.receiver_stream_id in ledger.rows else ()))


def _boiler_fuel_saved(ledger: _Ledger, link: Link, warnings: list[FlowWarning], factors: FactorTable,
                       where: _Where) -> dict[str, float]:
    """Take the fuel a link saves off the receiver's listed boiler-fuel rows: quantity_in / boiler efficiency."""
    row = ledger.rows.get(link.receiver_stream_id)
    if row is None:
        return {}
    own_production = row["baseline"] == OWN_PRODUCTION
    if not own_production and (row["category"] != "heat" or row["baseline"] not in BOILER_FUEL):
        return {}
    fuel_rows = ledger.fuel_rows(str(row["enterprise_id"]), str(row["baseline"]), str(row["material"]))
    if not fuel_rows:
        return {}  # no fuel row: the heat row itself stands for the boiler's fuel (see accounting)
    if own_production:  # the kiln's fuel of the intermediate no longer made (rulebook.own_production_side)
        amount = float(link.quantity_in) * own_production_side(str(row["material"]), str(row["unit"]),
                                                               factors).production_fuel_gj
    else:
        eff_id = baselines()[row["baseline"]].efficiency_factor_id
        efficiency = boiler_efficiency(str(row["baseline"]), factors)
        if efficiency is None:
            warnings.append(where.warn("boiler_efficiency_missing", link_id=link.link_id, efficiency_id=eff_id))
            return {}
        amount = float(link.quantity_in) / efficiency.value
    if amount <= 0:
        return {}
    before = {s: ledger.residual[s] for s in fuel_rows}
    _, short = ledger.take(fuel_rows, amount)
    if short > _REL_EPS * max(amount, 1.0):
        warnings.append(where.warn("link_exceeds_fuel", link_id=link.link_id, amount=fmt_quantity(amount),
                                   left=fmt_quantity(amount - short)))
    return {s: before[s] - ledger.residual[s] for s in fuel_rows if before[s] > ledger.residual[s]}


def as_graph(park_or_graph: Park | nx.MultiDiGraph, plan: Plan | None = None) -> nx.MultiDiGraph:
    """The graph to analyse: built from a Park (with the plan, if any), or a graph passed as is."""
    if isinstance(park_or_graph, Park):
        return build_graph(park_or_graph, plan)
    if plan is not None:
        raise ValueError("give the plan together with a Park, or pass the after-state graph alone")
    return park_or_graph


def edges_frame(graph: nx.MultiDiGraph) -> pd.DataFrame:
    """All edges as a table (one row per flow), columns EDGE_COLUMNS (declared in flows.tables.EDGE_SCHEMA and
    checked against it when the environment sets SYMBIOSIS_CHECK_TABLES=1)."""
    records = []
    for u, v, k, d in graph.edges(keys=True, data=True):
        record = {c: d.get(c) for c in EDGE_COLUMNS}
        record.update(source=u, target=v, key=k)
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=list(EDGE_COLUMNS))
    if os.environ.get(CHECK_TABLES_ENV) == "1":
        validate_edges(frame)
    return frame


def enterprise_nodes(graph: nx.MultiDiGraph) -> list[str]:
    return [n for n, d in graph.nodes(data=True) if d.get("kind") == "enterprise"]
