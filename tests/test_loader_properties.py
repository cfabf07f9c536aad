"""Random, often malformed, ledgers never raise anything but the project's own error type."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from park_builders import ENTERPRISES_HEADER, STREAMS_HEADER, csv_text

from symbiosis import ParkError, load_park
from symbiosis.core.park import Park

IDS = st.sampled_from(["E1", "E2", "E3", "", "E 1", "企业A", "=cmd()"])
NUMBERS = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**9, 10**9),
                    st.sampled_from(["", "1,000", "abc", "1e400", "-0", "３.5", "NaN", "inf"]))
TEXTS = st.one_of(st.text(max_size=12), st.sampled_from(["fly_ash", "粉煤灰", "waste_steam", "electricity",
                                                         "tap_water", "reclaimed_water", "coal", "hydrogen"]))
UNITS = st.one_of(st.text(max_size=8), st.sampled_from(["t/a", "万t/a", "kg/h", "m³/h", "GJ/a", "kW", "MW",
                                                        "t/h", "tce/a", "Nm³/a", "万kWh/a", "/", "**", "1e4*"]))
DIRECTIONS = st.sampled_from(["output", "input", "产出", "投入", "", "up"])
CELL = st.one_of(NUMBERS, TEXTS)

ENTERPRISE_ROWS = st.lists(st.tuples(IDS, TEXTS, NUMBERS, NUMBERS), min_size=0, max_size=4)
STREAM_ROWS = st.lists(
    st.tuples(IDS, DIRECTIONS, TEXTS, NUMBERS, UNITS, NUMBERS, NUMBERS, TEXTS, TEXTS, TEXTS, NUMBERS),
    min_size=0, max_size=6)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(enterprises=ENTERPRISE_ROWS, streams=STREAM_ROWS, drop_column=st.integers(-1, 10),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_random_ledgers_load_or_raise_park_error(enterprises: list[tuple[object, ...]],
                                                 streams: list[tuple[object, ...]], drop_column: int,
                                                 encoding: str) -> None:
    header = list(STREAMS_HEADER)
    rows = [list(r) for r in streams]
    if drop_column >= 0:
        del header[drop_column]
        for r in rows:
            del r[drop_column]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, head, body in (("enterprises.csv", ENTERPRISES_HEADER, enterprises), ("streams.csv", header, rows)):
            text = csv_text(head, body)
            try:
                data = text.encode(encoding)
            except UnicodeEncodeError:
                data = text.encode("utf-8")
            (folder / name).write_bytes(data)
        try:
            park = load_park(folder)
        except ParkError as exc:
            assert exc.errors, "a ParkError always carries at least one error"
            assert all(p.file for p in exc.errors)
        else:
            assert isinstance(park, Park)
            assert park.streams["quantity"].notna().all()
            assert (park.streams["quantity"] >= 0).all()
