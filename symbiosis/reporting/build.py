"""One report run -> the files: report.html, report.xlsx, plan.json, the CSVs, network.dot and scenario.toml.

`build_report` is what the app's Export page calls (bytes in memory, no files); `symbiosis report` calls the
same and writes the bytes to a folder. Both languages come from one Analysis.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Literal

import flows
from matching import MatchOptions
from symbiosis.core.i18n import Lang, as_lang
from symbiosis.core.park import Park
from symbiosis.core.plan import Plan, strict_json
from symbiosis.core.scenario import Scenario
from symbiosis.reporting import html, xlsx
from symbiosis.reporting.analysis import Analysis, Stopwatch, analyse
from symbiosis.reporting.texts import LANGS
from symbiosis.session import Session

ReportLang = Literal["zh", "en", "both"]


def languages(lang: str) -> tuple[Lang, ...]:
    if lang == "both":
        return LANGS
    if lang in LANGS:
        return (as_lang(lang),)
    raise ValueError(f"report language must be zh, en or both, got {lang!r}")


def scenario_as_run(a: Analysis) -> Scenario:
    """The scenario with the park it ran on and what it gave, so a re-run can be checked against it."""
    p = a.plan
    result = {"status": p.status, "objective_tco2e": p.objective_tco2e, "gap": p.gap, "net_tco2e": p.net_tco2e,
              "links": [f"{x.supplier_stream_id} -> {x.receiver_stream_id}" for x in p.links]}
    return replace(a.scenario, park=a.scenario.park or a.park.name, result=result)


def report_files(a: Analysis, lang: str = "zh", *, stopwatch: Stopwatch | None = None) -> dict[str, bytes]:
    """Every file of the report, by name. With lang 'both' the HTML, workbook, CSVs and DOT come as
    <name>.zh.<ext> and <name>.en.<ext>; plan.json and scenario.toml are the same for both and written once."""
    sw = stopwatch or Stopwatch()
    langs = languages(lang)
    files: dict[str, bytes] = {}
    with sw.step("write"):
        for lg in langs:
            suffix = f".{lg}" if len(langs) > 1 else ""
            sheets = xlsx.sheets(a, lg)
            files[f"report{suffix}.html"] = html.report_html(a, lg).encode("utf-8")
            files[f"report{suffix}.xlsx"] = xlsx.workbook_bytes(a, lg, sheets)
            files.update(xlsx.csv_files(a, lg, sheets, suffix))
            files[f"network{suffix}.dot"] = flows.network_dot(a.graph_after, lang=lg).encode("utf-8")
        files["plan.json"] = a.plan.to_json().encode("utf-8")
        if a.uncertainty is not None:  # the plan's Monte Carlo (docs/uncertainty.md), beside the plan it was drawn on
            files["uncertainty.json"] = strict_json(a.uncertainty.to_record()).encode("utf-8")
        if a.economics is not None:  # the MACC as data (docs/economics.md), beside the plan it was computed on
            files["macc.json"] = strict_json(a.economics.curve.to_record()).encode("utf-8")
        if a.from_scenario:  # options given directly (not a Scenario) have no file form
            files["scenario.toml"] = scenario_as_run(a).to_toml().encode("utf-8")
    return files


def build_report(park: Park, scenario_or_options: Scenario | MatchOptions | None = None, lang: str = "zh", *,
                 apply_scenario_edits: bool = True, plan: Plan | None = None,
                 session: Session | None = None) -> dict[str, bytes]:
    """The report of `park` under a scenario (or plain matching options) as {file name: bytes}, for the app.

    `park` is the park as loaded; the scenario's ledger edits are applied unless the caller already did
    (apply_scenario_edits=False; applying them twice gives the same park, only slower). `plan`: a plan already
    solved for exactly this park and these options, reported instead of solving again. `session`: the app's
    prepared session of the park the report runs on (edits applied), whose candidates and graph are reused (see
    analyse). Raises ParkError when an
    edit breaks the ledger, ScenarioError or OptionsError for a scenario the matcher cannot use.
    """
    languages(lang)  # a wrong language fails before the solve, not after
    analysis = analyse(park, scenario_or_options, apply_scenario_edits=apply_scenario_edits, plan=plan,
                       session=session)
    return report_files(analysis, lang)


def report_zip(files: Mapping[str, bytes]) -> bytes:
    """The report's files in one .zip (folders kept: csv/...)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            zf.writestr(name, files[name])
    return buffer.getvalue()


def write_report(files: Mapping[str, bytes], out: str | Path) -> list[Path]:
    """Write the files under `out` (created if needed); returns the paths written."""
    root = Path(out)
    written = []
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written.append(path)
    return written
