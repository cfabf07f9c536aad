"""Declared columns of the metabolism edge table: `flows.edges_frame(graph)`, one row per flow of the park graph.

EDGE_SCHEMA is the contract of that table (a pandera DataFrameSchema): every column of flows.graph.EDGE_COLUMNS,
no other, each with its type, whether it may be empty and the values it may take. `validate_edges(frame)`
checks a table against it and returns it with net_tco2e as float (it is an object column of None in a
before-state graph, where no edge carries a link's net emissions).

Imports symbiosis.core only (flows.graph may import this module without a cycle).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa

from symbiosis.core.taxonomy import CATEGORIES, DIMENSIONS, baselines

# supply: from a boundary node into an enterprise (an input row's remainder, or a plan link's added electricity);
# fate: from an enterprise to a boundary node (an output row's remainder); exchange: an existing exchange;
# link: a plan link; sewer: wastewater to the park's own treatment plant.
EDGE_KINDS: tuple[str, ...] = ("supply", "fate", "exchange", "link", "sewer")
# Edge keys: s:<stream_id> (supply, fate), x:<exchange_id>, l:<link_id>, w:<stream_id> (sewer),
# e:<link_id>[:i] (a link's added grid electricity).
EDGE_KEY_PATTERN = r"^[sxlwe]:.+"
CANONICAL_UNITS: tuple[str, ...] = tuple(DIMENSIONS.values())


def _is_str_tuple(value: Any) -> bool:
    return isinstance(value, tuple) and all(isinstance(v, str) for v in value)


def _is_row_refs(value: Any) -> bool:
    """A non-empty tuple of flows.graph.RowRef (checked by its fields: this module does not import flows.graph)."""
    return isinstance(value, tuple) and len(value) > 0 and all(
        hasattr(v, "source_file") and hasattr(v, "source_row") and hasattr(v, "stream_id") for v in value)


def _known_baseline(values: pd.Series) -> pd.Series:
    return values.isin(["", *baselines()])


def _text(*checks: pa.Check) -> pa.Column:
    return pa.Column(str, checks=list(checks), nullable=False)


EDGE_SCHEMA = pa.DataFrameSchema(
    {
        "source": _text(),
        "target": _text(),
        "key": _text(pa.Check.str_matches(EDGE_KEY_PATTERN)),
        "kind": _text(pa.Check.isin(EDGE_KINDS)),
        "material": _text(pa.Check.str_length(min_value=1)),
        "category": _text(pa.Check.isin(CATEGORIES)),
        "dimension": _text(pa.Check.isin([*DIMENSIONS, ""])),  # "" only for a plan link of an unknown material
        "unit": _text(pa.Check.isin(CANONICAL_UNITS)),
        "quantity": pa.Column(float, pa.Check.ge(0), nullable=False),  # canonical unit per year
        "temperature_c": pa.Column(float, nullable=True),  # heat edges only
        "temperature_return_c": pa.Column(float, nullable=True),  # heat edges only
        "quality": _text(),  # a water grade, or the text a non-water row was given
        "baseline": _text(pa.Check(_known_baseline, error="a baseline key of datasets/baselines.csv or ''")),
        "enterprise_id": _text(),
        "stream_ids": pa.Column(object, pa.Check(_is_str_tuple, element_wise=True, error="a tuple of stream ids"),
                                nullable=False),
        "exchange_id": _text(),  # "" unless kind is exchange
        "link_id": _text(),  # "" unless a plan link made the edge
        "net_tco2e": pa.Column(float, nullable=True, coerce=True),  # plan links only
        "rows": pa.Column(object, pa.Check(_is_row_refs, element_wise=True, error="a non-empty tuple of RowRef"),
                          nullable=False),
    },
    checks=[
        pa.Check(lambda f: (f["kind"] != "exchange") | (f["exchange_id"] != ""), error="an exchange edge names its exchange"),
        pa.Check(lambda f: (f["kind"] != "link") | (f["link_id"] != ""), error="a link edge names its link"),
    ],
    unique=["source", "target", "key"],
    strict=True,
    name="edges",
)


def validate_edges(frame: pd.DataFrame, *, lazy: bool = True) -> pd.DataFrame:
    """`frame` checked against EDGE_SCHEMA (every failure at once when lazy); raises pandera's SchemaError(s)."""
    return EDGE_SCHEMA.validate(frame, lazy=lazy)


__all__ = ["CANONICAL_UNITS", "EDGE_KEY_PATTERN", "EDGE_KINDS", "EDGE_SCHEMA", "validate_edges"]
