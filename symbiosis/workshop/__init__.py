"""A workshop that remembers: the shared scenario store (SQLite by default, PostgreSQL when configured).

Top layer: it may use the core and the prepared session; the core, flows and matching never import it.
See docs/workshop.md.
"""

from symbiosis.workshop.store import (
    SCHEMA_VERSION,
    Group,
    ImportedWorkshop,
    ResultInput,
    ResultRecord,
    ScenarioRecord,
    Store,
    StoreError,
    Workshop,
    normalize_code,
    park_hash,
)

__all__ = ["SCHEMA_VERSION", "Group", "ImportedWorkshop", "ResultInput", "ResultRecord", "ScenarioRecord", "Store", "StoreError",
           "Workshop", "normalize_code", "park_hash"]
