"""The declared schema of the park data package, read from datasets/schema.csv.

One table drives loading (header mapping), validation (required, dtype), the downloadable templates and the docs.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

import pandas as pd

from symbiosis.core.datasets import read_records
from symbiosis.core.i18n import pick, register, word

TABLES: tuple[str, ...] = ("enterprises", "streams", "exchanges")
REQUIRED_TABLES: tuple[str, ...] = ("enterprises", "streams")
TABLE_NAMES_ZH: dict[str, str] = {"enterprises": "企业", "streams": "物料流", "exchanges": "现有交换"}
# The headings of the column reference (schema_markdown); its second column, 中文表头, is named in Chinese in both.
HEADINGS = register("schema.heading", {
    "column": ("column", "列"), "aliases": ("other accepted headers", "其他可接受表头"), "dtype": ("type", "类型"),
    "unit": ("unit", "单位"), "required": ("required", "必填"), "description": ("description", "说明"),
})
ZH_HEADER_HEADING = "中文表头"

# Columns the loader adds to a loaded table (derived values and the row's origin). A user's extra column with one
# of these names would be overwritten, so it is loaded as USER_COLUMN_PREFIX + name (with a warning) and a writer
# gives it its own header back with original_header().
INTERNAL_COLUMNS: tuple[str, ...] = ("category", "dimension", "quantity_entered", "unit_entered", "quality_rank",
                                     "conversion_note", "position_from", "source_file", "source_row")
USER_COLUMN_PREFIX = "user:"


def user_column_name(header: str) -> str:
    """The name a user's column gets in a loaded table: its header, unless that is an internal column's name."""
    return USER_COLUMN_PREFIX + header if header in INTERNAL_COLUMNS else header


def original_header(column: str) -> str:
    """The header to write for a loaded column: undoes user_column_name (the writer's half of the rename)."""
    if column.startswith(USER_COLUMN_PREFIX) and column[len(USER_COLUMN_PREFIX):] in INTERNAL_COLUMNS:
        return column[len(USER_COLUMN_PREFIX):]
    return column


@dataclass(frozen=True)
class Column:
    table: str
    name: str
    header_zh: str
    aliases: tuple[str, ...]
    dtype: str  # "str" or "float"
    canonical_unit: str
    required: str  # "yes", "no", or a condition: "position", "heat", "water"
    description_en: str
    description_zh: str

    @property
    def headers(self) -> tuple[str, ...]:
        """Every header text accepted for this column."""
        return (self.name, self.header_zh, *self.aliases)


def normalise_header(text: str) -> str:
    """Fold a header for matching: NFKC (full-width to half-width), lower case, no spaces or underscores."""
    folded = unicodedata.normalize("NFKC", str(text)).strip().lower()
    return re.sub(r"[\s_\-]+", "", folded)


@cache
def columns(table: str) -> tuple[Column, ...]:
    return tuple(
        Column(
            table=r["table"], name=r["column"], header_zh=r["header_zh"],
            aliases=tuple(a for a in r["aliases"].split(";") if a), dtype=r["dtype"],
            canonical_unit=r["canonical_unit"], required=r["required"],
            description_en=r["description_en"], description_zh=r["description_zh"],
        )
        for r in read_records("schema") if r["table"] == table
    )


@cache
def header_lookup(table: str) -> dict[str, str]:
    """Normalised header text -> canonical column name."""
    lookup: dict[str, str] = {}
    for col in columns(table):
        for header in col.headers:
            lookup.setdefault(normalise_header(header), col.name)
    return lookup


def column_names(table: str) -> list[str]:
    return [c.name for c in columns(table)]


def header(col: Column, lang: str = "en") -> str:
    """The header a template writes for a column: its English key or its Chinese header (both load)."""
    return pick(col.name, col.header_zh, lang)


def description(col: Column, lang: str = "en") -> str:
    return pick(col.description_en, col.description_zh, lang)


def sheet_name(table: str, lang: str = "en") -> str:
    """The sheet (or file stem) a template names a table by: its English or Chinese name (the loader reads both)."""
    return pick(table, TABLE_NAMES_ZH[table], lang)


def template(table: str, lang: str = "en") -> pd.DataFrame:
    """An empty table with the headers a user fills in (English keys or Chinese headers)."""
    headers = [pick(c.name, c.header_zh, lang) for c in columns(table)]
    return pd.DataFrame(columns=headers)


def schema_markdown(lang: str = "en") -> str:
    """The schema as Markdown tables, for the docs and the app's column help."""
    out: list[str] = []
    for table in TABLES:
        out.append(f"### `{table}.csv` ({TABLE_NAMES_ZH[table]})\n")
        head = [word(HEADINGS, "column", lang), ZH_HEADER_HEADING,
                *(word(HEADINGS, k, lang) for k in ("aliases", "dtype", "unit", "required", "description"))]
        out.append("| " + " | ".join(head) + " |")
        out.append("|---|---|---|---|---|---|---|")
        for c in columns(table):
            desc = pick(c.description_en, c.description_zh, lang)
            aliases = ", ".join(c.aliases)
            out.append(f"| `{c.name}` | {c.header_zh} | {aliases} | {c.dtype} | {c.canonical_unit} | {c.required} | {desc} |")
        out.append("")
    return "\n".join(out)


DOC_HEAD = ("# The park data package: column reference / 园区数据包字段说明\n\n"
            "Generated from `datasets/schema.csv` (`make docs`). "
            "Do not edit by hand.\n\n")


def schema_document() -> str:
    return DOC_HEAD + "## English\n\n" + schema_markdown("en") + "\n## 中文\n\n" + schema_markdown("zh")
