"""Declared columns of the link tables (pandera DataFrameSchemas): what each column holds, its type, whether it may
be empty and the values it may take.

CANDIDATE_LINK_SCHEMA  matching.candidates.build_links: every candidate link with its accounting per unit of flow,
                       costs, capacity and minimum size (one row per link, `lid` its position)
MODEL_LINK_SCHEMA      MatchModel.links (matching.model.prepare): the candidates with their objective coefficients,
                       pruning status (LINK_STATUSES), forced flags and independent component
PLAN_LINK_SCHEMA       symbiosis.core.plan.Plan.links_frame(): the links of a plan, one row per built link

The accounting columns follow symbiosis.core.accounting.ITEMS (one float column per item, per unit of flow, and
its factor ids in ids_<item>). Imports symbiosis.core only (candidates and model may import this module).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pandera.pandas as pa

from symbiosis.core.accounting import ITEMS
from symbiosis.core.park import DEFAULT_REACH_KM
from symbiosis.core.taxonomy import CATEGORIES, DIMENSIONS

LINK_KINDS: tuple[str, ...] = ("material", "heat")
MODES: tuple[str, ...] = tuple(DEFAULT_REACH_KM)  # truck, pipe_water, pipe_heat, pipe_steam, pipe_gas
FUELS: tuple[str, ...] = ("", "natural_gas", "coal", "electricity")  # the receiver's fuel a link saves ("" none)
# Why a candidate is or is not in the model (matching.model.prepare).
LINK_STATUSES: tuple[str, ...] = ("forbidden", "no_benefit", "below_minimum", "model")
CANONICAL_UNITS: tuple[str, ...] = tuple(DIMENSIONS.values())


def _text(*checks: pa.Check, nullable: bool = False) -> pa.Column:
    return pa.Column(str, checks=list(checks), nullable=nullable)


def _number(*checks: pa.Check, nullable: bool = False) -> pa.Column:
    return pa.Column(float, checks=list(checks), nullable=nullable)


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list | tuple) and all(isinstance(v, str) for v in value)


def _str_list(what: str) -> pa.Column:
    return pa.Column(object, pa.Check(_is_str_list, element_wise=True, error=f"a list of {what}"), nullable=False)


_NONNEGATIVE = pa.Check.ge(0)
_SHARE = pa.Check.in_range(0, 1)

CANDIDATE_LINK_SCHEMA = pa.DataFrameSchema(
    {
        "lid": pa.Column(int, _NONNEGATIVE, nullable=False, unique=True),
        "kind": _text(pa.Check.isin(LINK_KINDS)),
        "supplier_stream_id": _text(),
        "receiver_stream_id": _text(),
        "supplier_id": _text(),
        "receiver_id": _text(),
        "material_out": _text(),
        "material_in": _text(),
        "category": _text(pa.Check.isin(CATEGORIES)),  # of the supplier's output
        "category_in": _text(pa.Check.isin(CATEGORIES)),
        "unit_out": _text(pa.Check.isin(CANONICAL_UNITS)),
        "unit_in": _text(pa.Check.isin(CANONICAL_UNITS)),
        "baseline_out": _text(),
        "baseline_in": _text(),
        "rule_id": _text(),
        "ratio": _number(_NONNEGATIVE),  # input units replaced per unit of output
        "max_share": _number(_SHARE),
        "mode": _text(pa.Check.isin(MODES)),
        "reach_km": _number(_NONNEGATIVE),
        "pretreatment_kwh_per_unit": _number(_NONNEGATIVE, nullable=True),
        "hazardous_code": _text(),
        "distance_km": _number(_NONNEGATIVE),
        "delivered_fraction": _number(_SHARE),  # heat reaching the receiver after pipe losses (1 for material)
        "supply": _number(_NONNEGATIVE),  # the output's quantity after existing exchanges
        "demand": _number(_NONNEGATIVE),  # the input's quantity after existing exchanges
        "share_room": _number(),  # what the rule's share cap leaves of the input
        "joint_share": _number(_SHARE),  # the receiving process's joint cap (1: none; symbiosis.core.receiving)
        "joint_room": _number(),  # what the joint cap leaves of the input (inf: none)
        "mix_weight": _number(_NONNEGATIVE),  # ratio / the rule's cap, substitutes only (0: identity or heat)
        "mix_room": _number(),  # the input less existing substitutes, each / its rule's cap (inf: heat)
        "mix_existing": pa.Column(bool, nullable=False),  # existing exchanges already substitute into the input
        "temperature_supply_c": _number(nullable=True),  # heat links only
        "temperature_sink_c": _number(nullable=True),  # heat links only
        "approach_extra_k": _number(_NONNEGATIVE),  # K beyond dt_min_k a heat link needs (loop, pipe drop); 0 else
        "price_out": _number(nullable=True),
        "price_in": _number(nullable=True),
        "displaced_out": _text(),  # the supplier row's displaced_use ("" blank, "none", a material key)
        "process_held": _text(),  # the receiver's own intermediate holding the input's calcination, or ""
        **{item: _number() for item in ITEMS},  # tCO2e per unit of flow
        **{f"ids_{item}": _str_list("factor ids") for item in ITEMS},
        "factor_ids": _str_list("factor ids"),
        "notes": pa.Column(object, nullable=False),
        "net_coef": _number(),  # net avoided tCO2e per unit of flow
        "cost_fixed": _number(),  # CNY/a when built: annualised fixed investment + fixed O&M (economics.cost_terms)
        "tco2e_fixed": _number(),  # tCO2e/a when built (construction, annualised)
        "cost_var": _number(),  # CNY/a per unit of flow: annualised investment + O&M per unit, less savings
        "capex_fixed": _number(),  # CNY of investment when built
        "capex_var": _number(),  # CNY of investment per unit of flow
        "fuel": _text(pa.Check.isin(FUELS)),
        "fuel_per_unit": _number(_NONNEGATIVE),
        "fuel_room": _number(nullable=True),  # NaN when fuel is ""
        "capacity": _number(),
        "min_size": _number(_NONNEGATIVE),  # the category's minimum (and a sliver of capacity)
        "min_dust": _number(_NONNEGATIVE),  # the flow reaching min_link_tco2e net (0: none)
        "min_quantity": _number(_NONNEGATIVE),  # max of the two; a forced link: min_size (model stage)
    },
    strict=True,
    name="candidate links",
)

MODEL_LINK_SCHEMA = pa.DataFrameSchema(
    {
        **CANDIDATE_LINK_SCHEMA.columns,
        "obj": _number(),  # objective per unit of flow
        "fixed": _number(),  # objective when built
        "status": _text(pa.Check.isin(LINK_STATUSES)),
        "forced": pa.Column(bool, nullable=False),  # picked by a forced selector
        "forced_sized": pa.Column(bool, nullable=False),  # picked by a forced selector that states a quantity
        "component": pa.Column(int, pa.Check.ge(-1), nullable=False),  # -1 when pruned
    },
    strict=True,
    name="model links",
)

_TCO2E = ("avoided_scope1_tco2e", "avoided_scope2_tco2e", "avoided_scope3_cat1_tco2e", "avoided_scope3_cat5_tco2e",
          "added_transport_tco2e", "added_energy_tco2e", "added_combustion_tco2e", "added_construction_tco2e",
          "added_displaced_tco2e", "avoided_scope3_tco2e", "added_tco2e", "net_tco2e")

PLAN_LINK_SCHEMA = pa.DataFrameSchema(
    {
        "link_id": _text(),
        "supplier_id": _text(),
        "receiver_id": _text(),
        "supplier_stream_id": _text(),
        "receiver_stream_id": _text(),
        "material_out": _text(),
        "material_in": _text(),
        "category": _text(pa.Check.isin(CATEGORIES)),
        "quantity": _number(_NONNEGATIVE),  # of the supplier's output, canonical unit per year
        "unit": _text(pa.Check.isin(CANONICAL_UNITS)),
        "quantity_in": _number(_NONNEGATIVE),
        "unit_in": _text(pa.Check.isin(CANONICAL_UNITS)),
        "distance_km": _number(_NONNEGATIVE),
        "mode": _text(pa.Check.isin(MODES)),
        "temperature_supply_c": _number(nullable=True),
        "temperature_sink_c": _number(nullable=True),
        **{name: _number() for name in _TCO2E},  # tCO2e/a
        "rank": pa.Column(int, pa.Check.ge(0), nullable=False),
        "rule_id": _text(),
        "hazardous_code": _text(),
        "forced": pa.Column(bool, nullable=False),
        "factor_ids": _str_list("factor ids"),
        "annual_cost_cny": _number(nullable=True),
        "scope1_owner": _text(),
        "scope2_owner": _text(),
        "scope3_owner": _text(),
        "accounting": pa.Column(object, pa.Check(lambda v: isinstance(v, list), element_wise=True,
                                                 error="a list of accounting lines"), nullable=False),
        "notes": _str_list("notes"),
        "notes_zh": _str_list("notes"),
        "mode_reach_km": _number(nullable=True),
        "design_quantity": _number(nullable=True),  # the flow the pipe is sized for (the candidate's capacity)
        "cost_per_tco2e": _number(nullable=True),  # None when the link's net is not positive or has no cost
    },
    unique=["link_id"],
    strict=True,
    name="plan links",
)


def validate_candidate_links(frame: pd.DataFrame, *, lazy: bool = True) -> pd.DataFrame:
    """build_links' table checked against CANDIDATE_LINK_SCHEMA; raises pandera's SchemaError(s)."""
    return CANDIDATE_LINK_SCHEMA.validate(frame, lazy=lazy)


def validate_model_links(frame: pd.DataFrame, *, lazy: bool = True) -> pd.DataFrame:
    """MatchModel.links checked against MODEL_LINK_SCHEMA; raises pandera's SchemaError(s)."""
    return MODEL_LINK_SCHEMA.validate(frame, lazy=lazy)


def validate_plan_links(frame: pd.DataFrame, *, lazy: bool = True) -> pd.DataFrame:
    """Plan.links_frame() checked against PLAN_LINK_SCHEMA; raises pandera's SchemaError(s)."""
    return PLAN_LINK_SCHEMA.validate(frame, lazy=lazy)


__all__ = ["CANDIDATE_LINK_SCHEMA", "FUELS", "LINK_KINDS", "LINK_STATUSES", "MODEL_LINK_SCHEMA", "MODES",
           "PLAN_LINK_SCHEMA", "validate_candidate_links", "validate_model_links", "validate_plan_links"]
