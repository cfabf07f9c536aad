"""Receiving processes and their joint caps: how much of one input all substitutes together may replace.

Each substitution rule caps its own share of an input (substitutions.csv max_share): the limit with that substitute
alone. Two rules into one input do not stack: the matcher holds a mix to the line between the caps (fly ash at 30 %
and slag at 70 % of clinker: 15 % fly ash leaves room for 35 % slag; the "mixing" row of matching/model.py). A
receiving process may also cap the total of every substitute it takes, by a standard: the supplementary materials
of a cement class (GB 175). That total is the input material's row in datasets/receiving_processes.csv, with the
standard and source that set it. Identity rules (the same material supplied from another enterprise) change no
recipe and are capped by neither (docs/accounting.md, "Substitutes of one input").
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import pandas as pd

from symbiosis.core.datasets import read_records


@dataclass(frozen=True)
class ReceivingProcess:
    input_material: str
    process_zh: str
    process_en: str
    joint_max_share: float
    standard: str
    source: str
    reliability: str


@cache
def receiving_processes() -> dict[str, ReceivingProcess]:
    """datasets/receiving_processes.csv by input material."""
    out: dict[str, ReceivingProcess] = {}
    for r in read_records("receiving_processes"):
        out[r["input_material"]] = ReceivingProcess(
            r["input_material"], r["process_zh"], r["process_en"], float(r["joint_max_share"]), r["standard"],
            r["source"], r["reliability"])
    return out


def joint_caps(rules: pd.DataFrame) -> dict[str, float]:
    """The standard's total cap (share of the input) by input material, for the input materials of the
    substitution rules in `rules` (identity rules left out by the caller) that have a receiving-process row."""
    materials = set(rules["input_material"].astype(str)) if len(rules) else set()
    return {m: p.joint_max_share for m, p in receiving_processes().items() if m in materials}


__all__ = ["ReceivingProcess", "joint_caps", "receiving_processes"]
