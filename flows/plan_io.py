"""Read a Plan back from the dict Plan.to_json_dict() writes (and from a JSON file of it).

The core's Plan.from_json_dict does the conversion where it exists; this module adds the checks a user-supplied
file needs (a clear error instead of a TypeError) and a fallback reader for a core without that method.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

from symbiosis.core.plan import Link, Plan

_LINK_FIELDS = {f.name for f in dataclasses.fields(Link)}
_PLAN_FIELDS = {f.name for f in dataclasses.fields(Plan)} - {"links"}
_REQUIRED_LINK_FIELDS = sorted(f.name for f in dataclasses.fields(Link)
                               if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)


def _check(data: dict[str, Any]) -> None:
    if not isinstance(data, dict) or "status" not in data:
        raise ValueError("not a plan: no 'status' key (expected the JSON written by Plan.to_json)")
    for record in data.get("links") or ():
        missing = [name for name in _REQUIRED_LINK_FIELDS if name not in record]
        if missing:
            raise ValueError(f"plan link {record.get('link_id', '?')} lacks {', '.join(missing)}")


def _tuples(values: dict[str, Any], names: set[str], cls: type) -> dict[str, Any]:
    """JSON lists back to the tuples the frozen dataclasses hold."""
    defaults = {f.name: f.default for f in dataclasses.fields(cls)}
    return {k: tuple(v) if isinstance(v, list) and isinstance(defaults.get(k), tuple) else v
            for k, v in values.items() if k in names}


def plan_from_json_dict(data: dict[str, Any]) -> Plan:
    """The inverse of Plan.to_json_dict(), with a readable error for a file that is not a plan."""
    _check(data)
    reader = getattr(Plan, "from_json_dict", None)
    if reader is not None:
        plan: Plan = reader(data)
        return plan
    links = tuple(Link(**_tuples(r, _LINK_FIELDS, Link)) for r in data.get("links") or ())
    values = _tuples(data, _PLAN_FIELDS, Plan)
    values["options"] = dict(values.get("options") or {})
    return Plan(links=links, **values)


def read_plan(path: str | Path) -> Plan:
    """A plan from a JSON file written with Plan.to_json()."""
    data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    return plan_from_json_dict(data)
