"""Operating periods of a park (issue 13): the periods the heat balance holds in, and when each heat row runs.

A park declares its periods in park.toml `[periods]` (kind = "year", "months" or "seasons"); every period is a set
of calendar months and holds a share of the year's hours. A heat row runs in the months of its ledger column
`months` (运行月份, e.g. "11-3" or "1,2,3,11,12"); its annual GJ is spread over those months in proportion to their
hours. Space and greenhouse heating without months run in the heating season of the park's region
(datasets/heating_seasons.csv, sourced; a part month counts by its days). Material and water balances stay annual.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import numpy as np

from symbiosis.core.datasets import read_records

MONTH_DAYS: tuple[int, ...] = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # a common year
MONTH_HOURS = np.array(MONTH_DAYS, dtype=float) * 24.0
PERIOD_KINDS: tuple[str, ...] = ("year", "months", "seasons")
# The seasons of kind "seasons": the northern heating months, the shoulder months and summer.
SEASONS: tuple[tuple[str, tuple[int, ...]], ...] = (
    ("heating", (11, 12, 1, 2, 3)), ("shoulder", (4, 5, 10)), ("summer", (6, 7, 8, 9)))
PERIOD_NAMES_ZH: dict[str, str] = {"year": "全年", "heating": "采暖季", "shoulder": "过渡季", "summer": "夏季"}
# Heat inputs that default to the heating season when the ledger gives no months (materials.csv keys).
SEASONAL_MATERIALS: tuple[str, ...] = ("space_heating", "greenhouse_heat")
MONTHS_ACCEPTED = "months 1–12 as a range or list, e.g. 11-3 or 1,2,3,11,12 / 月份，如 11-3 或 1,2,3,11,12"


@dataclass(frozen=True)
class Period:
    name: str
    name_zh: str
    months: tuple[int, ...]

    @property
    def hours(self) -> float:
        return float(sum(MONTH_HOURS[m - 1] for m in self.months))


def periods(kind: str) -> tuple[Period, ...]:
    """The periods of a kind, in order."""
    if kind == "months":
        return tuple(Period(f"{m:02d}", f"{m}月", (m,)) for m in range(1, 13))
    if kind == "seasons":
        return tuple(Period(name, PERIOD_NAMES_ZH[name], months) for name, months in SEASONS)
    if kind == "year":
        return (Period("year", PERIOD_NAMES_ZH["year"], tuple(range(1, 13))),)
    raise ValueError(f"unknown period kind {kind!r}; accepted: {', '.join(PERIOD_KINDS)}")


def parse_months(text: str) -> tuple[int, ...]:
    """The months a row runs in, from '11-3' (wrapping over the new year), '1,2,3,11,12', '11-12, 1-3', '全年'.
    Raises ValueError saying what is wrong."""
    folded = unicodedata.normalize("NFKC", str(text)).strip().lower()
    if folded in ("all", "year", "全年", "1-12"):
        return tuple(range(1, 13))
    folded = folded.replace("月", "").replace("至", "-").replace("~", "-").replace("–", "-").replace("—", "-")
    parts = [p.strip() for p in re.split(r"[,;，、;\s]+", folded) if p.strip()]
    if not parts:
        raise ValueError("no month given")
    months: set[int] = set()
    for part in parts:
        m = re.fullmatch(r"(\d{1,2})(?:-(\d{1,2}))?", part)
        if m is None:
            raise ValueError(f"'{part}' is not a month or a range of months")
        a = int(m.group(1))
        b = int(m.group(2)) if m.group(2) else a
        if not (1 <= a <= 12 and 1 <= b <= 12):
            raise ValueError(f"'{part}' is outside 1–12")
        span = range(a, b + 1) if a <= b else [*range(a, 13), *range(1, b + 1)]
        months.update(span)
    return tuple(sorted(months))


@dataclass(frozen=True)
class HeatingSeason:
    """One row of datasets/heating_seasons.csv: a heating season with its source and reliability tag."""

    key: str
    name: str
    name_zh: str
    start: tuple[int, int]  # (month, day), first day heated
    end: tuple[int, int]  # (month, day), last day heated
    grid_regions: tuple[str, ...]
    year: str
    region: str
    source: str
    tag: str

    def month_weights(self) -> np.ndarray:
        """The fraction of each month's days inside the season (12 values; the season may wrap over the new year)."""
        days = np.cumsum((0, *MONTH_DAYS))  # day-of-year offsets
        start = days[self.start[0] - 1] + self.start[1] - 1
        end = days[self.end[0] - 1] + self.end[1] - 1
        heated = np.zeros(365, dtype=bool)
        if start <= end:
            heated[start:end + 1] = True
        else:
            heated[start:] = True
            heated[:end + 1] = True
        return np.array([heated[days[m]:days[m + 1]].mean() for m in range(12)])

    def label(self) -> str:
        return f"{self.name} {self.start[0]}/{self.start[1]}–{self.end[0]}/{self.end[1]} ({self.source}; {self.tag})"


@cache
def heating_seasons() -> dict[str, HeatingSeason]:
    out: dict[str, HeatingSeason] = {}
    for r in read_records("heating_seasons"):
        out[r["key"]] = HeatingSeason(
            r["key"], r["name"], r["name_zh"], (int(r["start_month"]), int(r["start_day"])),
            (int(r["end_month"]), int(r["end_day"])), tuple(g for g in r["grid_regions"].split(";") if g),
            r["year"], r["region"], r["source"], r["tag"])
    return out


def heating_season_for(grid_region: str, key: str = "") -> HeatingSeason | None:
    """The park's heating season: the row `key` ([periods] heating_season) or the row for its grid region; None
    where neither names one (the south, or region 'national' without a key)."""
    seasons = heating_seasons()
    if key:
        return seasons[key]
    return next((s for s in seasons.values() if grid_region in s.grid_regions), None)


def month_weights(months: tuple[int, ...]) -> np.ndarray:
    """12 values: 1 in the months a row runs in."""
    w = np.zeros(12)
    w[[m - 1 for m in months]] = 1.0
    return w


def period_shares(weights: np.ndarray, kind: str) -> np.ndarray:
    """Each row's share of its annual quantity in each period (rows x periods): its months' hours, weighted by
    the fraction of each month it runs, normalised. A row that runs in no month gets zeros."""
    weights = np.atleast_2d(np.asarray(weights, dtype=float))
    member = np.array([[1.0 if m + 1 in p.months else 0.0 for m in range(12)] for p in periods(kind)])
    hours = weights * MONTH_HOURS
    total = hours.sum(axis=1, keepdims=True)
    monthly = np.divide(hours, total, out=np.zeros_like(hours), where=total > 0)
    result: np.ndarray = monthly @ member.T
    return result


PERIOD_NAMES_EN: dict[str, str] = {"year": "year", "heating": "heating season", "shoulder": "shoulder",
                                   "summer": "summer"}
MONTH_NAMES_EN: tuple[str, ...] = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def period_label(name: str, lang: str = "en") -> str:
    """A period's name to show: 'Jan' / '1月' for months, 'heating season' / '采暖季' for seasons."""
    zh = str(lang).startswith("zh")
    if name.isdigit() and 1 <= int(name) <= 12:
        return f"{int(name)}月" if zh else MONTH_NAMES_EN[int(name) - 1]
    return (PERIOD_NAMES_ZH if zh else PERIOD_NAMES_EN).get(name, name)


def period_order(name: str) -> int:
    """Where a period sorts: months in calendar order, seasons in SEASONS order."""
    if name.isdigit():
        return int(name)
    names = [s for s, _ in SEASONS]
    return names.index(name) if name in names else 0
