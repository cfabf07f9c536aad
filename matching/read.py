"""Read solved component models into a Plan: built links with their accounting, ranked; honest totals."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from matching.model import ComponentModel, MatchModel
from matching.solve import PartResult, relative_gap, worst
from symbiosis.accounting import ITEM_OWNER, ITEM_SCOPE, ITEMS
from symbiosis.plan import AccountingLine, Link, Plan
from symbiosis.units import as_float

FLOW_TOLERANCE = 1e-9  # relative to a link's capacity: below this a flow is solver noise


@dataclass
class Solution:
    """Values read from the solved parts: per link flow and built flag, and heat per link and level."""

    flows: pd.DataFrame  # lid, flow, built
    heat_levels: pd.DataFrame  # lid, level, q
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
                                  "q": value[keep]}))
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
        if values["avoided_scope1_supplier"]:
            s1_owners.append(str(r["supplier_id"]))
        s3_owners = ([str(r["receiver_id"])] if values["avoided_scope3_cat1"] or values["added_transport"] else []) + (
            [str(r["supplier_id"])] if values["avoided_scope3_cat5"] else [])
        notes_en = [n.text("en") for n in r["notes"]]
        notes_zh = [n.text("zh") for n in r["notes"]]
        if r["hazardous_code"]:
            notes_en.insert(0, f"hazardous waste {r['hazardous_code']}: only through a licensed operator (permit)")
            notes_zh.insert(0, f"危险废物 {r['hazardous_code']}：仅可经持证单位利用处置")
        links.append(Link(
            link_id=f"{r['supplier_stream_id']}->{r['receiver_stream_id']}",
            supplier_id=str(r["supplier_id"]), receiver_id=str(r["receiver_id"]),
            supplier_stream_id=str(r["supplier_stream_id"]), receiver_stream_id=str(r["receiver_stream_id"]),
            material_out=str(r["material_out"]), material_in=str(r["material_in"]), category=str(r["category"]),
            quantity=flow, unit=str(r["unit_out"]),
            quantity_in=flow * float(r["ratio"]) * float(r["delivered_fraction"]), unit_in=str(r["unit_in"]),
            distance_km=float(r["distance_km"]), mode=str(r["mode"]),
            temperature_supply_c=as_float(r["temperature_supply_c"]), temperature_sink_c=as_float(r["temperature_sink_c"]),
            avoided_scope1_tco2e=values["avoided_scope1"] + values["avoided_scope1_supplier"],
            avoided_scope2_tco2e=values["avoided_scope2"],
            avoided_scope3_cat1_tco2e=values["avoided_scope3_cat1"],
            avoided_scope3_cat5_tco2e=values["avoided_scope3_cat5"],
            added_transport_tco2e=values["added_transport"], added_energy_tco2e=values["added_energy"],
            added_combustion_tco2e=values["added_combustion"], added_construction_tco2e=construction,
            rule_id=str(r["rule_id"]), hazardous_code=str(r["hazardous_code"]), forced=bool(r["forced"]),
            factor_ids=tuple(r["factor_ids"]),
            annual_cost_cny=float(r["cost_fixed"]) + float(r["cost_var"]) * flow,
            scope1_owner="; ".join(dict.fromkeys(s1_owners)),
            scope2_owner=str(r["receiver_id"]) if values["avoided_scope2"] else "",
            scope3_owner="; ".join(dict.fromkeys(s3_owners)),
            accounting=lines, notes=tuple(notes_en), notes_zh=tuple(notes_zh),
            mode_reach_km=float(r["reach_km"]),
        ))
    links.sort(key=lambda link: (-link.net_tco2e(include2), link.link_id))
    return [_with_rank(link, i + 1) for i, link in enumerate(links)]


def _with_rank(link: Link, rank: int) -> Link:
    from dataclasses import replace

    return replace(link, rank=rank)




def part_messages(model: MatchModel, solution: Solution) -> list[tuple[str, str]]:
    """What the plan says about sub-problems not proven optimal, in English and Chinese (the Chinese text in
    Chinese throughout: 目标值 for the objective, 上界 for the bound)."""
    out: list[tuple[str, str]] = []
    limit = model.settings.time_limit
    for p in solution.parts:
        if p.status == "time_limit" and not p.has_solution:
            bound_en = "" if p.bound is None else f" (bound {p.bound:.6g})"
            bound_zh = "" if p.bound is None else f"（上界 {p.bound:.6g}）"
            out.append((f"sub-problem {p.component}: stopped at the time limit of {limit:g} s before finding any plan; "
                        f"nothing is proposed for it{bound_en}",
                        f"子问题 {p.component}：达到时间上限 {limit:g} 秒时尚未找到方案；该部分不提出链接{bound_zh}"))
        elif p.status == "time_limit":
            known = p.bound is not None and p.objective is not None
            gap_en = f" (objective {p.objective:.6g}, bound {p.bound:.6g})" if known else ""
            gap_zh = f"（目标值 {p.objective:.6g}，上界 {p.bound:.6g}）" if known else ""
            out.append((f"sub-problem {p.component}: stopped at the time limit of {limit:g} s; the plan is the best "
                        f"found, not proven optimal{gap_en}",
                        f"子问题 {p.component}：达到时间上限 {limit:g} 秒后停止；方案为已找到的最好方案，"
                        f"未证明最优{gap_zh}"))
        elif p.status == "feasible":
            out.append((f"sub-problem {p.component}: stopped within the requested relative gap "
                        f"{model.settings.gap:g}; not proven optimal",
                        f"子问题 {p.component}：在要求的相对间隙 {model.settings.gap:g} 内停止；未证明最优"))
        elif p.status == "error":
            out.append((f"sub-problem {p.component}: the solver failed ({p.solver_status})",
                        f"子问题 {p.component}：求解器出错（求解器状态：{p.solver_status}）"))
    return out


def combine(model: MatchModel, solution: Solution, messages: list[tuple[str, str]],
            status_override: str | None = None) -> Plan:
    """Merge the parts: status = worst part, objective and bound summed, gap recomputed from them."""
    parts = solution.parts
    links = make_links(model, solution.flows)
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
        solver=settings.solver,
        include_scope2=include2,
        subproblems=len(model.components),
        messages=tuple(m[0] for m in messages),
        messages_zh=tuple(m[1] for m in messages),
        options=settings.as_record(),
        objective_sense=settings.objective,
        objective_value=objective,
        bound_value=bound,
        objective_unit="tCO2e/a" if emissions else "CNY/a",
        annual_cost_cny=float(sum(costs)) if links else 0.0,
    )
