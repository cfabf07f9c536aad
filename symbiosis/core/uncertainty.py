"""Uncertainty on every figure of a plan: a seeded Monte Carlo over the factor rows and the ledger quantities.

Each factor row of the park's FactorTable gets one multiplicative lognormal draw per sample, with median 1 and a
90 % half-width set by its reliability tag (`RELIABILITY_HALF_WIDTH`, one table): the 95th percentile of the draw
is 1 + u, the 5th 1 / (1 + u). The SAME draw of a factor is used by every link that reads it, so links on one
factor move together and the plan's total carries that correlation. Factors whose unit is a fraction (boiler
efficiencies, pipe heat loss per km) are kept at or below 1.

Each ledger row a plan link joins gets one lognormal draw per sample with median 1 whose relative standard deviation
is the row's `uncertainty` column (a relative standard uncertainty, as for reconciliation; blank: DEFAULT_ROW_
UNCERTAINTY). A link's quantity moves with the product of its supplier row's and its receiver row's draws (the
product rule of error propagation: relative uncertainties add in quadrature); a row shared by several links moves
them all.

Per sample, the per-unit accounting of every link is computed by the one rule-book
(`symbiosis.core.accounting.unit_coefficients`) on a FactorTable holding the drawn values, all links at once; each
item of a link is its plan value times (drawn coefficient / point coefficient) times the quantity draw, so with
zero spreads every sample equals the plan's figure exactly. The net per link follows `Link.net_tco2e`
(Scope 1 + Scope 3, and Scope 2 when the plan counts it, less what the link adds; construction is a stated
constant). docs/uncertainty.md gives the reasons and the sources.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from symbiosis.core.accounting import ADDED_ITEMS, AVOIDED_ITEMS, ITEMS, PAIR_COLUMNS, unit_coefficients
from symbiosis.core.exchanges import HEAT_RULE_ID, substitution_rules
from symbiosis.core.factors import Factor, FactorTable
from symbiosis.core.i18n import register
from symbiosis.core.park import Park
from symbiosis.core.plan import Link, Plan, json_safe
from symbiosis.core.rulebook import delivered_fraction

# 90 % half-width (relative) of a factor row's value by its reliability tag (README: A official or peer-reviewed,
# B reputable secondary, C third-party transcription, derived = arithmetic on cited numbers, R placeholder).
# A judgement in the spirit of the IPCC 2006 Guidelines Vol. 1 ch. 3 (default ranges widen with the tier of the
# source) and the ecoinvent pedigree matrix (reliability score -> a wider lognormal); docs/uncertainty.md.
RELIABILITY_HALF_WIDTH: dict[str, float] = {"A": 0.10, "B": 0.20, "C": 0.30, "derived": 0.30, "R": 0.50}
UNKNOWN_RELIABILITY_HALF_WIDTH = 0.50  # a tag not in the table counts as a placeholder
DEFAULT_ROW_UNCERTAINTY = 0.10  # relative standard uncertainty of a ledger row that states none (flows.balance too)
Z90 = 1.6448536269514722  # the standard normal's 95th percentile: p5..p95 is the 90 % interval
DEFAULT_SAMPLES = 200  # what `symbiosis match`, the report and the app draw unless told otherwise
DEFAULT_SEED = 20261207
RANK_BY: tuple[str, ...] = ("median", "p5")
FRACTION_UNITS: frozenset[str] = frozenset({"fraction"})

TEXTS = register("uncertainty", {
    "column": ("net tCO2e/a median [5 %–95 %]", "净减排 tCO2e/a 中位数 [5%–95%]"),
    "p_positive": ("P(net > 0)", "净减排为正的概率"),
    "total": ("plan total net avoided: {median:,.0f} tCO2e/a, 90 % interval [{p5:,.0f} – {p95:,.0f}], "
              "P(net > 0) = {p_positive:.0%} ({samples} samples, seed {seed})",
              "方案合计净减排：{median:,.0f} tCO2e/a，90% 区间 [{p5:,.0f} – {p95:,.0f}]，"
              "净减排为正的概率 {p_positive:.0%}（{samples} 次抽样，种子 {seed}）"),
    "ranked_by": ("links ranked by {by}", "链接按{by}排序"),
    "by.median": ("the median", "中位数"),
    "by.p5": ("the lower bound (5 %)", "下限（5% 分位）"),
})


@dataclass(frozen=True)
class Interval:
    """One figure's distribution: median, 5th and 95th percentiles (the 90 % interval), mean, P(value > 0), and
    the point value of the plan it was drawn around."""

    point: float
    median: float
    p5: float
    p95: float
    mean: float
    p_positive: float

    @classmethod
    def of(cls, point: float, draws: np.ndarray) -> Interval:
        p5, median, p95 = np.percentile(draws, [5.0, 50.0, 95.0])
        return cls(point=float(point), median=float(median), p5=float(p5), p95=float(p95),
                   mean=float(np.mean(draws)), p_positive=float(np.mean(draws > 0.0)))

    def to_record(self) -> dict[str, float]:
        return {"point": self.point, "median": self.median, "p5": self.p5, "p95": self.p95, "mean": self.mean,
                "p_positive": self.p_positive}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Interval:
        return cls(**{k: _num(record.get(k)) for k in ("point", "median", "p5", "p95", "mean", "p_positive")})


@dataclass(frozen=True)
class PlanUncertainty:
    """The Monte Carlo of one plan: per link (by link_id, in the plan's order) and the plan's total net avoided
    tCO2e/a, with how it was drawn."""

    samples: int
    seed: int
    include_scope2: bool
    links: dict[str, Interval] = field(default_factory=dict)
    total: Interval | None = None
    seconds: float = 0.0
    reliability_half_width: dict[str, float] = field(default_factory=lambda: dict(RELIABILITY_HALF_WIDTH))
    default_row_uncertainty: float = DEFAULT_ROW_UNCERTAINTY

    def to_record(self) -> dict[str, Any]:
        """Plain JSON values (through json_safe): the `uncertainty` key of the match command's JSON."""
        return json_safe({
            "samples": self.samples, "seed": self.seed, "include_scope2": self.include_scope2,
            "seconds": self.seconds, "distribution": "lognormal",
            "reliability_half_width": self.reliability_half_width,
            "default_row_uncertainty": self.default_row_uncertainty,
            "total": self.total.to_record() if self.total else None,
            "links": [{"link_id": k, **v.to_record()} for k, v in self.links.items()],
        })

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> PlanUncertainty:
        total = record.get("total")
        return cls(samples=int(record["samples"]), seed=int(record["seed"]),
                   include_scope2=bool(record.get("include_scope2", False)),
                   links={str(r["link_id"]): Interval.from_record(r) for r in record.get("links") or ()},
                   total=Interval.from_record(total) if total else None, seconds=float(record.get("seconds") or 0.0),
                   reliability_half_width={str(k): float(v) for k, v in
                                           (record.get("reliability_half_width") or RELIABILITY_HALF_WIDTH).items()},
                   default_row_uncertainty=float(record.get("default_row_uncertainty", DEFAULT_ROW_UNCERTAINTY)))

    def frame(self) -> pd.DataFrame:
        """One row per link: link_id, point, median, p5, p95, mean, p_positive."""
        return pd.DataFrame([{"link_id": k, **v.to_record()} for k, v in self.links.items()],
                            columns=["link_id", "point", "median", "p5", "p95", "mean", "p_positive"])


def format_interval(median: float, p5: float, p95: float) -> str:
    """'median [p5 – p95]' in whole tonnes, the same in both languages ('–' where there is no interval)."""
    if any(not math.isfinite(x) for x in (median, p5, p95)):
        return "–"
    return f"{median:,.0f} [{p5:,.0f} – {p95:,.0f}]"


def _num(value: Any) -> float:
    return math.nan if value is None else float(value)


# --- spreads --------------------------------------------------------------------------------------------------------
def sigma_of_half_width(half_width: float) -> float:
    """Log standard deviation of a median-1 lognormal whose 95th percentile is 1 + half_width."""
    return math.log1p(max(half_width, 0.0)) / Z90


def sigma_of_relative_sd(relative_sd: float) -> float:
    """Log standard deviation of a median-1 lognormal with relative standard deviation `relative_sd`
    (CV^2 = exp(sigma^2) - 1)."""
    return math.sqrt(math.log1p(max(relative_sd, 0.0) ** 2))


def factor_half_width(factor: Factor, table: Mapping[str, float] | None = None) -> float:
    """The 90 % half-width of a factor row, by its reliability tag."""
    table = RELIABILITY_HALF_WIDTH if table is None else table
    return float(table.get(factor.reliability.strip(), UNKNOWN_RELIABILITY_HALF_WIDTH))


# --- the plan's links as pairs ------------------------------------------------------------------------------------
# pair columns read off a ledger row's column: pair column -> (side, stream column)
PAIR_STREAM_COLUMNS: dict[str, tuple[str, str]] = {"displaced_out": ("supplier", "displaced_use")}


def plan_pairs(park: Park, links: Sequence[Link]) -> pd.DataFrame:
    """The PAIR_COLUMNS frame of `links` (one row each, in order), rebuilt from the park's ledger rows (baselines)
    and the substitution rules (ratio, pre-treatment); the delivered fraction of a heat link is what its quantities
    say (quantity_in / quantity)."""
    streams = park.streams.set_index("stream_id")
    rules = substitution_rules()
    ids = rules["rule_id"].astype(str).tolist()
    ratios = dict(zip(ids, pd.to_numeric(rules["ratio"], errors="coerce").astype(float).tolist(), strict=True))
    kwh = dict(zip(ids, pd.to_numeric(rules["pretreatment_kwh_per_unit"], errors="coerce").astype(float).tolist(),
                   strict=True))
    rows = []
    for link in links:
        heat = link.rule_id == HEAT_RULE_ID or link.rule_id not in ratios
        ratio = 1.0 if heat else ratios[link.rule_id]
        pre = 0.0 if heat else kwh[link.rule_id]
        delivered = (link.quantity_in / link.quantity / ratio) if heat and link.quantity > 0 else 1.0
        rows.append({
            "material_out": link.material_out, "unit_out": link.unit,
            "baseline_out": _baseline(streams, link.supplier_stream_id),
            "material_in": link.material_in, "unit_in": link.unit_in,
            "baseline_in": _baseline(streams, link.receiver_stream_id),
            "ratio": ratio, "delivered_fraction": delivered, "distance_km": float(link.distance_km),
            "mode": link.mode, "pretreatment_kwh_per_unit": 0.0 if math.isnan(pre) else pre,
            **{column: _text(streams, link.supplier_stream_id if side == "supplier" else link.receiver_stream_id,
                             name) for column, (side, name) in PAIR_STREAM_COLUMNS.items()},
        })
    return pd.DataFrame(rows, columns=list(PAIR_COLUMNS))


def _baseline(streams: pd.DataFrame, stream_id: str) -> str:
    return _text(streams, stream_id, "baseline")


def _text(streams: pd.DataFrame, stream_id: str, column: str) -> str:
    if stream_id not in streams.index or column not in streams.columns:
        return ""
    value = streams.at[stream_id, column]
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _row_sigmas(park: Park, links: Sequence[Link]) -> tuple[list[str], np.ndarray]:
    """The ledger rows the links join (ordered as in the park) and their log standard deviations."""
    used = {x for link in links for x in (link.supplier_stream_id, link.receiver_stream_id)}
    s = park.streams
    ids = [str(x) for x in s["stream_id"] if x in used]
    rel = pd.to_numeric(s.set_index("stream_id").loc[ids, "uncertainty"], errors="coerce") if ids else pd.Series()
    sig = np.array([sigma_of_relative_sd(DEFAULT_ROW_UNCERTAINTY if pd.isna(u) else float(u)) for u in rel])
    return ids, sig


# --- the Monte Carlo ------------------------------------------------------------------------------------------------
def _with_values(base: FactorTable, values: Mapping[str, float]) -> FactorTable:
    """A shallow copy of `base` whose factor rows named in `values` carry those values."""
    table = copy.copy(base)
    table.factors = {k: _valued(f, values[k]) if k in values else f for k, f in base.factors.items()}
    return table


def _valued(factor: Factor, value: float) -> Factor:
    """`factor` with another value: dataclasses.replace without its per-call field introspection (a sample
    rebuilds every row of the table)."""
    out = copy.copy(factor)
    object.__setattr__(out, "value", value)  # a fresh copy of a frozen row, never the shared one
    return out


@dataclass(frozen=True)
class _Prepared:
    links: tuple[Link, ...]
    pairs: pd.DataFrame
    item_values: np.ndarray  # (items, links) the plan's tCO2e/a per item
    points: np.ndarray  # (links,) the plan's net per link (Link.net_tco2e)
    heat: np.ndarray  # links whose delivered fraction depends on the heat-loss factor
    heat_modes: list[str]  # their modes and distances
    heat_km: np.ndarray
    factor_ids: list[str]  # the factor rows drawn: every row of the table
    factor_values: np.ndarray
    factor_sigma: np.ndarray
    factor_cap: np.ndarray  # upper bound of a drawn value (1 for fractions, inf else)
    row_ids: list[str]
    row_sigma: np.ndarray
    sup_row: np.ndarray  # index into row_ids per link
    rec_row: np.ndarray


def _prepare(park: Park, plan: Plan, factors: FactorTable, half_widths: Mapping[str, float]) -> _Prepared:
    links = plan.links
    pairs = plan_pairs(park, links)
    values = np.array([[float(getattr(link, f"{item}_tco2e", 0.0)) for link in links] for item in ITEMS]
                      ).reshape(len(ITEMS), len(links))
    # every factor row of the table is drawn (in the table's order), so a row the rule-book reads without naming it
    # on a line (a conversion, an efficiency) moves too; rows no link reads change nothing
    ids = list(factors.factors)
    fs = [factors.factors[k] for k in ids]
    row_ids, row_sigma = _row_sigmas(park, links)
    heat = np.array([link.rule_id == HEAT_RULE_ID for link in links], dtype=bool)  # as the candidates: kind heat
    position = {k: i for i, k in enumerate(row_ids)}
    return _Prepared(
        links=tuple(links), pairs=pairs, item_values=values,
        points=np.array([link.net_tco2e(plan.include_scope2) for link in links], dtype=float),
        heat=heat, heat_modes=[link.mode for link, h in zip(links, heat, strict=True) if h],
        heat_km=np.array([link.distance_km for link, h in zip(links, heat, strict=True) if h], dtype=float),
        factor_ids=ids, factor_values=np.array([f.value for f in fs], dtype=float),
        factor_sigma=np.array([sigma_of_half_width(factor_half_width(f, half_widths)) for f in fs], dtype=float),
        factor_cap=np.array([1.0 if f.unit.strip() in FRACTION_UNITS else np.inf for f in fs], dtype=float),
        row_ids=row_ids, row_sigma=row_sigma,
        sup_row=np.array([position[link.supplier_stream_id] for link in links], dtype=int),
        rec_row=np.array([position[link.receiver_stream_id] for link in links], dtype=int),
    )


def draw_normals(samples: int, n_factors: int, n_rows: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The standard normal draws of a run: (samples, factors) and (samples, rows), from one seeded Generator
    (factor draws first), so a run is reproducible and a chunk of samples can be evaluated anywhere."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((samples, n_factors)), rng.standard_normal((samples, n_rows))


def _drawn(prep: _Prepared, z_factors: np.ndarray) -> np.ndarray:
    """(samples, factors) drawn factor values: point x exp(sigma z), fractions held at or below 1."""
    return np.minimum(prep.factor_values * np.exp(prep.factor_sigma * z_factors),
                      np.where(prep.factor_values <= prep.factor_cap, prep.factor_cap, np.inf))


def _exact(prep: _Prepared, factors: FactorTable, values: np.ndarray) -> np.ndarray:
    """(items, links) per-unit coefficients by the rule-book with the drawn factor rows set to `values`; a heat
    link's delivered fraction follows the drawn loss factor."""
    table = _with_values(factors, dict(zip(prep.factor_ids, values.tolist(), strict=True)))
    pairs = prep.pairs
    if prep.heat.any():
        delivered = pairs["delivered_fraction"].to_numpy(dtype=float).copy()
        delivered[prep.heat] = delivered_fraction(prep.heat_modes, prep.heat_km, table)
        pairs = pairs.copy(deep=False)  # the column is replaced, never written into: prep.pairs stays as it is
        pairs["delivered_fraction"] = delivered
    coef = unit_coefficients(pairs, table)
    return np.array([coef[item].to_numpy(dtype=float) for item in ITEMS]).reshape(len(ITEMS), len(prep.links))


def _ratio(now: np.ndarray, base: np.ndarray) -> np.ndarray:
    return np.where(base != 0.0, now / np.where(base != 0.0, base, 1.0), 1.0)


def _exact_ratios(prep: _Prepared, factors: FactorTable, drawn: np.ndarray) -> np.ndarray:
    """(samples, items, links): drawn per-unit coefficient / point coefficient (1 where the point is 0), one
    rule-book evaluation per sample."""
    out = np.ones((len(drawn), len(ITEMS), len(prep.links)))
    if not prep.links or not prep.factor_sigma.any():
        return out
    base = _exact(prep, factors, prep.factor_values)
    for s in range(len(drawn)):
        out[s] = _ratio(_exact(prep, factors, drawn[s]), base)
    return out


def _coefficient_ratios(prep: _Prepared, factors: FactorTable, z_factors: np.ndarray) -> np.ndarray:
    """(samples, items, links) drawn coefficient / point coefficient."""
    return _exact_ratios(prep, factors, _drawn(prep, z_factors))


def _net(prep: _Prepared, ratios: np.ndarray, quantity: np.ndarray, include_scope2: bool) -> np.ndarray:
    """(samples, links) net avoided tCO2e/a: the plan's net (Link.net_tco2e) plus each counted item's change, so
    that no change gives the plan's figure to the last bit. Counted as Link.net_tco2e counts: the avoided items
    (Scope 2 only when the plan includes it) less every added item; construction is a stated constant."""
    sign = np.array([(1.0 if (item != "avoided_scope2" or include_scope2) else 0.0) if item in AVOIDED_ITEMS
                     else -1.0 if item in ADDED_ITEMS else 0.0 for item in ITEMS])
    change = prep.item_values[None, :, :] * (ratios * quantity[:, None, :] - 1.0)
    return prep.points[None, :] + np.einsum("i,sil->sl", sign, change)


def simulate(park: Park, plan: Plan, factors: FactorTable, samples: int = DEFAULT_SAMPLES,
             seed: int = DEFAULT_SEED, *, half_widths: Mapping[str, float] | None = None,
             row_uncertainty: bool = True) -> np.ndarray:
    """(samples, links) draws of each link's net avoided tCO2e/a (the plan's links in order)."""
    half_widths = RELIABILITY_HALF_WIDTH if half_widths is None else half_widths
    prep = _prepare(park, plan, factors, half_widths)
    z_f, z_r = draw_normals(samples, len(prep.factor_ids), len(prep.row_ids), seed)
    ratios = _coefficient_ratios(prep, factors, z_f)
    if row_uncertainty and len(prep.row_ids):
        log_row = prep.row_sigma[None, :] * z_r
        quantity = np.exp(log_row[:, prep.sup_row] + log_row[:, prep.rec_row])
    else:
        quantity = np.ones((samples, len(prep.links)))
    return _net(prep, ratios, quantity, plan.include_scope2)


def plan_uncertainty(park: Park, plan: Plan, factors: FactorTable, samples: int = DEFAULT_SAMPLES,
                     seed: int = DEFAULT_SEED, *, half_widths: Mapping[str, float] | None = None,
                     row_uncertainty: bool = True) -> PlanUncertainty:
    """Each link's and the plan's net avoided tCO2e/a as median, 90 % interval and P(net > 0).

    `factors` must be the table the plan was made with (the session's, with the run's overrides); `half_widths`
    replaces the reliability table (tests); `row_uncertainty=False` leaves the ledger quantities fixed."""
    import time

    if samples < 1:
        raise ValueError("samples must be at least 1")
    started = time.perf_counter()
    draws = simulate(park, plan, factors, samples, seed, half_widths=half_widths, row_uncertainty=row_uncertainty)
    include2 = plan.include_scope2
    links = {link.link_id: Interval.of(link.net_tco2e(include2), draws[:, k]) for k, link in enumerate(plan.links)}
    total_draws = np.zeros(samples)
    for k in range(len(plan.links)):  # in link order, as Plan.net_tco2e sums: no spread gives its figure exactly
        total_draws += draws[:, k]
    total = Interval.of(plan.net_tco2e, total_draws)
    table = dict(RELIABILITY_HALF_WIDTH if half_widths is None else half_widths)
    return PlanUncertainty(samples=samples, seed=seed, include_scope2=include2, links=links, total=total,
                           seconds=time.perf_counter() - started, reliability_half_width=table)


def rank_links(plan: Plan, result: PlanUncertainty, by: str = "median") -> Plan:
    """The plan with its links ordered (and `rank` renumbered) by the Monte Carlo median or lower bound (p5),
    largest first; ties by link_id. A link without an interval sorts last."""
    if by not in RANK_BY:
        raise ValueError(f"rank by one of {', '.join(RANK_BY)}, not {by!r}")

    def key(link: Link) -> tuple[float, str]:
        interval = result.links.get(link.link_id)
        value = getattr(interval, by) if interval is not None else -math.inf
        return (-value, link.link_id)

    ordered = sorted(plan.links, key=key)
    return replace(plan, links=tuple(replace(link, rank=i + 1) for i, link in enumerate(ordered)))


def interval_columns(link_ids: Iterable[str], result: PlanUncertainty | None) -> pd.DataFrame:
    """net_median, net_p5, net_p95, p_net_positive for `link_ids` (NaN where there is no interval)."""
    ids = list(link_ids)
    rows = [result.links.get(i) if result is not None else None for i in ids]
    return pd.DataFrame({
        "net_median": [r.median if r else math.nan for r in rows],
        "net_p5": [r.p5 if r else math.nan for r in rows],
        "net_p95": [r.p95 if r else math.nan for r in rows],
        "p_net_positive": [r.p_positive if r else math.nan for r in rows],
    })
