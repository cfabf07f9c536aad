"""Materials, water quality grades and baselines: the vocabulary a ledger is read with.

All three are tables in datasets/; each row may be named by its key, its Chinese or English name, or an alias.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cache

from symbiosis.core.datasets import read_records
from symbiosis.core.errors import DatasetError
from symbiosis.core.i18n import pick, register
from symbiosis.core.schema import normalise_header

CATEGORIES: tuple[str, ...] = ("solid", "organic", "raw_material", "liquid", "gas", "water", "wastewater", "heat",
                               "energy")
# Vocabularies in the one catalogue (codes "category.<key>", "dimension.<key>"): name them with i18n.word.
CATEGORY_NAMES = register("category", {
    "solid": ("Solid by-products and wastes", "固体副产物与废物"),
    "organic": ("Organic residues and sludge", "有机残渣与污泥"),
    "raw_material": ("Raw materials", "原材料"),
    "liquid": ("Liquids and chemicals", "液体与化学品"),
    "gas": ("Gases", "气体"),
    "water": ("Water", "水"),
    "wastewater": ("Wastewater", "废水"),
    "heat": ("Heat", "热"),
    "energy": ("Energy carriers", "能源"),
})
DIMENSIONS: dict[str, str] = {"mass": "t/a", "volume": "m3/a", "energy": "GJ/a"}
DIMENSION_NAMES = register("dimension", {"mass": ("mass", "质量"), "volume": ("volume", "体积"),
                                         "energy": ("energy", "能量")})


def _float_or_none(text: str) -> float | None:
    text = text.strip()
    return float(text) if text else None


@dataclass(frozen=True)
class Material:
    key: str
    name_zh: str
    name_en: str
    category: str
    dimension: str
    aliases: tuple[str, ...]
    ncv_gj_per_t: float | None
    ncv_gj_per_nm3: float | None
    density_kg_per_nm3: float | None
    density_t_per_m3: float | None
    is_clean_energy: bool
    is_fossil_fuel: bool
    hazardous_code_typical: str

    @property
    def canonical_unit(self) -> str:
        return DIMENSIONS[self.dimension]

    def name(self, lang: str = "en") -> str:
        return pick(self.name_en, self.name_zh, lang)


@dataclass(frozen=True)
class WaterGrade:
    grade: str
    rank: int
    name_zh: str
    name_en: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Baseline:
    baseline: str
    direction: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...]
    categories: tuple[str, ...]
    scope: str
    factor_id: str
    efficiency_factor_id: str


def _split(text: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in text.split(";") if a.strip())


class Vocabulary:
    """Names -> keys for one reference table, with nearest-name suggestions for typos."""

    def __init__(self, table: str, names_by_key: dict[str, tuple[str, ...]]):
        self.table = table
        self.lookup: dict[str, str] = {}
        for key, names in names_by_key.items():
            for name in (key, *names):
                norm = normalise_header(name)
                if not norm:
                    continue
                other = self.lookup.setdefault(norm, key)
                if other != key:
                    raise DatasetError(f"{table}: the name '{name}' means both '{other}' and '{key}'")
        self.display = {normalise_header(n): n for k, ns in names_by_key.items() for n in (k, *ns)}

    def resolve(self, text: str) -> str | None:
        return self.lookup.get(normalise_header(text))

    def suggest(self, text: str, n: int = 3) -> list[str]:
        norm = normalise_header(text)
        close = difflib.get_close_matches(norm, list(self.lookup), n=n * 3, cutoff=0.5)
        keys: list[str] = []
        for c in close:
            key = self.lookup[c]
            if key not in keys:
                keys.append(key)
        return keys[:n]


@cache
def materials() -> dict[str, Material]:
    out: dict[str, Material] = {}
    for r in read_records("materials"):
        if r["category"] not in CATEGORIES or r["dimension"] not in DIMENSIONS:
            raise DatasetError(f"materials.csv: {r['key']} has category {r['category']!r} / "
                               f"dimension {r['dimension']!r}")
        out[r["key"]] = Material(
            key=r["key"], name_zh=r["name_zh"], name_en=r["name_en"], category=r["category"],
            dimension=r["dimension"], aliases=_split(r["aliases"]), ncv_gj_per_t=_float_or_none(r["ncv_gj_per_t"]),
            ncv_gj_per_nm3=_float_or_none(r["ncv_gj_per_nm3"]),
            density_kg_per_nm3=_float_or_none(r["density_kg_per_nm3"]),
            density_t_per_m3=_float_or_none(r["density_t_per_m3"]),
            is_clean_energy=r["is_clean_energy"].strip().lower() == "true",
            is_fossil_fuel=r["is_fossil_fuel"].strip().lower() == "true",
            hazardous_code_typical=r["hazardous_code_typical"].strip(),
        )
    return out


@cache
def material_vocabulary() -> Vocabulary:
    return Vocabulary("materials", {m.key: (m.name_zh, m.name_en, *m.aliases) for m in materials().values()})


@cache
def water_grades() -> dict[str, WaterGrade]:
    return {
        r["grade"]: WaterGrade(grade=r["grade"], rank=int(r["rank"]), name_zh=r["name_zh"], name_en=r["name_en"],
                               aliases=_split(r["aliases"]))
        for r in read_records("water_grades")
    }


# The endings a water-grade word is written with or without: 冷却水, 冷却用水 and 冷却 are one grade, as are
# "cooling water" and "cooling". What is left keeps at least two characters (纯水 is not 纯).
_WATER_ENDINGS: tuple[str, ...] = ("用水", "水", "water")


def water_grade_forms(text: str) -> tuple[str, ...]:
    """A grade word folded like a header, then without each water ending it has: 生活饮用水 -> 生活饮用水, 生活饮,
    生活饮用. Two words name the same grade when their forms meet (冷却 and 冷却水 meet in 冷却)."""
    norm = normalise_header(text)
    forms = [norm]
    for ending in _WATER_ENDINGS:
        if norm.endswith(ending) and len(norm) - len(ending) >= 2:
            forms.append(norm[: -len(ending)])
    return tuple(forms)


class WaterGradeVocabulary(Vocabulary):
    """Grade names as written in the table, and each of them with or without its water ending (用水, 水, water).

    An exact name wins; then the forms of the text (water_grade_forms) are looked up among the forms of every
    name. A form two grades share is not used, so an ending never makes a name ambiguous.
    """

    def __init__(self, table: str, names_by_key: dict[str, tuple[str, ...]]):
        super().__init__(table, names_by_key)
        keys_by_form: dict[str, set[str]] = {}
        for key, names in names_by_key.items():
            for name in (key, *names):
                for form in water_grade_forms(name):
                    keys_by_form.setdefault(form, set()).add(key)
        self.forms = {form: next(iter(keys)) for form, keys in keys_by_form.items() if form and len(keys) == 1}

    def resolve(self, text: str) -> str | None:
        exact = self.lookup.get(normalise_header(text))
        if exact is not None:
            return exact
        return next((self.forms[f] for f in water_grade_forms(text) if f in self.forms), None)


@cache
def water_grade_vocabulary() -> Vocabulary:
    return WaterGradeVocabulary("water_grades",
                                {g.grade: (g.name_zh, g.name_en, *g.aliases) for g in water_grades().values()})


@cache
def baselines() -> dict[str, Baseline]:
    return {
        r["baseline"]: Baseline(
            baseline=r["baseline"], direction=r["direction"], name_zh=r["name_zh"], name_en=r["name_en"],
            aliases=_split(r["aliases"]), categories=_split(r["applies_to_categories"]), scope=r["scope"],
            factor_id=r["factor_id"].strip(), efficiency_factor_id=r["efficiency_factor_id"].strip(),
        )
        for r in read_records("baselines")
    }


@cache
def baseline_vocabulary() -> Vocabulary:
    return Vocabulary("baselines", {b.baseline: (b.name_zh, b.name_en, *b.aliases) for b in baselines().values()})


DIRECTIONS: dict[str, str] = {
    "output": "output", "out": "output", "产出": "output", "输出": "output", "排放": "output", "产生": "output",
    "input": "input", "in": "input", "投入": "input", "输入": "input", "消耗": "input", "需求": "input",
}


def resolve_direction(text: str) -> str | None:
    return DIRECTIONS.get(normalise_header(text))
