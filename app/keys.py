"""Content hashes: what the caches are keyed on. The same content gives the same key in any session."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

import pandas as pd

from symbiosis.core.park import Park
from symbiosis.core.plan import Plan


def frame_digest(frame: pd.DataFrame) -> str:
    """A hash of a table's content: column names, dtypes and every cell."""
    h = hashlib.sha256()
    h.update(repr([(str(c), str(t)) for c, t in frame.dtypes.items()]).encode())
    if len(frame):
        h.update(pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy().tobytes())
    return h.hexdigest()


def park_key(park: Park) -> str:
    """Content hash of a park: its tables (origin columns included) and park.toml."""
    h = hashlib.sha256(park.config.to_toml().encode())
    for name in ("enterprises", "streams", "exchanges"):
        h.update(name.encode())
        h.update(frame_digest(getattr(park, name)).encode())
    return h.hexdigest()[:24]


def files_key(files: Mapping[str, bytes]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode())
        h.update(hashlib.sha256(files[name]).digest())
    return h.hexdigest()[:24]


def plan_key(plan: Plan | None) -> str:
    """Content hash of a plan ("" for none)."""
    if plan is None:
        return ""
    return hashlib.sha256(plan.to_json().encode()).hexdigest()[:24]


def options_key(options: Mapping[str, Any]) -> str:
    """Content hash of matching options (a JSON-able dict, forced/forbidden included)."""
    return hashlib.sha256(json.dumps(options, sort_keys=True, default=str).encode()).hexdigest()[:24]
