"""The Opportunities page's map (a schematic with curved arrows) and its force/forbid picker (one link at a time,
by name): plain-function tests of the figure and the labels, and an AppTest that forcing picks exactly one link."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app import compute
from app import opportunities as opp
from app import options as opts
from app.state import Workspace
from symbiosis import load_park
from symbiosis.core.datasets import demo_park_path
from symbiosis.core.park import Park
from symbiosis.core.plan import Link, Plan

APP = Path(__file__).resolve().parents[1] / "app_streamlit.py"


@pytest.fixture(scope="module")
def demo_park() -> Park:
    return load_park(demo_park_path())


@pytest.fixture(scope="module")
def candidates(demo_park: Park) -> pd.DataFrame:
    request = opts.SolveRequest(opts.from_widgets(opts.complete({}, demo_park).widgets(), demo_park))
    links = compute.session("map-pickers", demo_park).candidate_table(request.match_options())
    return links[[c for c in opp.CANDIDATE_COLUMNS if c in links.columns]].reset_index(drop=True)


def a_link(rank: int, supplier: str, receiver: str, avoided: float, category: str = "solid") -> Link:
    return Link(link_id=f"{supplier}->{receiver}", supplier_id=supplier.split("-")[0],
                receiver_id=receiver.split("-")[0], supplier_stream_id=supplier, receiver_stream_id=receiver,
                material_out="fly_ash", material_in="cement", category=category, quantity=100.0, unit="t/a",
                quantity_in=100.0, unit_in="t/a", distance_km=5.0, mode="truck", avoided_scope3_cat1_tco2e=avoided,
                rank=rank)


@pytest.fixture(scope="module")
def plan(demo_park: Park) -> Plan:
    ids = [str(i) for i in demo_park.enterprises["enterprise_id"]][:6]
    links = tuple(a_link(r, f"{ids[r - 1]}-1", f"{ids[r]}-2", avoided=1000.0 / r,
                         category=("solid", "heat", "water", "wastewater", "energy")[r - 1]) for r in range(1, 6))
    return Plan(status="optimal", links=links)


def link_traces(figure: Any) -> list[Any]:
    return [tr for tr in figure.data if isinstance(tr.meta, dict) and "rank" in tr.meta]


# --- the map ---------------------------------------------------------------------------------------------------------
def test_links_are_curved_arrows_as_wide_as_their_avoided_emissions(demo_park: Park, plan: Plan) -> None:
    figure = opp.map_figure(demo_park, plan, "en")
    traces = link_traces(figure)
    assert len(traces) == 5
    for tr in traces:
        xs, ys = list(tr.x), list(tr.y)
        assert len(xs) > 10  # a polyline, not a straight segment
        # the middle of the curve is off the chord between its ends
        (x0, y0), (x1, y1), (xm, ym) = (xs[0], ys[0]), (xs[-1], ys[-1]), (xs[len(xs) // 2], ys[len(ys) // 2])
        cross = (x1 - x0) * (ym - y0) - (y1 - y0) * (xm - x0)
        assert abs(cross) > 1e-6
        sizes = list(tr.marker.size)
        assert tr.marker.symbol == "arrow" and sizes[-1] > 0 and sizes[0] == 0  # an arrowhead at the end only
    width = {tr.meta["rank"]: tr.line.width for tr in traces}
    assert [width[r] for r in range(1, 6)] == sorted(width.values(), reverse=True)
    assert width[1] > width[5]
    colours = {tr.meta["rank"]: tr.line.color for tr in traces}
    assert colours[2] == colours[5] == opp.KIND_COLOURS["heat"] and colours[3] == colours[4]
    assert {tr.name for tr in traces} == {"material", "heat", "water"}
    assert sum(bool(tr.showlegend) for tr in traces) == 3  # one legend entry per kind


def test_schematic_with_equal_aspect_scale_bar_names_and_legend_clear_of_title(demo_park: Park, plan: Plan) -> None:
    figure = opp.map_figure(demo_park, plan, "zh")
    layout = figure.layout
    assert layout.yaxis.scaleanchor == "x" and layout.xaxis.visible is False
    scale = [tr for tr in figure.data if tr.name == "scale"]
    assert len(scale) == 1 and scale[0].meta["scale_km"] > 0
    assert any(str(a.text).endswith(" km") for a in layout.annotations)
    assert layout.legend.y < 0 and layout.legend.yanchor == "top"  # below the plot, not under the title
    nodes = next(tr for tr in figure.data if tr.name == "企业")
    who = opp.names(demo_park, "zh")
    for i, text in zip(demo_park.enterprises["enterprise_id"], nodes.text, strict=True):  # short names, or none
        assert text in ("", who[i]) or (text.endswith("…") and who[i].startswith(text[:-1]) and len(text) <= 13)
    assert any(text.endswith("…") for text in nodes.text)
    assert all(who[i] in full for i, full in zip(demo_park.enterprises["enterprise_id"], nodes.customdata,
                                                  strict=True))
    assert not any(text in set(demo_park.enterprises["enterprise_id"]) for text in nodes.text)


def test_top_n_labels_filters_and_highlight(demo_park: Park, plan: Plan) -> None:
    who = opp.names(demo_park, "en")
    figure = opp.map_figure(demo_park, plan, "en", top_n=2)
    labels = [a.text for a in figure.layout.annotations if a.name == "top_link"]
    assert len(labels) == 2 and labels[0].startswith("#1 ") and labels[1].startswith("#2 ")
    first = plan.links[0]
    assert opp.short_name(who[first.supplier_id], "en") in labels[0]
    assert opp.short_name(who[first.receiver_id], "en") in labels[0] and "→" in labels[0]
    assert not any(a.name == "top_link" for a in opp.map_figure(demo_park, plan, "en", top_n=0).layout.annotations)
    assert len([a for a in opp.map_figure(demo_park, plan, "en").layout.annotations if a.name == "top_link"]) == 5

    heat = link_traces(opp.map_figure(demo_park, plan, "en", kinds=["heat"]))
    assert sorted(tr.meta["rank"] for tr in heat) == [2, 5]
    ranked = link_traces(opp.map_figure(demo_park, plan, "en", max_rank=3))
    assert sorted(tr.meta["rank"] for tr in ranked) == [1, 2, 3]

    key = opp.link_key(plan.links[2])
    lit = opp.map_figure(demo_park, plan, "en", highlight=key)
    selected = [tr for tr in lit.data if tr.name == "selected link"]
    assert len(selected) == 1 and selected[0].meta["link"] == opp.encode(key)
    assert selected[0].line.width > max(tr.line.width for tr in link_traces(lit))
    assert not any(tr.name == "selected link" for tr in opp.map_figure(demo_park, plan, "en").data)


def test_map_without_a_plan_shows_the_enterprises(demo_park: Park) -> None:
    figure = opp.map_figure(demo_park, None, "en")
    assert not link_traces(figure) and any(tr.name == "Enterprises" for tr in figure.data)


# --- the picker labels -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_picker_labels_are_unique_and_name_both_ends(demo_park: Park, candidates: pd.DataFrame, lang: str) -> None:
    choices = opp.candidate_choices(candidates, demo_park, lang)  # type: ignore[arg-type]
    pairs = candidates.drop_duplicates(["supplier_stream_id", "receiver_stream_id"])
    assert len(choices) == len(pairs) > 20
    assert len(set(choices.values())) == len(choices)  # unique per link
    who = opp.names(demo_park, lang)  # type: ignore[arg-type]
    for r in pairs.head(50).to_dict("records"):
        label = choices[opp.encode((str(r["supplier_stream_id"]), str(r["receiver_stream_id"])))]
        assert label.startswith(f"{who[str(r['supplier_id'])]} — ")
        assert f"→ {who[str(r['receiver_id'])]} — " in label
        assert label.rstrip("]").count("(") >= 1 and ")" in label  # the quantity and unit
    assert not any("select" in label.lower() or "全选" in label for label in choices.values())


def test_picker_label_reads_supplier_material_receiver_input_quantity(demo_park: Park) -> None:
    ids = [str(i) for i in demo_park.enterprises["enterprise_id"]][:2]
    row = {"supplier_stream_id": f"{ids[0]}-1", "receiver_stream_id": f"{ids[1]}-2", "supplier_id": ids[0],
           "receiver_id": ids[1], "material_out": "fly_ash", "material_in": "cement", "supply": 12345.0,
           "unit_out": "t/a"}
    twin = {**row, "receiver_stream_id": f"{ids[1]}-3"}
    en = opp.candidate_choices(pd.DataFrame([row]), demo_park, "en")
    who = opp.names(demo_park, "en")
    label = en[opp.encode((str(row["supplier_stream_id"]), str(row["receiver_stream_id"])))]
    assert label.startswith(f"{who[ids[0]]} — ") and label.endswith("(12,345 t/a)") and "→" in label
    zh = opp.candidate_choices(pd.DataFrame([row]), demo_park, "zh")
    assert "粉煤灰" in next(iter(zh.values()))
    both = opp.candidate_choices(pd.DataFrame([row, twin]), demo_park, "en")
    assert len(set(both.values())) == 2 and all("[" in v for v in both.values())  # twins name their streams


# --- forcing in the app ------------------------------------------------------------------------------------------------
def test_forcing_picks_exactly_one_link() -> None:
    at = AppTest.from_file(str(APP), default_timeout=90).run()
    at.switch_page("app/pages/opportunities.py").run()
    assert not at.exception, [e.value for e in at.exception]
    ws = at.session_state["workspace"]
    assert isinstance(ws, Workspace)
    picker = at.selectbox(key="link_pick")
    assert picker.value is None and len(picker.options) > 20
    assert len(set(picker.options)) == len(picker.options)
    assert not any("select" in o.lower() for o in picker.options)
    assert at.button(key="pick_force").disabled
    first = picker.options[0]
    picker.select_index(0).run()
    chosen = at.selectbox(key="link_pick").value
    assert isinstance(chosen, str) and " -> " in chosen
    at.button(key="pick_force").click().run()
    assert not at.exception
    forced = at.session_state["forced_links"]
    assert forced == [chosen] and ws.scenario.forced == (opp.decode(chosen),)
    assert at.selectbox(key="link_pick").value is None  # the picker is cleared for the next one
    assert any(first in m.value for m in at.markdown)
    # forbid another, then remove the forced one: each list holds what was chosen, one at a time
    at.selectbox(key="link_pick").select_index(1).run()
    at.button(key="pick_forbid").click().run()
    assert len(at.session_state["forbidden_links"]) == 1 and len(at.session_state["forced_links"]) == 1
    at.button(key="remove_forced_0").click().run()
    assert at.session_state["forced_links"] == [] and ws.scenario.forced == ()
    assert len(ws.scenario.forbidden) == 1


# --- labels never overlap ----------------------------------------------------------------------------------------------
def assert_clear(labels: opp.MapLabels) -> None:
    boxes = labels.boxes()
    for a in range(len(boxes)):
        for b in range(a + 1, len(boxes)):
            assert not opp.overlaps(boxes[a], boxes[b]), (boxes[a], boxes[b])
    v = labels.view
    assert all(v[0] <= b[0] and b[2] <= v[2] and v[1] <= b[1] and b[3] <= v[3] for b in boxes)


def test_wide_characters_count_double() -> None:
    assert opp.text_units("ab") == 2 and opp.text_units("化工") == 4
    assert opp.label_size_px("化工", 10)[0] == 2 * opp.label_size_px("ab", 10)[0]


def assert_off_dots_and_lines(park: Park, figure: Any, labels: opp.MapLabels) -> None:
    """No label box holds an enterprise dot (a disc of the marker's radius) or a point of a line drawn: the
    links' curves (each sample point and the middle of each piece between two) and the existing exchanges."""
    e = park.enterprises
    dots = list(zip(e["x_km"].astype(float), e["y_km"].astype(float), strict=True))
    r = opp.MARKER_PX / 2 * labels.km_per_px
    points: list[tuple[float, float]] = []
    for tr in figure.data:
        if (isinstance(tr.meta, dict) and "rank" in tr.meta) or tr.name in ("existing exchanges", "现有交换"):
            xs, ys = list(tr.x), list(tr.y)
            for a in range(len(xs)):
                if xs[a] is not None:
                    points.append((xs[a], ys[a]))
                    if a + 1 < len(xs) and xs[a + 1] is not None:
                        points.append(((xs[a] + xs[a + 1]) / 2, (ys[a] + ys[a + 1]) / 2))
    assert len(points) > 100
    for box in labels.boxes():
        assert not [d for d in dots if box[0] - r < d[0] < box[2] + r and box[1] - r < d[1] < box[3] + r], box
        assert not [p for p in points if box[0] < p[0] < box[2] and box[1] < p[1] < box[3]], box


def top_labelled(labels: opp.MapLabels, n: int) -> int:
    done = {x.link.rank for x in labels.links}
    return sum(x.rank in done for x in labels.top[:n])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_demo_map_labels_do_not_overlap(demo_park: Park, lang: str) -> None:
    import matching

    full = matching.propose(demo_park)
    labels = opp.place_labels(demo_park, full, lang, opp.map_links(full, None, 60), 15)  # type: ignore[arg-type]
    assert_clear(labels)
    assert len(labels.links) >= 10 and labels.links[0][3].startswith("#1 ")
    assert 3 <= len(labels.names) < len(demo_park.enterprises)  # names clear of every line; the rest on hover
    figure = opp.map_figure(demo_park, full, lang, max_rank=60)  # type: ignore[arg-type]
    assert [a.text for a in figure.layout.annotations if a.name == "top_link"] == [x[3] for x in labels.links]
    nodes = next(tr for tr in figure.data if tr.meta is None and tr.mode == "markers+text")
    assert sum(bool(x) for x in nodes.text) == len(labels.names)
    assert [nodes.textposition[i] for i, eid in enumerate(demo_park.enterprises["enterprise_id"])
            if eid in labels.names] == [labels.names[eid][2] for eid in demo_park.enterprises["enterprise_id"]
                                        if eid in labels.names]
    assert len(opp.map_clusters(demo_park, full)) == 1  # one park: nothing to zoom to


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_demo_map_labels_clear_of_dots_and_lines_and_the_top_ten_all_labelled(demo_park: Park, lang: str) -> None:
    import matching

    full = matching.propose(demo_park)
    labels = opp.place_labels(demo_park, full, lang, opp.map_links(full, None, 60), 15)  # type: ignore[arg-type]
    figure = opp.map_figure(demo_park, full, lang, max_rank=60)  # type: ignore[arg-type]
    assert_off_dots_and_lines(demo_park, figure, labels)
    assert [x.rank for x in labels.top] == list(range(1, 16))
    assert top_labelled(labels, 10) == 10, labels.unlabelled()
    leaders = [a for a in figure.layout.annotations if a.name == "top_link" and a.showarrow]
    assert leaders and all(a.axref == "x" and a.ayref == "y" for a in leaders)  # set off the curve: a leader line
    assert len(leaders) == sum(x.ax is not None for x in labels.links)


@pytest.fixture(scope="module")
def park300() -> tuple[Park, Plan]:
    import matching
    from symbiosis.core.generate import generate_park

    park = generate_park(300, seed=1)
    return park, matching.propose(park)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_generated_park_labels_clear_of_dots_and_lines(park300: tuple[Park, Plan], lang: str) -> None:
    park, full = park300
    shown = opp.map_links(full, None, 60)
    clusters = opp.map_clusters(park, full)
    for zoom in (None, clusters[0][0], clusters[1][0]):
        labels = opp.place_labels(park, full, lang, shown, 15, zoom)  # type: ignore[arg-type]
        figure = opp.map_figure(park, full, lang, max_rank=60, zoom=zoom)  # type: ignore[arg-type]
        assert_clear(labels)
        assert_off_dots_and_lines(park, figure, labels)
        assert top_labelled(labels, 15) >= 12 and top_labelled(labels, 10) == 10, labels.unlabelled()
        if zoom is not None:  # the top links of the frame: both ends inside it
            assert all(x.supplier_id in zoom and x.receiver_id in zoom for x in labels.top)


@pytest.mark.slow
def test_generated_park_labels_do_not_overlap_and_zoom_to_a_cluster(park300: tuple[Park, Plan]) -> None:
    park, full = park300
    shown = opp.map_links(full, None, 60)
    clusters = opp.map_clusters(park, full)
    assert len(clusters) == 2 and clusters[0][1] >= clusters[1][1]  # two parks ~60 km apart, the best first
    whole = opp.place_labels(park, full, "zh", shown, 15)
    assert_clear(whole)
    assert len(whole.names) < len(park.enterprises) // 4
    zoomed = opp.place_labels(park, full, "zh", shown, 15, clusters[0][0])
    assert_clear(zoomed)
    assert set(zoomed.names) <= set(clusters[0][0]) and len(zoomed.names) > len(whole.names)
    figure = opp.map_figure(park, full, "zh", zoom=clusters[0][0])
    scale = next(tr for tr in figure.data if tr.name == "scale")
    assert scale.meta["scale_km"] < next(tr for tr in opp.map_figure(park, full, "zh").data
                                         if tr.name == "scale").meta["scale_km"]
    assert figure.layout.xaxis.range[1] - figure.layout.xaxis.range[0] < 40
