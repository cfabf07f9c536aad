"""Park metabolism: the networkx flow graph, balances and reconciliation, indicators, network analysis, Sankey.

Imports symbiosis/ only (never matching/): a Plan comes in as symbiosis.core.plan.Plan.
"""

from flows.balance import Reconciliation, balances, reconcile, unbalanced, wls_adjust
from flows.difference import difference, difference_figure, difference_links
from flows.graph import FlowWarning, RowRef, build_graph, edges_frame
from flows.indicators import compare_indicators, format_value, indicators
from flows.network import finn_cycling_index, finn_from_matrix, keystones, network_metrics
from flows.plan_io import plan_from_json_dict, read_plan
from flows.sankey import network_dot, sankey_figure, sankey_links

__all__ = [
    "FlowWarning", "Reconciliation", "RowRef", "balances", "build_graph", "compare_indicators", "difference",
    "difference_figure", "difference_links", "edges_frame", "finn_cycling_index", "finn_from_matrix", "format_value",
    "indicators", "keystones", "network_dot", "network_metrics", "plan_from_json_dict", "read_plan", "reconcile",
    "sankey_figure", "sankey_links", "unbalanced", "wls_adjust",
]
