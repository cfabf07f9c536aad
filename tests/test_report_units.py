"""The report's parts on a small hand-built park: texts complete in both languages, scenario options, formula
injection neutralised, user text escaped, bytes for the app, and the network without Graphviz."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from park_builders import BASIC_ENTERPRISES, BASIC_STREAMS, write_park

from matching import LinkSelector, MatchOptions
from symbiosis.core.loader import load_park
from symbiosis.core.park import Park
from symbiosis.core.scenario import Edit, Scenario, ScenarioError
from symbiosis.reporting import Analysis, analyse, build_report, report_files, report_zip, scenario_options
from symbiosis.reporting import html as report_html
from symbiosis.reporting import texts as tx

CJK = re.compile(r"[\u4e00-\u9fff]")
HOSTILE = {
    "E1": '=HYPERLINK("http://evil.example","click")',
    "E2": "@SUM(A1:A9)",
    "E3": "</script><script>alert(1)</script><b onmouseover=x>",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def hostile_park(tmp_path_factory: pytest.TempPathFactory) -> Park:
    enterprises = [[e[0], HOSTILE[str(e[0])], e[2], e[3]] for e in BASIC_ENTERPRISES]
    streams = [list(s) for s in BASIC_STREAMS]
    header = ["enterprise_id", "direction", "material", "quantity", "unit", "temperature_c", "temperature_return_c",
              "quality", "baseline", "hazardous_code", "hours_per_year", "notes"]
    notes = ["+cmd|' /C calc'!A0", "-2+3", "=1+1", "", "", "", "", "-12.5"]
    rows = [[*s, n] for s, n in zip(streams, notes, strict=True)]
    folder = write_park(tmp_path_factory.mktemp("hostile") / "park", enterprises=enterprises, streams=rows,
                        streams_header=header)
    return load_park(folder)


@pytest.fixture(scope="module")
def hostile_analysis(hostile_park: Park) -> Analysis:
    return analyse(hostile_park, Scenario(name="=evil()"))


def test_every_text_is_given_in_both_languages_with_the_same_placeholders() -> None:
    allowed_without_cjk = {"{a} → {b}", "[{k}/{n}] {step} ……"}
    for table_name, table in tx.ALL_TABLES.items():
        for key, (en, zh) in table.items():
            assert en.strip() and zh.strip(), (table_name, key)
            assert CJK.search(zh) or zh in allowed_without_cjk, (table_name, key, zh)
            assert not CJK.search(en), (table_name, key, en)
            assert set(re.findall(r"{(\w+)}", en)) == set(re.findall(r"{(\w+)}", zh)), (table_name, key)
    assert all(len(tx.sheet(k, lang)) <= 31 for k in tx.SHEETS for lang in ("zh", "en"))
    for lang in ("zh", "en"):  # sheet names and headers are unique, so a reader (and pandas) can tell them apart
        assert len({tx.sheet(k, lang) for k in tx.SHEETS}) == len(tx.SHEETS)


def test_scenario_options_take_the_scenario_as_the_app_saves_it(hostile_park: Park) -> None:
    from app.options import complete, match_options, solve_request

    scenario = Scenario(options=complete({"dt_min_k": 12.0, "objective": "cost"}, hostile_park),
                        forced=(("E1-2", "E2-5"),), forbidden=(("E1-1", "E2-5"),))
    # the app's own conversion and the report's agree, so the command re-runs a workshop's scenario exactly
    assert scenario_options(scenario) == match_options(solve_request(scenario, hostile_park))
    partial = scenario_options(Scenario(options={"gap": 0.01}, forced=(("a", "b"),)))
    assert partial.gap == 0.01 and partial.dt_min_k is None  # unset: park.toml, then the matcher's default
    assert partial.forced == (LinkSelector(supplier_stream_id="a", receiver_stream_id="b"),)


def test_an_unknown_scenario_option_is_an_error_not_ignored() -> None:
    with pytest.raises(ScenarioError, match="dtmin"):
        scenario_options(Scenario(options={"dtmin": 5}))


def test_no_cell_of_the_workbook_or_the_csvs_can_run_as_a_formula(hostile_analysis: Analysis) -> None:
    files = report_files(hostile_analysis, "both")
    for lang in ("zh", "en"):
        book = openpyxl.load_workbook(io.BytesIO(files[f"report.{lang}.xlsx"]))
        texts_seen = []
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        texts_seen.append(cell.value)
                        if cell.value.startswith(FORMULA_START) and not re.fullmatch(r"[+-]\d+(\.\d+)?", cell.value):
                            # text as written, in a string cell Excel keeps as text (quote prefix): never run
                            assert cell.data_type == "s" and cell.quotePrefix, (ws.title, cell.value)
        assert HOSTILE["E1"] in texts_seen and "@SUM(A1:A9)" in texts_seen and "=1+1" in texts_seen
        assert "-2+3" in texts_seen and "+cmd|' /C calc'!A0" in texts_seen
        streams = pd.read_excel(io.BytesIO(files[f"report.{lang}.xlsx"]), sheet_name=tx.sheet("streams", lang))
        assert pd.api.types.is_numeric_dtype(streams[tx.col("quantity_canonical", lang)])  # numbers stay numbers
        for name, data in files.items():
            if name.startswith("csv/") and name.endswith(f".{lang}.csv"):
                frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
                for value in frame.to_numpy().ravel():
                    assert not value.startswith(("=", "@")), (name, value)


def test_user_text_is_escaped_in_the_html(hostile_analysis: Analysis) -> None:
    page = report_html.report_html(hostile_analysis, "en")
    assert "<script>alert(1)" not in page and "<b onmouseover" not in page
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page
    outside_scripts = re.sub(r"<script[^>]*>.*?</script>", "", page, flags=re.S)
    assert 'href="http' not in outside_scripts  # the ledger's "link" is text, never an anchor


def test_build_report_returns_bytes_for_the_app_and_a_zip(hostile_park: Park) -> None:
    files = build_report(hostile_park, MatchOptions(dt_min_k=20.0), "en")
    assert {"report.html", "report.xlsx", "plan.json", "network.dot", "csv/links.csv"} <= set(files)
    assert "scenario.toml" not in files  # plain options have no scenario file form
    assert all(isinstance(v, bytes) and v for v in files.values())
    with zipfile.ZipFile(io.BytesIO(report_zip(files))) as zf:
        assert sorted(zf.namelist()) == sorted(files)
        assert zf.read("plan.json") == files["plan.json"]
    with pytest.raises(ValueError, match="zh, en or both"):
        build_report(hostile_park, None, "fr")


def test_without_graphviz_the_network_is_given_as_dot_source(hostile_analysis: Analysis,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(report_html.shutil, "which", lambda name: None)
    section = report_html.network_html(hostile_analysis, "zh")
    assert "<pre>" in section and "digraph" in section and "未安装 Graphviz" in section
    assert "<script>" not in section


def test_a_scenario_edit_that_breaks_the_ledger_is_reported_with_its_row(tmp_path: Path, capsys) -> None:
    from symbiosis.cli import main

    folder = write_park(tmp_path / "park")
    path = Scenario(edits=(Edit("E1-2", "quantity", "lots"),)).save(tmp_path / "s.toml")
    assert main(["report", str(folder), "--out", str(tmp_path / "out"), "--lang", "en", "--scenario", str(path)]) == 1
    captured = capsys.readouterr()
    assert "lots" in captured.out and "streams.csv" in captured.out
    assert not (tmp_path / "out").exists()


def test_a_scenario_file_with_an_unknown_key_stops_before_loading(tmp_path: Path, capsys) -> None:
    from symbiosis.cli import main

    path = tmp_path / "s.toml"
    path.write_text('name = "x"\n[options]\ndt_minimum = 3\n', encoding="utf-8")
    assert main(["report", str(write_park(tmp_path / "park")), "--out", str(tmp_path / "out"),
                 "--scenario", str(path)]) == 1
    assert "dt_minimum" in capsys.readouterr().err


def test_the_app_can_report_the_plan_it_already_has(hostile_park: Park) -> None:
    from matching import propose

    options = MatchOptions(dt_min_k=20.0)
    plan = propose(hostile_park, options)
    files = build_report(hostile_park, options, "zh", plan=plan)
    assert files["plan.json"] == plan.to_json().encode("utf-8")  # reported as given, not solved again
