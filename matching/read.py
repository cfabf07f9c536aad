"""Read solved component models into a Plan: built links with their accounting, ranked; honest totals."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from matching.model import ComponentModel, MatchModel
from matching.solve import PartResult, relative_gap, worst
from symbiosis.core.accounting import ITEM_OWNER, ITEM_SCOPE, ITEMS
from symbiosis.core.i18n import ZH_NAMES, pair, register
from symbiosis.core.plan import AccountingLine, Link, Plan
from symbiosis.core.units import as_float

FLOW_TOLERANCE = 1e-9  # relative to a link's capacity: below this a flow is solver noise

# What the plan says about its links and sub-problems (codes "matching.<key>"); in Chinese a material key is shown
# by its Chinese name (materials.csv name_zh), and a parameter `x_zh` given next to `x` is used for it.
TEXTS = register("matching", {
    "hazardous": ("hazardous waste {code}: only through a licensed operator (permit)",
                  "危险废物 {code}：仅可经持证单位利用处置"),
    "force_hint": ("{supplier}->{receiver}:{key}@QUANTITY", "{supplier}->{receiver}:{key}@数量"),
    "token_forced": ("forced but nearly empty: the link is built only at the minimum link size, {quantity:.6g} {unit} "
                     "(net {net:.3g} tCO2e/a), of up to {capacity:.6g} {unit} it could carry, because {why}. Forcing "
                     "builds a link, it does not size it: state a quantity (--force {hint}) to plan a real project",
                     "强制链接但几乎为空：仅按最小链接规模 {quantity:.6g} {unit} 建立（净减排 {net:.3g} tCO2e/a），而最多可输送 "
                     "{capacity:.6g} {unit}；原因：{why}。强制只保证建立链接，不决定其规模：如要规划实际项目，请指定数量"
                     "（--force {hint}）"),
    "token_message": ("link {link_id} ({supplier} -> {receiver}, {material_out} -> {material_in}) is {text}",
                      "链接 {link_id}（{supplier} -> {receiver}，{material_out} -> {material_in}）：{text}"),
    "why_no_gain": ("each further unit would avoid nothing net (it adds at least as much as it avoids), so the "
                    "optimiser keeps it as small as allowed",
                    "每多输送一个单位都不能带来净减排（增加的排放不少于避免的排放），因此优化器将其保持在允许的最小规模"),
    "why_supplier_better": ("the supplier's {material} is better used by link {link_id} to {receiver} ({quantity:.6g} "
                            "{unit}; net {better:.4g} tCO2e per unit there vs {mine:.4g} here)",
                            "供方的{material}用于链接 {link_id}（至 {receiver}，{quantity:.6g} {unit}；"
                            "该链接每单位净减排 {better:.4g} tCO2e，此处为 {mine:.4g}）更优"),
    "why_share_cap": ("the share cap of rule {rule} ({share:.0%} of the receiver's {material}) is taken by better links",
                      "{rule} 规则的替代比例上限（需方{material}的 {share:.0%}）已被更优的链接占用"),
    "why_receiver_served": ("the receiver's demand for {material} is already served by a better supplier: link "
                            "{link_id} from {supplier} ({quantity:.6g} {unit}; net {better:.4g} tCO2e per unit there "
                            "vs {mine:.4g} here)",
                            "需方的{material}需求已由更优的供方满足：来自 {supplier} 的链接 {link_id}"
                            "（{quantity:.6g} {unit}；该链接每单位净减排 {better:.4g} tCO2e，此处为 {mine:.4g}）"),
    "why_other": ("the optimiser found the supply, demand or fuel it would use better spent on other links (or, with "
                  "the cost objective, each further unit costs more than it earns)",
                  "优化器认为其所需的供给、需求或燃料用于其他链接更优（或在成本目标下，每多输送一个单位成本高于收益）"),
    "bound_note": (" (bound {bound:.6g})", "（上界 {bound:.6g}）"),
    "gap_note": (" (objective {objective:.6g}, bound {bound:.6g})", "（目标值 {objective:.6g}，上界 {bound:.6g}）"),
    "part_no_plan": ("sub-problem {component}: stopped at the time limit of {limit:g} s before finding any plan; "
                     "nothing is proposed for it{note}",
                     "子问题 {component}：达到时间上限 {limit:g} 秒时尚未找到方案；该部分不提出链接{note}"),
    "part_time_limit": ("sub-problem {component}: stopped at the time limit of {limit:g} s; the plan is the best "
                        "found, not proven optimal{note}",
                        "子问题 {component}：达到时间上限 {limit:g} 秒后停止；方案为已找到的最好方案，未证明最优{note}"),
    "part_feasible": ("sub-problem {component}: stopped within the requested relative gap {gap:g}; not proven optimal",
                      "子问题 {component}：在要求的相对间隙 {gap:g} 内停止；未证明最优"),
    "part_error": ("sub-problem {component}: the solver failed ({solver_status})",
                   "子问题 {component}：求解器出错（求解器状态：{solver_status}）"),
}, localize=("material",))


# The unit of a plan's objective value and bound, by objective (docs/economics.md).
OBJECTIVE_UNITS: dict[str, str] = {"emissions": "tCO2e/a", "cost": "CNY/a", "least_cost": "CNY/a", "npv": "CNY"}


def _pair(key: str, /, **params: object) -> tuple[str, str]:
    return pair(TEXTS.code(key), **params)


def _both(name: str, texts: tuple[str, str]) -> dict[str, str]:
    """An (English, 中文) pair as parameter `name` (and `name_zh`) of another message."""
    return {name: texts[0], f"{name}_zh": texts[1]}


@dataclass
class Solution:
    """Values read from the solved parts: per link flow and built flag, and heat per link and level."""

    flows: pd.DataFrame  # lid, flow, built
    heat_levels: pd.DataFrame  # lid, level, q, periods (None: all the park's periods; else a block's periods)
    parts: list[PartResult] = field(default_factory=list)


def read_values(model: MatchModel, parts: list[PartResult]) -> Solution:
    solved = {p.component for p in parts if p.has_solution}
    frames, heat = [], []
    for comp in model.components:
        if comp.component not in solved:
            continue
        frames.append(_link_values(comp))
        f = comp.flows[comp.flows["level"] >= 0]
        value = np.array([v.varValue or 0.0 for v in f["var"]])
        keep = value > 0
        heat.append(pd.DataFrame({"lid": f["lid"].to_numpy()[keep], "level": f["level"].to_numpy()[keep],
                                  "q": value[keep], "periods": f["periods"].to_numpy(dtype=object)[keep]}))
    flows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        {"lid": pd.Series(dtype=int), "flow": pd.Series(dtype=float), "built": pd.Series(dtype=bool)})
    levels = pd.concat(heat, ignore_index=True) if heat else pd.DataFrame(
        {"lid": pd.Series(dtype=int), "level": pd.Series(dtype=int), "q": pd.Series(dtype=float)})
    return Solution(flows=flows, heat_levels=levels, parts=parts)


def _link_values(comp: ComponentModel) -> pd.DataFrame:
    f = comp.flows
    value = np.clip(np.array([v.varValue or 0.0 for v in f["var"]], dtype=float), 0.0, None)
    flow = pd.Series(value).groupby(f["lid"].to_numpy()).sum()
    links = comp.links
    flow_l = flow.reindex(links["lid"]).fillna(0.0).to_numpy()
    y = np.array([v.varValue or 0.0 for v in links["y"]])
    tol = FLOW_TOLERANCE * np.maximum(links["capacity"].to_numpy(dtype=float), 1.0)
    built = (y > 0.5) & (flow_l > tol)
    return pd.DataFrame({"lid": links["lid"].to_numpy(), "flow": np.where(built, flow_l, 0.0), "built": built})


def make_links(model: MatchModel, flows: pd.DataFrame) -> list[Link]:
    """Link objects for the built links, with itemised accounting, ranked by net avoided emissions."""
    include2 = model.settings.include_scope2
    built = flows[flows["built"]]
    rows = model.links.set_index("lid").loc[built["lid"]]
    q = built["flow"].to_numpy(dtype=float)
    links: list[Link] = []
    for k, (_, r) in enumerate(rows.iterrows()):  # one Link object per built link: a handful to hundreds
        flow = float(q[k])
        values = {item: float(r[item]) * flow for item in ITEMS}
        lines = tuple(
            AccountingLine(item=item, scope=ITEM_SCOPE[item],
                           enterprise_id=str(r["supplier_id"] if ITEM_OWNER[item] == "supplier" else r["receiver_id"]),
                           tco2e=values[item], factor_ids=tuple(r[f"ids_{item}"]))
            for item in ITEMS if values[item] != 0.0)
        construction = float(r["tco2e_fixed"])
        if construction:
            lines = (*lines, AccountingLine("added_construction", "scope3_cat2", str(r["receiver_id"]), construction))
        s1_owners = [str(r["receiver_id"])] if values["avoided_scope1"] or values["added_combustion"] else []
        s3_owners = ([str(r["receiver_id"])] if values["avoided_scope3_cat1"] or values["added_transport"] else []) + (
            [str(r["supplier_id"])] if values["avoided_scope3_cat5"] else [])
        notes_en = [n.text("en") for n in r["notes"]]
        notes_zh = [n.text("zh") for n in r["notes"]]
        if r["hazardous_code"]:
            hazardous_en, hazardous_zh = _pair("hazardous", code=r["hazardous_code"])
            notes_en.insert(0, hazardous_en)
            notes_zh.insert(0, hazardous_zh)
        links.append(Link(
            link_id=f"{r['supplier_stream_id']}->{r['receiver_stream_id']}",
            supplier_id=str(r["supplier_id"]), receiver_id=str(r["receiver_id"]),
            supplier_stream_id=str(r["supplier_stream_id"]), receiver_stream_id=str(r["receiver_stream_id"]),
            material_out=str(r["material_out"]), material_in=str(r["material_in"]), category=str(r["category"]),
            quantity=flow, unit=str(r["unit_out"]),
            quantity_in=flow * float(r["ratio"]) * float(r["delivered_fraction"]), unit_in=str(r["unit_in"]),
            distance_km=float(r["distance_km"]), mode=str(r["mode"]),
            temperature_supply_c=as_float(r["temperature_supply_c"]), temperature_sink_c=as_float(r["temperature_sink_c"]),
            avoided_scope1_tco2e=values["avoided_scope1"],
            avoided_scope2_tco2e=values["avoided_scope2"],
            avoided_scope3_cat1_tco2e=values["avoided_scope3_cat1"],
            avoided_scope3_cat5_tco2e=values["avoided_scope3_cat5"],
            added_transport_tco2e=values["added_transport"], added_energy_tco2e=values["added_energy"],
            added_combustion_tco2e=values["added_combustion"], added_construction_tco2e=construction,
            added_displaced_tco2e=values["added_displaced"],
            rule_id=str(r["rule_id"]), hazardous_code=str(r["hazardous_code"]), forced=bool(r["forced"]),
            factor_ids=tuple(r["factor_ids"]),
            annual_cost_cny=float(r["cost_fixed"]) + float(r["cost_var"]) * flow,
            scope1_owner="; ".join(dict.fromkeys(s1_owners)),
            scope2_owner=str(r["receiver_id"]) if values["avoided_scope2"] else "",
            scope3_owner="; ".join(dict.fromkeys(s3_owners)),
            accounting=lines, notes=tuple(notes_en), notes_zh=tuple(notes_zh),
            mode_reach_km=float(r["reach_km"]),
            design_quantity=float(r["capacity"]),
        ))
    links.sort(key=lambda link: (-link.net_tco2e(include2), link.link_id))
    return [_with_rank(link, i + 1) for i, link in enumerate(links)]


TOKEN_SLACK = 0.01  # a forced link at most 1 % above its minimum link size was kept at the minimum


def flag_token_forced(model: MatchModel, links: list[Link]) -> tuple[list[Link], list[tuple[str, str]]]:
    """Forced links the optimiser kept at their minimum link size although they could carry more: each gets a note
    (English and Chinese) that says so and why, and the plan a message. Forcing builds a link; it does not size it.
    Links picked by a forced selector with a stated quantity carry that quantity and are left as they are."""
    rows = model.links.set_index(["supplier_stream_id", "receiver_stream_id"])
    out: list[Link] = []
    messages: list[tuple[str, str]] = []
    for link in links:
        if not link.forced:
            out.append(link)
            continue
        r: pd.Series = rows.loc[(link.supplier_stream_id, link.receiver_stream_id)]  # type: ignore[assignment]
        capacity, minimum = float(r["capacity"]), float(r["min_quantity"])
        if bool(r["forced_sized"]) or link.quantity > minimum * (1 + TOKEN_SLACK) or capacity <= minimum * (
                1 + TOKEN_SLACK):
            out.append(link)
            continue
        hint = _pair("force_hint", supplier=link.supplier_id, receiver=link.receiver_id, key=link.material_in)
        en, zh = _pair("token_forced", quantity=link.quantity, unit=link.unit,
                       net=link.net_tco2e(model.settings.include_scope2), capacity=capacity,
                       **_both("why", _why_token(model, r, link, links)), **_both("hint", hint))
        out.append(replace(link, notes=(en, *link.notes), notes_zh=(zh, *link.notes_zh)))
        messages.append(_pair("token_message", link_id=link.link_id, supplier=link.supplier_id,
                              receiver=link.receiver_id, **_materials(link), **_both("text", (en, zh))))
    return out, messages


def _materials(link: Link) -> dict[str, str]:
    """A link's two materials as parameters, the Chinese text naming them by their Chinese names."""
    zh = ZH_NAMES["material"]
    return {"material_out": link.material_out, "material_out_zh": zh(link.material_out),
            "material_in": link.material_in, "material_in_zh": zh(link.material_in)}


def _per_unit(link: Link, include2: bool) -> float:
    return link.net_tco2e(include2) / link.quantity if link.quantity else 0.0


def _why_token(model: MatchModel, r: pd.Series, link: Link, links: list[Link]) -> tuple[str, str]:
    """Which limit keeps a forced link at its minimum: the supplier's output used by a better link, the receiver's
    demand served by a better supplier, the rule's share cap, or no benefit per further unit."""
    include2 = model.settings.include_scope2
    available = dict(zip(model.ctx.streams["stream_id"], model.ctx.streams["available"].astype(float), strict=True))
    mine = _per_unit(link, include2)
    unit = link.unit
    if float(r["net_coef"]) <= 0 or mine <= 0:
        return _pair("why_no_gain")
    sent = [x for x in links if x.supplier_stream_id == link.supplier_stream_id and x is not link]
    if sent and sum(x.quantity for x in sent) + link.quantity >= available[link.supplier_stream_id] * (1 - 1e-6):
        top = max(sent, key=lambda x: x.quantity)
        return _pair("why_supplier_better", material=link.material_out, link_id=top.link_id, receiver=top.receiver_id,
                     quantity=top.quantity, unit=unit, better=_per_unit(top, include2), mine=mine)
    into = [x for x in links if x.receiver_stream_id == link.receiver_stream_id and x is not link]
    if float(r["max_share"]) < 1:
        same_rule = sum(x.quantity_in for x in into if x.rule_id == link.rule_id) + link.quantity_in
        if same_rule >= float(r["share_room"]) * (1 - 1e-6):
            return _pair("why_share_cap", rule=link.rule_id, share=float(r["max_share"]), material=link.material_in)
    if into and sum(x.quantity_in for x in into) + link.quantity_in >= available[link.receiver_stream_id] * (1 - 1e-6):
        top = max(into, key=lambda x: x.quantity_in)
        return _pair("why_receiver_served", material=link.material_in, link_id=top.link_id, supplier=top.supplier_id,
                     quantity=top.quantity_in, unit=top.unit_in, better=_per_unit(top, include2), mine=mine)
    return _pair("why_other")


def _with_rank(link: Link, rank: int) -> Link:
    return replace(link, rank=rank)




def part_messages(model: MatchModel, solution: Solution) -> list[tuple[str, str]]:
    """What the plan says about sub-problems not proven optimal, in English and Chinese (the Chinese text in
    Chinese throughout: 目标值 for the objective, 上界 for the bound)."""
    out: list[tuple[str, str]] = []
    limit = model.settings.time_limit
    for p in solution.parts:
        if p.status == "time_limit" and not p.has_solution:
            note = ("", "") if p.bound is None else _pair("bound_note", bound=p.bound)
            out.append(_pair("part_no_plan", component=p.component, limit=limit, **_both("note", note)))
        elif p.status == "time_limit":
            known = p.bound is not None and p.objective is not None
            note = _pair("gap_note", objective=p.objective, bound=p.bound) if known else ("", "")
            out.append(_pair("part_time_limit", component=p.component, limit=limit, **_both("note", note)))
        elif p.status == "feasible":
            out.append(_pair("part_feasible", component=p.component, gap=model.settings.gap))
        elif p.status == "error":
            out.append(_pair("part_error", component=p.component, solver_status=p.solver_status))
    return out


def heat_by_period(model: MatchModel, solution: Solution, links: list[Link]) -> tuple[tuple[str, str, float], ...]:
    """(link_id, period, GJ delivered) of every built heat link in every period, when the park has more than one
    period: a block's heat is split into its periods by hours (matching.periods: rates are equal within a block).
    The sum over periods is the link's quantity_in."""
    hp = model.levels.periods
    if hp is None or len(hp.periods) == 1 or solution.heat_levels.empty:
        return ()
    hours = np.array([p.hours for p in hp.periods])
    every = tuple(range(len(hp.periods)))
    per_lid: dict[int, np.ndarray] = {}
    for lid, q, ps in zip(solution.heat_levels["lid"], solution.heat_levels["q"], solution.heat_levels["periods"],
                          strict=True):
        block = every if ps is None else tuple(ps)
        add = np.zeros(len(hours))
        add[list(block)] = float(q) * hours[list(block)] / hours[list(block)].sum()
        per_lid[int(lid)] = per_lid.get(int(lid), np.zeros(len(hours))) + add
    rows = model.links.set_index(["supplier_stream_id", "receiver_stream_id"])
    out: list[tuple[str, str, float]] = []
    for link in links:
        if link.category != "heat":
            continue
        r: pd.Series = rows.loc[(link.supplier_stream_id, link.receiver_stream_id)]  # type: ignore[assignment]
        q = per_lid.get(int(r["lid"]))
        if q is None:
            continue
        delivered = q * float(r["ratio"]) * float(r["delivered_fraction"])
        out.extend((link.link_id, p.name, float(v)) for p, v in zip(hp.periods, delivered, strict=True))
    return tuple(out)


def combine(model: MatchModel, solution: Solution, messages: list[tuple[str, str]],
            status_override: str | None = None) -> Plan:
    """Merge the parts: status = worst part, objective and bound summed, gap recomputed from them."""
    parts = solution.parts
    links, token_messages = flag_token_forced(model, make_links(model, solution.flows))
    messages = [*messages, *token_messages]
    settings = model.settings
    statuses = [p.status for p in parts]
    status = status_override or ("empty" if not model.components else worst(statuses))
    objective: float | None = None
    bound: float | None = None
    if status not in ("infeasible", "error", "empty") and all(p.objective is not None for p in parts):
        objective = float(sum(p.objective for p in parts if p.objective is not None))
        bounds = [p.bound for p in parts]
        bound = float(sum(b for b in bounds if b is not None)) if all(b is not None for b in bounds) else None
    if status == "empty":
        objective, bound = 0.0, 0.0
    if settings.objective == "least_cost":  # solved as max -cost: the plan states the cost and its lower bound
        objective = None if objective is None else -objective
        bound = None if bound is None else -bound
    gap = relative_gap(objective, bound)
    include2 = settings.include_scope2
    net = float(sum(link.net_tco2e(include2) for link in links))
    emissions = settings.objective == "emissions"
    costs = [link.annual_cost_cny for link in links if link.annual_cost_cny is not None]
    solve_seconds = float(sum(p.seconds for p in parts))
    return Plan(
        status=status,  # type: ignore[arg-type]
        links=tuple(links),
        objective_tco2e=objective if emissions else (net if objective is not None or status == "empty" else None),
        bound_tco2e=bound if emissions else None,
        gap=gap,
        build_seconds=model.build_seconds,
        solve_seconds=solve_seconds,
        heat_recovered_gj=float(sum(link.quantity_in for link in links if link.category == "heat")),
        heat_by_period=heat_by_period(model, solution, links),
        solver=settings.solver,
        include_scope2=include2,
        subproblems=len(model.components),
        messages=tuple(m[0] for m in messages),
        messages_zh=tuple(m[1] for m in messages),
        options=settings.as_record(),
        objective_sense=settings.objective,
        objective_value=objective,
        bound_value=bound,
        objective_unit=OBJECTIVE_UNITS[settings.objective],
        annual_cost_cny=float(sum(costs)) if links else 0.0,
    )
