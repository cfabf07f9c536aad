"""Two languages spoken in one place: one language type, one catalogue of (English, 中文) templates assembled from
the tables each layer registers, one renderer (symbiosis.core.i18n)."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

from symbiosis.core import i18n
from symbiosis.core.i18n import DuplicateCodeError, pair, placeholders, register, render

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("symbiosis", "flows", "matching", "app")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")  # CJK punctuation (、。「」) counts too
# Codes whose Chinese text has no Chinese in it on purpose (letters, formats, arrows, progress counters, the
# HTML language tag).
LANGUAGE_NEUTRAL = {"app.cmp_a", "app.cmp_b", "app.cmp_value_a", "app.cmp_value_b", "app.dl_csv", "app.sankey_title",
                    "report.arrow", "report.progress_step",
                    "report.convention.html_lang"}
# English texts that name a Chinese column header on purpose (the Chinese template's header).
NAMES_A_CHINESE_HEADER = {"hours_needed"}
# The user-facing modules that render through the catalogue and must not choose a language themselves.
RENDERING_MODULES = ("symbiosis/core/errors.py", "app/i18n.py", "symbiosis/reporting/texts.py", "flows/labels.py",
                     "symbiosis/reporting/tables.py", "symbiosis/reporting/html.py", "flows/sankey.py",
                     "app/metabolism.py", "app/shell.py", "app/opportunities.py", "symbiosis/core/taxonomy.py",
                     "symbiosis/core/schema.py",
                     "symbiosis/commands/common.py", "symbiosis/commands/match.py", "symbiosis/commands/report.py",
                     "symbiosis/commands/validate.py", "app/data.py", "app/pages/data.py", "app/compute.py",
                     "app/scenarios.py", "symbiosis/reporting/analysis.py", "symbiosis/reporting/build.py",
                     "symbiosis/core/rulebook.py", "symbiosis/core/exchanges.py", "flows/indicators.py",
                     "flows/balance.py", "matching/explain.py", "matching/read.py", "symbiosis/core/limits.py",
                     "flows/accounting.py", "flows/network.py", "matching/alternatives.py")
# Per module, the helpers that render a literal key of one of its tables: helper -> namespace of the code.
KEY_HELPERS = {"symbiosis/commands/validate.py": {"say": "cli"}, "symbiosis/commands/match.py": {"say": "cli"},
               "symbiosis/commands/report.py": {"say": "cli"}, "symbiosis/commands/common.py": {"say": "cli"},
               "matching/explain.py": {"_text": "reason", "_part": "reason.part"},
               "matching/read.py": {"_pair": "matching"}, "flows/indicators.py": {"_pair": "flows.indicator"},
               "flows/accounting.py": {"_pair": "flows.missing"}}


def registering_modules() -> list[str]:
    """Every module that registers a table (calls symbiosis.core.i18n.register), found by reading the sources."""
    found = []
    for top in SOURCES:
        for path in sorted((ROOT / top).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            if path != ROOT / "symbiosis/core/i18n.py" and re.search(r"\bregister\(\s*\"", text) and \
                    "core.i18n import" in text:
                found.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return found


@pytest.fixture(scope="module")
def catalogue() -> dict[str, tuple[str, str]]:
    modules = registering_modules()
    assert {"symbiosis.core.errors", "app.i18n", "symbiosis.reporting.texts", "flows.labels", "flows.sankey",
            "symbiosis.core.taxonomy", "symbiosis.core.schema", "symbiosis.core.rulebook", "matching.explain",
            "matching.read", "flows.indicators", "flows.balance", "symbiosis.commands.common",
            "symbiosis.commands.validate", "symbiosis.commands.match", "symbiosis.core.exchanges",
            "symbiosis.core.limits", "flows.accounting", "flows.network", "matching.alternatives"} <= set(modules)
    for name in modules:  # importing them all together is the duplicate check: a clash raises at import
        importlib.import_module(name)
    return dict(i18n.catalogue())


def test_one_language_type() -> None:
    defined = []
    for top in SOURCES:
        for path in (ROOT / top).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Assign | ast.AnnAssign):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    value = ast.unparse(node.value) if node.value is not None else ""
                    if any(isinstance(t, ast.Name) and t.id == "Lang" for t in targets) or value in (
                            "Literal['en', 'zh']", "Literal['zh', 'en']"):
                        defined.append(str(path.relative_to(ROOT)))
    assert defined == ["symbiosis/core/i18n.py"]


def test_every_code_has_both_languages(catalogue: dict[str, tuple[str, str]]) -> None:
    bad = []
    for code, (en, zh) in catalogue.items():
        if not en.strip() or not zh.strip():
            bad.append(f"{code}: empty")
        if code not in LANGUAGE_NEUTRAL and not CJK.search(zh):
            bad.append(f"{code}: the Chinese text has no Chinese in it: {zh!r}")
        if code not in NAMES_A_CHINESE_HEADER and CJK.search(en.replace("中文", "")):
            bad.append(f"{code}: the English text has Chinese in it: {en!r}")
    assert bad == []


def test_placeholders_match_between_the_languages(catalogue: dict[str, tuple[str, str]]) -> None:
    """Same names, same conversions, same format specs: a number reads the same in both languages. A Chinese
    variant of a parameter is passed as `x_zh` and shown in `{x}`; a template never names `{x_zh}`."""
    bad = [f"{code}: {sorted(placeholders(en))} vs {sorted(placeholders(zh))}"
           for code, (en, zh) in catalogue.items() if placeholders(en) != placeholders(zh)]
    bad += [f"{code}: names {name}" for code, (en, zh) in catalogue.items()
            for name, _, _ in placeholders(en) | placeholders(zh) if name.endswith("_zh")]
    assert bad == []


def test_a_code_registered_twice_is_an_error(catalogue: dict[str, tuple[str, str]]) -> None:
    with pytest.raises(DuplicateCodeError, match="file_missing"):
        register("", {"file_missing": ("again", "再次")}, name="test_clash")
    with pytest.raises(DuplicateCodeError, match="page_data"):
        register("app", {"page_data": ("Data", "数据")}, name="test_clash_app")
    with pytest.raises(DuplicateCodeError, match="registered twice"):
        register("report", {"not_a_report_key": ("x", "x")})
    assert "test_clash" not in i18n.tables() and "test_clash_app" not in i18n.tables()
    assert catalogue == dict(i18n.catalogue())  # a refused table leaves nothing behind


def test_the_rules_of_the_renderer(catalogue: dict[str, tuple[str, str]]) -> None:
    assert render("not_number", "zh", value="x") == "“x”不是数字"
    assert render("not_number", "en", value="x") == "'x' is not a number"
    assert render("not_number", "fr", value="x") == render("not_number", "en", value="x")  # anything else: English
    assert render("not_number", "zh") == "“{value}”不是数字"  # a parameter not given stays visible
    assert render("unit_too_long", "en", accepted="t/a").startswith("Unit '{value}…'")  # also with a format spec
    with pytest.raises(KeyError, match="no_such_code"):
        render("no_such_code", "en")
    # Chinese variants: x_zh replaces x in Chinese only
    en, zh = pair("limit_exceeded", what="rows", what_zh="行数", limit_value="5", limit="rows", value="9")
    assert "rows may be at most 5" in en and "行数最多为 5" in zh and "what" not in zh
    assert i18n.pick("a", "", "zh") == "a" and i18n.pick("a", "甲", "zh") == "甲" and i18n.pick("a", "甲", "en") == "a"
    assert i18n.as_lang("zh") == "zh" and i18n.as_lang("de") == "en"
    assert i18n.lang_column("name_en", "name_zh", "zh") == "name_zh"
    assert i18n.number(1234567.8) == "1,234,568" and i18n.number(None) == "—"
    assert i18n.quantity(0.012345) == "0.0123" and i18n.quantity(12.3456) == "12.35"


def test_a_table_can_show_dataset_keys_by_their_chinese_names() -> None:
    table = register("test.localized", {"m": ("{material} from {baseline} ({n:.1f})",
                                              "{baseline}的{material}（{n:.1f}）")},
                     localize=("material", "baseline"))
    try:
        assert render(table.code("m"), "en", material="fly_ash", baseline="landfill", n=2) == \
            "fly_ash from landfill (2.0)"
        zh = render(table.code("m"), "zh", material="fly_ash", baseline="landfill", n=2)
        assert "fly_ash" not in zh and "landfill" not in zh and zh.endswith("（2.0）")
        assert render(table.code("m"), "zh", material="not_a_key", baseline="x", n=2) == "x的not_a_key（2.0）"
    finally:  # keep the shared catalogue as the program builds it
        for key in table:
            i18n._CATALOGUE.pop(table.code(key))
            i18n._TABLE_OF.pop(table.code(key))
        i18n._TABLES.pop("test.localized")
    assert i18n.ZH_NAMES["mode"]("pipe_gas") == "输气管道" and i18n.ZH_NAMES["mode"]("boat") == "boat"
    with pytest.raises(ValueError, match="no Chinese names"):
        register("test.bad", {}, localize=("enterprise",))


def test_the_codes_the_program_asks_for_exist(catalogue: dict[str, tuple[str, str]]) -> None:
    """Literal codes at the call sites: Problem("code"), the report's tx.t/col/sheet("key"), the app's t("key")."""
    asked: set[str] = set()
    for top in SOURCES:
        for path in (ROOT / top).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            asked |= set(re.findall(r"\bProblem\(\s*\"([a-z0-9_]+)\"", text))
            asked |= {"report." + k for k in re.findall(r"\btx\.t\(\s*\"([a-z0-9_]+)\"", text)}
            asked |= {"report.col." + k for k in re.findall(r"\btx\.col\(\s*\"([a-z0-9_]+)\"", text)}
            asked |= {"report.sheet." + k for k in re.findall(r"\btx\.sheet\(\s*\"([a-z0-9_]+)\"", text)}
            if top == "app":
                asked |= {"app." + k for k in re.findall(r"(?<![.\w])t\(\s*\"([a-z0-9_]+)\"", text)}
            if path == ROOT / "flows/sankey.py":
                asked |= {"flows.sankey." + k for k in re.findall(r"(?<![.\w])_t\(\s*[\"']([a-z0-9_]+)[\"']", text)}
            if re.search(r"from symbiosis\.reporting\.texts import [^\n]*\bt\b", text):
                asked |= {"report." + k for k in re.findall(r"(?<![.\w])t\(\s*\"([a-z0-9_]+)\"", text)}
            # TABLE.code("key") of a table the module registers (TABLE = register("namespace", ...))
            for var, namespace in re.findall(r"^(\w+) = register\(\"([a-z._]+)\"", text, flags=re.M):
                asked |= {f"{namespace}.{k}" for k in re.findall(rf"\b{var}\.code\(\s*\"([a-z0-9_]+)\"", text)}
            for helper, namespace in KEY_HELPERS.get(str(path.relative_to(ROOT)), {}).items():
                asked |= {f"{namespace}.{k}"
                          for k in re.findall(rf"(?<![.\w]){helper}\(\s*\"([a-z0-9_]+)\"", text)}
    assert len(asked) > 100
    assert sorted(asked - set(catalogue)) == []


def chooses_a_language(path: Path) -> list[str]:
    """Lines where a module decides between English and Chinese itself: `lang == "zh"`, `"zh" if ...`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Compare) and any(
                isinstance(c, ast.Constant) and c.value in ("zh", "en") for c in [node.left, *node.comparators]):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}")
    return found


def test_no_rendering_module_chooses_a_language_itself() -> None:
    assert [line for m in RENDERING_MODULES for line in chooses_a_language(ROOT / m)] == []
    assert len(chooses_a_language(ROOT / "symbiosis/core/i18n.py")) == 1  # the one place: is_zh


def test_one_name_per_transport_mode(catalogue: dict[str, tuple[str, str]]) -> None:
    """The app's mode_<mode> labels are the core's mode.<mode> names, not a second wording of them."""
    for mode in i18n.MODE_NAMES:
        assert catalogue[f"app.mode_{mode}"] == catalogue[f"mode.{mode}"]


def test_one_wording_across_the_layers(catalogue: dict[str, tuple[str, str]]) -> None:
    """Vocabularies a lower layer cannot import from the report (the commands, flows/, matching/) keep its
    wording; the match command and the scenario comparison name statuses and categories as the report does."""
    from symbiosis.commands.match import _status

    same = {"cli.severity.error": "report.severity.error", "cli.severity.warning": "report.severity.warning",
            "cli.direction.output": "report.direction.output", "cli.direction.input": "report.direction.input",
            "flows.indicator.list_sep": "report.convention.list_sep", "reason.part.notes_sep": "report.convention.list_sep"}
    assert {code: catalogue[code] for code in same} == {code: catalogue[other] for code, other in same.items()}
    for status in ("optimal", "time_limit", "infeasible"):
        for lang in i18n.LANGS:
            assert _status(status, lang) == render(f"report.status.{status}", lang)


def test_codes_with_parameters_keep_the_wording_of_the_texts_they_replace() -> None:
    """Exchange shortfalls (exchange.*), why nothing is avoided (note.why.*), what a limit bounds (limit.*), what a
    missing number lacks (flows.missing.*), the network metrics' names (flows.metric.*) and an alternative plan's
    note (matching.alternative.*) read as the inline texts they replaced."""
    from dataclasses import fields

    from flows.accounting import MISSING_TEXTS
    from flows.network import METRIC_NAMES
    from matching.alternatives import TEXTS as ALTERNATIVE
    from symbiosis.core.exchanges import EXCHANGE_TEXTS, SHORTFALL_CODES
    from symbiosis.core.limits import LIMIT_NAMES, LIMIT_WORDS, Limits
    from symbiosis.core.rulebook import SOLD_WHY

    why = pair(EXCHANGE_TEXTS.code("exceeds_supply"), material="fly_ash", quantity="30,000", unit="t/a",
               supplier="P", left="10,000", short="20,000")
    assert pair(EXCHANGE_TEXTS.code("message"), exchange_id="X1", why=why[0], why_zh=why[1]) == (
        "existing exchange X1: 30,000 t/a of fly_ash is more than supplier P's output rows have left (10,000 t/a); "
        "20,000 t/a are not taken off its ledger",
        "现有交换 X1：粉煤灰 30,000 t/a 超过供方 P 产出行余量（10,000 t/a）；20,000 t/a 未从其台账扣减")
    assert render(EXCHANGE_TEXTS.code("exceeds_demand"), "zh", materials="clinker, clay", receiver="C",
                  short="7,000", unit="t/a") == "需方 C 的熟料、黏土投入不足以接收其中 7,000 t/a；这部分在需方不扣减"
    assert render(EXCHANGE_TEXTS.code("no_heat_input"), "en", receiver="H", t_supply=200.0).startswith(
        "receiver H has no heat input whose target temperature the supplied heat (200 °C) reaches")
    assert set(SHORTFALL_CODES) < set(EXCHANGE_TEXTS)
    assert pair(SOLD_WHY.code("nothing_counted")) == ("nothing counted", "不计")
    assert set(LIMIT_NAMES) == {f.name for f in fields(Limits)}
    assert LIMIT_WORDS["cell_chars"] == (("what", "the number of characters in one cell"), ("what_zh", "单元格的字符数"))
    assert pair(MISSING_TEXTS.code("scope1_factor"), material="coal", material_zh="煤炭") == (
        "Scope 1 factor for coal", "煤炭的范围一排放因子")
    assert pair(MISSING_TEXTS.code("disposal_factor"), baseline="landfill") == (
        "disposal factor for landfill", "landfill 的处置排放因子")
    assert pair(METRIC_NAMES.code("finn_energy")) == ("Finn cycling index (energy)", "Finn 循环指数（能量）")
    assert pair(ALTERNATIVE.code("note"), k=2, n=3) == ("alternative 2 of 3", "备选方案 2/3")
