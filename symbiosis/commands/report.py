"""`symbiosis report PARK --out DIR [--lang zh|en|both] [--scenario FILE]`: the whole pipeline, headless, as a report.

load -> validate (and apply the scenario's ledger edits) -> metabolism -> match -> explain -> indicators -> write:
report.html (self-contained, opens offline), report.xlsx, plan.json, csv/*.csv (UTF-8 with BOM), network.dot and
scenario.toml (the scenario as run, with its result). Each step is printed to stderr with its elapsed time. The
exit code is 1 when the park or the scenario cannot be used, or when the solve is infeasible or failed (the
report is still written and says why), as `symbiosis match` does; 0 otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from symbiosis.commands.common import load_or_report, print_table, problems_frame, say
from symbiosis.core.errors import ParkError
from symbiosis.core.i18n import Lang


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("report", help="run everything and write the report (HTML, XLSX, CSV, JSON) / 生成报告")
    p.add_argument("park", help="park data package: a folder, an .xlsx or a .zip / 园区数据包")
    p.add_argument("--out", required=True, help="folder for the report files / 输出目录")
    p.add_argument("--lang", choices=("zh", "en", "both"), default="zh",
                   help="report language; both writes report.zh.* and report.en.* from one run / 报告语言")
    p.add_argument("--scenario", metavar="FILE",
                   help="scenario TOML (options, forced/forbidden links, ledger edits), as the app saves it / 情景文件")


class ProgressPrinter:
    """Prints each step when it starts and when it ends, with its time and the total, to stderr."""

    def __init__(self, lang: str, stream: TextIO | None = None) -> None:
        self.lang = lang
        self.stream = stream if stream is not None else sys.stderr
        self.index: dict[str, int] = {}

    def __call__(self, event: str, step: str, seconds: float, total: float) -> None:
        from symbiosis.reporting.analysis import STEPS
        from symbiosis.reporting.texts import t

        k, n = (STEPS.index(step) + 1 if step in STEPS else 0), len(STEPS)
        name = t(f"step_{step}", self.lang)
        if event == "start":
            line = t("progress_step", self.lang, k=k, n=n, step=name)
        else:
            line = t("progress_done", self.lang, k=k, n=n, step=name, seconds=f"{seconds:.2f}",
                     total=f"{total:.2f}")
        print(line, file=self.stream, flush=True)


def run(args: argparse.Namespace) -> int:
    from symbiosis.core.scenario import Scenario
    from symbiosis.reporting import Stopwatch, analyse, report_files, scenario_options, write_report
    from symbiosis.reporting.build import languages

    msg_lang: Lang = languages(args.lang)[0]  # messages in the report's (first) language
    stopwatch = Stopwatch(ProgressPrinter(msg_lang))
    # Read the scenario first: a bad file should fail before a long load and solve.
    scenario = Scenario.load(args.scenario) if args.scenario else Scenario()
    scenario_options(scenario)  # an unknown option key raises ScenarioError here
    with stopwatch.step("load"):
        park = load_or_report(args.park, msg_lang)
    if park is None:
        return 1
    try:
        analysis = analyse(park, scenario, stopwatch=stopwatch)
    except ParkError as exc:  # a scenario edit made the ledger invalid: say where, as validate does
        print(say("scenario_invalid", msg_lang), file=sys.stderr)
        print_table(problems_frame(exc.problems, msg_lang))
        return 1
    files = report_files(analysis, args.lang, stopwatch=stopwatch)
    out = Path(args.out)
    write_report(files, out)
    from symbiosis.reporting.tables import status_sentence
    from symbiosis.reporting.texts import t

    print(status_sentence(analysis, msg_lang), file=sys.stderr)
    top = sorted({name.split("/")[0] + ("/" if "/" in name else "") for name in files})
    print(t("written", msg_lang, out=out, files=", ".join(top)), file=sys.stderr)
    return 1 if analysis.plan.status in ("infeasible", "error") else 0
