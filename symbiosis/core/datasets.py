"""Where the shipped reference tables live, and reading them once."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pandas as pd

from symbiosis.core.errors import DatasetError


def datasets_dir() -> Path:
    """The datasets/ folder: $SYMBIOSIS_DATASETS if set, else the one beside the packages."""
    override = os.environ.get("SYMBIOSIS_DATASETS")
    return Path(override) if override else Path(__file__).resolve().parents[2] / "datasets"


def demo_park_path() -> Path:
    return datasets_dir() / "demo_park"


@cache
def read_table(name: str) -> pd.DataFrame:
    """Read datasets/<name>.csv as strings (callers convert the columns they use). Cached: the tables are static."""
    path = datasets_dir() / f"{name}.csv"
    if not path.exists():
        raise DatasetError(f"Reference table {path} is missing")
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


@cache
def read_records(name: str) -> tuple[dict[str, str], ...]:
    """datasets/<name>.csv as rows of text, for building typed records."""
    frame = read_table(name)
    return tuple({str(k): str(v) for k, v in row.items()} for row in frame.to_dict(orient="records"))
