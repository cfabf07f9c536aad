"""The declared schema drives the loader, the templates and the docs."""

from __future__ import annotations

from pathlib import Path

from symbiosis.core.schema import TABLES, columns, header_lookup, normalise_header, schema_document, template

ROOT = Path(__file__).resolve().parent.parent


def test_docs_are_generated_from_the_schema() -> None:
    assert (ROOT / "docs" / "park-data-package.md").read_text(encoding="utf-8") == schema_document()


def test_every_header_maps_to_one_column() -> None:
    for table in TABLES:
        lookup = header_lookup(table)
        for col in columns(table):
            assert lookup[normalise_header(col.name)] == col.name
            assert lookup[normalise_header(col.header_zh)] == col.name


def test_templates_in_both_languages() -> None:
    assert list(template("streams", "en").columns)[:3] == ["stream_id", "enterprise_id", "direction"]
    assert "物料" in template("streams", "zh").columns
    assert list(template("enterprises", "zh").columns)[:2] == ["企业编号", "企业名称"]


def test_full_width_headers_fold() -> None:
    assert normalise_header("Ｘ坐标（km）") == normalise_header("X坐标(km)")
