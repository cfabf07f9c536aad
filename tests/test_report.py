"""`symbiosis report`: the demo park's report end to end (CLI, workbook, HTML, CSV, plan.json), a scenario re-run
from its file, honest first pages for infeasible and time-limited solves, and the HTML printed by real Chromium.

Chromium comes from apt (`apt-get install chromium fonts-noto-cjk graphviz poppler-utils`); a missing binary is a
failure with that instruction, not a skip: CI installs it (.ci/run).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from matching import propose
from symbiosis.core.datasets import demo_park_path
from symbiosis.core.factors import FactorTable
from symbiosis.core.generate import generate_park
from symbiosis.core.loader import load_park
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan
from symbiosis.core.scenario import Edit, Scenario, apply_edits
from symbiosis.reporting import SECTIONS, analyse, build_report, report_files, scenario_options, write_report
from symbiosis.reporting import texts as tx

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path(os.environ.get("SYMBIOSIS_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
INSTALL = "apt-get update && apt-get install -y chromium fonts-noto-cjk graphviz poppler-utils"
CJK = re.compile(r"[\u4e00-\u9fff]")
# A link forced between two streams that no rule can join (E01-2 is an input): the matcher reports infeasible.
IMPOSSIBLE_LINK = ("E01-2", "E02-18")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "symbiosis", "report", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, check=False)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The demo park's report in both languages, written by the real command."""
    out = tmp_path_factory.mktemp("demo_report")
    done = run_cli(str(demo_park_path()), "--out", str(out), "--lang", "both")
    assert done.returncode == 0, done.stderr
    return out, done


@pytest.fixture(scope="module")
def demo_plan(demo_dir: tuple[Path, subprocess.CompletedProcess[str]]) -> dict:
    return json.loads((demo_dir[0] / "plan.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def demo_park() -> Park:
    return load_park(demo_park_path())


def sheet(path: Path, key: str, lang: str, **kwargs: object) -> pd.DataFrame:
    return pd.read_excel(path, sheet_name=tx.sheet(key, lang), **kwargs)


# --- the command and its files ----------------------------------------------------------------------------------
def test_cli_writes_every_file_and_prints_each_step_with_its_time(demo_dir) -> None:
    out, done = demo_dir
    for name in ("report.zh.html", "report.en.html", "report.zh.xlsx", "report.en.xlsx", "plan.json",
                 "scenario.toml", "network.zh.dot", "network.en.dot"):
        assert (out / name).stat().st_size > 0, name
    for key in tx.SHEET_ORDER:
        for lang in ("zh", "en"):
            data = (out / "csv" / f"{key}.{lang}.csv").read_bytes()
            assert data.startswith(b"\xef\xbb\xbf"), key  # UTF-8 with BOM, so Excel shows the Chinese
    steps = re.findall(r"^\[(\d)/7\] (.+)：([\d.]+) 秒（累计 ([\d.]+) 秒）$", done.stderr, re.MULTILINE)
    assert [int(k) for k, *_ in steps] == list(range(1, 8)), done.stderr
    assert "方案已被证明为最优" in done.stderr


def test_demo_report_has_every_section_in_both_languages(demo_dir) -> None:
    out, _ = demo_dir
    for lang in ("zh", "en"):
        book = openpyxl.load_workbook(out / f"report.{lang}.xlsx", read_only=True)
        assert book.sheetnames == [tx.sheet(k, lang) for k in tx.SHEET_ORDER]
        page = (out / f"report.{lang}.html").read_text(encoding="utf-8")
        ids = re.findall(r'<section id="([\w-]+)"', page)
        assert ids == list(SECTIONS)
        assert 'id="sankey-before"' in page and 'id="sankey-after"' in page
        assert page.count("Plotly.newPlot(") >= 4  # Sankeys today and with the plan, several bases
        assert page.count("<svg") >= 1 and "<pre>" not in page.split('id="network"')[1].split("</section>")[0]
        assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}">' in page


def test_plotly_is_inline_once_and_nothing_is_loaded_from_outside(demo_dir) -> None:
    page = (demo_dir[0] / "report.zh.html").read_text(encoding="utf-8")
    scripts = list(re.finditer(r"<script[^>]*>(.*?)</script>", page, re.S))
    bundles = [m for m in scripts if len(m.group(1)) > 1_000_000]
    assert len(bundles) == 1  # plotly.js embedded with the first figure only
    assert bundles[0].start() < page.index("Plotly.newPlot(")
    rest = page[:bundles[0].start()] + page[bundles[0].end():]
    assert not re.search(r"<script[^>]+src=|<link[^>]+href=|@import|url\(", rest)
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", rest)  # no URL at all outside plotly.js itself
    hrefs = re.findall(r'href="([^"]*)"', rest)
    assert hrefs and all(h.startswith("#") for h in hrefs)


def test_link_numbers_in_the_workbook_equal_plan_json(demo_dir, demo_plan) -> None:
    out, _ = demo_dir
    plan = {r["link_id"]: r for r in demo_plan["links"]}
    assert demo_plan["status"] == "optimal" and len(plan) > 50
    for lang in ("zh", "en"):
        links = sheet(out / f"report.{lang}.xlsx", "links", lang).set_index(tx.col("link_id", lang))
        assert sorted(links.index) == sorted(plan)
        for key in ("quantity", "quantity_in", "net_tco2e", "avoided_scope1_tco2e", "avoided_scope2_tco2e",
                    "avoided_scope3_tco2e", "added_tco2e", "distance_km"):
            shown = links[tx.col(key, lang)]
            for link_id, record in plan.items():
                assert shown[link_id] == pytest.approx(record[key], rel=1e-12, abs=1e-9), (lang, key, link_id)
        assert list(links[tx.col("rank", lang)]) == sorted(r["rank"] for r in plan.values())
        summary = sheet(out / f"report.{lang}.xlsx", "summary", lang, header=None)
        values = dict(zip(summary[0], summary[1], strict=True))
        assert values[tx.t("s_net", lang)] == pytest.approx(sum(r["net_tco2e"] for r in plan.values()), rel=1e-12)
        assert values[tx.t("s_links", lang)] == len(plan)
        # the CSV carries the same numbers, unrounded
        csv = pd.read_csv(out / "csv" / f"links.{lang}.csv", encoding="utf-8-sig").set_index(tx.col("link_id", lang))
        assert csv[tx.col("net_tco2e", lang)].to_dict() == pytest.approx({k: r["net_tco2e"] for k, r in plan.items()})


def test_every_factor_a_link_or_indicator_uses_is_in_the_factor_sheet_with_its_source(demo_dir, demo_plan) -> None:
    out, _ = demo_dir
    shipped = FactorTable()
    used = {f for r in demo_plan["links"] for f in r["factor_ids"]}
    used |= {f for r in demo_plan["links"] for line in r["accounting"] for f in line["factor_ids"]}
    assert len(used) > 5
    for lang in ("zh", "en"):
        factors = sheet(out / f"report.{lang}.xlsx", "factors", lang).set_index(tx.col("factor_id", lang))
        assert used <= set(factors.index)
        for fid in used:
            row, truth = factors.loc[fid], shipped.get(fid)
            assert row[tx.col("source", lang)] == truth.source and truth.source
            assert row[tx.col("value", lang)] == pytest.approx(truth.value)
            assert row[tx.col("unit", lang)] == truth.unit
            assert str(row[tx.col("tag", lang)]) == truth.reliability
            assert str(row[tx.col("year", lang)]).removesuffix(".0") == truth.year or not truth.year
        indicators = sheet(out / f"report.{lang}.xlsx", "indicators", lang)
        referenced = {f for cell in indicators[tx.col("factor_ids", lang)].dropna() for f in str(cell).split(";")}
        assert referenced and referenced <= set(factors.index)


def test_the_chinese_report_has_no_untranslated_label(demo_dir, demo_park) -> None:
    out, _ = demo_dir
    book = openpyxl.load_workbook(out / "report.zh.xlsx", read_only=True)
    for ws in book.worksheets:
        assert CJK.search(ws.title)
        header_row = 5 if ws.title == tx.sheet("summary", "zh") else 1
        headers = [c.value for c in next(ws.iter_rows(min_row=header_row, max_row=header_row))]
        assert all(CJK.search(str(h)) for h in headers if h is not None), (ws.title, headers)
    summary = sheet(out / "report.zh.xlsx", "summary", "zh", header=None)
    assert all(CJK.search(str(item)) for item in summary[0].iloc[4:])
    links = sheet(out / "report.zh.xlsx", "links", "zh")
    from symbiosis.core.taxonomy import materials

    names_zh = {m.name_zh for m in materials().values()}
    assert set(links[tx.col("material_out", "zh")]) <= names_zh
    assert set(links[tx.col("mode", "zh")]) <= {v[1] for v in tx.MODE_NAMES.values()}
    page = (out / "report.zh.html").read_text(encoding="utf-8")
    for heading in re.findall(r"<(?:h2|h3|th)>([^<]+)</", page):
        assert CJK.search(heading) or heading in {"ID"}, heading
    english = (out / "report.en.html").read_text(encoding="utf-8")
    for heading in re.findall(r"<(?:h2|th)>([^<]+)</", english):
        ledger_header = heading in {c for t in demo_park.ledger_tables().values() for c in t.columns}
        assert not CJK.search(heading) or ledger_header, heading


# --- scenarios: the file the app saves, re-run by the command ------------------------------------------------------
def test_a_saved_scenario_rerun_by_the_cli_gives_the_same_plan_as_in_process(tmp_path: Path, demo_park: Park,
                                                                             demo_plan: dict) -> None:
    ranked = sorted(demo_plan["links"], key=lambda r: r["rank"])
    first, second = ranked[0], ranked[1]
    scenario = Scenario(
        name="甲组 group A", options={"dt_min_k": 15.0, "reach_km": {"truck": 40.0}, "gap": 1e-6, "time_limit": 60.0},
        forbidden=((first["supplier_stream_id"], first["receiver_stream_id"]),),
        forced=((second["supplier_stream_id"], second["receiver_stream_id"]),),
        edits=(Edit(ranked[2]["supplier_stream_id"], "quantity", 1.0),))
    path = scenario.save(tmp_path / "scenario.toml")
    done = run_cli(str(demo_park_path()), "--out", str(tmp_path / "out"), "--lang", "en", "--scenario", str(path))
    assert done.returncode == 0, done.stderr
    from_cli = Plan.from_json_dict(json.loads((tmp_path / "out" / "plan.json").read_text(encoding="utf-8")))

    loaded = Scenario.load(path)
    in_process = propose(apply_edits(demo_park, loaded.edits), scenario_options(loaded))
    assert from_cli.status == in_process.status == "optimal"
    key = [(x.link_id, x.quantity, x.net_tco2e()) for x in from_cli.links]
    assert key == [(x.link_id, pytest.approx(x.quantity), pytest.approx(x.net_tco2e())) for x in in_process.links]
    assert from_cli.objective_tco2e == pytest.approx(in_process.objective_tco2e)
    # the scenario did change the plan: the forbidden link is gone, the forced one is there and marked
    ids = {x.link_id for x in from_cli.links}
    assert first["link_id"] not in ids and second["link_id"] in ids
    assert next(x for x in from_cli.links if x.link_id == second["link_id"]).forced
    # the scenario as run is written back with its result, and re-reads to the same choices
    again = Scenario.load(tmp_path / "out" / "scenario.toml")
    assert (again.options, again.forced, again.forbidden, again.edits) == (
        scenario.options, scenario.forced, scenario.forbidden, scenario.edits)
    assert again.result["links"] == [f"{x.supplier_stream_id} -> {x.receiver_stream_id}" for x in from_cli.links]


# --- honest first pages -----------------------------------------------------------------------------------------------
def first_section(page: str) -> str:
    """The first <section> in the document (inside the cover, right under the title)."""
    match = re.search(r"<section id=\"([\w-]+)\" class=\"([^\"]*)\"[^>]*>(.*?)</section>", page, re.S)
    assert match is not None
    return f"{match.group(1)}|{match.group(2)}|{match.group(3)}"


def summary_head(data: bytes, lang: str) -> list[str]:
    """Rows 1-4 of the summary sheet: the title, the status sentence, its detail, the solver's reasons."""
    import io

    frame = pd.read_excel(io.BytesIO(data), sheet_name=tx.sheet("summary", lang), header=None, nrows=4)
    return [str(v) for v in frame[0]]


@pytest.fixture(scope="module")
def infeasible_files(demo_park: Park) -> dict[str, bytes]:
    return build_report(demo_park, Scenario(name="impossible", forced=(IMPOSSIBLE_LINK,)), "both")


def test_an_infeasible_solve_says_so_first(infeasible_files: dict[str, bytes]) -> None:
    assert json.loads(infeasible_files["plan.json"])["status"] == "infeasible"
    expected = {"en": "The solve is infeasible", "zh": "求解无可行解"}
    for lang, text in expected.items():
        page = infeasible_files[f"report.{lang}.html"].decode("utf-8")
        head = first_section(page)
        assert head.startswith("status|status status-alert|") and text in head
        assert "E01-2" in head  # the matcher's reason is on the first page too
        assert page.index('id="status"') < page.index('id="summary"') < page.index('id="sankey"')
        rows = summary_head(infeasible_files[f"report.{lang}.xlsx"], lang)
        assert text in rows[1] and "E01-2" in rows[3]


def test_the_cli_exits_1_for_an_infeasible_scenario_but_still_writes_the_report(tmp_path: Path, capsys) -> None:
    from symbiosis.cli import main

    path = Scenario(name="impossible", forced=(IMPOSSIBLE_LINK,)).save(tmp_path / "s.toml")
    code = main(["report", str(demo_park_path()), "--out", str(tmp_path / "out"), "--lang", "en",
                 "--scenario", str(path)])
    assert code == 1
    assert "The solve is infeasible" in capsys.readouterr().err
    assert "The solve is infeasible" in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_a_time_limited_solve_says_so_first_in_both_languages() -> None:
    park = generate_park(300, seed=1)
    analysis = analyse(park, Scenario(name="tight", options={"time_limit": 0.01}))
    assert analysis.plan.status == "time_limit"
    files = report_files(analysis, "both")
    expected = {"en": "The solve stopped at the time limit; the plan is not proven optimal: gap",
                "zh": "求解达到时间上限而停止；方案未被证明为最优：相对间隙"}
    for lang, text in expected.items():
        head = first_section(files[f"report.{lang}.html"].decode("utf-8"))
        assert head.startswith("status|status status-alert|") and text in head
        assert text in summary_head(files[f"report.{lang}.xlsx"], lang)[1]


# --- the HTML in a real browser ---------------------------------------------------------------------------------------
def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess[bytes]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} not found: install it with `{INSTALL}`")
    return subprocess.run([str(CHROMIUM), *CHROMIUM_ARGS, f"--user-data-dir={profile}", *args], capture_output=True,
                          timeout=120, check=False)


def pdf_page_text(pdf: Path, page: int) -> str:
    exe = shutil.which("pdftotext")
    if exe is None:
        pytest.fail(f"pdftotext not found: install poppler-utils (`{INSTALL}`)")
    return subprocess.run([exe, "-f", str(page), "-l", str(page), str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_the_chinese_report_prints_to_pdf_in_headless_chromium(demo_dir, tmp_path: Path) -> None:
    html_path = demo_dir[0] / "report.zh.html"
    pdf = tmp_path / "report.pdf"
    done = chromium(f"--print-to-pdf={pdf}", html_path.as_uri(), profile=tmp_path / "profile")
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 200_000
    first = pdf_page_text(pdf, 1)
    assert "产业共生分析报告" in first and "方案已被证明为最优" in first  # CJK text laid out, status on page 1


def test_the_report_draws_offline_in_chromium(demo_dir, tmp_path: Path) -> None:
    """With every network request sent to a dead proxy, plotly.js still draws the Sankeys: it is all inline."""
    html_path = demo_dir[0] / "report.en.html"
    done = chromium("--proxy-server=http://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
                    "--virtual-time-budget=15000", "--dump-dom", html_path.as_uri(), profile=tmp_path / "profile")
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    dom = done.stdout.decode("utf-8", "replace")
    assert dom.count('class="sankey-node') > 20  # nodes drawn by plotly.js, not just the figure's data
    assert 'id="network"' in dom and "<svg" in dom


def test_an_infeasible_report_says_so_on_its_first_printed_page(infeasible_files, tmp_path: Path) -> None:
    write_report({"report.html": infeasible_files["report.en.html"]}, tmp_path)
    pdf = tmp_path / "report.pdf"
    done = chromium(f"--print-to-pdf={pdf}", (tmp_path / "report.html").as_uri(), profile=tmp_path / "profile")
    assert done.returncode == 0
    first = " ".join(pdf_page_text(pdf, 1).split())
    assert "The solve is infeasible" in first and "matches no candidate link" in first
