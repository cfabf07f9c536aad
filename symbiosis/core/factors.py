"""Emission factors with their provenance, looked up by id, by role, or for the park's grid region and year.

Every number used in accounting comes back as a `Factor` carrying value, unit, year, region, source and
reliability, so a link or an indicator can list the rows it used. park.toml `factor_overrides` replace a value
and mark the row as overridden.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from symbiosis.core.datasets import read_records
from symbiosis.core.errors import DatasetError
from symbiosis.core.park import ParkConfig


@dataclass(frozen=True)
class Factor:
    factor_id: str
    name_zh: str
    name_en: str
    value: float
    unit: str
    scope_role: str
    applies_to: str
    region: str
    year: str
    source: str
    reliability: str
    notes: str = ""
    overridden: bool = False

    def as_record(self) -> dict[str, object]:
        return {"factor_id": self.factor_id, "name_zh": self.name_zh, "name_en": self.name_en, "value": self.value,
                "unit": self.unit, "scope_role": self.scope_role, "applies_to": self.applies_to,
                "region": self.region, "year": self.year, "source": self.source, "reliability": self.reliability,
                "overridden": self.overridden}


@cache
def _all_factors() -> dict[str, Factor]:
    out: dict[str, Factor] = {}
    for r in read_records("emission_factors"):
        fid = r["factor_id"]
        try:
            value = float(r["value"])
        except ValueError as exc:
            raise DatasetError(f"emission_factors.csv: {fid} has value {r['value']!r}") from exc
        if fid in out:
            raise DatasetError(f"emission_factors.csv: factor_id {fid} appears twice")
        out[fid] = Factor(fid, r["name_zh"], r["name_en"], value, r["unit"], r["scope_role"], r["applies_to"],
                          r["region"], r["year"], r["source"], r["reliability"], r["notes"])
    return out


def factor_ids() -> list[str]:
    """Every factor_id of datasets/emission_factors.csv."""
    return list(_all_factors())


LANDFILL_PREFIX = "landfill_ch4:"


class FactorTable:
    """The factor rows in force for one park (shipped rows with the park's overrides applied)."""

    def __init__(self, config: ParkConfig | None = None, overrides: dict[str, float] | None = None):
        self.config = config or ParkConfig()
        merged = dict(self.config.factor_overrides)
        merged.update(overrides or {})
        base = _all_factors()
        unknown = sorted(set(merged) - set(base))
        if unknown:
            raise DatasetError(f"factor overrides name unknown factor_id(s): {', '.join(unknown)}")
        self.factors = {k: replace(f, value=merged[k], overridden=True) if k in merged else f
                        for k, f in base.items()}

    def get(self, factor_id: str) -> Factor:
        """A row by id; also a row the rule-book computes from other rows (landfill methane `landfill_ch4:<key>`,
        symbiosis.core.landfill), so every id a link or indicator cites can be looked up."""
        if factor_id in self.factors:
            return self.factors[factor_id]
        if factor_id.startswith(LANDFILL_PREFIX):
            from symbiosis.core.landfill import landfill_factor  # computed from this table's parameter rows

            computed = landfill_factor(factor_id[len(LANDFILL_PREFIX):], self)
            if computed is not None and computed.factor_id == factor_id:
                return computed
        raise DatasetError(f"no emission factor with id {factor_id!r}")

    def find(self, scope_role: str, applies_to: str) -> Factor | None:
        """The default row for a role and subject: the one whose id is listed first in the table."""
        for f in self.factors.values():
            if f.scope_role == scope_role and f.applies_to == applies_to:
                return f
        return None

    def grid(self, region: str | None = None, year: int | None = None) -> Factor:
        """Grid electricity factor for the park's region and year: that year, else the nearest earlier, else latest."""
        region = region or self.config.region
        year = year or self.config.year
        rows = [f for f in self.factors.values() if f.scope_role == "scope2_electricity" and f.applies_to == region
                and f.year.isdigit()]
        if not rows:
            rows = [f for f in self.factors.values() if f.scope_role == "scope2_electricity"
                    and f.applies_to == "national" and f.year.isdigit()]
        if not rows:
            raise DatasetError("emission_factors.csv has no grid electricity factor")
        earlier = [f for f in rows if int(f.year) <= year]
        pool = earlier or rows
        best_year = max(int(f.year) for f in pool) if earlier else min(int(f.year) for f in pool)
        return next(f for f in pool if int(f.year) == best_year)

    def all(self) -> list[Factor]:
        return list(self.factors.values())
