"""`symbiosis match PARK`: propose symbiosis links (MILP), rank them, explain what is left unmatched.

Every default (dTmin, reach by mode, minimum link size, the economics rows that price links, factors such as pipe
heat loss) comes from park.toml and can be overridden here. --out DIR writes plan.json, links.csv and unmatched.csv (UTF-8 with BOM,
so Excel opens them right).

Every figure carries its uncertainty (docs/uncertainty.md): --uncertainty N draws N Monte Carlo samples of the
factors and ledger quantities (default DEFAULT_SAMPLES; 0 turns it off) and adds each link's and the plan's net
avoided tCO2e/a as median, 90 % interval and P(net > 0): the `uncertainty` key of the JSON, uncertainty.json
beside plan.json (which stays the plan schema), four columns of links.csv, a line and two columns of the text output. --rank-by median|p5 orders the links by the
Monte Carlo median or by the lower bound (5 %) instead of the point value.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import pandas as pd

from matching.options import OBJECTIVES
from symbiosis.commands.common import add_park_argument, load_or_report, print_table, say
from symbiosis.core.errors import SymbiosisError
from symbiosis.core.excel import write_csv
from symbiosis.core.i18n import lang_column, pick, register, render, word
from symbiosis.core.plan import SolveStatus, strict_json
from symbiosis.core.uncertainty import (
    DEFAULT_SAMPLES,
    DEFAULT_SEED,
    RANK_BY,
    TEXTS,
    PlanUncertainty,
    format_interval,
    interval_columns,
)

LINK_COLUMNS: tuple[str, ...] = (
    "rank", "link_id", "supplier_id", "receiver_id", "material_out", "material_in", "quantity", "unit",
    "quantity_in", "unit_in", "distance_km", "mode", "temperature_supply_c", "temperature_sink_c",
    "avoided_scope1_tco2e", "avoided_scope2_tco2e", "avoided_scope3_tco2e", "added_tco2e", "net_tco2e",
    "annual_cost_cny", "cost_per_tco2e", "hazardous_code", "rule_id", "forced", "factor_ids", "notes")
UNCERTAINTY_COLUMNS: tuple[str, ...] = ("net_median", "net_p5", "net_p95", "p_net_positive")
# The columns of the links table printed (codes "cli.link.<column>").
SHOWN = register("cli.link", {
    "rank": ("#", "序号"), "supplier_id": ("from", "供方"), "receiver_id": ("to", "需方"),
    "material_out": ("output", "产出"), "material_in": ("replaces", "替代"), "quantity": ("quantity", "数量"),
    "unit": ("unit", "单位"), "distance_km": ("km", "距离km"), "net_tco2e": ("net tCO2e/a", "净减排 tCO2e/a"),
})


class _Pairs(argparse.Action):
    """KEY=VALUE options given several times (or comma-separated) collect into a dict of floats."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        table = dict(getattr(namespace, self.dest) or {})
        for part in str(values).split(","):
            key, sep, value = part.partition("=")
            try:
                table[key.strip()] = float(value)
            except ValueError:
                parser.error(f"{option_string} expects KEY=NUMBER, got '{part}'")
            if not sep:
                parser.error(f"{option_string} expects KEY=NUMBER, got '{part}'")
        setattr(namespace, self.dest, table)


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("match", help="propose symbiosis links by MILP / 优化匹配共生链接")
    add_park_argument(p)
    p.add_argument("--objective", choices=OBJECTIVES, help="emissions: most tCO2e/a avoided (default); cost: most "
                   "carbon value less annual net cost; least_cost: least annual net cost (of reaching "
                   "--target-tco2e); npv: most net present value with the carbon value as income / 目标：减排、"
                   "成本、最低成本（达到减排目标）或净现值")
    p.add_argument("--carbon-price", type=float, help="CNY per tCO2e for --objective cost and npv / 碳价（元/吨）")
    p.add_argument("--budget-capex", type=float, metavar="CNY", help="cap on the total investment of the plan's "
                   "links, CNY / 投资预算（元）")
    p.add_argument("--target-tco2e", type=float, metavar="T", help="net avoided tCO2e/a the plan must reach "
                   "(with --objective least_cost: at least cost) / 减排目标（tCO2e/a）")
    p.add_argument("--dt-min", type=float, help="minimum temperature difference, K (default: park.toml) / 最小传热温差")
    p.add_argument("--gap", type=float, help="relative MIP gap at which to stop / 相对间隙")
    p.add_argument("--time-limit", type=float, help="seconds for the whole solve / 求解时间上限（秒）")
    p.add_argument("--solver", choices=("highs", "cbc"), help="MILP solver (default highs) / 求解器")
    p.add_argument("--include-scope2", action="store_true", default=None,
                   help="rank and optimise with avoided Scope 2 included / 计入范围二")
    p.add_argument("--reach", action=_Pairs, metavar="MODE=KM", help="reach by mode, e.g. truck=30,pipe_heat=4")
    p.add_argument("--min-quantity", action=_Pairs, metavar="CATEGORY=Q",
                   help="minimum link size by category in canonical units, e.g. solid=500,heat=2000")
    p.add_argument("--economics", action=_Pairs, metavar="ID=VALUE", help="replace an economics row "
                   "(datasets/economics.csv), e.g. pipe_capex_hot_water=2500000,discount_rate=0.06 / 覆盖经济参数")
    p.add_argument("--factor", action=_Pairs, metavar="FACTOR_ID=VALUE",
                   help="override an emission factor, e.g. heat_pipe_loss_steam=0.02 / 覆盖排放因子")
    p.add_argument("--force", action="append", default=[], metavar="LINK",
                   help="force a link: S->R, S->R:material or supplier=S,receiver=R,material=M,out=ID,in=ID")
    p.add_argument("--forbid", action="append", default=[], metavar="LINK", help="forbid a link (same forms)")
    p.add_argument("--max-links-per-enterprise", type=int, help="cap on links per enterprise")
    p.add_argument("--epsilon-cost", type=float, help="cap on the plan's annual net cost, CNY/a")
    p.add_argument("--min-tco2e", type=float, metavar="T", help="smallest net avoided tCO2e/a of a proposed link "
                   "(no dust links; default 1000, 0 = any size) / 链接最小净减排量")
    p.add_argument("--disabled-rules", action="store_true", default=None,
                   help="also use the substitution rules switched off for want of a source / 同时使用无来源的替代规则")
    p.add_argument("--alternatives", type=int, default=0, metavar="N", help="also show the N next-best plans")
    p.add_argument("--uncertainty", type=int, default=DEFAULT_SAMPLES, metavar="N",
                   help=f"Monte Carlo samples of factors and quantities (default {DEFAULT_SAMPLES}; 0: off) / "
                   "不确定性蒙特卡洛抽样次数")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the Monte Carlo / 随机种子")
    p.add_argument("--rank-by", choices=RANK_BY, help="order links by the Monte Carlo median or lower bound (p5) "
                   "instead of the point value / 按中位数或下限排序")
    p.add_argument("--top", type=int, default=20, help="links shown in the text output")
    p.add_argument("--out", help="folder for plan.json, links.csv, unmatched.csv / 输出文件夹")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--verbose", action="store_true",
                   help="show the solver's log (on stderr; silent by default) / 显示求解器日志（输出到 stderr）")


def options_from_args(args: argparse.Namespace) -> Any:
    from matching import LinkSelector, MatchOptions

    return MatchOptions(
        objective=args.objective, carbon_price=args.carbon_price, dt_min_k=args.dt_min, gap=args.gap,
        time_limit=args.time_limit, solver=args.solver, include_scope2=args.include_scope2,
        reach_km=args.reach, min_link_quantity=args.min_quantity, economics=args.economics,
        budget_capex_cny=args.budget_capex, target_tco2e=args.target_tco2e, factor_overrides=args.factor,
        forced=tuple(LinkSelector.parse(t) for t in args.force),
        forbidden=tuple(LinkSelector.parse(t) for t in args.forbid),
        max_links_per_enterprise=args.max_links_per_enterprise, epsilon_cost=args.epsilon_cost,
        min_link_tco2e=args.min_tco2e, disabled_rules=args.disabled_rules,
        solver_log=bool(getattr(args, "verbose", False)))


def links_table(plan: Any, uncertainty: PlanUncertainty | None = None) -> pd.DataFrame:
    """The links as a table; with a Monte Carlo, four more columns: net_median, net_p5, net_p95, p_net_positive."""
    columns = list(LINK_COLUMNS) + (list(UNCERTAINTY_COLUMNS) if uncertainty is not None else [])
    frame = plan.links_frame()
    if frame.empty:
        return pd.DataFrame(columns=columns)
    frame["factor_ids"] = frame["factor_ids"].map(";".join)
    frame["notes"] = frame["notes"].map(" | ".join)
    if uncertainty is not None:
        intervals = interval_columns(frame["link_id"], uncertainty)
        for column in UNCERTAINTY_COLUMNS:
            frame[column] = intervals[column].to_numpy()
    return frame[columns]


def monte_carlo(session: Any, plan: Any, options: Any, args: argparse.Namespace) -> tuple[Any, Any]:
    """The plan's Monte Carlo (None when --uncertainty 0 or a plan without links) and the plan, re-ranked when
    --rank-by asks."""
    from symbiosis.core.uncertainty import plan_uncertainty, rank_links

    samples = int(getattr(args, "uncertainty", 0) or 0)
    if samples <= 0 or not plan.links:
        return None, plan
    result = plan_uncertainty(session.park, plan, session.factors(options), samples,
                              int(getattr(args, "seed", DEFAULT_SEED)))
    by = getattr(args, "rank_by", None)
    return result, (rank_links(plan, result, by) if by else plan)


def run(args: argparse.Namespace) -> int:
    from matching import alternatives
    from symbiosis.session import Session

    park = load_or_report(args.park, args.lang, args.format)
    if park is None:
        return 1
    try:
        options = options_from_args(args)
        session = Session(park)  # the candidates are built once for the plan and its explanation
        plan = session.plan(options)
        unmatched = session.explain(plan, options)
        uncertainty, plan = monte_carlo(session, plan, options, args)
        others = alternatives(park, options, args.alternatives + 1)[1:] if args.alternatives > 0 else []
    except SymbiosisError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    reason_col = lang_column("reason_en", "reason_zh", args.lang)
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "plan.json").write_text(plan.to_json(), encoding="utf-8")
        if uncertainty is not None:  # beside the plan it was drawn on: plan.json stays the plan schema
            (out / "uncertainty.json").write_text(strict_json(uncertainty.to_record()), encoding="utf-8")
        write_csv(links_table(plan, uncertainty), out / "links.csv")
        write_csv(unmatched, out / "unmatched.csv")
    if args.format == "json":
        # one writer for the plan schema (Plan.to_json): strict JSON, NaN/inf as null
        shown = unmatched.drop(columns=[c for c in ("reason_en", "reason_zh") if c != reason_col]) \
            .rename(columns={reason_col: "reason_text"})
        print(plan.to_json(unmatched=shown.to_dict(orient="records"),
                           alternatives=[p.to_json_dict() for p in others],
                           uncertainty=uncertainty.to_record() if uncertainty is not None else None))
    else:
        _print_text(plan, unmatched, others, args, uncertainty)
    return 0 if plan.status not in ("infeasible", "error") else 1


def _fmt(value: float | None) -> str:
    """A figure of the status line: thousands separated, one decimal (no e-notation)."""
    return "-" if value is None else f"{value:,.1f}"


def _gap(value: float | None) -> str:
    """The relative gap as a percentage (4 significant digits; tiny gaps shown as < 0.0001 %)."""
    if value is None:
        return "-"
    return "< 0.0001 %" if 0 <= value < 1e-6 else f"{value * 100:.4g} %"


def _print_text(plan: Any, unmatched: pd.DataFrame, others: list[Any], args: argparse.Namespace,
                uncertainty: PlanUncertainty | None = None) -> None:
    lang = args.lang
    unit = plan.objective_unit
    print(say("status", lang, status=_status(plan.status, lang), objective=_fmt(plan.objective_value), unit=unit,
              bound=_fmt(plan.bound_value), gap=_gap(plan.gap), build=plan.build_seconds, solve=plan.solve_seconds,
              subproblems=plan.subproblems))
    print(say("totals", lang, links=len(plan.links), net=plan.net_tco2e, heat=plan.heat_recovered_gj))
    if uncertainty is not None and uncertainty.total is not None:
        total = uncertainty.total
        print(render(TEXTS.code("total"), lang, median=total.median, p5=total.p5, p95=total.p95,
                     p_positive=total.p_positive, samples=uncertainty.samples, seed=uncertainty.seed))
        if getattr(args, "rank_by", None):
            print(render(TEXTS.code("ranked_by"), lang, by=render(TEXTS.code(f"by.{args.rank_by}"), lang)))
    messages = plan.messages_zh if len(plan.messages_zh) == len(plan.messages) else plan.messages
    for en, zh in zip(plan.messages, messages, strict=True):
        print(f"  - {pick(en, zh, lang)}")
    table = links_table(plan, uncertainty).head(args.top)
    if not table.empty:
        shown = table[list(SHOWN)].rename(columns={c: word(SHOWN, c, lang) for c in SHOWN})
        if uncertainty is not None:
            shown[render(TEXTS.code("column"), lang)] = [
                format_interval(m, lo, hi) for m, lo, hi in zip(table["net_median"], table["net_p5"], table["net_p95"], strict=True)]
            shown[render(TEXTS.code("p_positive"), lang)] = [f"{p:.0%}" for p in table["p_net_positive"]]
        print()
        print_table(shown.round(2))
    if not unmatched.empty:
        print()
        print(say("unmatched_why", lang))
        counts = unmatched["reason"].value_counts()
        print_table(counts.rename_axis("reason").reset_index(name="streams"))
    base = {x.link_id for x in plan.links}
    for k, other in enumerate(others, start=2):
        mine = {x.link_id for x in other.links}
        dropped, added = len(base - mine), len(mine - base)
        print(say("alternative", lang, k=k, status=_status(other.status, lang), objective=_fmt(other.objective_value),
                  unit=unit, links=len(other.links), dropped=dropped, added=added))


def _status(status: SolveStatus, lang: str) -> str:
    """The solver's status by the report's names (report.status), in both languages."""
    from symbiosis.reporting.texts import STATUS_NAMES

    return word(STATUS_NAMES, status, lang)
