"""Reports a planner can hand in, in Chinese and English, from one run of the whole pipeline.

An entry-point layer like the commands: it calls flows/ and matching/; nothing else in symbiosis/ imports it.

    analysis = analyse(park, scenario)             # validate, metabolism, match, explain, indicators — once
    files = report_files(analysis, "both")         # {"report.zh.html": b"...", "report.en.xlsx": b"...", ...}
    files = build_report(park, scenario, "zh")     # the two above in one call (the app's Export page)
    data = report_zip(files)
"""

from symbiosis.reporting.analysis import (
    Analysis,
    Finding,
    Stopwatch,
    analyse,
    scenario_options,
)
from symbiosis.reporting.build import build_report, report_files, report_zip, scenario_as_run, write_report
from symbiosis.reporting.html import SECTIONS

__all__ = ["SECTIONS", "Analysis", "Finding", "Stopwatch", "analyse", "build_report", "report_files", "report_zip",
           "scenario_as_run", "scenario_options", "write_report"]
