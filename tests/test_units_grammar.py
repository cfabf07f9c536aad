"""Hostile unit cells: the grammar refuses them (UnitError), and no text makes the unit reader fail otherwise.

Unit text is parsed by symbiosis.core.units' own grammar, never evaluated: a power tower such as 9**9**9 is not
computed but refused, and a cell of any length costs one pass over at most UNIT_MAX_CHARS characters
(speed figures: benchmarks/units_bench.py).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from symbiosis.core.units import UNIT_MAX_CHARS, UnitError, parse_rate, parse_unit

N = 40_000

HOSTILE_SHORT = [
    "9**9**9 t/a", "9**9**9", "10**10**10", "10**10**10 t", "2**64**64*t", "t*10**400", "10**400*t", "1e400*t",
    "1e400 t/a", "1e-400 t", "-1*t", "-t", "+t", "nan*t", "NaN t", "inf*t", "infinity t", "0*t", "0 t/a",
    "(((((t)))))", "(t)", "t/(a)", "((t/a))", "t)(", "[t]/a", "{t}", "t!", "t%", "t;a", "t,a", "t=a",
    "__import__('os')", "exp(9)", "t**t", "t**-1", "t**0.5", "m**-3", "m**99", "m^^3", "e9 t", "1e4e4 t",
    "1..2 t", "1.2.3 t", "1,00 t", "0x10 t", "1_000 t", "１e９９９ｔ",
    "t\x00/a", "\x00", "t/a\x00", "\x07t", "\x1bt/a", "t\x7f", "\u200bt/a", "t/a\u202e", "\ufefft/a", "t\ud800",
    "😀", "t😀/a", "🔥t/a🔥", "t/a 💣", "ｔ／ａ￼", "Ω", "t/a ∞", "∑t", "ℵ", "t̶/a", "t/ā",
    "吨吨吨", "万", "万万", "亿亿亿亿吨", "每每", "吨/万", "吨/吨", "/年", "年", "蒸汽", "(steam)",
]
LONG = [
    "9" * N, "t" * N, "万" * N, "(" * N + "t" + ")" * N, "(" * N, "9**" * (N // 3) + "9", "1e4*" * (N // 4) + "t",
    "t/a" + " " * N, " " * N, "t*" * (N // 2) + "t", "m" + "3" * N, "😀" * N, "\x00" * N, "t/a" * (N // 3),
    "蒸汽" * (N // 2), "(steam)" * (N // 7), "ﷺ" * N,  # ﷺ expands 18-fold under NFKC
]


@pytest.mark.parametrize("text", HOSTILE_SHORT)
def test_the_grammar_refuses_hostile_text(text: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_rate(text)
    assert info.value.code == "unknown_unit"


@pytest.mark.parametrize("text", LONG, ids=[f"long{i}" for i in range(len(LONG))])
def test_the_grammar_refuses_long_text(text: str) -> None:
    with pytest.raises(UnitError) as info:
        parse_rate(text)
    assert info.value.code in ("unit_too_long", "unknown_unit")


@pytest.mark.parametrize("depth", [1, 2, 5, 50, 1000, N])
def test_nested_brackets_are_not_part_of_the_grammar(depth: int) -> None:
    for opening, closing in [("(", ")"), ("（", "）"), ("[", "]")]:
        with pytest.raises(UnitError):
            parse_rate(opening * depth + "t/a" + closing * depth)


def test_at_the_length_limit() -> None:
    fits = "1" + "0" * 11 + " t/a" + " " * 200  # 1e11 t/a in 16 characters (spaces do not count)
    assert parse_unit(fits).factor == 1e11
    too_long = "t/a" + "蒸汽" * UNIT_MAX_CHARS
    with pytest.raises(UnitError) as info:
        parse_rate(too_long)
    assert info.value.code == "unit_too_long"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=5000))
@example("9**9**9 t/a")
@example("t/a")
@example("万" * 5000)
def test_any_text_parses_or_raises_unit_error(text: str) -> None:
    try:
        one, basis, steam = parse_rate(text)
    except UnitError as error:
        assert error.code in ("unknown_unit", "unit_too_long")
    else:
        assert basis in ("annual", "hourly") and isinstance(steam, bool) and float(one.magnitude) > 0


PIECES = [*"0123456789.,eE+-*/^·()（） ", "t", "kg", "m", "m3", "Nm3", "GJ", "kWh", "kW", "MW", "tce", "a", "h", "d",
          "万", "亿", "千", "吨", "年", "蒸汽", "方", "度", "每", "**"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_near_misses_parse_or_raise_unit_error(text: str) -> None:
    """Texts built from the grammar's own pieces reach deeper than random text: still only UnitError."""
    try:
        parsed = parse_unit(text)
        one, _, _ = parse_rate(text)
    except UnitError:
        return
    assert 1e-9 <= parsed.factor <= 1e12 and 1 <= len(parsed.symbols) <= 3 and float(one.magnitude) > 0
