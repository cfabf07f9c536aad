"""Read solved component models into a Plan: built links with their accounting, ranked; honest totals."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from matching.model import ComponentModel, MatchModel
from matching.solve import PartResult, relative_gap, worst
from symbiosis.core.accounting import ITEM_OWNER, ITEM_SCOPE, ITEMS
from symbiosis.core.plan import AccountingLine, Link, Plan
from symbiosis.core.units import as_float

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
            avoided_scope1_tco2e=values["avoided_scope1"],
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
        why_en, why_zh = _why_token(model, r, link, links)
        unit = link.unit
        hint = f"{link.supplier_id}->{link.receiver_id}:{link.material_in}@QUANTITY"
        hint_zh = f"{link.supplier_id}->{link.receiver_id}:{link.material_in}@数量"
        en = (f"forced but nearly empty: the link is built only at the minimum link size, {link.quantity:.6g} {unit} "
              f"(net {link.net_tco2e(model.settings.include_scope2):.3g} tCO2e/a), of up to {capacity:.6g} {unit} it "
              f"could carry, because {why_en}. Forcing builds a link, it does not size it: state a quantity "
              f"(--force {hint}) to plan a real project")
        zh = (f"强制链接但几乎为空：仅按最小链接规模 {link.quantity:.6g} {unit} 建立（净减排 "
              f"{link.net_tco2e(model.settings.include_scope2):.3g} tCO2e/a），而最多可输送 {capacity:.6g} {unit}；"
              f"原因：{why_zh}。强制只保证建立链接，不决定其规模：如要规划实际项目，请指定数量（--force {hint_zh}）")
        out.append(replace(link, notes=(en, *link.notes), notes_zh=(zh, *link.notes_zh)))
        messages.append((f"link {link.link_id} ({link.supplier_id} -> {link.receiver_id}, {link.material_out} -> "
                         f"{link.material_in}) is {en}",
                         f"链接 {link.link_id}（{link.supplier_id} -> {link.receiver_id}，{_zh(link.material_out)} -> "
                         f"{_zh(link.material_in)}）：{zh}"))
    return out, messages


def _zh(material: str) -> str:
    from symbiosis.core.taxonomy import materials

    found = materials().get(material)
    return found.name_zh if found is not None else material


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
        return ("each further unit would avoid nothing net (it adds at least as much as it avoids), so the optimiser "
                "keeps it as small as allowed",
                "每多输送一个单位都不能带来净减排（增加的排放不少于避免的排放），因此优化器将其保持在允许的最小规模")
    sent = [x for x in links if x.supplier_stream_id == link.supplier_stream_id and x is not link]
    if sent and sum(x.quantity for x in sent) + link.quantity >= available[link.supplier_stream_id] * (1 - 1e-6):
        top = max(sent, key=lambda x: x.quantity)
        return (f"the supplier's {link.material_out} is better used by link {top.link_id} to {top.receiver_id} "
                f"({top.quantity:.6g} {unit}; net {_per_unit(top, include2):.4g} tCO2e per unit there vs "
                f"{mine:.4g} here)",
                f"供方的{_zh(link.material_out)}用于链接 {top.link_id}（至 {top.receiver_id}，{top.quantity:.6g} {unit}；"
                f"该链接每单位净减排 {_per_unit(top, include2):.4g} tCO2e，此处为 {mine:.4g}）更优")
    into = [x for x in links if x.receiver_stream_id == link.receiver_stream_id and x is not link]
    if float(r["max_share"]) < 1:
        same_rule = sum(x.quantity_in for x in into if x.rule_id == link.rule_id) + link.quantity_in
        if same_rule >= float(r["share_room"]) * (1 - 1e-6):
            return (f"the share cap of rule {link.rule_id} ({float(r['max_share']):.0%} of the receiver's "
                    f"{link.material_in}) is taken by better links",
                    f"{link.rule_id} 规则的替代比例上限（需方{_zh(link.material_in)}的 {float(r['max_share']):.0%}）"
                    f"已被更优的链接占用")
    if into and sum(x.quantity_in for x in into) + link.quantity_in >= available[link.receiver_stream_id] * (1 - 1e-6):
        top = max(into, key=lambda x: x.quantity_in)
        return (f"the receiver's demand for {link.material_in} is already served by a better supplier: link "
                f"{top.link_id} from {top.supplier_id} ({top.quantity_in:.6g} {top.unit_in}; net "
                f"{_per_unit(top, include2):.4g} tCO2e per unit there vs {mine:.4g} here)",
                f"需方的{_zh(link.material_in)}需求已由更优的供方满足：来自 {top.supplier_id} 的链接 {top.link_id}"
                f"（{top.quantity_in:.6g} {top.unit_in}；该链接每单位净减排 {_per_unit(top, include2):.4g} tCO2e，"
                f"此处为 {mine:.4g}）")
    return ("the optimiser found the supply, demand or fuel it would use better spent on other links (or, with the "
            "cost objective, each further unit costs more than it earns)",
            "优化器认为其所需的供给、需求或燃料用于其他链接更优（或在成本目标下，每多输送一个单位成本高于收益）")


def _with_rank(link: Link, rank: int) -> Link:
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
