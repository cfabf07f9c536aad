"""Materials, water quality grades and baselines: the vocabulary a ledger is read with.

All three are tables in datasets/; each row may be named by its key, its Chinese or English name, or an alias.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from symbiosis.core.datasets import read_records
from symbiosis.core.errors import DatasetError
from symbiosis.core.i18n import pick, register, render
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
    # What a generic ledger word needs of a row to be read as this key (materials.csv context_*; blank: any):
    context_directions: tuple[str, ...] = ()
    context_t_min_c: float | None = None  # temperature_c >= this
    context_t_max_c: float | None = None  # temperature_c < this

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
            context_directions=_split(r.get("context_directions", "")),
            context_t_min_c=_float_or_none(r.get("context_t_min_c", "")),
            context_t_max_c=_float_or_none(r.get("context_t_max_c", "")),
        )
    return out


@dataclass(frozen=True)
class AliasSource:
    """One row of datasets/material_aliases.csv: a ledger word, the key it may name, and where the word is from."""

    alias: str
    key: str
    reading: str  # "name": the word names the key; "context": the word is read by the row it stands in
    source: str
    reliability: str  # seen (in the cited text), recalled (from the named document), own (the project's reading)


@cache
def material_aliases() -> tuple[AliasSource, ...]:
    """The sourced ledger words (datasets/material_aliases.csv), each checked against the materials table."""
    mats = materials()
    rows = tuple(AliasSource(alias=r["alias"].strip(), key=r["key"].strip(), reading=r["reading"].strip(),
                             source=r["source"].strip(), reliability=r["reliability"].strip())
                 for r in read_records("material_aliases"))
    for a in rows:
        if a.key not in mats or a.reading not in ("name", "context") or not a.source or \
                a.reliability not in ("seen", "recalled", "own"):
            raise DatasetError(f"material_aliases.csv: {a.alias!r} -> {a.key!r} ({a.reading}, {a.reliability}) "
                               "needs a material key, reading name|context, a source and seen|recalled|own")
    return rows


@cache
def material_vocabulary() -> Vocabulary:
    names: dict[str, tuple[str, ...]] = {m.key: (m.name_zh, m.name_en, *m.aliases) for m in materials().values()}
    for a in material_aliases():
        if a.reading == "name":
            names[a.key] = (*names[a.key], a.alias)
    return Vocabulary("materials", names)


@cache
def context_words() -> dict[str, tuple[str, ...]]:
    """Generic ledger words (folded) -> the keys they may name; the row's context chooses one (read_in_context).
    A word that names a key outright is never also a context word, and a name-reading word names one key."""
    vocab = material_vocabulary()
    out: dict[str, tuple[str, ...]] = {}
    named: dict[str, set[str]] = {}
    for a in material_aliases():
        norm = normalise_header(a.alias)
        if a.reading == "name":
            named.setdefault(norm, set()).add(a.key)
            continue
        if vocab.resolve(a.alias) is not None:
            raise DatasetError(f"material_aliases.csv: context word {a.alias!r} is already the name of "
                               f"{vocab.resolve(a.alias)!r}")
        if a.key not in out.get(norm, ()):
            out[norm] = (*out.get(norm, ()), a.key)
    clash = sorted(n for n in named if n in out)
    if clash:
        raise DatasetError(f"material_aliases.csv: {clash} are both names and context words")
    return out


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


# --- reading a generic ledger word by the row it stands in --------------------------------------------------------
UNIT_KINDS: tuple[str, ...] = ("mass", "volume", "energy", "gas")  # the amount kinds of units.parse_rate


def carries_steam(material: Material) -> bool:
    """A heat material given as steam (the same test as the unit conversion's steam enthalpy)."""
    return material.category == "heat" and "steam" in material.key


def accepts_unit(material: Material, kind: str, steam_unit: bool = False) -> bool:
    """Whether an amount of this kind (mass, volume, energy, gas = normal volume) converts to the material's
    canonical unit with a property the table states: the rule of units.to_canonical, read without converting
    (tests/test_context_names.py keeps the two the same). A unit that names steam (t/h 蒸汽) fits steam only."""
    if steam_unit and not carries_steam(material):
        return False
    if material.dimension == "mass":
        return kind == "mass" or (kind == "volume" and bool(material.density_t_per_m3)) or (
            kind == "gas" and bool(material.density_kg_per_nm3))
    if material.dimension == "volume":
        return kind == "volume" or (kind == "mass" and bool(material.density_t_per_m3))
    if kind == "energy":
        return True
    if kind == "mass":
        return carries_steam(material) or (bool(material.ncv_gj_per_t) and material.category != "heat")
    return kind in ("gas", "volume") and bool(material.ncv_gj_per_nm3)


@dataclass(frozen=True)
class MaterialContext:
    """What a row says besides its material word: the unit (as written, and the kind of amount it gives), the
    direction, the temperature and the baseline key. None: the row does not say."""

    unit: str = ""
    unit_kind: str | None = None
    steam_unit: bool = False
    direction: str | None = None
    temperature_c: float | None = None
    baseline: str | None = None


@dataclass(frozen=True)
class Reading:
    """How a material word was read: `how` is name (a name of the key), context (one key fits the row), ambiguous
    (several fit; `deciding` names the columns that would choose), no_fit (none fits) or unknown."""

    word: str
    key: str | None
    how: str
    candidates: tuple[str, ...] = ()
    fitting: tuple[str, ...] = ()
    deciding: tuple[str, ...] = ()
    head: str = ""  # the head the compound word was read by (窑头余热 -> 余热); "" when the word itself was read
    grade: str = ""  # the water grade the word names (冷却用水 -> cooling), on a water reading

    @property
    def modifier(self) -> str:
        """What stands before the head (窑头 of 窑头余热): kept, said in the note, not used to choose."""
        return self.word.strip()[: -len(self.head)].strip() if self.head else ""


def _fits_direction(m: Material, direction: str | None) -> bool:
    return direction is None or not m.context_directions or direction in m.context_directions


def _fits_temperature(m: Material, t: float | None) -> bool:
    return t is None or ((m.context_t_min_c is None or t >= m.context_t_min_c) and
                         (m.context_t_max_c is None or t < m.context_t_max_c))


def _fits_baseline(m: Material, baseline: str | None) -> bool:
    b = baselines().get(baseline) if baseline else None
    return b is None or (m.category in b.categories and _fits_direction(m, b.direction))


def fits_context(m: Material, ctx: MaterialContext) -> bool:
    unit_ok = ctx.unit_kind is None or accepts_unit(m, ctx.unit_kind, ctx.steam_unit)
    return unit_ok and _fits_direction(m, ctx.direction) and _fits_temperature(m, ctx.temperature_c) and \
        _fits_baseline(m, ctx.baseline)


def _deciding(keys: tuple[str, ...], ctx: MaterialContext) -> tuple[str, ...]:
    """The columns the row leaves open on which the keys differ: filling one of them would choose."""
    mats = [materials()[k] for k in keys]

    def differ(signature: Callable[[Material], object]) -> bool:
        return len({repr(signature(m)) for m in mats}) > 1

    out: list[str] = []
    if ctx.unit_kind is None and differ(lambda m: [accepts_unit(m, k) for k in UNIT_KINDS] + [carries_steam(m)]):
        out.append("unit")
    if ctx.direction is None and differ(lambda m: m.context_directions):
        out.append("direction")
    if ctx.temperature_c is None and differ(lambda m: (m.context_t_min_c, m.context_t_max_c)):
        out.append("temperature_c")
    if ctx.baseline is None and differ(lambda m: m.category):
        out.append("baseline")
    return (*out, "material")


# The head of a compound ledger word: its last part, which says what it is (窑头余热 is 余热 from the kiln hood,
# 含油废水 is 废水 that holds oil). A head is a word of the vocabulary, a name (废水, 污水, 烟气) or a context word
# of material_aliases.csv (余热, 冷却水, 煤气 ...), or (渣, 灰) stands for the keys named …渣/…灰 (head_keys). The
# longest head a word ends with is taken; what stands before it (the modifier) is kept but does not choose.
HEADS: tuple[str, ...] = ("冷却水", "余热", "废热", "废水", "污水", "热水", "煤气", "蒸汽", "烟气", "污泥", "渣",
                          "灰", "汽", "waste heat", "cooling water", "hot water", "wastewater", "flue gas", "steam")
# Heads that name more than the taxonomy has keys for (铜渣 is a 渣, but no key is copper slag; 发生炉煤气 is a
# 煤气, but not one of the three by-product gases): a compound read by one is never resolved, only said to be
# ambiguous, with the keys the head may mean and a more specific name as what decides. 渣 (…废渣 too) and 灰 are
# no word of their own: their keys are the keys with a Chinese name ending in them (高炉渣, 钢渣, 炉渣, 酒渣, 果渣
# ...; 粉煤灰, 底灰, 飞灰, 除尘灰, 石灰 ...).
OPEN_HEADS: frozenset[str] = frozenset({"煤气", "污泥", "渣", "灰"})
# Not heads, on purpose: 废气/尾气 (转炉废气 is converter gas, a fuel, not flue-gas heat) and a bare 水 (海水, 矿井水,
# 冲渣水 have no key); a water word is read by the use it names instead (_GRADE_SUPPLY).

# A water word that names a grade (water_grades.csv: 冷却用水, 洗涤用水, 生活用水 ...) is the water drawn for that
# use: the supply the substitution rules replace for it (substitutions.csv sub_061..066: reclaimed water replaces
# industrial water as cooling make-up and washing water and tap water for non-potable uses, condensate replaces
# demineralised water as boiler make-up and industrial water as process water). Landscape and irrigation water
# is drawn from either: the word stays ambiguous.
_GRADE_SUPPLY: dict[str, tuple[str, ...]] = {
    "potable": ("tap_water",), "demineralised": ("demineralised_water",), "process": ("industrial_water",),
    "cooling": ("industrial_water",), "washing": ("industrial_water",),
    "landscape": ("tap_water", "industrial_water"), "irrigation": ("tap_water", "industrial_water"),
}


def head_of(text: str) -> str:
    """The longest head (HEADS) the word ends with, leaving something before it ("" if none): 窑头余热 -> 余热,
    循环冷却水 -> 冷却水, kiln waste heat -> waste heat. An English head follows a space or hyphen."""
    folded = unicodedata.normalize("NFKC", text).strip().lower()
    for head in sorted(HEADS, key=len, reverse=True):
        if not folded.endswith(head) or len(folded) == len(head):
            continue
        before = folded[: -len(head)]
        if head.isascii() and before[-1:] not in (" ", "-", "_"):
            continue
        if before.strip(" -_"):
            return head
    return ""


def head_keys(head: str) -> tuple[str, ...]:
    """The keys a head may mean: the key it names, the keys of the context word it is, else (渣, 灰) the keys with
    a Chinese name or alias ending in it."""
    key = material_vocabulary().resolve(head)
    if key is not None:
        return (key,)
    return context_words().get(normalise_header(head)) or tuple(
        m.key for m in materials().values() if any(n.endswith(head) for n in (m.name_zh, *m.aliases)))


def water_grade_named(text: str) -> str:
    """The water grade a material word names (冷却用水, 循环冷却水, 生活用水 -> cooling, cooling, potable), or "".
    The loader may take it as the row's quality when the quality column is blank: a grade word names one grade."""
    return water_grade_vocabulary().resolve(text) or ""


def _choose(text: str, candidates: tuple[str, ...], ctx: MaterialContext, head: str = "",
            open_head: bool = False) -> Reading:
    """The key among `candidates` that fits the row, when exactly one does (the rule of every generic word)."""
    fitting = tuple(k for k in candidates if fits_context(materials()[k], ctx))
    if not fitting:
        return Reading(text, None, "no_fit", candidates, head=head)
    if len(fitting) == 1 and not open_head:
        key = fitting[0]
        grade = water_grade_named(text) if materials()[key].category == "water" else ""
        return Reading(text, key, "context", candidates, fitting, head=head, grade=grade)
    deciding = ("material",) if open_head else _deciding(fitting, ctx)
    return Reading(text, None, "ambiguous", candidates, fitting, deciding, head=head)


def read_material(text: str, ctx: MaterialContext | None = None) -> Reading:
    """A ledger's material word -> a key. A name of a key (materials.csv names and aliases, the name-reading rows of
    material_aliases.csv) is that key, whatever the row says. A generic word (a context row of
    material_aliases.csv: 余热, 循环水, 冷却水, 废气, 蒸汽 ...) is read by the row: the key among the ones it may
    name that fits the row's unit kind, direction, temperature and baseline, when exactly one does.

    A compound word the vocabulary does not hold is read by its head (head_of: 窑头余热 by 余热, 含油废水 by 废水)
    with the same rule, the head's keys as the candidates (a head that names one key must still fit the row);
    the modifier is kept on the Reading, not used to choose. A compound with an open head (OPEN_HEADS) is never
    resolved. Last, a water word naming a grade (冷却用水) is read as the supply of that grade (_GRADE_SUPPLY)."""
    key = material_vocabulary().resolve(text)
    if key is not None:
        return Reading(text, key, "name", (key,), (key,))
    ctx = ctx or MaterialContext()
    candidates = context_words().get(normalise_header(text))
    if candidates:
        return _choose(text, candidates, ctx)
    head = head_of(text)
    if head:
        return _choose(text, head_keys(head), ctx, head, open_head=head in OPEN_HEADS)
    grade = water_grade_named(text)
    if grade in _GRADE_SUPPLY:
        return _choose(text, _GRADE_SUPPLY[grade], ctx)
    return Reading(text, None, "unknown")


def reading_note(reading: Reading, ctx: MaterialContext) -> str:
    """The note a row read in context carries: "read '窑头余热' by its head '余热' as hot_water_heat: unit GJ/a,
    output, at 85 °C" (the head, and the water grade the word names, said when they were used)."""
    how = f" by its head '{reading.head}'" if reading.head else ""
    grade = f" (water for use '{reading.grade}')" if reading.grade else ""
    return f"read '{reading.word}'{how} as {reading.key}{grade}: {describe_context(ctx)}"


def describe_context(ctx: MaterialContext, lang: str = "en") -> str:
    """What the row says, as a reader sees it: "unit GJ/a, output, 85 °C" (codes context.* of errors.py)."""
    parts: list[str] = []
    if ctx.unit:
        parts.append(render("context.unit", lang, unit=ctx.unit))
    if ctx.direction in ("output", "input"):
        parts.append(render(f"context.direction.{ctx.direction}", lang))
    if ctx.temperature_c is not None:
        parts.append(render("context.temperature", lang, temperature=f"{ctx.temperature_c:g}"))
    if ctx.baseline:
        parts.append(render("context.baseline", lang, baseline=ctx.baseline))
    return render("context.sep", lang).join(parts) or render("context.nothing", lang)


def describe_deciding(columns: tuple[str, ...], lang: str = "en") -> str:
    return render("context.or", lang).join(render(f"context.column.{c}", lang) for c in columns)


def describe_keys(keys: tuple[str, ...]) -> str:
    mats = materials()
    return ", ".join(f"{k} ({mats[k].name_zh})" for k in keys)
