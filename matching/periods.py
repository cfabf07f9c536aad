"""The heat balance per operating period (issue 13; symbiosis.core.periods): each heat stream's share of its annual
heat in each period of the park, and the grouping of periods that the model can merge without changing its answer.

A stream's share in a period comes from its ledger months (column `months`), or, for space and greenhouse heating
without months, from the heating season of the park's region (a note says which); every other stream runs all year.
Two periods in which every stream of a component runs at the same rate (share / hours) are one period to the model:
any plan for the merged period splits by hours into plans for both, and the sum of plans for both is a plan for the
merged one. So 12 months with one heating season become at most a handful of blocks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from symbiosis.core.periods import (
    SEASONAL_MATERIALS,
    HeatingSeason,
    heating_season_for,
    month_weights,
    parse_months,
    period_shares,
    periods,
)
from symbiosis.core.periods import Period as Period  # re-exported for the model's readers

RATE_DECIMALS = 9  # rates (share per hour share) are compared after rounding, so equal rates group together


@dataclass(frozen=True)
class HeatPeriods:
    """periods: the park's periods. shares: stream_id -> share of its annual heat per period (a row per stream
    whose profile is not flat; any other stream runs all year: share = the period's hour share)."""

    periods: tuple[Period, ...]
    shares: dict[str, np.ndarray] = field(default_factory=dict)
    season: HeatingSeason | None = None
    seasonal_streams: tuple[str, ...] = ()  # the streams given the heating season by default

    @property
    def hour_shares(self) -> np.ndarray:
        hours = np.array([p.hours for p in self.periods])
        return hours / hours.sum()

    def share(self, stream_id: str) -> np.ndarray:
        got = self.shares.get(stream_id)
        return self.hour_shares if got is None else got

    def blocks(self, stream_ids: list[str]) -> list[tuple[tuple[int, ...], np.ndarray]]:
        """Groups of periods in which these streams all run at the same rates: (periods, share per stream), in
        period order. One block with shares 1 when every stream is flat (the annual model, exactly)."""
        ids = list(dict.fromkeys(stream_ids))
        if len(self.periods) == 1 or not any(s in self.shares for s in ids):
            return [(tuple(range(len(self.periods))), np.ones(len(ids)))]
        h = self.hour_shares
        matrix = np.array([self.share(s) for s in ids])  # streams x periods
        rates = np.round(matrix / h, RATE_DECIMALS)
        groups: dict[tuple[float, ...], list[int]] = {}
        for p in range(len(self.periods)):
            groups.setdefault(tuple(rates[:, p].tolist()), []).append(p)
        return [(tuple(ps), matrix[:, ps].sum(axis=1)) for ps in groups.values()]


    def capacity(self, suppliers: pd.Series, receivers: pd.Series, source: np.ndarray,
                 sink: np.ndarray) -> np.ndarray:
        """A heat link's annual big-M: in each period the smaller of the source's and the sink's share, summed
        (never more than the annual min(source, sink); equal to it when both run all year)."""
        a = np.array([self.share(str(x)) for x in suppliers]).reshape(len(source), len(self.periods))
        c = np.array([self.share(str(x)) for x in receivers]).reshape(len(sink), len(self.periods))
        out: np.ndarray = np.minimum(a * source[:, None], c * sink[:, None]).sum(axis=1)
        return np.minimum(out, np.minimum(source, sink))


def heat_periods(streams: pd.DataFrame, kind: str, grid_region: str, season_key: str = "") -> HeatPeriods:
    """The park's periods and the share per period of each heat stream that does not run all year."""
    ps = periods(kind)
    season = heating_season_for(grid_region, season_key)
    heat = streams[(streams["category"] == "heat").to_numpy()]
    months = heat["months"].fillna("").astype(str) if "months" in heat.columns else pd.Series("", index=heat.index)
    shares: dict[str, np.ndarray] = {}
    seasonal: list[str] = []
    for sid, material, direction, text in zip(heat["stream_id"], heat["material"], heat["direction"], months,
                                              strict=True):
        weights = None
        if text:
            try:
                weights = month_weights(parse_months(text))
            except ValueError:  # the loader reported it; the row runs all year
                weights = None
        elif direction == "input" and material in SEASONAL_MATERIALS and season is not None:
            weights = season.month_weights()
            seasonal.append(str(sid))
        if weights is not None and len(ps) > 1:
            shares[str(sid)] = period_shares(weights, kind)[0]
    return HeatPeriods(periods=ps, shares=shares, season=season, seasonal_streams=tuple(seasonal))


def season_note(hp: HeatPeriods, grid_region: str) -> tuple[str, str] | None:
    """The visible note on the heating season given by default (en, zh); None when no stream took it."""
    if len(hp.periods) == 1:
        return None
    if hp.season is None:
        return (f"no heating season is known for region '{grid_region}': space and greenhouse heating without "
                "months run all year (set [periods] heating_season in park.toml, or the rows' months)",
                f"地区“{grid_region}”无已知采暖期：未填运行月份的采暖和温室供热按全年计（可在 park.toml 的 [periods] "
                "设置 heating_season，或填写运行月份）")
    if not hp.seasonal_streams:
        return None
    s = hp.season
    n = len(hp.seasonal_streams)
    return (f"{n} space/greenhouse heating row(s) without months run in the heating season of {s.name}, "
            f"{s.start[0]}/{s.start[1]}–{s.end[0]}/{s.end[1]} (datasets/heating_seasons.csv: {s.source}; tag {s.tag}): "
            f"{', '.join(hp.seasonal_streams[:5])}{' …' if n > 5 else ''}",
            f"{n} 个未填运行月份的采暖/温室供热行按{s.name_zh}采暖期 {s.start[0]}月{s.start[1]}日至{s.end[0]}月"
            f"{s.end[1]}日 计（{s.source}；可靠性 {s.tag}）：{'、'.join(hp.seasonal_streams[:5])}{' …' if n > 5 else ''}")
