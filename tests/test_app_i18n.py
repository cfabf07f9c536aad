"""The app's texts are complete in both languages, and every widget on every page has a key (AppTest drives
pages by key; a keyless widget could not be tested or restored)."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

from app.i18n import S, t

ROOT = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3400-\u9fff\uff00-\uffef]")
# Texts that are the same in both languages on purpose (letters naming scenarios, file formats, patterns).
LANGUAGE_NEUTRAL = {"cmp_a", "cmp_b", "cmp_value_a", "cmp_value_b", "dl_csv", "sankey_title"}
WIDGETS = {"button", "download_button", "radio", "selectbox", "multiselect", "slider", "checkbox", "number_input",
           "text_input", "text_area", "file_uploader", "data_editor", "toggle", "segmented_control", "pills",
           "select_slider", "date_input", "time_input", "color_picker", "form_submit_button", "chat_input"}


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_text_exists_in_both_languages_with_the_same_parameters() -> None:
    bad = []
    for key, (en, zh) in S.items():
        if not en.strip() or not zh.strip():
            bad.append(f"{key}: empty")
        if fields(en) != fields(zh):
            bad.append(f"{key}: parameters differ {fields(en)} vs {fields(zh)}")
        if key not in LANGUAGE_NEUTRAL and not CJK.search(zh):
            bad.append(f"{key}: the Chinese text has no Chinese in it: {zh!r}")
        if CJK.search(en.replace("中文", "")):
            bad.append(f"{key}: the English text has Chinese in it: {en!r}")
    assert bad == []


def test_every_text_the_app_asks_for_exists() -> None:
    used: set[str] = set()
    for path in (ROOT / "app").rglob("*.py"):
        used |= set(re.findall(r"\bt\(\s*\"([a-z0-9_]+)\"", path.read_text(encoding="utf-8")))
    assert used - set(S) == set()
    assert t("upload_too_large", "zh", mb=50, size=60).startswith("上传文件共 60 MB")


def widget_calls_without_key(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    missing = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WIDGETS
                and not any(k.arg == "key" for k in node.keywords)):
            missing.append(f"{path.name}:{node.lineno} {node.func.attr}")
    return missing


def test_every_widget_has_a_key() -> None:
    files = [*(ROOT / "app").rglob("*.py"), ROOT / "app_streamlit.py"]
    assert [m for f in files for m in widget_calls_without_key(f)] == []


def test_no_module_level_mutable_state_in_the_app() -> None:
    """Module-level names in app/ are constants (upper case, never reassigned by a page) or functions."""
    for path in (ROOT / "app").rglob("*.py"):
        if path.parent.name == "pages":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.AnnAssign) and ast.unparse(node.annotation) == "TypeAlias":
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, ast.AnnAssign) else []
            for target in targets:
                if isinstance(target, ast.Name) and target.id != "__all__":
                    assert target.id.isupper() or target.id.startswith("_"), f"{path.name}: {target.id}"
        assert "global " not in path.read_text(encoding="utf-8"), path.name
