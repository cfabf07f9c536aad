"""The declared tables (flows.tables, matching.tables): the demo park's edge table, candidate links, model links
and plan links validate against their schemas; a renamed, missing or extra column, or a value outside the
declared ones, fails."""

from __future__ import annotations

from dataclasses import fields

import pandas as pd
import pandera.pandas as pa
import pytest

import flows
from flows.graph import EDGE_COLUMNS
from flows.tables import EDGE_KINDS, EDGE_SCHEMA, validate_edges
from matching import MatchModel, propose
from matching.candidates import build_links
from matching.model import prepare
from matching.tables import (
    CANDIDATE_LINK_SCHEMA,
    LINK_STATUSES,
    MODEL_LINK_SCHEMA,
    PLAN_LINK_SCHEMA,
    validate_candidate_links,
    validate_model_links,
    validate_plan_links,
)
from symbiosis import load_park
from symbiosis.core.datasets import demo_park_path
from symbiosis.core.park import Park
from symbiosis.core.plan import Link, Plan


@pytest.fixture(scope="module")
def park() -> Park:
    return load_park(demo_park_path())


@pytest.fixture(scope="module")
def plan(park: Park) -> Plan:
    return propose(park)


@pytest.fixture(scope="module")
def model(park: Park) -> MatchModel:
    return prepare(park)


@pytest.fixture(scope="module")
def edges(park: Park) -> pd.DataFrame:
    return flows.edges_frame(flows.build_graph(park))


def _fails(validate: object, frame: pd.DataFrame) -> None:
    assert callable(validate)
    with pytest.raises((pa.errors.SchemaError, pa.errors.SchemaErrors)):
        validate(frame)


# --- the edge table ------------------------------------------------------------------------------------------
def test_edge_schema_declares_exactly_the_edge_columns() -> None:
    assert set(EDGE_SCHEMA.columns) == set(EDGE_COLUMNS)


def test_demo_edge_table_validates_before_and_after(edges: pd.DataFrame, park: Park, plan: Plan) -> None:
    checked = validate_edges(edges)
    assert len(checked) == len(edges) > 0
    assert checked["net_tco2e"].dtype == float  # an object column of None before any link: declared as float
    assert set(edges["kind"]) <= set(EDGE_KINDS)
    after = flows.edges_frame(flows.build_graph(park, plan))
    checked_after = validate_edges(after)
    assert (checked_after["kind"] == "link").sum() == len(plan.links) > 0


def test_edge_table_with_a_renamed_or_missing_column_fails(edges: pd.DataFrame) -> None:
    _fails(validate_edges, edges.rename(columns={"quantity": "amount"}))
    _fails(validate_edges, edges.drop(columns=["kind"]))
    _fails(validate_edges, edges.assign(extra=1))


def test_edge_table_with_an_undeclared_value_fails(edges: pd.DataFrame) -> None:
    _fails(validate_edges, edges.assign(kind="teleport"))
    _fails(validate_edges, edges.assign(category="plasma"))
    _fails(validate_edges, edges.assign(unit="kg/h"))
    _fails(validate_edges, edges.assign(quantity=-1.0))
    _fails(validate_edges, edges.assign(stream_ids="not a tuple"))
    _fails(validate_edges, pd.concat([edges, edges.head(1)], ignore_index=True))  # an edge twice


# --- candidate, model and plan links -------------------------------------------------------------------------
def test_demo_candidate_links_validate(model: MatchModel) -> None:
    links, _ = build_links(model.ctx)
    assert len(validate_candidate_links(links)) == len(links) > 0


def test_demo_model_links_validate(model: MatchModel) -> None:
    validate_model_links(model.links)
    assert set(model.links["status"]) <= set(LINK_STATUSES)
    assert set(MODEL_LINK_SCHEMA.columns) - set(CANDIDATE_LINK_SCHEMA.columns) == {
        "obj", "fixed", "status", "forced", "forced_sized", "component"}


def test_demo_plan_links_validate(plan: Plan) -> None:
    frame = plan.links_frame()
    assert len(validate_plan_links(frame)) == len(plan.links) > 0
    derived = {"avoided_scope3_tco2e", "added_tco2e", "net_tco2e", "cost_per_tco2e"}
    assert set(PLAN_LINK_SCHEMA.columns) == {f.name for f in fields(Link)} | derived


def test_link_tables_with_a_renamed_or_missing_column_fail(model: MatchModel, plan: Plan) -> None:
    links, _ = build_links(model.ctx)
    _fails(validate_candidate_links, links.rename(columns={"mode": "transport"}))
    _fails(validate_candidate_links, links.drop(columns=["capacity"]))
    _fails(validate_model_links, model.links.drop(columns=["status"]))
    frame = plan.links_frame()
    _fails(validate_plan_links, frame.rename(columns={"net_tco2e": "net"}))
    _fails(validate_plan_links, frame.drop(columns=["link_id"]))


def test_link_tables_with_an_undeclared_value_fail(model: MatchModel, plan: Plan) -> None:
    links, _ = build_links(model.ctx)
    _fails(validate_candidate_links, links.assign(kind="electric"))
    _fails(validate_candidate_links, links.assign(mode="rail"))
    _fails(validate_candidate_links, links.assign(category="plasma"))
    _fails(validate_candidate_links, links.assign(fuel="wood"))
    _fails(validate_model_links, model.links.assign(status="maybe"))
    _fails(validate_plan_links, plan.links_frame().assign(mode="rail"))
