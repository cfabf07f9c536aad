"""The map's zoom in the app: on a park of two clusters 100 km apart, the Opportunities page offers a zoom
selectbox (each cluster, or all enterprises), and picking a cluster shrinks the figure's axis ranges to it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from app_driver import go, ws_of
from park_builders import BASIC_ENTERPRISES, BASIC_STREAMS, write_park
from streamlit.testing.v1 import AppTest

APP = Path(__file__).resolve().parents[1] / "app_streamlit.py"
FAR_KM = 100.0  # the second cluster's offset: far beyond ZOOM_GAP_KM and beyond any mode's reach


def two_clusters(folder: Path) -> Path:
    """The basic three enterprises twice: E1–E3 near (0, 0) and F1–F3 the same FAR_KM east."""
    far = [[str(e[0]).replace("E", "F"), f"{e[1]} B", float(e[2]) + FAR_KM, e[3]]  # type: ignore[arg-type]
           for e in BASIC_ENTERPRISES]
    streams = [*BASIC_STREAMS, *([str(r[0]).replace("E", "F"), *r[1:]] for r in BASIC_STREAMS)]
    return write_park(folder, enterprises=[*BASIC_ENTERPRISES, *far], streams=streams)


def the_map(at: AppTest) -> dict[str, Any]:
    charts = [c for c in at.get("plotly_chart") if '"scaleanchor"' in c.proto.spec]
    assert len(charts) == 1
    return dict(json.loads(charts[0].proto.spec))


def x_range(figure: dict[str, Any]) -> tuple[float, float]:
    lo, hi = figure["layout"]["xaxis"]["range"]
    return float(lo), float(hi)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_zoom_to_a_cluster_shrinks_the_map(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str) -> None:
    monkeypatch.setenv("SYMBIOSIS_APP_PARK", str(two_clusters(tmp_path / "two")))
    at = AppTest.from_file(str(APP), default_timeout=90).run()
    assert not at.exception, [e.value for e in at.exception]
    at.radio(key="lang").set_value(lang).run()
    go(at, "opportunities")
    at.button(key="run_matching").click().run()
    assert not at.exception, [e.value for e in at.exception]
    plan = ws_of(at).plan
    assert plan is not None and plan.links
    assert {x.supplier_id[0] for x in plan.links} == {"E", "F"}  # links in both clusters, none between them

    zoom = at.selectbox(key="map_zoom_2")
    assert zoom.options and len(zoom.options) == 3  # cluster 1, cluster 2, all enterprises
    assert zoom.value == 0  # the most avoided cluster first
    first = x_range(the_map(at))

    zoom.set_value(-1).run()  # all enterprises: both clusters in view
    assert not at.exception
    whole = x_range(the_map(at))
    assert whole[0] <= 0 and whole[1] >= FAR_KM + 3 and whole[1] - whole[0] > FAR_KM

    ranges = []
    for choice in (0, 1):
        at.selectbox(key="map_zoom_2").set_value(choice).run()
        figure = the_map(at)
        lo, hi = x_range(figure)
        ranges.append((lo, hi))
        assert hi - lo < (whole[1] - whole[0]) / 5  # the view shrinks to the cluster
        members = ws_of(at).park.enterprises  # type: ignore[union-attr]
        cluster = [float(x) for x, eid in zip(members["x_km"], members["enterprise_id"], strict=True)
                   if (eid[0] == "E") == (lo < FAR_KM / 2)]
        assert lo < min(cluster) and max(cluster) < hi  # the cluster fills the view; the other one is out
        others = [float(x) for x in members["x_km"] if not lo <= float(x) <= hi]
        assert len(others) == 3
        scale = next(tr for tr in figure["data"] if tr.get("name") == "scale")
        assert scale["meta"]["scale_km"] <= 2  # a scale bar for the cluster, not for the 100 km between
    assert ranges[0] == first and ranges[0] != ranges[1]  # the default is the first cluster; the two differ
