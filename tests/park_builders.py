"""Write small park data packages for tests: real files in real encodings."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

ENTERPRISES_HEADER = ["enterprise_id", "name", "x_km", "y_km"]
STREAMS_HEADER = ["enterprise_id", "direction", "material", "quantity", "unit", "temperature_c",
                  "temperature_return_c", "quality", "baseline", "hazardous_code", "hours_per_year"]

BASIC_ENTERPRISES: list[list[object]] = [
    ["E1", "热电厂 CHP plant", 0, 0],
    ["E2", "水泥厂 Cement works", 3, 4],
    ["E3", "化工厂 Chemical plant", 1, 1],
]
BASIC_STREAMS: list[list[object]] = [
    ["E1", "output", "fly_ash", 3, "万t/a", "", "", "", "landfill", "", ""],
    ["E1", "output", "waste_steam", 10, "t/h", 200, 100, "", "vent", "", 8000],
    ["E1", "input", "coal", 50, "万t/a", "", "", "", "virgin", "", ""],
    ["E1", "input", "tap_water", 2, "万m³/a", "", "", "potable", "tap_water", "", ""],
    ["E2", "input", "cement", 100000, "t/a", "", "", "", "virgin", "", ""],
    ["E2", "input", "electricity", 1000, "MWh/a", "", "", "", "grid_electricity", "", ""],
    ["E3", "input", "process_steam", 500, "kW", 150, 60, "", "natural_gas_boiler", "", 8000],
    ["E3", "output", "waste_oil", 120, "t/a", "", "", "", "hazardous_treatment", "HW08", ""],
]


def csv_text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def write_park(
    folder: Path,
    enterprises: Sequence[Sequence[object]] = BASIC_ENTERPRISES,
    streams: Sequence[Sequence[object]] = BASIC_STREAMS,
    enterprises_header: Sequence[str] = ENTERPRISES_HEADER,
    streams_header: Sequence[str] = STREAMS_HEADER,
    exchanges: str | None = None,
    park_toml: str | None = None,
    encoding: str = "utf-8",
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "enterprises.csv").write_bytes(csv_text(enterprises_header, enterprises).encode(encoding))
    (folder / "streams.csv").write_bytes(csv_text(streams_header, streams).encode(encoding))
    if exchanges is not None:
        (folder / "exchanges.csv").write_bytes(exchanges.encode(encoding))
    if park_toml is not None:
        (folder / "park.toml").write_text(park_toml, encoding="utf-8")
    return folder
