"""The report's MACC section (issue 16) on the small park of park_builders: the section in its place in both
languages, one bar per link in the embedded figure, the cheapest and dearest links, the placeholder sentence, the
workbook's economics sheets equal to the core's numbers, macc.json, and what it says when there is no link or a
park.toml [economics] row is unknown."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from park_builders import write_park
from test_matching_support import any_size

from matching.options import OptionsError
from symbiosis.core.economics import EconomicsTable, economics_table, macc
from symbiosis.core.loader import load_park
from symbiosis.core.park import Park
from symbiosis.reporting import SECTIONS, Analysis, analyse, report_files
from symbiosis.reporting import texts as tx

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def park(tmp_path_factory: pytest.TempPathFactory) -> Park:
    return load_park(write_park(tmp_path_factory.mktemp("econ") / "park", park_toml=any_size(None)))


@pytest.fixture(scope="module")
def analysis(park: Park) -> Analysis:
    return analyse(park, uncertainty_samples=0)


@pytest.fixture(scope="module")
def files(analysis: Analysis) -> dict[str, bytes]:
    return report_files(analysis, "both")


def macc_section(page: str) -> str:
    return page.split('<section id="macc"')[1].split("</section>")[0]


def test_the_macc_section_follows_the_links_in_both_languages(files: dict[str, bytes]) -> None:
    assert SECTIONS.index("macc") == SECTIONS.index("links") + 1
    for lang in ("en", "zh"):
        page = files[f"report.{lang}.html"].decode("utf-8")
        assert re.findall(r'<section id="([\w-]+)"', page) == list(SECTIONS)
        section = macc_section(page)
        assert f"<h2>{tx.t('sec_macc', lang)}</h2>" in section
        assert "Plotly.newPlot(" in section
        assert f'href="#macc">{tx.t("sec_macc", lang)}</a>' in page  # in the table of contents
        headings = re.findall(r"<(?:h2|h3|th)>([^<]+)</", section)
        assert headings and all(bool(CJK.search(h)) == (lang == "zh") for h in headings), headings


def test_the_figure_has_one_bar_per_link_and_the_price_line(analysis: Analysis, files: dict[str, bytes]) -> None:
    section = macc_section(files["report.en.html"].decode("utf-8"))
    call = section.split("Plotly.newPlot(")[1]
    data, _ = json.JSONDecoder().raw_decode(call[call.index("["):])
    ids = [c[0] for trace in data for c in trace["customdata"]]
    assert ids == ["E1-3->E3-8", "E1-2->E2-6"]  # the steam pipe is cheaper per tonne than the fly-ash truck
    core = macc(analysis.plan, analysis.park, 100.0).to_frame().set_index("link_id")["height"]
    assert [b for trace in data for b in trace["y"]] == pytest.approx([core[i] for i in ids], rel=1e-9)
    assert all(b < 0 for trace in data for b in trace["y"])  # both save more than they cost
    assert '"y0":100.0,"y1":100.0' in section.replace(" ", "")  # the run's carbon price
    assert analysis.economics is not None and analysis.economics.curve.carbon_price == analysis.settings.carbon_price


def test_the_cheapest_and_dearest_links_and_the_placeholder_sentence(analysis: Analysis,
                                                                     files: dict[str, bytes]) -> None:
    section = macc_section(files["report.en.html"].decode("utf-8"))
    cheapest = section.split('id="macc-cheapest"')[1].split("</table>")[0]
    dearest = section.split('id="macc-dearest"')[1].split("</table>")[0]
    order = lambda html: re.findall(r'c-link_id">([^<]+)<', html)  # noqa: E731
    assert [x.replace("&gt;", ">") for x in order(cheapest)] == ["E1-3->E3-8", "E1-2->E2-6"]
    assert [x.replace("&gt;", ">") for x in order(dearest)] == ["E1-2->E2-6", "E1-3->E3-8"]
    sentence = section.split('id="macc-placeholders">')[1].split("</p>")[0]
    assert sentence.startswith("2 of 2 link(s) rest on at least one placeholder row")
    shipped = EconomicsTable()
    used = {p for ids in economics_table(analysis.plan, analysis.park)["param_ids"] for p in ids}
    placeholders = {p for p in used if shipped.get(p).reliability == "R"}
    assert placeholders and all(f"{p} (1)" in sentence for p in placeholders)
    for sourced in used - placeholders:  # a sourced row (tag B/C/derived) is no placeholder
        assert f"{sourced} (" not in sentence
    assert "truck_cny_per_tkm" not in sentence and "discount_rate" not in sentence
    assert "2 link(s) on the curve avoid 18,815 tCO2e/a" in section


def test_the_workbook_sheets_equal_the_core_numbers(park: Park, analysis: Analysis, files: dict[str, bytes]) -> None:
    core = economics_table(analysis.plan, park).set_index("link_id")
    for lang in ("en", "zh"):
        book = io.BytesIO(files[f"report.{lang}.xlsx"])
        sheet = pd.read_excel(book, sheet_name=tx.sheet("economics", lang)).set_index(tx.col("link_id", lang))
        assert sorted(sheet.index) == sorted(core.index)
        for key in ("capex_cny", "opex_cny", "savings_cny", "annual_net_cost_cny", "npv_cny", "payback_years",
                    "abatement_cost_cny_per_tco2e", "supplier_annual_cny", "receiver_annual_cny"):
            for link_id in core.index:
                assert sheet.loc[link_id, tx.col(key, lang)] == pytest.approx(core.loc[link_id, key], rel=1e-12), key
        assert list(sheet[tx.col("macc_order", lang)]) == [1, 2]
        rows = pd.read_excel(io.BytesIO(files[f"report.{lang}.xlsx"]),
                             sheet_name=tx.sheet("economic_rows", lang)).set_index(tx.col("param_id", lang))
        used = {p for ids in core["param_ids"] for p in ids}
        assert set(rows.index) == used
        shipped = EconomicsTable()
        for pid in used:
            assert rows.loc[pid, tx.col("source", lang)] == shipped.get(pid).source
            assert rows.loc[pid, tx.col("tag", lang)] == shipped.get(pid).reliability
        headers = [c.value for c in next(openpyxl.load_workbook(io.BytesIO(files[f"report.{lang}.xlsx"]))[
            tx.sheet("economics", lang)].iter_rows(max_row=1))]
        assert all(bool(CJK.search(str(h))) == (lang == "zh") for h in headers), headers
    assert json.loads(files["macc.json"]) == json.loads(json.dumps(macc(analysis.plan, park, 100.0).to_record()))


def test_no_link_means_no_curve_said_plainly(tmp_path: Path) -> None:
    park = load_park(write_park(tmp_path / "p", streams=[["E1", "input", "coal", 1, "万t/a", "", "", "", "virgin",
                                                           "", ""]]))
    a = analyse(park, uncertainty_samples=0)
    assert not a.plan.links
    for lang in ("en", "zh"):
        section = macc_section(report_files(a, lang)["report.html"].decode("utf-8"))
        assert tx.t("macc_no_links", lang) in section and "Plotly.newPlot(" not in section


def test_an_unknown_economics_row_in_park_toml_is_refused_by_name(tmp_path: Path) -> None:
    """[economics] rows are matching options since the one cost rule: an unknown one is refused before any solve,
    naming the row and the accepted ids, as every other bad option is."""
    park = load_park(write_park(tmp_path / "p", park_toml=any_size("[economics]\npipe_cost_per_mile = 5\n")))
    with pytest.raises(OptionsError) as err:
        analyse(park, uncertainty_samples=0)
    assert "pipe_cost_per_mile" in str(err.value) and "pipe_capex_hot_water" in str(err.value)
