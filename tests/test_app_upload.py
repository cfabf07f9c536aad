"""Two workbooks uploaded at once (the broken one still in the upload box, the fixed one added): the app says so
plainly — which files, that one package is read at a time, remove the old one — instead of "missing required file
enterprises.csv / streams.csv"; and it keeps the open park.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from park_builders import write_park
from streamlit.testing.v1 import AppTest

from app import data as dh
from app.state import Workspace
from symbiosis import load_park

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app_streamlit.py"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def workbook(tmp_path: Path) -> bytes:
    park = load_park(write_park(tmp_path / "p"))
    path = tmp_path / "park.xlsx"
    park.to_excel(path)
    return path.read_bytes()


def test_upload_conflict_names_the_packages() -> None:
    assert dh.upload_conflict({"a.csv": b"", "park.toml": b""}) is None
    assert dh.upload_conflict({"park.xlsx": b""}) is None
    two = dh.upload_conflict({"park_v1.xlsx": b"", "park_v2.XLSX": b""})
    assert two is not None and two.code == "upload_several_packages"
    assert "park_v1.xlsx, park_v2.XLSX" in two.text("en") and "one package at a time" in two.text("en")
    assert "Remove the old one" in two.text("en")
    assert "一次只读取一个数据包" in two.text("zh") and "删除旧的文件" in two.text("zh")
    mixed = dh.upload_conflict({"park.zip": b"", "streams.csv": b""})
    assert mixed is not None and mixed.code == "upload_package_and_files" and "streams.csv" in mixed.text("en")


def test_two_workbooks_do_not_load_and_keep_the_open_park(workbook: bytes) -> None:
    ws = Workspace()
    assert not dh.load_upload(ws, {"old.xlsx": workbook, "new.xlsx": workbook})
    assert ws.park is None and ws.problems_kind == "upload_packages"
    table = dh.problems_table(ws, "en")
    assert len(table) == 1 and "new.xlsx, old.xlsx" in table.iloc[0]["message"]
    assert dh.problems_table(ws, "zh").iloc[0]["问题"].startswith("一次上传了 2 个园区数据包")
    assert not any("missing" in p.text("en") for p in ws.problems)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_app_says_two_workbooks_plainly(workbook: bytes, lang: str) -> None:
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    at.radio(key="lang").set_value(lang).run()
    ws = at.session_state["workspace"]
    before = ws.park_key
    at.file_uploader(key="upload").set_value([("broken.xlsx", workbook, XLSX), ("fixed.xlsx", workbook, XLSX)]).run()
    assert not at.exception
    assert ws.park_key == before  # the open park stays open
    shown = " ".join(e.value for e in at.error) + " ".join(
        " ".join(map(str, f.value.astype(str).to_numpy().ravel())) for f in at.dataframe)
    assert "broken.xlsx, fixed.xlsx" in shown
    assert "enterprises.csv" not in shown
    assert ("one package at a time" in shown) if lang == "en" else ("一次只读取一个数据包" in shown)
    assert ("Remove the old one" in shown) if lang == "en" else ("删除旧的文件" in shown)
    # then the old one is removed: the fixed workbook alone opens
    at.file_uploader(key="upload").set_value([("fixed.xlsx", workbook, XLSX)]).run()
    assert not at.exception and ws.park is not None and len(ws.park.enterprises) == 3 and not ws.problems
