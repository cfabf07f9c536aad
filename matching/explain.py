"""Why an output or input is not (fully) matched, in English and Chinese.

Each stream with something left after the plan gets the first reason that holds, checked in the order a
planner would: no rule at all, nobody in the park needs/offers the material, hazardous, water quality,
temperature after dTmin, distance (how far vs the reach), forbidden by the user, no emission benefit, below the
minimum link size, the partner's capacity or share cap taken by a better link (and by how much), the
per-enterprise link cap, or the optimiser's choice (fixed costs, minimum sizes).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from matching.candidates import (
    STEAM_MATERIALS,
    active_rules,
    heat_mode,
    is_identity_rule,
    rule_mode,
    substitution_rules,
)
from matching.model import MatchModel, prepare
from matching.options import LinkSelector, MatchOptions, resolve
from symbiosis.core.i18n import LANGS, pair, register, render
from symbiosis.core.park import Park
from symbiosis.core.plan import Link, Plan

# The reasons (codes "reason.<code>"). In Chinese, material keys, water grades and modes are shown by their Chinese
# names (the localize mechanism of symbiosis.core.i18n), and a parameter `x_zh` given next to `x` is used for it.
REASONS = register("reason", {
    "no_rule": ("no substitution rule takes {material} as {role}", "没有以{material}为{role}的替代规则"),
    "rule_off": ("only substitution rules switched off for want of a source would join {material} and {materials} "
                 "here ({why}); the option disabled_rules uses them",
                 "此处只有因缺少来源而默认关闭的替代规则可将{material}与{materials}对接（{why}）；"
                 "启用“同时使用无来源的替代规则”选项后可用"),
    "no_partner": ("no other enterprise in the park {needs} {materials}", "园区内没有其他企业{needs}{materials}"),
    "hazardous": ("hazardous waste {code}: no rule allows it towards {materials}",
                  "危险废物 {code}：没有允许其用于{materials}的规则"),
    "quality_too_low": ("water grade {grade} (rank {rank}) is below what the demands need (lowest need: rank {need})",
                        "水质等级 {grade}（等级 {rank}）低于需求方要求（最低要求等级 {need}）"),
    "quality_needed": ("needs water of rank {rank}; the best supply in the park is rank {best}",
                       "需要等级 {rank} 的水；园区内最好的供水为等级 {best}"),
    "temperature_too_low": ("at {t:g} °C, after ΔTmin {dt:g} K it can only heat sinks below {limit:g} °C; the "
                            "coolest sink inlet is {coolest:g} °C",
                            "温度 {t:g} °C，考虑最小温差 {dt:g} K 后只能加热低于 {limit:g} °C 的热阱；"
                            "最低的热阱进口温度为 {coolest:g} °C"),
    "temperature_too_high": ("needs heat from {t:g} °C; with ΔTmin {dt:g} K a source must be hotter than {limit:g} °C; "
                             "the hottest source is {hottest:g} °C",
                             "需要从 {t:g} °C 起加热；考虑最小温差 {dt:g} K，热源须高于 {limit:g} °C；"
                             "最热的热源为 {hottest:g} °C"),
    "heat_range": ("{rest:.4g} GJ/a of its heat is too cold, after ΔTmin {dt:g} K, for the sinks within reach",
                   "其中 {rest:.4g} GJ/a 的热量在考虑最小温差 {dt:g} K 后温度过低，无法用于可达范围内的热阱"),
    "heat_transfer_approach": ("{partner} is within reach ({km:.2f} km), but between plants heat goes through a "
                               "hot-water loop or a steam main: with the loop's approach and the temperature lost "
                               "along the pipe (docs/heat.md) no level of it is hot enough",
                               "{partner} 在输送距离内（{km:.2f} km），但跨厂换热需经热水中间循环或蒸汽管道："
                               "计入中间循环的换热温差和沿程温降后温位不够"),
    "too_far": ("nearest possible partner {partner} is {km:.2f} km away, beyond the {reach:g} km reach by {mode} "
                "(of all possible partners it misses its mode's reach by the least)",
                "最近的可能伙伴 {partner} 相距 {km:.2f} km，超出{mode}的运距上限 {reach:g} km"
                "（在所有可能伙伴中超出其运输方式运距上限最少）"),
    "forbidden": ("every possible link was forbidden by the user", "所有可能的链接均被用户禁止"),
    "no_benefit": ("a link would avoid no net emissions ({why})", "建立链接不能带来净减排（{why}）"),
    "below_minimum": ("the most a link could carry, {cap:.4g} {unit}, is below the minimum link size {min:.4g}",
                      "链接最多可输送 {cap:.4g} {unit}，低于最小链接规模 {min:.4g}"),
    "capacity_taken": ("{partner}'s {what} is taken by link {competitor} ({quantity:.4g} {unit}; net "
                       "{better:.4g} tCO2e per unit there vs {mine:.4g} here)",
                       "{partner} 的{what}已被链接 {competitor} 占用（{quantity:.4g} {unit}；"
                       "该链接每单位净减排 {better:.4g} tCO2e，此处为 {mine:.4g}）"),
    "partner_exhausted": ("all of {partner}'s {what} within reach already goes to this stream ({quantity:.4g} {unit})",
                          "{partner} 可提供的{what}已全部用于本流（{quantity:.4g} {unit}）"),
    "share_cap": ("the share cap of rule {rule} ({share:.0%} of {partner}'s {material}) is reached",
                  "{rule}规则的替代比例上限（{partner} 的{material}的 {share:.0%}）已用满"),
    "link_cap": ("enterprise {enterprise} already has the maximum of {cap} links", "企业 {enterprise} 的链接数已达上限 {cap}"),
    "not_selected": ("the optimiser left it out: under the minimum link size, fixed costs and the other links, the "
                     "plan is better without it (remaining {rest:.4g} {unit})",
                     "优化器未选用：考虑最小链接规模、固定成本和其他链接，不选更优（剩余 {rest:.4g} {unit}）"),
    # why no candidate joins what a forced-link selector names (pair_reason)
    "pair_no_streams": ("the named supplier has no such output or the receiver no such input",
                        "指定的供方没有该产出或需方没有该投入"),
    "pair_no_rule": ("no substitution rule joins the supplier's outputs to the receiver's inputs",
                     "没有替代规则能将供方的产出与需方的投入相连"),
    "pair_too_far": ("{km:.2f} km apart, beyond the {mode} reach of {reach:g} km",
                     "相距 {km:.2f} km，超出{mode}运距上限 {reach:g} km"),
    "pair_ruled_out": ("the water grade, the hazardous-waste rules or the temperatures (after ΔTmin) rule it out",
                       "水质等级、危废规则或温度（考虑最小温差后）不允许"),
}, localize=("material", "materials", "grade", "mode"))
# The words the reasons are built from (codes "reason.part.<key>"): roles, what a partner has, a rule's name.
PARTS = register("reason.part", {
    "role_output": ("an output", "产出"), "role_input": ("an input", "投入"),
    "needs_output": ("needs", "需要"), "needs_input": ("offers", "提供"),
    "heat": ("heat", "热"),
    "grade_missing": ("-", "未填写"),
    "what_demand": ("demand for {material}", "{material}需求"),
    "what_output": ("output of {material}", "{material}产出"),
    "no_gain": ("what it avoids does not exceed what it adds", "避免的排放不超过增加的排放"),
    "notes_sep": ("; ", "；"),
    "rule_direct": ("{material} used directly", "{material}直接利用"),
    "rule_substitute": ("{material} replacing {materials}", "{material}替代{materials}"),
}, localize=("material", "materials"))
Reason = tuple[str, dict[str, Any], dict[str, Any]]  # code, message parameters, extra columns
COLUMNS: tuple[str, ...] = ("stream_id", "enterprise_id", "direction", "material", "category", "quantity", "unit",
                            "matched", "unmatched", "reason", "reason_en", "reason_zh", "partner_id", "distance_km",
                            "reach_km", "competitor_link", "competitor_quantity")


def _part(key: str, name: str, **params: object) -> dict[str, str]:
    """A word of a reason as parameter `name`, in both languages (`name` and `name_zh`)."""
    en, zh = pair(PARTS.code(key), **params)
    return {name: en, f"{name}_zh": zh}


def _text(reason: str, /, **params: object) -> tuple[str, str]:
    """The reason in English and Chinese (pair of "reason.<reason>")."""
    return pair(REASONS.code(reason), **params)


def rule_zh(rule_id: str) -> str:
    """A rule as the Chinese text names it: by its materials (粉煤灰替代熟料), not by its id."""
    rules = substitution_rules()
    row = rules[rules["rule_id"] == rule_id]
    if row.empty:
        return rule_id
    out, into = str(row["output_material"].iloc[0]), str(row["input_material"].iloc[0])
    if is_identity_rule(rule_id):
        return render(PARTS.code("rule_direct"), "zh", material=out)
    return render(PARTS.code("rule_substitute"), "zh", material=out, materials=into)


def explain_unmatched(park: Park, plan: Plan, options: MatchOptions | None = None,
                      model: MatchModel | None = None) -> pd.DataFrame:
    """One row per output or input with something left after `plan`: how much, and why (English and Chinese).

    `model`: the MatchModel the plan was made from (matching.build_model), when the caller has it (the report,
    the app): the candidates are then not built again. It must have been built for `park` with the plan's options;
    when `options` are given too they must resolve to the model's settings.
    """
    if model is None:
        return explain_model(prepare(park, options), plan)
    if options is not None and resolve(park, options) != model.settings:
        raise ValueError("explain_unmatched: the model was built with other options than the ones given")
    return explain_model(model, plan)


def explain_model(model: MatchModel, plan: Plan) -> pd.DataFrame:
    """explain_unmatched for a model already prepared (or built) with the plan's options."""
    s = model.ctx.streams
    sent = pd.Series({}, dtype=float)
    got = pd.Series({}, dtype=float)
    if plan.links:
        lk = pd.DataFrame([(x.supplier_stream_id, x.receiver_stream_id, x.quantity, x.quantity_in)
                           for x in plan.links], columns=["out", "in", "q", "q_in"])
        sent = lk.groupby("out")["q"].sum()
        got = lk.groupby("in")["q_in"].sum()
    matched = np.where(s["direction"] == "output", s["stream_id"].map(sent).fillna(0.0),
                       s["stream_id"].map(got).fillna(0.0))
    rest = s["available"].to_numpy(dtype=float) - matched
    tol = 1e-6 * np.maximum(s["quantity"].to_numpy(dtype=float), 1.0)
    todo = s[rest > tol].assign(matched=matched[rest > tol], unmatched=rest[rest > tol])
    ex = _Explainer(model, plan)
    rows = [ex.row(r) for r in todo.itertuples(index=False)]
    return pd.DataFrame(rows, columns=list(COLUMNS))


class _Explainer:
    """Indexes built once; `row` explains one stream."""

    def __init__(self, model: MatchModel, plan: Plan):
        self.model = model
        self.plan = plan
        self.settings = model.settings
        s = model.ctx.streams
        self.streams = s
        self.rules = active_rules(self.settings)
        off = substitution_rules()
        self.rules_off = off[~off["enabled"].astype(bool)] if not self.settings.disabled_rules else off.iloc[0:0]
        # only the columns the reasons read: grouping and iterating narrow frames keeps this fast on big parks
        self.links = model.links[["lid", "kind", "supplier_stream_id", "receiver_stream_id", "supplier_id",
                                  "receiver_id", "rule_id", "max_share", "share_room", "net_coef", "status", "notes",
                                  "capacity", "min_quantity", "unit_out"]]
        self.by_out = dict(list(self.links.groupby("supplier_stream_id"))) if len(self.links) else {}
        self.by_in = dict(list(self.links.groupby("receiver_stream_id"))) if len(self.links) else {}
        self.pos = model.ctx.park.enterprises.set_index("enterprise_id")[["x_km", "y_km"]]
        self.plan_links = list(plan.links)
        self.into: dict[str, list[Link]] = {}
        self.outof: dict[str, list[Link]] = {}
        for link in self.plan_links:
            self.into.setdefault(link.receiver_stream_id, []).append(link)
            self.outof.setdefault(link.supplier_stream_id, []).append(link)
        self.available = dict(zip(s["stream_id"], s["available"].astype(float), strict=True))
        self.material = dict(zip(s["stream_id"], s["material"], strict=True))
        live = s[s["available"] > 0]
        self.by_dir_mat = dict(list(live.groupby(["direction", "material"])))
        self.heat_pool = {d: live[(live["category"] == "heat") & (live["direction"] == d)] for d in ("input", "output")}
        self.rules_out = dict(list(self.rules.groupby("output_material")))
        self.rules_in = dict(list(self.rules.groupby("input_material")))
        self.links_per_firm: dict[str, int] = {}
        for link in self.plan_links:
            for e in (link.supplier_id, link.receiver_id):
                self.links_per_firm[e] = self.links_per_firm.get(e, 0) + 1

    # --- one stream ---------------------------------------------------------------------------------------
    def row(self, r: Any) -> dict[str, object]:
        out: dict[str, Any] = dict.fromkeys(COLUMNS)
        for c in ("stream_id", "enterprise_id", "direction", "material", "category", "unit"):
            out[c] = getattr(r, c)
        out["quantity"] = float(r.quantity)
        out["matched"] = float(r.matched)
        out["unmatched"] = float(r.unmatched)
        is_output = r.direction == "output"
        if r.category == "heat":
            code, params, extra = self._heat(r, is_output)
        else:
            code, params, extra = self._material(r, is_output)
        en, zh = _text(code, **params)
        out.update(reason=code, reason_en=en, reason_zh=zh, **extra)
        return out

    def _partners(self, r: Any, is_output: bool) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Rules for the stream's material, and the other enterprises' streams they point to (with heat left)."""
        empty = self.rules.iloc[0:0]
        if is_output:
            rules = self.rules_out.get(r.material, empty)
            wanted, direction = rules["input_material"].unique(), "input"
        else:
            rules = self.rules_in.get(r.material, empty)
            wanted, direction = rules["output_material"].unique(), "output"
        frames = [f for m in wanted if (f := self.by_dir_mat.get((direction, m))) is not None]
        pool = pd.concat(frames) if frames else self.streams.iloc[0:0]
        pool = pool[pool["enterprise_id"] != r.enterprise_id]
        return rules, pool

    def _rules_off(self, r: Any, is_output: bool) -> Reason | None:
        """The reason when only rules switched off for want of a source would give the stream a partner."""
        side = "output_material" if is_output else "input_material"
        other = "input_material" if is_output else "output_material"
        off = self.rules_off[self.rules_off[side] == r.material]
        direction = "input" if is_output else "output"
        found = sorted(m for m in set(off[other]) if (f := self.by_dir_mat.get((direction, m))) is not None
                       and (f["enterprise_id"] != r.enterprise_id).any())
        if not found:
            return None
        why = str(off[off[other] == found[0]].iloc[0]["off_reason"]) or "—"  # the reason of a rule that matters
        en, *zh = re.split(r" / (?=[\u3000-\u9fff（])", why, maxsplit=1)  # off_reason: "English / 中文"
        return "rule_off", {"material": r.material, "materials": ", ".join(found), "why": en.strip(),
                            "why_zh": (zh[0] if zh else en).strip()}, {}

    def _material(self, r: Any, is_output: bool) -> Reason:
        rules, pool = self._partners(r, is_output)
        material = r.material
        if rules.empty or pool.empty:
            off = self._rules_off(r, is_output)
            if off is not None:
                return off
        if rules.empty:
            return "no_rule", {"material": material, **_part(f"role_{r.direction}", "role")}, {}
        others = rules["input_material" if is_output else "output_material"].unique().tolist()
        if pool.empty:
            return "no_partner", {**_part(f"needs_{r.direction}", "needs"), "materials": ", ".join(others)}, {}
        if is_output and r.hazardous_code:
            allowed = rules[rules["hazardous_allowed"]]
            pool = pool[pool["material"].isin(allowed["input_material"])]
            if pool.empty:  # no rule for it allows hazardous waste, or none towards a material anyone needs
                refused = rules[~rules["hazardous_allowed"]]["input_material"].unique().tolist() or others
                return "hazardous", {"code": r.hazardous_code, "materials": ", ".join(refused)}, {}
            rules = allowed
        if r.category in ("water", "wastewater"):
            if is_output:
                ok = pool[pool["demand_rank"] <= r.supply_rank]
                if ok.empty:
                    grade = {"grade": r.quality} if r.quality else _part("grade_missing", "grade")
                    return "quality_too_low", {**grade, "rank": r.supply_rank,
                                               "need": int(pool["demand_rank"].min())}, {}
                pool = ok
            else:
                ok = pool[pool["supply_rank"] >= r.demand_rank]
                if ok.empty:
                    return "quality_needed", {"rank": r.demand_rank,
                                              "best": int(pool["supply_rank"].max())}, {}
                pool = ok
        cands = (self.by_out if is_output else self.by_in).get(r.stream_id)
        if cands is None or cands.empty:
            far = self._too_far(r, pool, rules, is_output)
            if far[1]["km"] <= far[1]["reach"]:  # a partner within reach, yet no candidate: a rule that is off
                return self._rules_off(r, is_output) or far
            return far
        return self._candidates(r, cands, is_output)

    def _too_far(self, r: Any, pool: pd.DataFrame, rules: pd.DataFrame, is_output: bool) -> Reason:
        """Every partner is beyond the reach of the mode its link would use. The reach is that of each partner's own
        link (a hot-water source reaches a sink by a hot-water pipe, a steam source by a steam pipe, a rule by its
        mode): the partner quoted is the one that misses its reach by the least (then the nearest), with its reach."""
        me = self.pos.loc[r.enterprise_id]
        there = self.pos.loc[pool["enterprise_id"]]
        km = np.hypot(there["x_km"].to_numpy() - me["x_km"], there["y_km"].to_numpy() - me["y_km"]) * \
            self.settings.detour_factor
        modes = [self._mode(r, partner, rules, is_output) for partner in pool.itertuples(index=False)]
        reach_of = np.array([self.settings.reach_km[m] for m in modes], dtype=float)
        i = int(np.lexsort((km, km - reach_of))[0])
        partner = pool.iloc[i]
        mode, reach = modes[i], float(reach_of[i])
        return "too_far", {"partner": partner["enterprise_id"], "km": float(km[i]), "mode": mode, "reach": reach}, {
            "partner_id": partner["enterprise_id"], "distance_km": float(km[i]), "reach_km": reach}

    def _mode(self, r: Any, partner: Any, rules: pd.DataFrame, is_output: bool) -> str:
        """The mode of a link between stream r and a partner stream: by the heat source's carrier, else the rule's."""
        material_out = r.material if is_output else partner.material
        category = r.category if is_output else partner.category
        if category == "heat":
            return heat_mode(str(material_out))
        material_in = partner.material if is_output else r.material
        rule = rules[(rules["output_material"] == material_out) & (rules["input_material"] == material_in)].iloc[0]
        return rule_mode(str(rule["rule_mode"]), str(category))

    def _candidates(self, r: Any, cands: pd.DataFrame, is_output: bool) -> Reason:
        usable = cands[cands["status"] == "model"]
        if usable.empty:
            if (cands["status"] == "forbidden").all():
                return "forbidden", {}, {}
            benefit = cands[cands["status"] == "no_benefit"]
            if len(benefit):
                # the notes of the best of them: the supplier's side and the receiver's side, each once
                best = benefit.iloc[int(benefit["net_coef"].to_numpy().argmax())]
                notes = list(dict.fromkeys(best["notes"]))
                why = {lang: render(PARTS.code("notes_sep"), lang).join(n.text(lang) for n in notes)
                       or render(PARTS.code("no_gain"), lang) for lang in LANGS}
                return "no_benefit", {"why": why["en"], "why_zh": why["zh"]}, {}
            best = cands.iloc[int(cands["capacity"].to_numpy().argmax())]
            return "below_minimum", {"cap": float(best["capacity"]), "unit": best["unit_out"],
                                     "min": float(best["min_quantity"])}, {}
        usable = usable.sort_values("net_coef", ascending=False)
        cap = self.settings.max_links_per_enterprise
        rows: list[Any] = list(usable.itertuples(index=False))
        for c in rows:
            partner_sid = c.receiver_stream_id if is_output else c.supplier_stream_id
            partner_id = c.receiver_id if is_output else c.supplier_id
            taken = self._taken(c, partner_sid, is_output, r.stream_id)
            if taken is not None:
                return taken
            if cap is not None:
                for e in (c.supplier_id, c.receiver_id):
                    if self.links_per_firm.get(e, 0) >= cap:
                        return "link_cap", {"enterprise": e, "cap": cap}, {"partner_id": partner_id}
        rest = float(r.unmatched)
        first = usable.iloc[0]
        if rest < float(first["min_quantity"]):
            return "below_minimum", {"cap": rest, "unit": r.unit, "min": float(first["min_quantity"])}, {}
        return "not_selected", {"rest": rest, "unit": r.unit}, {}

    def _taken(self, c: Any, partner_sid: str, is_output: bool, r_sid: str) -> Reason | None:
        """Is the partner's side of candidate c used up by other links? Which one, and how much."""
        partner = {"material": self.material[partner_sid], "available": self.available[partner_sid]}
        mine = float(c.net_coef)
        if is_output:
            used = self.into.get(partner_sid, [])
            filled = sum(x.quantity_in for x in used)
            same_rule = sum(x.quantity_in for x in used if x.rule_id == c.rule_id)
            if c.max_share < 1 and same_rule >= c.share_room * (1 - 1e-6):
                return "share_cap", {"rule": c.rule_id, "rule_zh": rule_zh(c.rule_id), "share": float(c.max_share),
                                     "partner": c.receiver_id, "material": partner["material"]}, {
                    "partner_id": c.receiver_id}
            full = filled >= partner["available"] * (1 - 1e-6)
            what = _part("what_demand", "what", material=partner["material"])
        else:
            used = self.outof.get(partner_sid, [])
            filled = sum(x.quantity for x in used)
            full = filled >= partner["available"] * (1 - 1e-6)
            what = _part("what_output", "what", material=partner["material"])
            into_me = self.into.get(c.receiver_stream_id, [])
            same_rule = sum(x.quantity_in for x in into_me if x.rule_id == c.rule_id)
            if c.max_share < 1 and same_rule >= c.share_room * (1 - 1e-6):
                return "share_cap", {"rule": c.rule_id, "rule_zh": rule_zh(c.rule_id), "share": float(c.max_share),
                                     "partner": c.receiver_id, "material": self.material[c.receiver_stream_id]}, {
                    "partner_id": c.supplier_id}
        if not full or not used:
            return None
        partner_id = c.receiver_id if is_output else c.supplier_id
        others = [x for x in used if r_sid not in (x.supplier_stream_id, x.receiver_stream_id)]
        if not others:
            mine_q = sum(x.quantity for x in used)
            return "partner_exhausted", {"partner": partner_id, **what,
                                         "quantity": mine_q, "unit": used[0].unit}, {"partner_id": partner_id}
        top = max(others, key=lambda x: x.quantity)
        better = top.net_tco2e(self.plan.include_scope2) / top.quantity if top.quantity else 0.0
        return "capacity_taken", {"partner": partner_id, **what, "competitor": top.link_id,
                                  "quantity": top.quantity, "unit": top.unit, "better": better, "mine": mine}, {
            "partner_id": partner_id, "competitor_link": top.link_id, "competitor_quantity": top.quantity}

    def _heat(self, r: Any, is_output: bool) -> Reason:
        pool = self.heat_pool["input" if is_output else "output"]
        pool = pool[pool["enterprise_id"] != r.enterprise_id]
        dt = self.settings.dt_min_k
        if pool.empty:
            return "no_partner", {**_part(f"needs_{r.direction}", "needs"), **_part("heat", "materials")}, {}
        t = float(r.temperature_c)
        if is_output:
            limit = t - dt
            usable = pool[pool["temperature_return_c"] < limit]
            if usable.empty and not ((pool["temperature_return_c"] == limit) & (r.temperature_return_c == t)).any():
                return "temperature_too_low", {"t": t, "dt": dt, "limit": limit,
                                               "coolest": float(pool["temperature_return_c"].min())}, {}
        else:
            t_in = float(r.temperature_return_c)
            limit = t_in + dt
            usable = pool[pool["temperature_c"] > limit]
            if usable.empty:
                return "temperature_too_high", {"t": t_in, "dt": dt, "limit": limit,
                                                "hottest": float(pool["temperature_c"].max())}, {}
        cands = (self.by_out if is_output else self.by_in).get(r.stream_id)
        if cands is None or cands.empty:
            code, params, extra = self._too_far(r, usable, self.rules.iloc[0:0], is_output)
            if params["km"] <= params["reach"]:  # near enough, but the transfer's extra approach rules it out
                return "heat_transfer_approach", {"partner": params["partner"], "km": params["km"]}, {
                    "partner_id": params["partner"], "distance_km": params["km"]}
            return code, params, extra
        code, params, extra = self._candidates(r, cands, is_output)
        if code == "not_selected" and is_output:
            return "heat_range", {"rest": float(r.unmatched), "dt": dt}, extra
        return code, params, extra


def pair_reason(model: MatchModel, sel: LinkSelector) -> tuple[str, str]:
    """Why no candidate joins what a selector names (used for forced links that match nothing)."""
    s = model.ctx.streams
    outs = s[s["direction"] == "output"]
    ins = s[s["direction"] == "input"]
    if sel.supplier_id is not None:
        outs = outs[outs["enterprise_id"] == sel.supplier_id]
    if sel.receiver_id is not None:
        ins = ins[ins["enterprise_id"] == sel.receiver_id]
    if sel.supplier_stream_id is not None:
        outs = outs[outs["stream_id"] == sel.supplier_stream_id]
    if sel.receiver_stream_id is not None:
        ins = ins[ins["stream_id"] == sel.receiver_stream_id]
    if sel.material is not None:
        m = sel.material
        rules = substitution_rules()
        outs = outs[(outs["material"] == m) | outs["material"].isin(rules[rules["input_material"] == m]["output_material"])]
    if outs.empty or ins.empty:
        return _text("pair_no_streams")
    rules = substitution_rules()
    pairs = outs.merge(rules, left_on="material", right_on="output_material").merge(
        ins, left_on=["input_material"], right_on=["material"], suffixes=("_out", "_in"))
    heat = outs[outs["category"] == "heat"].merge(ins[ins["category"] == "heat"], how="cross", suffixes=("_out", "_in"))
    if pairs.empty and heat.empty:
        return _text("pair_no_rule")
    pos = model.ctx.park.enterprises.set_index("enterprise_id")[["x_km", "y_km"]]
    first = pairs.iloc[0] if len(pairs) else heat.iloc[0]
    a, b = pos.loc[first["enterprise_id_out"]], pos.loc[first["enterprise_id_in"]]
    km = float(np.hypot(a["x_km"] - b["x_km"], a["y_km"] - b["y_km"])) * model.settings.detour_factor
    if len(pairs):
        mode = rule_mode(str(first["rule_mode"]), str(first["category_out"]))
    else:
        mode = "pipe_steam" if first["material_out"] in STEAM_MATERIALS else "pipe_heat"
    reach = model.settings.reach_km[mode]
    if km > reach:
        return _text("pair_too_far", km=km, mode=mode, reach=reach)
    return _text("pair_ruled_out")
