"""Seeded synthetic parks of any size, for benchmarks, tests and workshops.

Enterprises are drawn from the sector archetypes in datasets/sectors.csv, each with the streams its sector
has (datasets/sector_streams.csv: median quantity, log-normal spread, probability, temperatures, baseline), and
placed in space the way parks are: industrial zones of a few km inside a park, parks tens of km apart in a
province. Candidate density and heat structure thus follow real parks rather than uniform noise. The result
goes through the same loader and validation as a user's ledger.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from symbiosis.core.datasets import read_records
from symbiosis.core.loader import RawPackage, RawTable, build_park
from symbiosis.core.park import Park, ParkConfig

# Sectors every park of this size has one of: the utilities that make a park a park.
ANCHOR_SECTORS: tuple[str, ...] = ("chp", "wwtp", "district_heating")


@dataclass(frozen=True)
class GeneratorSettings:
    enterprises: int
    seed: int = 0
    enterprises_per_park: int = 150
    park_spacing_km: float = 60.0
    zone_spread_km: float = 0.8
    region: str = "east"
    year: int = 2023


def _sectors() -> tuple[list[str], np.ndarray, dict[str, tuple[str, str]]]:
    rows = read_records("sectors")
    names = [r["sector"] for r in rows]
    weights = np.array([float(r["weight"]) for r in rows])
    labels = {r["sector"]: (r["name_zh"], r["name_en"]) for r in rows}
    return names, weights / weights.sum(), labels


def _sector_streams() -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = {}
    for r in read_records("sector_streams"):
        out.setdefault(r["sector"], []).append(r)
    return out


def generate_tables(settings: GeneratorSettings) -> tuple[pd.DataFrame, pd.DataFrame, ParkConfig]:
    """The ledger tables (as a user would write them) and the park.toml config of a synthetic park."""
    if settings.enterprises < 1:
        raise ValueError("a park needs at least one enterprise")
    rng = np.random.default_rng(settings.seed)
    names, weights, labels = _sectors()
    templates = _sector_streams()
    n_parks = max(1, math.ceil(settings.enterprises / settings.enterprises_per_park))
    side = math.ceil(math.sqrt(n_parks))
    sizes = np.full(n_parks, settings.enterprises // n_parks)
    sizes[: settings.enterprises % n_parks] += 1
    enterprise_rows: list[dict[str, object]] = []
    stream_rows: list[dict[str, object]] = []
    counter = 0
    for p, size in enumerate(sizes):
        centre = np.array([(p % side) * settings.park_spacing_km, (p // side) * settings.park_spacing_km])
        anchors = [s for s in ANCHOR_SECTORS if size >= 10 * (ANCHOR_SECTORS.index(s) + 1)]
        drawn = list(rng.choice(names, size=int(size) - len(anchors), p=weights))
        sectors = anchors + drawn
        radius = 0.5 * math.sqrt(size)  # km: ~50 enterprises fill a park of about 3.5 km radius
        zones = {s: centre + rng.uniform(-radius, radius, size=2) for s in names}
        for sector in sectors:
            counter += 1
            eid = f"P{p + 1:02d}E{counter:05d}"
            x, y = zones[sector] + rng.normal(0.0, settings.zone_spread_km, size=2)
            zh, en = labels[sector]
            enterprise_rows.append({"enterprise_id": eid, "name": f"{zh}{counter} / {en} {counter}",
                                    "sector": sector, "x_km": round(float(x), 3), "y_km": round(float(y), 3)})
            for t in templates.get(sector, []):
                if rng.random() > float(t["probability"]):
                    continue
                quantity = float(t["median_quantity"]) * math.exp(rng.normal(0.0, float(t["spread"])))
                stream_rows.append({
                    "enterprise_id": eid, "direction": t["direction"], "material": t["material"],
                    "quantity": round(quantity, 1), "unit": t["unit"], "temperature_c": t["temperature_c"],
                    "temperature_return_c": t["temperature_return_c"], "quality": t["quality"],
                    "baseline": t["baseline"], "hazardous_code": t["hazardous_code"],
                })
    config = ParkConfig(name=f"Synthetic park n={settings.enterprises} seed={settings.seed}",
                        name_zh=f"合成园区 n={settings.enterprises} 种子={settings.seed}",
                        region=settings.region, year=settings.year)
    return pd.DataFrame(enterprise_rows), pd.DataFrame(stream_rows), config


def generate_park(enterprises: int, seed: int = 0, **kwargs: object) -> Park:
    """A synthetic park of `enterprises` enterprises, the same for the same seed, validated like a user's."""
    settings = GeneratorSettings(enterprises=enterprises, seed=seed, **kwargs)  # type: ignore[arg-type]
    ents, streams, config = generate_tables(settings)
    package = RawPackage(source=f"generated:{enterprises}:{seed}")
    for name, table in (("enterprises", ents), ("streams", streams)):
        text = table.astype(str).replace({"nan": ""})
        package.tables[name] = RawTable(label=f"{name}.csv", frame=text, rows=list(range(2, len(text) + 2)))
    package.config_text = config.to_toml()
    return build_park(package)


def write_generated(enterprises: int, seed: int, out: str | Path, **kwargs: object) -> Path:
    """Write a synthetic park as a data package folder."""
    return generate_park(enterprises, seed, **kwargs).to_folder(out)
