"""The bounds a park data package must stay within: the one place they are set (documented in docs/limits.md).

Every bound is checked while the input is read (streamed), whatever sizes or counts the file's own headers
claim; a breach is a ParkError naming the limit, its value and the file (code `limit_exceeded`).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, fields

from symbiosis.core.i18n import pair, register


@dataclass(frozen=True)
class Limits:
    package_bytes: int = 200 * 2**20
    """Decompressed bytes read from one package: all members of a .zip or .xlsx, or the files of a folder."""
    archive_members: int = 1_000
    """Entries in a .zip or .xlsx."""
    rows_per_table: int = 200_000
    """Data rows of one table (CSV file or sheet); 15 times the largest generated benchmark park."""
    columns_per_table: int = 500
    """Columns of one table (schema and extra columns)."""
    cell_chars: int = 32_767
    """Characters in one cell: Excel's own limit per cell."""
    shared_strings: int = 2_000_000
    """Entries in an .xlsx's shared-strings table (openpyxl holds them all in memory)."""
    config_bytes: int = 1 * 2**20
    """Size of park.toml (or of the `park` sheet's text)."""
    config_depth: int = 6
    """Nesting of tables and arrays in park.toml, the document being level 1; the schema needs 2."""
    config_entries: int = 2_000
    """Tables, keys and array items in park.toml, counted together."""

    def describe(self) -> list[tuple[str, int, str]]:
        """(name, value, meaning) of every limit, for docs and tests."""
        docs = _attribute_docs()
        return [(f.name, getattr(self, f.name), docs.get(f.name, "")) for f in fields(self)]


def _attribute_docs() -> dict[str, str]:
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(Limits))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs: dict[str, str] = {}
    for node, following in itertools.pairwise(body):
        if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant) and isinstance(following.value.value, str)):
            docs[node.target.id] = following.value.value
    return docs


LIMITS = Limits()

# What each limit bounds, in words for messages (codes "limit.<name>", one per field of Limits).
LIMIT_NAMES = register("limit", {
    "package_bytes": ("the uncompressed size of the package in bytes", "数据包解压后的字节数"),
    "archive_members": ("the number of files in the archive", "压缩包中的文件数"),
    "rows_per_table": ("the number of data rows of a table", "一张表的数据行数"),
    "columns_per_table": ("the number of columns of a table", "一张表的列数"),
    "cell_chars": ("the number of characters in one cell", "单元格的字符数"),
    "shared_strings": ("the number of shared strings of the workbook", "工作簿共享字符串的条数"),
    "config_bytes": ("the size of park.toml in bytes", "park.toml 的字节数"),
    "config_depth": ("the nesting depth of tables and arrays in park.toml", "park.toml 中表和数组的嵌套层数"),
    "config_entries": ("the number of tables, keys and array items in park.toml", "park.toml 中表、键和数组元素的总数"),
})


def _what(name: str) -> tuple[tuple[str, str], tuple[str, str]]:
    what, what_zh = pair(LIMIT_NAMES.code(name))
    return ("what", what), ("what_zh", what_zh)


# The same as the parameters of a limit_exceeded problem: (("what", English), ("what_zh", Chinese)).
LIMIT_WORDS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {name: _what(name) for name in LIMIT_NAMES}

__all__ = ["LIMITS", "LIMIT_NAMES", "LIMIT_WORDS", "Limits"]
