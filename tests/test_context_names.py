"""Names read in context (issue 15 item 1): a generic ledger word is read by the row it stands in.

Each dimension that chooses (unit, direction, temperature, baseline, a unit naming steam), an ambiguous word, a
word no key of which fits, an unknown word, the note on the row, the sourced vocabulary, and the demo park
loading without a warning. A compound word is read by its head (窑头余热 by 余热) with the head's rules; an open
head (渣, 灰, 煤气, 污泥) is never resolved; a water word naming a grade (冷却用水) is read as that grade's supply.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
from park_builders import BASIC_STREAMS, write_park

from symbiosis import ParkError, load_park
from symbiosis.core.errors import Problem
from symbiosis.core.i18n import render
from symbiosis.core.taxonomy import (
    UNIT_KINDS,
    MaterialContext,
    accepts_unit,
    context_words,
    head_of,
    material_aliases,
    material_vocabulary,
    materials,
    read_material,
    reading_note,
)
from symbiosis.core.units import UnitError, to_canonical

ROOT = Path(__file__).resolve().parent.parent
# material, quantity, unit, temperature, return temperature, baseline: one row of E1 appended to the basic park
Row = tuple[str, str, object, str, object, object, str]


def loaded(tmp: Path, *rows: Row) -> tuple[list[Problem], object]:
    """Load the basic park with `rows` added for E1; (problems, park or None)."""
    streams = [list(r) for r in BASIC_STREAMS]
    for direction, material, q, unit, t, tr, baseline in rows:
        streams.append(["E1", direction, material, q, unit, t, tr, "", baseline, "", 8000])
    folder = write_park(tmp / "park", streams=streams)
    try:
        park = load_park(folder)
    except ParkError as error:
        return error.problems, None
    return list(park.warnings), park


def about(problems: list[Problem], code: str) -> list[Problem]:
    return [p for p in problems if p.code == code and p.column == "material"]


def test_unit_decides_circulating_water(tmp_path: Path) -> None:
    """循环水 in GJ is the heat of cooling water; in m³ as an input it is the water drawn for it."""
    problems, park = loaded(tmp_path, ("output", "循环水", 50000, "GJ/a", 35, 28, "discharge"),
                            ("input", "循环水", 20, "万m³/a", "", "", "tap_water"))
    assert park is not None
    read = about(problems, "material_read_in_context")
    assert [(p.row, p.value, p.accepted, p.severity) for p in read] == [
        (10, "循环水", "cooling_water_heat", "warning"), (11, "循环水", "industrial_water", "warning")]
    streams = park.streams.set_index("source_row")  # type: ignore[attr-defined]
    assert streams.loc[10, "material"] == "cooling_water_heat"
    assert streams.loc[11, "material"] == "industrial_water" and streams.loc[11, "quantity"] == 200_000


def test_temperature_decides_waste_heat_and_the_row_says_so(tmp_path: Path) -> None:
    """余热 in GJ/a at 85 °C is hot-water waste heat; at 35 °C cooling-water heat; said in both languages and
    noted on the row (conversion_note), never silently."""
    problems, park = loaded(tmp_path, ("output", "余热", 30000, "GJ/a", 85, 50, "discharge"),
                            ("output", "余热", 30000, "GJ/a", 35, 25, "discharge"))
    assert park is not None
    read = about(problems, "material_read_in_context")
    assert [p.accepted for p in read] == ["hot_water_heat", "cooling_water_heat"]
    en, zh = read[0].text("en"), read[0].text("zh")
    assert "'余热'" in en and "hot_water_heat" in en and "GJ/a" in en and "85 °C" in en and "output" in en
    assert "热水余热" in zh and "产出" in zh and "85 °C" in zh
    note = park.streams.set_index("source_row").loc[10, "conversion_note"]  # type: ignore[attr-defined]
    assert note == "read '余热' as hot_water_heat: unit GJ/a, output, at 85 °C, baseline discharge"


def test_a_unit_naming_steam_decides(tmp_path: Path) -> None:
    """余热 at 150 °C in GJ may be steam or flue gas; in t/h of steam it is waste steam."""
    problems, park = loaded(tmp_path, ("output", "余热", 5, "t/h", 150, 100, "vent"))
    assert park is not None
    assert [p.accepted for p in about(problems, "material_read_in_context")] == ["waste_steam"]
    assert read_material("余热", MaterialContext("t/h蒸汽", "mass", True, "output", 150)).key == "waste_steam"


def test_direction_decides_steam_and_hot_water() -> None:
    ctx = MaterialContext("GJ/a", "energy")
    assert read_material("蒸汽", MaterialContext("GJ/a", "energy", direction="input", temperature_c=180)).key \
        == "process_steam"
    assert read_material("蒸汽", MaterialContext("GJ/a", "energy", direction="output", temperature_c=180)).key \
        == "waste_steam"
    assert read_material("热水", MaterialContext("GJ/a", "energy", direction="input")).key == "hot_water_demand"
    assert read_material("热水", MaterialContext("GJ/a", "energy", direction="output", temperature_c=70)).key \
        == "hot_water_heat"
    open_ = read_material("热水", ctx)
    assert open_.how == "ambiguous" and "direction" in open_.deciding


def test_baseline_decides_effluent(tmp_path: Path) -> None:
    """外排水 in m³ as an output is effluent or wastewater; sold (外售), it is treated effluent (wastewater is not
    sold); without a baseline the error names both and the baseline as the column that decides."""
    problems, park = loaded(tmp_path, ("output", "外排水", 10, "万m³/a", "", "", "外售"))
    assert park is not None
    assert [p.accepted for p in about(problems, "material_read_in_context")] == ["treated_effluent"]
    problems, park = loaded(tmp_path / "b", ("output", "外排水", 10, "万m³/a", "", "", ""))
    assert park is None
    amb = about(problems, "material_ambiguous")
    assert len(amb) == 1 and amb[0].row == 10 and amb[0].severity == "error"
    assert "treated_effluent" in amb[0].accepted and "wastewater" in amb[0].accepted
    assert "the baseline" in amb[0].text("en") and "现状" in amb[0].text("zh")


def test_an_ambiguous_word_names_the_candidates_and_the_deciding_column(tmp_path: Path) -> None:
    """余热 in GJ/a without a temperature: four keys fit; the error names them and the temperature."""
    problems, park = loaded(tmp_path, ("output", "余热", 30000, "GJ/a", "", "", "discharge"))
    assert park is None
    amb = about(problems, "material_ambiguous")
    assert len(amb) == 1
    p = amb[0]
    assert (p.file, p.row, p.column, p.value) == ("streams.csv", 10, "material", "余热")
    for key in ("waste_steam", "flue_gas_heat", "hot_water_heat", "cooling_water_heat"):
        assert key in p.accepted
    assert "the temperature" in p.text("en") and "温度" in p.text("zh")
    # a word no column can settle (SW01 冶炼废渣: blast-furnace or steel slag) asks for a more specific name
    slag = read_material("冶炼废渣", MaterialContext("t/a", "mass", direction="output", baseline="landfill"))
    assert slag.how == "ambiguous" and slag.deciding == ("material",)


def test_a_word_none_of_whose_keys_fits_is_an_error(tmp_path: Path) -> None:
    """废气 (exhaust) is read as flue-gas heat only with an energy unit: in Nm³ no key fits."""
    problems, park = loaded(tmp_path, ("output", "废气", 500, "万Nm³/a", "", "", "vent"))
    assert park is None
    (p,) = about(problems, "material_no_fit")
    assert "flue_gas_heat" in p.accepted and "万Nm³/a" in p.text("en")


def test_an_unknown_word_stays_an_error_with_the_nearest_names(tmp_path: Path) -> None:
    problems, park = loaded(tmp_path, ("output", "粉煤会", 10, "t/a", "", "", "landfill"))
    assert park is None
    (p,) = about(problems, "unknown_material")
    assert p.row == 10 and "fly_ash" in p.accepted and p.severity == "error"


HEAT_85 = MaterialContext("GJ/a", "energy", direction="output", temperature_c=85)
HEAT_35 = MaterialContext("GJ/a", "energy", direction="output", temperature_c=35)
WATER_IN = MaterialContext("万m³/a", "volume", direction="input")
WATER_OUT = MaterialContext("万m³/a", "volume", direction="output")


@pytest.mark.parametrize(("word", "head", "ctx", "key"), [
    ("窑头余热", "余热", HEAT_85, "hot_water_heat"),  # a context word as head: temperature decides
    ("窑头余热", "余热", HEAT_35, "cooling_water_heat"),
    ("冷凝器冷却水", "冷却水", HEAT_35, "cooling_water_heat"),  # unit decides: heat in GJ, water in m³
    ("冷凝器冷却水", "冷却水", WATER_IN, "industrial_water"),
    ("含油废水", "废水", WATER_OUT, "wastewater"),  # a name as head: the one key, which must fit the row
    ("蒸发用汽", "汽", MaterialContext("GJ/a", "energy", direction="input", temperature_c=120), "process_steam"),
    ("kiln waste heat", "waste heat", HEAT_85, "hot_water_heat"),
])
def test_a_compound_is_read_by_its_head_with_the_rules_of_the_head(word: str, head: str, ctx: MaterialContext,
                                                                   key: str) -> None:
    """The head is the longest known last part; the compound reads as the bare head would in the same row, and
    the modifier is kept, said in the note, not used to choose."""
    assert head_of(word) == head
    reading = read_material(word, ctx)
    assert (reading.how, reading.key, reading.head) == ("context", key, head)
    bare = read_material(head, ctx)
    assert bare.key == key and bare.head == ""
    assert reading.modifier == word[: -len(head)].strip()
    note = reading_note(reading, ctx)
    assert note.startswith(f"read '{word}' by its head '{head}' as {key}: ")


def test_a_compound_loads_with_its_reading_said(tmp_path: Path) -> None:
    problems, park = loaded(tmp_path, ("output", "窑头余热", 30000, "GJ/a", 85, 50, "discharge"),
                            ("output", "含油废水", 5, "万m³/a", "", "", "wastewater_treatment"))
    assert park is not None
    read = about(problems, "material_read_in_context")
    assert [(p.value, p.accepted, p.severity) for p in read] == [
        ("窑头余热", "hot_water_heat", "warning"), ("含油废水", "wastewater", "warning")]
    streams = park.streams.set_index("source_row")  # type: ignore[attr-defined]
    assert list(streams.loc[[10, 11], "material"]) == ["hot_water_heat", "wastewater"]


def test_a_head_that_fits_several_keys_stays_ambiguous(tmp_path: Path) -> None:
    """窑头余热 without a temperature: the four heat keys of 余热 fit, the temperature decides; the loader's error
    names them. A head that names one key which does not fit the row is no fit, not a guess."""
    reading = read_material("窑头余热", MaterialContext("GJ/a", "energy", direction="output"))
    assert reading.how == "ambiguous" and reading.head == "余热" and "temperature_c" in reading.deciding
    assert set(reading.fitting) == {"waste_steam", "flue_gas_heat", "hot_water_heat", "cooling_water_heat"}
    problems, park = loaded(tmp_path, ("output", "窑头余热", 30000, "GJ/a", "", "", "discharge"))
    assert park is None
    (p,) = about(problems, "material_ambiguous")
    assert p.value == "窑头余热" and "hot_water_heat" in p.accepted and "the temperature" in p.text("en")
    assert read_material("含油废水", HEAT_85).how == "no_fit"  # wastewater is not counted in GJ


@pytest.mark.parametrize(("word", "ctx", "keys"), [
    ("放散煤气", MaterialContext("万Nm³/a", "gas", direction="output"), {"bf_gas", "coke_oven_gas", "converter_gas"}),
    ("铜渣", MaterialContext("t/a", "mass", direction="output"), {"bf_slag", "steel_slag", "bottom_ash"}),
    ("烟道灰", MaterialContext("t/a", "mass", direction="output"), {"fly_ash", "iron_dust_sludge"}),
    ("电镀污泥", MaterialContext("t/a", "mass", direction="output"), {"sewage_sludge", "iron_dust_sludge"}),
])
def test_an_open_head_is_never_resolved(word: str, ctx: MaterialContext, keys: set[str]) -> None:
    """煤气, 污泥, 渣, 灰 name more than the taxonomy has keys for (发生炉煤气, 铜渣): a compound read by one is
    ambiguous among the head's keys, and only a more specific name decides."""
    reading = read_material(word, ctx)
    assert reading.how == "ambiguous" and reading.key is None and reading.deciding == ("material",)
    assert keys <= set(reading.fitting)


@pytest.mark.parametrize("word", ["废活性炭", "生产用水", "转炉废气", "海水"])
def test_a_compound_whose_head_is_unknown_stays_unknown(word: str) -> None:
    """活性炭 is no head; 生产 names no water grade; 废气 is not a head on purpose (转炉废气 is converter gas, a
    fuel, not flue-gas heat); a bare 水 is no head (海水 has no key)."""
    assert head_of(word) == "" and read_material(word, WATER_IN).how == "unknown"


def test_a_water_word_is_read_by_the_grade_it_names() -> None:
    """冷却用水 names the cooling grade: drawn (an input), it is industrial water, the supply reclaimed water
    replaces for cooling; 生活用水 is tap water. The grade is on the reading for the row's quality. Given out (an
    output) no supply key fits: a grade word does not say what leaves."""
    cooling = read_material("冷却用水", WATER_IN)
    assert (cooling.how, cooling.key, cooling.grade) == ("context", "industrial_water", "cooling")
    assert reading_note(cooling, WATER_IN).startswith("read '冷却用水' as industrial_water (water for use 'cooling')")
    potable = read_material("生活用水", WATER_IN)
    assert (potable.key, potable.grade) == ("tap_water", "potable")
    assert read_material("冷却用水", WATER_OUT).how == "no_fit"
    recirculating = read_material("循环冷却水", WATER_IN)  # by its head 冷却水, and the grade it names
    assert (recirculating.key, recirculating.head, recirculating.grade) == ("industrial_water", "冷却水", "cooling")


def test_names_win_over_context_and_existing_rows_load_silently(tmp_path: Path) -> None:
    """A name of a key is that key whatever the row says: no reading, no warning."""
    assert read_material("余热蒸汽", MaterialContext("GJ/a", "energy", direction="input")).how == "name"
    problems, park = loaded(tmp_path, ("output", "烟道气", 20, "MW", 300, 150, "vent"),
                            ("output", "SW02", 1000, "t/a", "", "", "landfill"))
    assert park is not None and not about(problems, "material_read_in_context")
    assert set(park.streams["material"]) >= {"flue_gas_heat", "fly_ash"}  # type: ignore[attr-defined]


def test_an_exchange_reads_a_generic_word_as_what_its_supplier_gives(tmp_path: Path) -> None:
    exchanges = "supplier_id,receiver_id,material,quantity,unit\nE1,E3,蒸汽,1000,GJ/a\n"
    folder = write_park(tmp_path / "park", exchanges=exchanges)
    park = load_park(folder)
    assert list(park.exchanges["material"]) == ["waste_steam"]
    assert [p.code for p in park.warnings if p.file == "exchanges.csv"] == ["material_read_in_context"]


@pytest.mark.parametrize("key", sorted(materials()))
def test_unit_fit_is_the_conversion_rule(key: str) -> None:
    """accepts_unit (read without converting) agrees with units.to_canonical for every material and kind."""
    unit = {"mass": "t/a", "volume": "m3/a", "energy": "GJ/a", "gas": "Nm3/a"}
    m = materials()[key]
    for kind in UNIT_KINDS:
        try:
            to_canonical(1.0, unit[kind], m, None, 150.0, 100.0)
            converts = True
        except UnitError:
            converts = False
        assert accepts_unit(m, kind) == converts, (key, kind)


def test_every_alias_is_sourced_and_context_words_are_not_names() -> None:
    rows = material_aliases()
    assert len(rows) >= 100 and all(a.source and a.reliability in ("seen", "recalled", "own") for a in rows)
    vocab = material_vocabulary()
    for word, keys in context_words().items():
        assert vocab.resolve(word) is None and keys, word
    for a in rows:
        if a.reading == "name":
            assert vocab.resolve(a.alias) == a.key


def test_the_corpus_is_not_the_vocabulary() -> None:
    """The benchmark's ledger words were gathered from documents, not written into the vocabulary."""
    with (ROOT / "datasets" / "ledger_corpus.csv").open(encoding="utf-8") as fh:
        corpus = list(csv.DictReader(fh))
    assert len({r["word"] for r in corpus}) >= 200 and all(r["source"] for r in corpus)
    added = {a.alias for a in material_aliases()}
    assert not added & {r["word"] for r in corpus}


def test_context_texts_render_in_both_languages() -> None:
    assert render("context.direction.output", "zh") == "产出"
    assert render("context.baseline", "zh", baseline="vent") == "现状 放空"


def test_demo_park_validates_without_a_warning() -> None:
    out = subprocess.run([str(Path(sys.executable).parent / "symbiosis"), "validate",
                          str(ROOT / "datasets" / "demo_park")], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and "0 warning(s)" in out.stdout
