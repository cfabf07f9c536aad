"""Loading a park data package: formats, encodings, headers, every validation rule, round trips."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from park_builders import (
    BASIC_ENTERPRISES,
    BASIC_STREAMS,
    STREAMS_HEADER,
    csv_text,
    write_park,
)

from symbiosis import ParkError, load_files, load_park
from symbiosis.core.errors import Problem
from symbiosis.core.park import Park

ZH_ENTERPRISES_HEADER = ["企业编号", "企业名称", "X坐标(km)", "Y坐标(km)"]
ZH_STREAMS_HEADER = ["企业编号", "方向", "物料", "数量", "单位", "温度", "回水温度", "水质等级", "现状", "危废代码",
                     "年运行小时"]
ZH_VALUES = {"output": "产出", "input": "投入", "fly_ash": "粉煤灰", "landfill": "填埋"}


def problems_of(tmp: Path, **kwargs: object) -> list[Problem]:
    folder = write_park(tmp / "park", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ParkError) as info:
        load_park(folder)
    return info.value.problems


def one(problems: list[Problem], code: str) -> Problem:
    found = [p for p in problems if p.code == code]
    assert found, f"no {code} among {[p.code for p in problems]}"
    return found[0]


def with_stream(row_index: int, column: str, value: object) -> list[list[object]]:
    rows = [list(r) for r in BASIC_STREAMS]
    rows[row_index][STREAMS_HEADER.index(column)] = value
    return rows


def test_basic_park_loads_in_canonical_units(tmp_path: Path) -> None:
    park = load_park(write_park(tmp_path / "p"))
    s = park.streams.set_index("stream_id")
    assert len(park.enterprises) == 3 and len(park.streams) == 8
    assert s.loc["E1-2", "quantity"] == pytest.approx(30_000) and s.loc["E1-2", "unit"] == "t/a"
    assert s.loc["E1-2", "quantity_entered"] == 3 and s.loc["E1-2", "unit_entered"] == "万t/a"
    assert s.loc["E3-8", "quantity"] == pytest.approx(500 * 8000 * 3.6e-3)  # kW x h -> GJ
    assert s.loc["E1-5", "quality"] == "potable"
    assert (park.streams["source_file"] == "streams.csv").all()
    assert park.streams["source_row"].tolist() == list(range(2, 10))
    assert set(park.streams["category"]) >= {"solid", "heat", "energy", "water", "raw_material", "liquid"}


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_every_encoding_gives_the_same_park(tmp_path: Path, encoding: str) -> None:
    zh_streams = [[ZH_VALUES.get(str(v), v) for v in row] for row in BASIC_STREAMS]
    reference = load_park(write_park(tmp_path / "utf8", streams=zh_streams))
    other = load_park(write_park(tmp_path / encoding, streams=zh_streams, encoding=encoding))
    assert other.equals(reference)
    raw = (tmp_path / encoding / "streams.csv").read_bytes()
    if encoding == "gb18030":
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
    if encoding == "utf-8-sig":
        assert raw.startswith(b"\xef\xbb\xbf")


def test_unsupported_encoding_is_reported(tmp_path: Path) -> None:
    folder = write_park(tmp_path / "p")
    (folder / "streams.csv").write_bytes(csv_text(STREAMS_HEADER, BASIC_STREAMS).encode("utf-16"))
    with pytest.raises(ParkError) as info:
        load_park(folder)
    problem = one(info.value.problems, "encoding")
    assert problem.file == "streams.csv" and "GB18030" in problem.accepted


def test_chinese_and_english_headers_and_values_give_the_same_park(tmp_path: Path) -> None:
    english = load_park(write_park(tmp_path / "en"))
    zh_streams = [[ZH_VALUES.get(str(v), v) for v in row] for row in BASIC_STREAMS]
    chinese = load_park(write_park(tmp_path / "zh", enterprises_header=ZH_ENTERPRISES_HEADER,
                                   streams_header=ZH_STREAMS_HEADER, streams=zh_streams))
    assert chinese.equals(english)
    cols = ["stream_id", "direction", "material", "quantity", "unit", "baseline", "category"]
    pd.testing.assert_frame_equal(chinese.streams[cols], english.streams[cols])


def test_folder_xlsx_and_zip_give_the_same_park(tmp_path: Path) -> None:
    folder = write_park(tmp_path / "p", park_toml='name = "Test park"\nregion = "east"\nyear = 2022\n')
    from_folder = load_park(folder)
    xlsx = tmp_path / "park.xlsx"
    from_folder.to_excel(xlsx)
    from_xlsx = load_park(xlsx)
    archive = tmp_path / "park.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f"mypark/{f.name}")
    from_zip = load_park(archive)
    assert from_xlsx.equals(from_folder)
    assert from_zip.equals(from_folder)
    assert from_folder.config.region == "east" and from_zip.config.year == 2022
    # the same bytes uploaded through the app's path
    assert load_files({"park.zip": archive.read_bytes()}).equals(from_folder)
    assert load_files({f.name: f.read_bytes() for f in folder.iterdir()}).equals(from_folder)


def test_round_trip_folder_and_excel_lose_nothing(tmp_path: Path) -> None:
    streams = [[*row, "kept note"] for row in BASIC_STREAMS]
    folder = write_park(tmp_path / "p", streams=streams, streams_header=[*STREAMS_HEADER, "自定义列"],
                        exchanges="supplier_id,receiver_id,material,quantity,unit\nE1,E2,粉煤灰,1,万t/a\n",
                        park_toml='name = "RT"\ndt_min_k = 15\n[reach_km]\ntruck = 30\n')
    original = load_park(folder)
    assert original.streams["自定义列"].eq("kept note").all()
    again = load_park(original.to_folder(tmp_path / "out"))
    assert again.equals(original)
    buffer = io.BytesIO()
    original.to_excel(buffer)
    assert load_park("park.xlsx", data=buffer.getvalue()).equals(original)
    assert again.config.reach_km["truck"] == 30 and again.config.dt_min_k == 15


def test_lon_lat_positions_become_km(tmp_path: Path) -> None:
    ents = [["A", "a", 120.00, 31.00], ["B", "b", 120.01, 31.00], ["C", "c", 120.00, 31.01]]
    folder = write_park(tmp_path / "p", enterprises=ents, enterprises_header=["企业编号", "企业名称", "经度", "纬度"],
                        streams=[["A", "output", "fly_ash", 1, "t/a", "", "", "", "", "", ""]])
    park = load_park(folder)
    e = park.enterprises.set_index("enterprise_id")
    dx = e.loc["B", "x_km"] - e.loc["A", "x_km"]
    dy = e.loc["C", "y_km"] - e.loc["A", "y_km"]
    assert dx == pytest.approx(0.01 * 111.320 * 0.8572, rel=2e-3)  # cos(31.003°) ≈ 0.8572
    assert dy == pytest.approx(1.10574, rel=1e-6)
    assert load_park(park.to_folder(tmp_path / "rt")).equals(park)


# --- every validation rule with a failing file ---------------------------------------------------------------
def test_missing_required_file(tmp_path: Path) -> None:
    folder = write_park(tmp_path / "p")
    (folder / "streams.csv").unlink()
    with pytest.raises(ParkError) as info:
        load_park(folder)
    assert one(info.value.problems, "file_missing").file == "streams.csv"


def test_missing_required_column(tmp_path: Path) -> None:
    header = [h if h != "unit" else "颜色" for h in STREAMS_HEADER]
    p = one(problems_of(tmp_path, streams_header=header), "column_missing")
    assert (p.file, p.row, p.column) == ("streams.csv", 1, "unit")
    assert "单位" in p.accepted


def test_unknown_enterprise(tmp_path: Path) -> None:
    p = one(problems_of(tmp_path, streams=with_stream(2, "enterprise_id", "E9")), "unknown_enterprise")
    assert (p.file, p.row, p.column, p.value) == ("streams.csv", 4, "enterprise_id", "E9")


def test_duplicate_enterprise_id(tmp_path: Path) -> None:
    ents = [*BASIC_ENTERPRISES, ["E2", "again", 5, 5]]
    p = one(problems_of(tmp_path, enterprises=ents), "duplicate_id")
    assert (p.file, p.row, p.column, p.value) == ("enterprises.csv", 5, "enterprise_id", "E2")
    assert "row 3" in p.text("en") and "第 3 行" in p.text("zh")


@pytest.mark.parametrize(("value", "code"), [(-5, "negative"), ("lots", "not_number"), ("", "required_blank")])
def test_bad_quantities(tmp_path: Path, value: object, code: str) -> None:
    p = one(problems_of(tmp_path, streams=with_stream(0, "quantity", value)), code)
    assert (p.file, p.row, p.column) == ("streams.csv", 2, "quantity")
    assert p.value == str(value)


def test_thousands_separator_and_full_width_digits_are_numbers(tmp_path: Path) -> None:
    rows = with_stream(4, "quantity", "100,000")
    rows[0][STREAMS_HEADER.index("quantity")] = "３"
    park = load_park(write_park(tmp_path / "p", streams=rows))
    assert park.streams.loc[4, "quantity"] == 100_000 and park.streams.loc[0, "quantity"] == 30_000


def test_unknown_material_suggests_nearest(tmp_path: Path) -> None:
    p = one(problems_of(tmp_path, streams=with_stream(0, "material", "fly ashh")), "unknown_material")
    assert (p.row, p.column, p.value) == (2, "material", "fly ashh")
    assert "fly_ash" in p.accepted


def test_unknown_unit(tmp_path: Path) -> None:
    p = one(problems_of(tmp_path, streams=with_stream(0, "unit", "bananas/a")), "unknown_unit")
    assert (p.row, p.column, p.value) == (2, "unit", "bananas/a")
    assert "万t/a" in p.accepted


def test_unit_of_the_wrong_dimension(tmp_path: Path) -> None:
    rows = with_stream(1, "material", "flue_gas_heat")
    rows[1][STREAMS_HEADER.index("unit")] = "t/a"  # tonnes of flue-gas heat: an error, not a guess
    p = one(problems_of(tmp_path, streams=rows), "unit_dimension")
    assert p.row == 3 and "GJ/a" in p.accepted


def test_heat_row_without_both_temperatures(tmp_path: Path) -> None:
    p = one(problems_of(tmp_path, streams=with_stream(1, "temperature_return_c", "")), "heat_temps_missing")
    assert (p.file, p.row) == ("streams.csv", 3)


def test_heat_output_return_above_supply(tmp_path: Path) -> None:
    p = one(problems_of(tmp_path, streams=with_stream(1, "temperature_return_c", 250)), "heat_return_above_supply")
    assert (p.row, p.column, p.value, p.accepted) == (3, "temperature_return_c", "250", "<= 200")


def test_hazardous_code_format(tmp_path: Path) -> None:
    p = one(problems_of(tmp_path, streams=with_stream(7, "hazardous_code", "HW8")), "hazardous_code_format")
    assert (p.row, p.column, p.value) == (9, "hazardous_code", "HW8")


def test_hazardous_material_without_code_is_flagged(tmp_path: Path) -> None:
    park = load_park(write_park(tmp_path / "p", streams=with_stream(7, "hazardous_code", "")))
    warning = one(list(park.warnings), "hazardous_code_expected")
    assert warning.severity == "warning" and warning.row == 9 and warning.accepted.startswith("HW08")


def test_missing_coordinates(tmp_path: Path) -> None:
    ents = [list(r) for r in BASIC_ENTERPRISES]
    ents[1][3] = ""
    p = one(problems_of(tmp_path, enterprises=ents), "position_missing")
    assert (p.file, p.row) == ("enterprises.csv", 3)


def test_unknown_direction_baseline_quality_and_hours(tmp_path: Path) -> None:
    rows = with_stream(0, "direction", "sideways")
    rows[3][STREAMS_HEADER.index("quality")] = "muddy"
    rows[4][STREAMS_HEADER.index("baseline")] = "landfill"  # an output fate on an input
    rows[6][STREAMS_HEADER.index("hours_per_year")] = ""
    problems = problems_of(tmp_path, streams=rows)
    assert one(problems, "unknown_direction").row == 2
    assert one(problems, "unknown_quality").row == 5
    baseline = one(problems, "unknown_baseline")
    assert baseline.row == 6 and "virgin" in baseline.accepted
    assert one(problems, "hours_needed").row == 8


def test_default_hours_from_park_toml(tmp_path: Path) -> None:
    rows = with_stream(6, "hours_per_year", "")
    park = load_park(write_park(tmp_path / "p", streams=rows, park_toml="default_hours_per_year = 6000\n"))
    assert park.streams.loc[6, "quantity"] == pytest.approx(500 * 6000 * 3.6e-3)


def test_invalid_park_toml(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, park_toml="name = \n")
    assert one(problems, "toml_invalid").file == "park.toml"
    problems = problems_of(tmp_path, park_toml="colour = 'blue'\n[reach_km]\nrocket = 3\n")
    keys = {p.column for p in problems if p.code == "toml_key"}
    assert keys == {"colour", "reach_km.rocket"}


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    rows = with_stream(0, "quantity", -1)
    rows[1][STREAMS_HEADER.index("material")] = "unobtainium"
    rows[2][STREAMS_HEADER.index("unit")] = "parsecs"
    problems = problems_of(tmp_path, streams=rows)
    assert {"negative", "unknown_material", "unknown_unit"} <= {p.code for p in problems}
    assert all(p.file and p.row for p in problems if p.severity == "error")


def test_not_a_package(tmp_path: Path) -> None:
    bogus = tmp_path / "park.pdf"
    bogus.write_bytes(b"%PDF")
    with pytest.raises(ParkError) as info:
        load_park(bogus)
    assert info.value.problems[0].code == "package_unknown"
    with pytest.raises(ParkError):
        load_park(tmp_path / "nowhere")
    with pytest.raises(ParkError) as info:
        load_park("x.zip", data=b"not a zip")
    assert info.value.problems[0].code == "file_unreadable"


def test_blank_lines_keep_row_numbers(tmp_path: Path) -> None:
    folder = write_park(tmp_path / "p")
    text = (folder / "streams.csv").read_text(encoding="utf-8").splitlines()
    text.insert(2, "")  # a blank line after the first data row
    text[4] = text[4].replace("50,万t/a", "-50,万t/a")
    (folder / "streams.csv").write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(ParkError) as info:
        load_park(folder)
    assert one(info.value.problems, "negative").row == 5


def test_park_type() -> None:
    assert Park.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_a_bad_number_is_reported_once(tmp_path: Path) -> None:
    problems = problems_of(tmp_path, streams=with_stream(0, "quantity", "lots"))
    on_cell = [p for p in problems if (p.row, p.column) == (2, "quantity")]
    assert [p.code for p in on_cell] == ["not_number"]
    assert "数字" in on_cell[0].accepted  # what is accepted is said in both languages


def test_a_missing_column_is_reported_once(tmp_path: Path) -> None:
    header = [h if h != "quantity" else "颜色" for h in STREAMS_HEADER]
    problems = [p for p in problems_of(tmp_path, streams_header=header) if p.severity == "error"]
    assert [(p.code, p.column) for p in problems] == [("column_missing", "quantity")]


def test_an_xlsx_that_unpacks_too_large_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import symbiosis.core.loader as loader

    xlsx = tmp_path / "park.xlsx"
    load_park(write_park(tmp_path / "p")).to_excel(xlsx)
    monkeypatch.setattr(loader, "MAX_PACKAGE_BYTES", 1000)  # the real limit is 200 MiB; the rule is the same
    with pytest.raises(ParkError) as info:
        load_park(xlsx)
    assert "uncompressed size" in info.value.problems[0].text()
