"""The difference chart as the Scenarios page shows it (app.scenarios.readable_difference): long row labels
wrapped between names, rows tall enough for their lines, room for the values, title and axis title clear."""

from __future__ import annotations

import flows
from app import scenarios as sc
from app.opportunities import text_units
from symbiosis.core.generate import generate_park

LONG = "钢铁联合企业168 / Integrated steel works 168 → 水泥厂52 / Cement plant 52 · Solid by-products and wastes"


def test_long_labels_wrap_between_names_never_inside_one() -> None:
    assert sc.wrap_label("E1 → E2 · solid") == "E1 → E2 · solid"
    lines = sc.wrap_label(LONG).split("<br>")
    assert len(lines) >= 2 and "".join(lines).replace(" ", "") == LONG.replace(" ", "")
    assert lines[0].endswith("→") and any(x.startswith("·") for x in lines[1:])
    assert all(text_units(x) <= sc.WRAP_UNITS for x in lines)
    zh = sc.wrap_label("钢铁联合企业168 / Integrated steel works 168 → 水泥厂52 / Cement plant 52：固体副产物和废物")
    assert "：<br>" in zh or zh.count("<br>") == 1


def test_readable_difference_on_a_generated_park() -> None:
    import matching

    park = generate_park(160, seed=2)
    plan = matching.propose(park)
    diff = flows.difference_links(park, None, park, plan, basis="mass", level="enterprise", lang="en")
    raw = flows.difference_figure(diff, basis="mass", level="enterprise", lang="en")
    before = list(raw.layout.yaxis.ticktext)
    fig = sc.readable_difference(flows.difference_figure(diff, basis="mass", level="enterprise", lang="en"))
    after = list(fig.layout.yaxis.ticktext)
    assert len(after) == len(before) > 10
    assert [x.replace("<br>", " ").replace("  ", " ") for x in after] == [x.replace("  ", " ") for x in before]
    lines = max(x.count("<br>") + 1 for x in after)
    assert fig.layout.height >= 200 + (15 * lines + 10 if lines > 1 else 28) * len(after)
    assert fig.layout.title.yref == "container" and fig.layout.title.yanchor == "top"
    values = [float(v) for v in fig.data[0].x]
    lo, hi = fig.layout.xaxis.range
    span = max([0.0, *values]) - min([0.0, *values])
    assert lo <= min([0.0, *values]) - 0.25 * span * (min(values) < 0) and hi >= max(values) + 0.25 * span
    assert fig.layout.margin.b >= 70 and fig.layout.margin.t >= 90


def test_an_empty_difference_is_left_alone() -> None:
    import pandas as pd

    empty = pd.DataFrame(columns=["source", "target", "source_label", "target_label", "category", "material",
                                  "value_a", "value_b", "change", "kind"])
    fig = flows.difference_figure(empty, basis="mass", lang="zh")
    assert sc.readable_difference(fig) is fig and not fig.layout.yaxis.ticktext
