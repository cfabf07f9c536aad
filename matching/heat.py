"""Temperature levels for heat matching (the transshipment model of Papoulias & Grossmann, 1983).

Hot streams (heat outputs) are shifted down by dt_min/2 and cold streams (heat inputs) up by dt_min/2; then a
hot and a cold stream at the same *shifted* temperature are exactly dt_min apart, and heat released in a
shifted temperature level can serve any demand in that level or in a lower one, never a higher one.

Levels are ordered from hot to cold. Between two consecutive shifted temperatures b_s > b_s+1 there is a span
level; where a stream changes phase at one temperature (supply == return: latent heat, e.g. condensing steam)
a point level sits at that temperature, between the span above it and the span below. Ordering points and
spans this way keeps the rule "same or lower level" exact for latent heat too.

A stream is one or more segments (symbiosis.core.heat_profiles: steam is feed water, evaporation at T_sat and
superheat; other rows one straight line): the tables given to heat_levels() may hold several rows per stream_id.
Each segment's heat is spread over the levels it crosses in proportion to the temperature width (constant
heat-capacity flow rate within the segment), so a level's heat is CP x width; a latent segment puts all its heat in
its point. A stream's heat per level is the sum over its segments.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from matching.periods import HeatPeriods

ROUND = 9  # decimals kept on shifted temperatures, so equal temperatures give one boundary


@dataclass(frozen=True)
class HeatLevels:
    """levels: level, hi, lo (shifted °C), point. hot/cold: stream_id, level, q (GJ/a, > 0)."""

    levels: pd.DataFrame
    hot: pd.DataFrame
    cold: pd.DataFrame
    dt_min_k: float
    periods: HeatPeriods | None = None  # operating periods (matching.periods); None: the annual balance

    def top(self) -> pd.Series:
        """Highest (first) level in which each hot stream releases heat."""
        return self.hot.groupby("stream_id")["level"].min()

    def bottom(self) -> pd.Series:
        """Lowest (last) level in which each cold stream needs heat."""
        return self.cold.groupby("stream_id")["level"].max()

    def source_level(self, sink_level: np.ndarray, extra_k: np.ndarray) -> np.ndarray:
        """The level from whose cascade a link serving `sink_level` draws its heat, when the link needs `extra_k`
        kelvin more than dt_min (an intermediate loop, a temperature drop along the pipe; 0 for a direct exchange).

        0 K: the same level (exact). More: the lowest level lying wholly at least extra_k above the sink level's top
        (heat cascades down to it from anywhere above). Conservative (it may lose up to about two level widths of the
        sink's range: the sink level's own width and the rounding of extra_k up to a level boundary), never
        optimistic.
        -1 when no level is that hot."""
        sink_level = np.asarray(sink_level, dtype=int)
        extra = np.asarray(extra_k, dtype=float)
        if len(sink_level) == 0:
            return sink_level.copy()
        lo = self.levels["lo"].to_numpy(dtype=float)  # non-increasing with the level index
        hi = self.levels["hi"].to_numpy(dtype=float)
        target = np.round(hi[sink_level] + extra, ROUND)
        shifted = np.searchsorted(-lo, -target, side="right") - 1
        return np.where(extra > 0, shifted, sink_level)


def _spread(streams: pd.DataFrame, high: np.ndarray, low: np.ndarray, bounds: np.ndarray,
            point_level: dict[float, int], span_level: np.ndarray) -> pd.DataFrame:
    """Heat of each stream per level: sensible streams over the spans they cross, latent ones at their point."""
    ids = streams["stream_id"].to_numpy(dtype=object)
    q = streams["quantity"].to_numpy(dtype=float)
    # bounds are descending; position of a temperature = index of the boundary equal to it
    pos_hi = np.searchsorted(-bounds, -high)
    pos_lo = np.searchsorted(-bounds, -low)
    sensible = pos_lo > pos_hi
    counts = np.where(sensible, pos_lo - pos_hi, 0)
    rows = np.repeat(np.arange(len(ids)), counts)
    offsets = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    span = pos_hi[rows] + offsets
    width = bounds[span] - bounds[span + 1]
    cp = q[rows] / (high[rows] - low[rows])
    parts = [pd.DataFrame({"stream_id": ids[rows], "level": span_level[span], "q": cp * width})]
    latent = np.flatnonzero(~sensible)
    if len(latent):
        parts.append(pd.DataFrame({"stream_id": ids[latent],
                                   "level": [point_level[float(high[i])] for i in latent], "q": q[latent]}))
    out = pd.concat(parts, ignore_index=True)
    out = out[out["q"] > 0]
    # several segments of one stream: one row per (stream, level)
    summed: pd.DataFrame = out.groupby(["stream_id", "level"], as_index=False, sort=False).agg(q=("q", "sum"))
    return summed


def heat_levels(hot: pd.DataFrame, cold: pd.DataFrame, dt_min_k: float,
                max_width_k: float | None = None) -> HeatLevels:
    """Build the levels from hot and cold streams (columns stream_id, t_high, t_low, quantity; real °C), one row
    per segment (a stream_id may repeat: its segments).

    Hot: t_high = supply temperature, t_low = lowest temperature it may be cooled to.
    Cold: t_high = target temperature, t_low = inlet temperature.
    max_width_k: split spans wider than this (links through a loop draw from a level wholly extra_k hotter, so
    narrower levels lose less; see source_level). None: the streams' own temperatures only.
    """
    half = dt_min_k / 2.0
    h_hi = np.round(hot["t_high"].to_numpy(dtype=float) - half, ROUND)
    h_lo = np.round(hot["t_low"].to_numpy(dtype=float) - half, ROUND)
    c_hi = np.round(cold["t_high"].to_numpy(dtype=float) + half, ROUND)
    c_lo = np.round(cold["t_low"].to_numpy(dtype=float) + half, ROUND)
    bounds = np.unique(np.concatenate([h_hi, h_lo, c_hi, c_lo]))[::-1]
    if max_width_k is not None and len(bounds) > 1:
        gaps = bounds[:-1] - bounds[1:]
        pieces = np.ceil(gaps / max_width_k - 1e-9).astype(int)
        inner = [b - gap * np.arange(1, n) / n for b, gap, n in zip(bounds[:-1], gaps, pieces, strict=True) if n > 1]
        if inner:
            bounds = np.unique(np.round(np.concatenate([bounds, *inner]), ROUND))[::-1]
    latent_temps = set(h_hi[h_hi == h_lo].tolist()) | set(c_hi[c_hi == c_lo].tolist())
    # order: point at b_0, span (b_0, b_1), point at b_1, ... ; points only where a latent stream is
    records: list[tuple[float, float, bool, float]] = []  # (hi, lo, point, sort key)
    for s, b in enumerate(bounds):
        if float(b) in latent_temps:
            records.append((float(b), float(b), True, 2.0 * s))
        if s + 1 < len(bounds):
            records.append((float(b), float(bounds[s + 1]), False, 2.0 * s + 1))
    levels = pd.DataFrame(records, columns=["hi", "lo", "point", "key"]).sort_values("key").reset_index(drop=True)
    levels["level"] = np.arange(len(levels))
    levels = levels[["level", "hi", "lo", "point"]]
    points = levels[levels["point"].astype(bool)]
    point_level = dict(zip(points["hi"].astype(float), points["level"].astype(int), strict=True))
    span_level = np.full(max(len(bounds) - 1, 0), -1, dtype=int)
    spans = levels[~levels["point"].astype(bool)]
    if len(spans):
        span_level[np.searchsorted(-bounds, -spans["hi"].to_numpy())] = spans["level"].to_numpy()
    hot_q = _spread(hot, h_hi, h_lo, bounds, point_level, span_level) if len(hot) else _empty()
    cold_q = _spread(cold, c_hi, c_lo, bounds, point_level, span_level) if len(cold) else _empty()
    return HeatLevels(levels=levels, hot=hot_q, cold=cold_q, dt_min_k=dt_min_k)


def _empty() -> pd.DataFrame:
    return pd.DataFrame({"stream_id": pd.Series(dtype=object), "level": pd.Series(dtype=int),
                         "q": pd.Series(dtype=float)})
