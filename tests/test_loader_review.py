"""Inputs an independent review found escaping as tracebacks or loading silently wrong: each is a ParkError now."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from park_builders import BASIC_STREAMS, STREAMS_HEADER, csv_text, write_park

from symbiosis import ParkError, load_park


def codes(tmp: Path, **kwargs: object) -> list[tuple[str, int | None, str]]:
    folder = write_park(tmp / "park", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(ParkError) as info:
        load_park(folder)
    return [(p.code, p.row, p.column) for p in info.value.errors]


def rows_with(index: int, column: str, value: object) -> list[list[object]]:
    rows = [list(r) for r in BASIC_STREAMS]
    rows[index][STREAMS_HEADER.index(column)] = value
    return rows


@pytest.mark.parametrize(("zh", "en"), [("数量", "quantity"), ("企业编号", "enterprise_id"), ("单位", "unit")])
def test_a_column_given_twice_under_two_names(tmp_path: Path, zh: str, en: str) -> None:
    header = [zh if h == en else h for h in STREAMS_HEADER] + [en]
    rows = [[*r, r[STREAMS_HEADER.index(en)]] for r in BASIC_STREAMS]
    found = codes(tmp_path, streams=rows, streams_header=header)
    assert ("column_duplicate", 1, en) in found


@pytest.mark.parametrize("unit", ["℃", "°C", "degC", "t*10**400", "-1*t", "nan*t", "inf*t", "0*t"])
def test_units_that_are_not_amounts(tmp_path: Path, unit: str) -> None:
    assert ("unknown_unit", 2, "unit") in codes(tmp_path, streams=rows_with(0, "unit", unit))


def test_a_quantity_that_overflows(tmp_path: Path) -> None:
    assert ("value_range", 2, "unit") in codes(tmp_path, streams=rows_with(0, "quantity", "1e308"))


def test_coordinates_out_of_range(tmp_path: Path) -> None:
    ents = [["E1", "a", 1e308, 0], ["E2", "b", 3, 4], ["E3", "c", 1, 1]]
    assert ("value_range", 2, "x_km") in codes(tmp_path, enterprises=ents)


def test_a_baseline_must_fit_the_category(tmp_path: Path) -> None:
    found = codes(tmp_path, streams=rows_with(4, "baseline", "natural_gas_boiler"))  # cement from a gas boiler
    assert ("unknown_baseline", 6, "baseline") in found


def test_a_table_given_twice_in_a_zip(tmp_path: Path) -> None:
    folder = write_park(tmp_path / "p")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for f in folder.iterdir():
            zf.write(f, f"a/{f.name}")
        zf.write(folder / "streams.csv", "old/streams.csv")
    with pytest.raises(ParkError) as info:
        load_park("p.zip", data=buffer.getvalue())
    problem = next(p for p in info.value.problems if p.code == "file_twice")
    assert "a/streams.csv" in problem.value
    assert "old/streams.csv" in problem.value


def test_a_park_sheet_typed_from_a1(tmp_path: Path) -> None:
    park = load_park(write_park(tmp_path / "p"))
    xlsx = tmp_path / "park.xlsx"
    with pd.ExcelWriter(xlsx, engine="openpyxl") as writer:
        for name, table in park.ledger_tables().items():
            if not table.empty:
                table.to_excel(writer, sheet_name=name, index=False)
        pd.DataFrame([['name = "X park"'], ["dt_min_k = 15"], ['region = "east"']]).to_excel(
            writer, sheet_name="park", index=False, header=False)
    loaded = load_park(xlsx)
    assert loaded.config.name == "X park"
    assert loaded.config.dt_min_k == 15
    assert loaded.config.region == "east"


@pytest.mark.parametrize(("toml", "key"), [
    ("year = true\n", "year"),
    ("dt_min_k = inf\n", "dt_min_k"),
    ("default_hours_per_year = 0\n", "default_hours_per_year"),
    ("default_hours_per_year = inf\n", "default_hours_per_year"),
    ("[reach_km]\ntruck = nan\n", "reach_km.truck"),
    ("options = 5\n", "options"),
    ("[factor_overrides]\nno_such_factor = 1.0\n", "factor_overrides.no_such_factor"),
    ("[factor_overrides]\nfuel_natural_gas = inf\n", "factor_overrides"),
])
def test_park_toml_values_out_of_range(tmp_path: Path, toml: str, key: str) -> None:
    assert ("toml_key", None, key) in codes(tmp_path, park_toml=toml)


def test_csv_helper_round_trip() -> None:
    assert csv_text(["a"], [[1]]) == "a\n1\n"
