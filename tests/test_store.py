"""The workshop store (symbiosis.workshop.Store): the same tests against SQLite and a real PostgreSQL server
(tests/store_fixtures.py starts one with Debian's binaries), the move of a workshop between the two, and
concurrent writers (20 threads; for SQLite also 4 processes)."""

from __future__ import annotations

import json
import multiprocessing
import threading
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text

from symbiosis.cli import main
from symbiosis.core.scenario import Edit, Scenario, read_scenario_bytes, scenario_bytes
from symbiosis.workshop import SCHEMA_VERSION, Group, Store, StoreError, Workshop
from symbiosis.workshop.store import CODE_ALPHABET, park_files_table, parks_table

# the fixtures `store`, `store_url` (each test once per backend), `new_store` and `postgres_server`
pytest_plugins = ("store_fixtures",)

NewStoreUrl = Callable[[str], str]

PARK = {"park.toml": b'name = "Test park"\n', "enterprises.csv": b"enterprise_id,name\nE1,Mill\n",
        "streams.csv": "enterprise_id,direction,material\nE1,output,粉煤灰\n".encode()}


def toml(name: str, objective: str = "emissions", forced: tuple[tuple[str, str], ...] = ()) -> bytes:
    return scenario_bytes(Scenario(name=name, options={"objective": objective}, forced=forced,
                                   edits=(Edit("E1-1", "quantity", 2.5),)))


def plan(objective: float) -> str:
    return json.dumps({"status": "optimal", "objective_tco2e": objective, "links": [], "messages": ["说明"]},
                      ensure_ascii=False)


# --- workshops, codes, groups ------------------------------------------------------------------------------------
def test_create_and_find_a_workshop(store: Store) -> None:
    made = store.create_workshop("  Spring   workshop ", PARK)
    assert made.name == "Spring workshop"
    assert len(made.code) == 6 and set(made.code) <= set(CODE_ALPHABET)
    assert len(made.facilitator_code) == 12 and set(made.facilitator_code) <= set(CODE_ALPHABET)
    assert not made.shared
    # typed by a person: lower case, a dash, full-width letters of a Chinese keyboard
    typed = made.code[:3].lower() + "-" + "".join(chr(ord(c) + 0xFEE0) for c in made.code[3:])
    found = store.workshop(typed)
    assert found is not None and found.id == made.id
    assert found.facilitator_code == ""  # a group never learns the facilitator code
    assert store.facilitated(made.facilitator_code) == made
    assert store.workshop("ZZZZZZ") is None and store.workshop("") is None
    assert store.workshop(made.facilitator_code) is None  # the facilitator code is not a join code
    assert store.facilitated(made.code) is None  # nor the other way round
    assert store.park_package(made) == PARK


def test_a_park_is_stored_once_per_content(store: Store) -> None:
    first = store.create_workshop("one", PARK)
    second = store.create_workshop("two", dict(reversed(list(PARK.items()))))  # same files, another order
    third = store.create_workshop("three", {**PARK, "streams.csv": PARK["streams.csv"] + b"E1,input,water\n"})
    assert first.park_hash == second.park_hash != third.park_hash
    assert first.code != second.code and first.facilitator_code != second.facilitator_code
    with store._read() as conn:
        assert conn.execute(select(func.count()).select_from(parks_table)).scalar() == 2
        assert conn.execute(select(func.count()).select_from(park_files_table)).scalar() == 2 * len(PARK)


def test_bad_park_file_names_are_refused(store: Store) -> None:
    for name in ("../etc/passwd", "/abs.csv", "a\\b.csv", "a//b.csv", ""):
        with pytest.raises(StoreError, match="not accepted"):
            store.create_workshop("w", {name: b"x"})
    with pytest.raises(StoreError, match="no files"):
        store.create_workshop("w", {})
    assert store.workshops() == []


def test_join_is_idempotent_and_a_wrong_code_is_refused(store: Store) -> None:
    made = store.create_workshop("w", PARK)
    a = store.join(made.code, "Group A")
    assert len(a.key) == 8 and set(a.key) <= set(CODE_ALPHABET)
    # a reload or another browser with the group's link: the same group (the key as typed: case, dashes)
    assert store.join(made.code.lower(), "  group   a ", a.key.lower()[:4] + "-" + a.key[4:]) == a
    b = store.join(made.code, "Group B")
    assert b.id != a.id and b.workshop_id == a.workshop_id == made.id
    with pytest.raises(StoreError) as caught:
        store.join("ZZZZZZ", "Group A")
    assert "ZZZZZZ" in str(caught.value)
    en, zh = caught.value.pair()
    assert en != zh and "ZZZZZZ" in zh
    with pytest.raises(StoreError, match="1 to 80"):
        store.join(made.code, "   ")
    assert [g.name for g in store.groups(made, facilitator_code=made.facilitator_code)] == ["Group A", "Group B"]


# --- scenarios: versions, choice, visibility ---------------------------------------------------------------------
def test_same_name_is_a_new_version_and_the_latest_wins(store: Store) -> None:
    made = store.create_workshop("w", PARK)
    a, b = store.join(made.code, "A"), store.join(made.code, "B")
    v1 = store.save_scenario(a, "low cost", toml("low cost", "cost"), "Li")
    v2 = store.save_scenario(a, "Low  Cost", toml("low cost", "emissions"), "Wang")
    other = store.save_scenario(b, "low cost", toml("low cost", "cost"), "Zhao")
    assert (v1.version, v2.version, other.version) == (1, 2, 1)  # the other group's is its own, untouched
    mine = store.scenarios(made, group=a)
    assert [(s.name, s.version, s.author) for s in mine] == [("Low Cost", 2, "Wang")]
    assert mine[0].scenario().options == {"objective": "emissions"}
    assert mine[0].scenario_toml == toml("low cost", "emissions")  # byte for byte
    assert [s.version for s in store.scenarios(made, group=a, all_versions=True)] == [1, 2]
    assert store.scenario(v1.id) == v1
    assert store.scenario(10**6) is None
    store.choose(a, v1.id)  # the group picks the older version on purpose: it is listed next to the latest
    assert [(s.version, s.chosen) for s in store.scenarios(made, group=a)] == [(1, True), (2, False)]


def test_a_scenario_that_is_not_a_scenario_file_is_refused(store: Store) -> None:
    made = store.create_workshop("w", PARK)
    a = store.join(made.code, "A")
    for bad in (b"name = [unclosed", b"colour = 'red'\n", "name = 'x'".encode("utf-16"), b"x" * 1_000_001):
        with pytest.raises(StoreError):
            store.save_scenario(a, "bad", bad, "Li")
    with pytest.raises(StoreError, match="unknown key"):
        store.save_scenario(a, "bad", b"colour = 'red'\n", "Li")
    assert store.scenarios(made, group=a) == []


def test_choose_one_per_group_and_only_its_own(store: Store) -> None:
    made = store.create_workshop("w", PARK)
    a, b = store.join(made.code, "A"), store.join(made.code, "B")
    first = store.save_scenario(a, "first", toml("first"), "Li")
    second = store.save_scenario(a, "second", toml("second"), "Li")
    theirs = store.save_scenario(b, "theirs", toml("theirs"), "Zhao")
    assert store.choose(a, first.id) is not None
    picked = store.choose(a, second.id)
    assert picked is not None and picked.chosen
    assert [s.name for s in store.scenarios(made, group=a) if s.chosen] == ["second"]
    with pytest.raises(StoreError, match="another group"):
        store.choose(a, theirs.id)
    with pytest.raises(StoreError, match="not in this store"):
        store.choose(a, 10**6)
    # the pick follows the scenario to its new version
    newer = store.save_scenario(a, "second", toml("second", "cost"), "Li")
    assert newer.chosen and newer.version == 2
    assert [(s.name, s.version) for s in store.chosen_scenarios(made, facilitator_code=made.facilitator_code)] \
        == [("second", 2)]
    store.choose(b, theirs.id)
    assert {s.group_name for s in store.chosen_scenarios(made, facilitator_code=made.facilitator_code)} == {"A", "B"}
    assert store.choose(a, None) is None
    assert [s.group_name for s in store.chosen_scenarios(made, facilitator_code=made.facilitator_code)] == ["B"]


def test_groups_see_each_other_only_when_the_facilitator_opens_them(store: Store) -> None:
    made = store.create_workshop("w", PARK)
    a, b = store.join(made.code, "A"), store.join(made.code, "B")
    store.save_scenario(a, "a1", toml("a1"), "Li")
    store.save_scenario(b, "b1", toml("b1"), "Zhao")
    assert [s.name for s in store.scenarios(made, group=a)] == ["a1"]
    assert [g.name for g in store.groups(made, group=a)] == ["A"]
    assert [s.name for s in store.scenarios(made, facilitator_code=made.facilitator_code.lower())] == ["a1", "b1"]
    with pytest.raises(StoreError, match="not the facilitator code"):
        store.set_shared(made.code, True)  # the join code does not open anything
    assert store.set_shared(made.facilitator_code, True).shared
    assert [s.name for s in store.scenarios(made, group=a)] == ["a1", "b1"]
    assert store.workshop(made.code).shared  # type: ignore[union-attr]
    assert not store.set_shared(made.facilitator_code, False).shared
    assert [s.name for s in store.scenarios(made, group=b)] == ["b1"]
    with pytest.raises(StoreError, match="not the facilitator code"):
        store.scenarios(made, facilitator_code=made.code)
    with pytest.raises(StoreError, match="Say who is asking"):
        store.scenarios(made)


def test_nothing_of_one_workshop_is_reachable_from_another(store: Store) -> None:
    one, two = store.create_workshop("one", PARK), store.create_workshop("two", PARK)
    a1, a2 = store.join(one.code, "A"), store.join(two.code, "A")  # same group name, different workshops
    assert a1.id != a2.id
    secret = store.save_scenario(a1, "secret", toml("secret"), "Li")
    store.set_shared(one.facilitator_code, True)
    store.set_shared(two.facilitator_code, True)
    assert store.scenarios(two, group=a2) == []
    assert store.scenarios(two, facilitator_code=two.facilitator_code) == []
    with pytest.raises(StoreError, match="does not belong"):
        store.scenarios(two, group=a1)  # a group object of workshop one asking about workshop two
    with pytest.raises(StoreError, match="not the facilitator code"):
        store.scenarios(two, facilitator_code=one.facilitator_code)
    with pytest.raises(StoreError, match="another group"):
        store.choose(a2, secret.id)
    # a forged group object: another workshop's id, or an id that names another group
    for forged in (Group(a1.id, two.id, "A"), Group(a2.id, one.id, "A"), Group(a1.id, one.id, "B")):
        with pytest.raises(StoreError, match="does not belong"):
            store.save_scenario(forged, "sneak", toml("sneak"), "x")
    with pytest.raises(StoreError, match="not in this store"):
        store.save_scenario(Group(10**6, one.id, "A"), "sneak", toml("sneak"), "x")
    assert [s.name for s in store.scenarios(one, facilitator_code=one.facilitator_code)] == ["secret"]


# --- results -----------------------------------------------------------------------------------------------------
def test_a_failed_solve_is_stored_as_failed_never_as_a_result(store: Store) -> None:
    made = store.create_workshop("w", PARK)
    a = store.join(made.code, "A")
    sid = store.save_scenario(a, "s", toml("s"), "Li").id
    assert store.result(sid) is None
    ok = store.save_result(sid, status="optimal", gap=0.001, plan_json=plan(12.5), error=None, seconds=0.42)
    assert store.result(sid) == ok and json.loads(ok.plan_json or "")["objective_tco2e"] == 12.5
    for bad in ({"status": "failed", "plan_json": plan(1.0), "error": "boom"},  # a failure with a plan
                {"status": "failed", "plan_json": None, "error": None},  # a failure without its error
                {"status": "optimal", "plan_json": None, "error": None},  # a result without a plan
                {"status": "optimal", "plan_json": plan(1.0), "error": "also an error"},
                {"status": "optimal", "plan_json": "[1, 2]", "error": None},
                {"status": "optimal", "plan_json": "{not json", "error": None}):
        with pytest.raises(StoreError):
            store.save_result(sid, gap=None, seconds=1.0, **bad)  # type: ignore[arg-type]
    with pytest.raises(StoreError, match="finite"):
        store.save_result(sid, status="optimal", gap=None, plan_json=plan(1.0), error=None, seconds=-1.0)
    assert store.result(sid) == ok  # none of the refused writes left anything
    failed = store.save_result(sid, status="failed", gap=0.5, plan_json=None, error="HiGHS: time limit, no plan",
                               seconds=60.0)
    latest = store.result(sid)
    assert latest == failed and latest is not None
    assert latest.failed and latest.plan_json is None and latest.gap is None
    assert latest.error == "HiGHS: time limit, no plan"
    assert [r.status for r in store.results(sid)] == ["optimal", "failed"]
    nan_gap = store.save_result(sid, status="time_limit", gap=float("nan"), plan_json=plan(2.0), error=None,
                                seconds=1.0)
    assert nan_gap.gap is None  # a gap the solver could not give is unknown, not a number
    with pytest.raises(StoreError, match="not in this store"):
        store.save_result(10**6, status="optimal", gap=0.0, plan_json=plan(1.0), error=None, seconds=1.0)


def test_a_scenario_and_its_result_are_written_in_one_transaction(store: Store) -> None:
    """save_scenario(..., result=...): a reader never sees the scenario without its solve, and a refused result
    leaves no scenario behind."""
    from symbiosis.workshop import ResultInput

    made = store.create_workshop("w", PARK)
    a = store.join(made.code, "A")
    seen: list[Any] = []
    real_insert = store._write

    def spy(work: Callable[[Any], Any]) -> Any:  # every write: what a reader sees right after it
        out = real_insert(work)
        seen.extend((s.name, store.result(s.id)) for s in store.scenarios(made, group=a))
        return out

    store._write = spy  # type: ignore[method-assign]
    rec = store.save_scenario(a, "s", toml("s"), "Li", result=ResultInput(status="optimal", gap=0.0,
                                                                          plan_json=plan(3.0), error=None,
                                                                          seconds=0.5))
    store._write = real_insert  # type: ignore[method-assign]
    result = store.result(rec.id)
    assert result is not None and json.loads(result.plan_json or "")["objective_tco2e"] == 3.0
    assert seen and all(r is not None for _, r in seen)  # never the scenario alone
    with pytest.raises(StoreError, match="needs the plan JSON"):
        store.save_scenario(a, "t", toml("t"), "Li", result=ResultInput(status="optimal", gap=None,
                                                                        plan_json=None, error=None, seconds=0.5))
    assert [s.name for s in store.scenarios(made, group=a)] == ["s"]  # the refused result left no scenario
    failed = store.save_scenario(a, "u", toml("u"), "Li", result=ResultInput(
        status="failed", gap=None, plan_json=None, error="infeasible: x", seconds=0.1))
    assert store.result(failed.id) is not None and store.result(failed.id).failed  # type: ignore[union-attr]


def test_unknown_statuses_and_non_text_errors_are_refused(store: Store) -> None:
    made = store.create_workshop("w", PARK)
    sid = store.save_scenario(store.join(made.code, "A"), "s", toml("s"), "Li").id
    with pytest.raises(StoreError, match="not a solve status"):
        store.save_result(sid, status="optimall", gap=None, plan_json=plan(1.0), error=None, seconds=1.0)
    with pytest.raises(StoreError, match="must be text"):
        store.save_result(sid, status="failed", gap=None, plan_json=None, error=42, seconds=1.0)  # type: ignore[arg-type]
    assert store.result(sid) is None


def test_a_database_refusal_is_a_store_error_not_a_traceback(store: Store, backend: str) -> None:
    with pytest.raises(StoreError):
        store._write(lambda conn: conn.execute(text("SELECT no_such_function(1)")))
    with pytest.raises(StoreError), store._read() as conn:
        conn.execute(text("SELECT no_such_function(1)"))
    if backend == "postgresql":  # PostgreSQL refuses a NUL character in text (a DataError, not an OperationalError)
        made = store.create_workshop("w", PARK)
        with pytest.raises(StoreError, match="refused this request"):
            store.save_scenario(store.join(made.code, "A"), "s", toml("s"), "Li\x00")


# --- group keys --------------------------------------------------------------------------------------------------
def test_only_the_group_with_its_key_joins_again_and_writes(store: Store) -> None:
    made = store.create_workshop("w", PARK)
    a = store.join(made.code, "Group A")
    b = store.join(made.code, "Group B")
    assert a.key != b.key and len(a.key) == 8
    for key in (None, "", b.key, "ABCDEFGH", "x" * 40):  # another group's key, a guess, garbage
        with pytest.raises(StoreError, match="already exists") as caught:
            store.join(made.code, "group a", key)
        en, zh = caught.value.pair()
        assert "ask its members for the group's link" in en and "请向该小组成员索取小组链接" in zh
    assert store.join(made.code, "Group A", a.key) == a
    # a Group object without the key (as the facilitator or another group reads it) cannot write
    listed = {g.name: g for g in store.groups(made, facilitator_code=made.facilitator_code)}
    assert listed["Group A"].key == "" and listed["Group A"].id == a.id  # keys are not read out
    rec = store.save_scenario(a, "mine", toml("mine"), "Li")
    for forged in (listed["Group A"], Group(a.id, made.id, "Group A", key=b.key)):
        with pytest.raises(StoreError, match="not the key of group 'Group A'"):
            store.save_scenario(forged, "sneak", toml("sneak"), "x")
        with pytest.raises(StoreError, match="not the key"):
            store.choose(forged, rec.id)
    assert [s.name for s in store.scenarios(made, facilitator_code=made.facilitator_code)] == ["mine"]
    assert store.chosen_scenarios(made, facilitator_code=made.facilitator_code) == []


def test_a_store_of_schema_1_gets_a_key_for_every_group(store_url: str) -> None:
    with Store.open(store_url) as first:
        made = first.create_workshop("w", PARK)
        first.join(made.code, "A")
        first._write(lambda conn: conn.execute(text("ALTER TABLE groups DROP COLUMN token")))
        first._write(lambda conn: conn.execute(text("UPDATE schema_version SET version = 1")))
    with Store.open(store_url) as again:
        assert again.schema_version() == SCHEMA_VERSION
        with again._read() as conn:
            (token,) = conn.execute(text("SELECT token FROM groups")).one()
        assert len(token) == 8 and set(token) <= set(CODE_ALPHABET)
        assert again.join(made.code, "A", token).name == "A"


def test_set_shared_with_an_empty_or_malformed_code_changes_nothing(store: Store) -> None:
    made = store.create_workshop("w", PARK)
    for bad in ("", "   ", made.code, made.facilitator_code[:-1]):
        with pytest.raises(StoreError, match="not the facilitator code"):
            store.set_shared(bad, True)
    assert not store.facilitated(made.facilitator_code).shared  # type: ignore[union-attr]


# --- schema version ----------------------------------------------------------------------------------------------
def test_the_schema_version_is_recorded_and_a_newer_one_refused(store_url: str) -> None:
    first = Store.open(store_url)
    assert first.schema_version() == SCHEMA_VERSION
    made = first.create_workshop("w", PARK)
    first.close()
    again = Store.open(store_url)  # opening again changes nothing
    assert again.schema_version() == SCHEMA_VERSION and again.workshop(made.code) is not None
    again.close()
    url = store_url if "://" in store_url else f"sqlite:///{store_url}"
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE schema_version SET version = :v"), {"v": SCHEMA_VERSION + 1})
    engine.dispose()
    with pytest.raises(StoreError) as caught:
        Store.open(store_url)
    assert f"schema version {SCHEMA_VERSION + 1}" in str(caught.value) and "upgrade" in str(caught.value)
    assert "升级" in caught.value.text("zh")


def test_a_bad_url_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="not supported"):
        Store.open("mysql://u@h/db")
    with pytest.raises(StoreError, match="in-memory"):
        Store.open("sqlite://")
    with pytest.raises(StoreError, match=r"Cannot open the store .*unable to open database file"):
        Store.open(str(tmp_path / "no such folder" / "w.sqlite"))
    with pytest.raises(StoreError, match="Cannot open the store at postgresql") as caught:
        Store.open("postgresql://someone:secret@127.0.0.1:1/db")  # nothing listens on port 1
    assert "secret" not in str(caught.value)  # the password is never shown


def test_open_defaults_to_the_workspace_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SYMBIOSIS_STORE_URL", raising=False)
    monkeypatch.setenv("SYMBIOSIS_WORKSPACE", str(tmp_path / "ws"))
    with Store.open() as opened:
        assert opened.backend == "sqlite"
        opened.create_workshop("w", PARK)
    assert (tmp_path / "ws" / "workshops.sqlite").is_file()
    with Store.open(workspace=tmp_path / "other") as opened:
        assert opened.workshops() == []
    monkeypatch.setenv("SYMBIOSIS_STORE_URL", str(tmp_path / "env.sqlite"))
    with Store.open(workspace=tmp_path / "ignored") as opened:
        opened.create_workshop("w", PARK)
    assert (tmp_path / "env.sqlite").is_file() and not (tmp_path / "ignored").exists()


# --- export / import between SQLite and PostgreSQL ---------------------------------------------------------------
def _fill(store: Store) -> tuple[str, str]:
    made = store.create_workshop("研讨会 spring", PARK)
    a, b = store.join(made.code, "第一组"), store.join(made.code, "Group B")
    s1 = store.save_scenario(a, "少排放", toml("少排放", forced=(("E1-1", "E2-1"),)), "李")
    s1b = store.save_scenario(a, "少排放", toml("少排放", "cost"), "王")
    s2 = store.save_scenario(b, "cheap", toml("cheap", "cost"), "Ann")
    store.save_result(s1.id, status="optimal", gap=0.0, plan_json=plan(10.0), error=None, seconds=1.5)
    store.save_result(s1b.id, status="failed", gap=None, plan_json=None, error="infeasible: 强制链接冲突",
                      seconds=0.25)
    store.save_result(s1b.id, status="optimal", gap=0.01, plan_json=plan(11.0), error=None, seconds=2.0)
    store.choose(a, s1b.id)
    store.choose(b, s2.id)
    store.set_shared(made.facilitator_code, True)
    return made.code, made.facilitator_code


def _folder(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.mark.parametrize(("source", "target"), [("sqlite", "postgresql"), ("postgresql", "sqlite")])
def test_export_import_moves_a_workshop_between_backends(source: str, target: str, new_store_url: NewStoreUrl,
                                                          tmp_path: Path) -> None:
    with Store.open(new_store_url(source)) as origin, Store.open(new_store_url(target)) as destination:
        code, facilitator = _fill(origin)
        manifest = origin.export_workshop(facilitator, tmp_path / "out")
        with pytest.raises(StoreError, match="not empty"):
            origin.export_workshop(code, tmp_path / "out")
        moved = destination.import_workshop(manifest.parent)
        assert not moved.codes_changed and (moved.code, moved.facilitator_code) == (code, facilitator)
        assert destination.import_workshop(manifest.parent).codes_changed  # a second copy here: new codes
        destination.export_workshop(code, tmp_path / "back")
        assert _folder(tmp_path / "back") == _folder(tmp_path / "out")  # the same content, byte for byte
        # and it reads the same through the interface
        mine = destination.scenarios(moved, facilitator_code=facilitator, all_versions=True)
        theirs = origin.scenarios(origin.facilitated(facilitator), facilitator_code=facilitator,  # type: ignore[arg-type]
                                  all_versions=True)
        keep = ("group_name", "name", "version", "scenario_toml", "author", "created_at", "chosen")
        assert [[getattr(s, k) for k in keep] for s in mine] == [[getattr(s, k) for k in keep] for s in theirs]
        assert [[(r.status, r.gap, r.plan_json, r.error, r.seconds) for r in destination.results(s.id)] for s in mine] \
            == [[(r.status, r.gap, r.plan_json, r.error, r.seconds) for r in origin.results(s.id)] for s in theirs]
        assert destination.park_package(moved) == PARK and moved.shared
        assert read_scenario_bytes(mine[0].scenario_toml).name in {"少排放", "cheap"}


def test_an_altered_export_is_refused_and_nothing_is_written(store: Store, tmp_path: Path) -> None:
    code, _ = _fill(store)
    out = tmp_path / "out"
    store.export_workshop(code, out)
    before = len(store.workshops())
    tampered = tmp_path / "tampered"
    tampered.mkdir()
    for name, data in _folder(out).items():
        (tampered / name).parent.mkdir(parents=True, exist_ok=True)
        (tampered / name).write_bytes(data)
    scenario_file = next((tampered / "scenarios").iterdir())
    scenario_file.write_bytes(scenario_file.read_bytes() + b"\n# changed\n")
    with pytest.raises(StoreError, match="sha256"):
        store.import_workshop(tampered)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["park_files"][0]["file"] = "../../etc/passwd"
    (tampered / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(StoreError, match="not a relative path"):
        store.import_workshop(tampered)
    with pytest.raises(StoreError, match=r"no manifest\.json"):
        store.import_workshop(tmp_path / "nowhere")
    assert len(store.workshops()) == before


def _rewrite(folder: Path, manifest: dict[str, Any]) -> None:
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


@pytest.mark.parametrize("bad_name", ["../../escaped.csv", "/tmp/escaped.csv", "park/../../escaped.csv"])
def test_an_export_whose_park_file_name_leaves_the_folder_is_refused(store: Store, tmp_path: Path,
                                                                      bad_name: str) -> None:
    """A doctored export names a park file '../../x' (its 'file' entry is fine, its sha256 and the park hash are
    right): the import refuses it, so a later export never writes outside its folder."""
    from symbiosis.workshop.store import park_hash

    code, _ = _fill(store)
    out = tmp_path / "deep" / "out"
    store.export_workshop(code, out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["park_files"][0]
    files = {e["name"]: (out / e["file"]).read_bytes() for e in manifest["park_files"]}
    files[bad_name] = files.pop(entry["name"])
    entry["name"] = bad_name
    manifest["workshop"]["park_hash"] = park_hash(files)
    _rewrite(out, manifest)
    before = len(store.workshops())
    with pytest.raises(StoreError, match="not accepted"):
        store.import_workshop(out)
    assert len(store.workshops()) == before


def test_an_export_with_a_bad_status_error_code_or_plan_file_is_refused(store: Store, tmp_path: Path) -> None:
    import hashlib

    code, _ = _fill(store)
    out = tmp_path / "out"
    store.export_workshop(code, out)
    original = (out / "manifest.json").read_text(encoding="utf-8")
    before = len(store.workshops())

    def doctored(change: Callable[[dict[str, Any]], None], match: str) -> None:
        manifest = json.loads(original)
        change(manifest)
        _rewrite(out, manifest)
        with pytest.raises(StoreError, match=match):
            store.import_workshop(out)

    def result(m: dict[str, Any]) -> dict[str, Any]:
        return dict(m["groups"][0]["scenarios"][0]["results"][0])

    doctored(lambda m: m["groups"][0]["scenarios"][0]["results"][0].update(status="optimall"),
             "not a solve status")
    doctored(lambda m: m["groups"][0]["scenarios"][1]["results"][0].update(error=["not", "text"]), "must be text")
    doctored(lambda m: m["workshop"].update(code=""), "not a join code")
    doctored(lambda m: m["workshop"].update(facilitator_code="0OIL"), "not a join code")
    doctored(lambda m: m["groups"][0].update(key="short"), "group key")
    plan_file = result(json.loads(original))["plan_file"]
    latin = "é".encode("latin-1") + b"{}"
    (out / plan_file).write_bytes(latin)

    def new_sha(m: dict[str, Any]) -> None:
        m["groups"][0]["scenarios"][0]["results"][0]["plan_sha256"] = hashlib.sha256(latin).hexdigest()

    doctored(new_sha, f"plan file {plan_file} is not UTF-8")
    assert len(store.workshops()) == before


def test_export_and_import_keep_the_group_keys(new_store_url: NewStoreUrl, tmp_path: Path) -> None:
    with Store.open(new_store_url("sqlite")) as origin, Store.open(new_store_url("sqlite")) as destination:
        made = origin.create_workshop("w", PARK)
        a = origin.join(made.code, "A")
        origin.save_scenario(a, "s", toml("s"), "Li")
        origin.export_workshop(made.facilitator_code, tmp_path / "out")
        manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
        assert manifest["groups"][0]["key"] == a.key
        moved = destination.import_workshop(tmp_path / "out")
        again = destination.join(moved.code, "A", a.key)  # the group's old link still works
        assert again.key == a.key
        destination.save_scenario(again, "t", toml("t"), "Li")
        with pytest.raises(StoreError, match="already exists"):
            destination.join(moved.code, "A")
        del manifest["groups"][0]["key"]  # an export written before group keys: the group gets a new key
        (tmp_path / "out" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
        older = destination.import_workshop(tmp_path / "out")
        with destination._read() as conn:
            keys = [k for (k,) in conn.execute(text("SELECT token FROM groups WHERE workshop_id = :w"),
                                               {"w": older.id}).all()]
        assert len(keys) == 1 and len(keys[0]) == 8 and keys[0] != a.key


def test_an_export_never_writes_outside_its_folder(store: Store, tmp_path: Path) -> None:
    """A name that got into the store before names were checked on import: the export refuses it."""
    code, _ = _fill(store)
    made = store.workshop(code)
    assert made is not None
    store._write(lambda conn: conn.execute(park_files_table.insert().values(
        park_hash=made.park_hash, name="../../escaped.csv", content=b"x")))
    out = tmp_path / "a" / "b" / "out"
    with pytest.raises(StoreError, match="not accepted"):
        store.export_workshop(code, out)
    assert not (tmp_path / "a" / "escaped.csv").exists() and not (tmp_path / "a" / "b" / "escaped.csv").exists()


def test_an_export_with_a_version_twice_or_two_picks_is_refused(store: Store, tmp_path: Path) -> None:
    code, _ = _fill(store)
    out = tmp_path / "out"
    store.export_workshop(code, out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    scenarios = manifest["groups"][0]["scenarios"]
    assert [s["version"] for s in scenarios] == [1, 2]
    before = len(store.workshops())
    scenarios[0]["version"] = 2
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(StoreError, match="listed twice"):
        store.import_workshop(out)
    scenarios[0]["version"], scenarios[0]["chosen"], scenarios[1]["chosen"] = 1, True, True
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(StoreError, match="more than one scenario is marked chosen"):
        store.import_workshop(out)
    assert len(store.workshops()) == before


def test_cli_create_list_export_import(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from park_builders import write_park

    monkeypatch.delenv("SYMBIOSIS_STORE_URL", raising=False)
    park = write_park(tmp_path / "park")
    laptop, server = str(tmp_path / "laptop.sqlite"), str(tmp_path / "server.sqlite")
    assert main(["workshop", "create", "--park", str(park), "--name", "Demo", "--store", laptop]) == 0
    created = capsys.readouterr().out
    with Store.open(laptop) as opened:
        (made,) = opened.workshops()
    assert made.code in created and made.facilitator_code in created
    assert main(["workshop", "list", "--store", laptop, "--lang", "zh"]) == 0
    assert made.code in capsys.readouterr().out
    assert main(["workshop", "export", made.code, "--out", str(tmp_path / "x"), "--store", laptop]) == 0
    assert main(["workshop", "import", str(tmp_path / "x"), "--store", server]) == 0
    assert made.code in capsys.readouterr().out
    assert main(["workshop", "import", str(tmp_path / "x"), "--store", server]) == 0
    assert "already used" in capsys.readouterr().out
    assert main(["workshop", "export", "ZZZZZZ", "--out", str(tmp_path / "y"), "--store", laptop,
                 "--lang", "zh"]) == 1
    assert "没有代码为“ZZZZZZ”的研讨会" in capsys.readouterr().err
    assert main(["workshop", "create", "--park", str(tmp_path / "missing"), "--name", "x", "--store", laptop]) == 1


# --- concurrency -------------------------------------------------------------------------------------------------
WRITERS = 20
PER_WRITER = 3


def _writer(url: str, code: str, who: str, barrier: Any = None, count: int = PER_WRITER, key: str = "") -> list[int]:
    """One session: join its own group, save scenarios and their results, and save into the group everyone
    shares under the same scenario name (the version race; `key`: that group's key, from its first join).
    `barrier`: start writing when all sessions do."""
    with Store.open(url) as opened:
        own = opened.join(code, f"group {who}")
        common = opened.join(code, "everyone", key)
        if barrier is not None:
            barrier.wait(timeout=120)
        saved = []
        for k in range(count):
            record = opened.save_scenario(own, f"s{k}", toml(f"s{k}"), who)
            opened.save_result(record.id, status="optimal", gap=0.0, plan_json=plan(k), error=None, seconds=0.1)
            saved.append(record.id)
        shared = opened.save_scenario(common, "together", toml(f"together {who}"), who)
        opened.save_result(shared.id, status="failed", gap=None, plan_json=None, error=f"by {who}", seconds=0.1)
        saved.append(shared.id)
        return saved


def _process_writer(url: str, code: str, who: str, barrier: Any, count: int, out: Any, key: str) -> None:
    try:
        out.put((who, _writer(url, code, who, barrier, count, key), ""))
    except BaseException as exc:  # reported to the parent, which fails the test
        out.put((who, [], repr(exc)))


def _check_nothing_lost(store: Store, made: Workshop, writers: list[str], saved: list[int],
                        count: int = PER_WRITER) -> None:
    every = store.scenarios(made, facilitator_code=made.facilitator_code, all_versions=True)
    assert sorted(s.id for s in every) == sorted(saved)
    assert len(every) == len(writers) * (count + 1)
    together = [s for s in every if s.name == "together"]
    assert sorted(s.version for s in together) == list(range(1, len(writers) + 1))  # no version taken twice
    assert sorted(s.author for s in together) == sorted(writers)
    for s in every:
        result = store.result(s.id)
        assert result is not None and result.error in (None, f"by {s.author}")
    assert Counter(s.group_name for s in every)["everyone"] == len(writers)


def test_twenty_threads_save_at_the_same_moment_and_nothing_is_lost(store: Store, store_url: str) -> None:
    made = store.create_workshop("busy", PARK)
    key = store.join(made.code, "everyone").key
    barrier = threading.Barrier(WRITERS)
    saved: list[list[int]] = [[] for _ in range(WRITERS)]
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            saved[i] = _writer(store_url, made.code, f"t{i:02d}", barrier, key=key)
        except BaseException as exc:  # collected and asserted below: a thread's error must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    _check_nothing_lost(store, made, [f"t{i:02d}" for i in range(WRITERS)], [x for s in saved for x in s])


def test_sessions_opening_a_new_store_at_once_create_it_once(store_url: str) -> None:
    barrier = threading.Barrier(8)
    versions: list[int] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=60)
            with Store.open(store_url) as opened:
                versions.append(opened.schema_version())
        except BaseException as exc:  # asserted below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == [] and versions == [SCHEMA_VERSION] * 8


@pytest.mark.slow
def test_four_processes_write_one_sqlite_file_and_nothing_is_lost(tmp_path: Path) -> None:
    url, count = str(tmp_path / "shared.sqlite"), 12
    context = multiprocessing.get_context("spawn")  # a clean interpreter each, as separate server processes are
    who = [f"p{i}" for i in range(4)]
    with Store.open(url) as opened:
        made = opened.create_workshop("busy", PARK)
        key = opened.join(made.code, "everyone").key
        barrier, out = context.Barrier(len(who)), context.Queue()
        processes = [context.Process(target=_process_writer, args=(url, made.code, w, barrier, count, out, key))
                     for w in who]
        for p in processes:
            p.start()
        reports = [out.get(timeout=300) for _ in who]
        for p in processes:
            p.join(timeout=60)
        assert [r[2] for r in reports] == [""] * len(who)
        assert all(p.exitcode == 0 for p in processes)
        _check_nothing_lost(opened, made, who, [x for r in reports for x in r[1]], count)


def test_every_store_refusal_has_its_message_in_both_languages() -> None:
    """The codes the store raises (StoreError("key", ...)) are in the catalogue, with English and Chinese."""
    import re

    from symbiosis.core.i18n import catalogue

    root = Path(__file__).resolve().parent.parent / "symbiosis" / "workshop"
    asked = {k for path in root.glob("*.py")
             for k in re.findall(r"StoreError\(\s*\"([a-z0-9_]+)\"", path.read_text(encoding="utf-8"))}
    assert len(asked) > 20
    known = catalogue()
    assert sorted(f"store.{k}" for k in asked if f"store.{k}" not in known) == []
    assert all(known[f"store.{k}"][0] != known[f"store.{k}"][1] for k in asked)
