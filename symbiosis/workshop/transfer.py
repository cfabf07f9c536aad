"""Moving a whole workshop between stores (a laptop's SQLite file, a server's PostgreSQL) as a plain folder:

    manifest.json            what is where, and every record's fields (names, versions, authors, times, flags)
    park/<file>              the park package as uploaded, byte for byte
    scenarios/gNN-sNNN.toml  each scenario version as saved
    plans/gNN-sNNN-rN.json   each result's plan (a failed solve has none; its error is in the manifest)

File names in the folder are numbered, never made from user text (group names may be any language); the manifest
names them. Every file carries its sha256 in the manifest and the park its content hash: an import checks them all
before writing anything, and writes the workshop in one transaction.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from symbiosis.core.scenario import ScenarioError, read_scenario_bytes
from symbiosis.workshop.store import (
    FACILITATOR_CODE_LENGTH,
    GROUP_KEY_LENGTH,
    JOIN_CODE_LENGTH,
    SCHEMA_VERSION,
    ImportedWorkshop,
    StoreError,
    _checked_result,
    _file_name,
    _is_code,
    _name,
    name_key,
    normalize_code,
    park_hash,
)

if TYPE_CHECKING:
    from symbiosis.workshop.store import Store

FORMAT = "symbiosis-workshop-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def export_workshop(store: Store, code_or_facilitator_code: str, out_dir: str | Path) -> Path:
    workshop = store.facilitated(code_or_facilitator_code) or store.workshop(code_or_facilitator_code)
    if workshop is None:
        raise StoreError("unknown_code", code=str(code_or_facilitator_code).strip())
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise StoreError("export_not_empty", path=str(out))
    dump = store._dump(workshop)
    full = dump["workshop"]
    out.mkdir(parents=True, exist_ok=True)
    root = out.resolve()
    park_entries = []
    for name, data in sorted(dump["files"].items()):
        target = out / "park" / _file_name(name)
        # a name stored before names were checked on import must not write outside the folder
        if not target.resolve().is_relative_to(root / "park"):
            raise StoreError("bad_file_name", value=name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        park_entries.append({"name": name, "file": f"park/{name}", "sha256": _sha(data)})
    groups = []
    for gi, g in enumerate(dump["groups"], start=1):
        scenarios = []
        for si, s in enumerate(g["scenarios"], start=1):
            body = s["toml"].encode("utf-8")
            scenario_file = f"scenarios/g{gi:02d}-s{si:03d}.toml"
            _write(out / scenario_file, body)
            results = []
            for ri, r in enumerate(s["results"], start=1):
                entry: dict[str, Any] = {"status": r.status, "gap": r.gap, "error": r.error, "seconds": r.seconds,
                                         "created_at": r.created_at.isoformat(), "plan_file": None,
                                         "plan_sha256": None}
                if r.plan_json is not None:
                    plan_file = f"plans/g{gi:02d}-s{si:03d}-r{ri}.json"
                    plan_bytes = r.plan_json.encode("utf-8")
                    _write(out / plan_file, plan_bytes)
                    entry.update(plan_file=plan_file, plan_sha256=_sha(plan_bytes))
                results.append(entry)
            scenarios.append({"name": s["name"], "version": s["version"], "author": s["author"],
                              "created_at": s["created_at"].isoformat(), "chosen": s["chosen"],
                              "file": scenario_file, "sha256": _sha(body), "results": results})
        groups.append({"name": g["name"], "created_at": g["created_at"].isoformat(), "key": g["key"],
                       "scenarios": scenarios})
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "schema_version": SCHEMA_VERSION,
        "workshop": {"name": full.name, "code": full.code, "facilitator_code": full.facilitator_code,
                     "shared": full.shared, "created_at": full.created_at.isoformat() if full.created_at else None,
                     "park_hash": full.park_hash},
        "park_files": park_entries,
        "groups": groups,
    }
    path = out / MANIFEST
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


class _Reader:
    """Reads and checks the folder's files; every problem is a StoreError naming the folder and what is wrong."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.root = folder.resolve()

    def fail(self, reason: str) -> StoreError:
        return StoreError("import_bad", path=str(self.folder), reason=reason)

    def file(self, name: object, sha256: object) -> bytes:
        try:
            relative = _file_name(name)
        except StoreError as exc:
            raise self.fail(f"file name {name!r} in the manifest is not a relative path inside the folder") from exc
        path = (self.root / relative).resolve()
        if not path.is_relative_to(self.root) or not path.is_file():
            raise self.fail(f"{relative} is named in the manifest but is not a file in the folder")
        data = path.read_bytes()
        if _sha(data) != sha256:
            raise self.fail(f"{relative} does not match its sha256 in the manifest (changed after the export?)")
        return data

    def when(self, value: object, where: str) -> datetime:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError as exc:
            raise self.fail(f"{where}: created_at '{value}' is not an ISO date-time") from exc
        if parsed.tzinfo is None:
            raise self.fail(f"{where}: created_at '{value}' has no time zone")
        return parsed

    def field(self, record: object, key: str, kind: type | tuple[type, ...], where: str) -> Any:
        if not isinstance(record, dict) or key not in record or not isinstance(record[key], kind) \
                or (kind is int and isinstance(record[key], bool)):
            raise self.fail(f"{where}: '{key}' is missing or not {getattr(kind, '__name__', kind)}")
        return record[key]


def import_workshop(store: Store, in_dir: str | Path) -> ImportedWorkshop:
    folder = Path(in_dir)
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        raise StoreError("import_no_manifest", path=str(folder))
    read = _Reader(folder)
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise read.fail(f"manifest.json is not JSON: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise read.fail(f"manifest.json is not a workshop export (format '{FORMAT}')")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise read.fail(f"export format version {version!r} is newer than this program reads ({FORMAT_VERSION}): "
                        "upgrade symbiosis-analyzer")
    ws = read.field(manifest, "workshop", dict, "manifest")
    try:
        name = _name(read.field(ws, "name", str, "workshop"), "workshop")
    except StoreError as exc:
        raise read.fail(f"workshop name: {exc}") from exc
    code = normalize_code(read.field(ws, "code", str, "workshop"))
    facilitator = normalize_code(read.field(ws, "facilitator_code", str, "workshop"))
    if not _is_code(code, JOIN_CODE_LENGTH) or not _is_code(facilitator, FACILITATOR_CODE_LENGTH) \
            or code == facilitator:
        raise read.fail(f"workshop: the codes '{code}' / '{facilitator}' are not a join code of "
                        f"{JOIN_CODE_LENGTH} and a facilitator code of {FACILITATOR_CODE_LENGTH} characters")
    shared = read.field(ws, "shared", bool, "workshop")
    created = read.when(ws.get("created_at"), "workshop")

    files: dict[str, bytes] = {}
    for i, entry in enumerate(read.field(manifest, "park_files", list, "manifest"), start=1):
        try:  # the name becomes a path on the next export: the same check as on create
            file_name = _file_name(read.field(entry, "name", str, f"park file {i}"))
        except StoreError as exc:
            raise read.fail(f"park file {i}: {exc}") from exc
        if file_name in files:
            raise read.fail(f"park file {i}: '{file_name}' is listed twice")
        files[file_name] = read.file(read.field(entry, "file", str, f"park file {i}"), entry.get("sha256"))
    if not files:
        raise read.fail("the export holds no park files")
    if park_hash(files) != ws.get("park_hash"):
        raise read.fail("the park files do not give the park hash in the manifest")

    groups: list[dict[str, Any]] = []
    seen_groups: set[str] = set()
    for gi, g in enumerate(read.field(manifest, "groups", list, "manifest"), start=1):
        where = f"group {gi}"
        try:
            group_name = _name(read.field(g, "name", str, where), "group")
        except StoreError as exc:
            raise read.fail(f"{where}: {exc}") from exc
        if name_key(group_name) in seen_groups:
            raise read.fail(f"{where}: group '{group_name}' is listed twice")
        seen_groups.add(name_key(group_name))
        # an export of version 1 without keys: the group gets a new key on import (its members rejoin by link)
        group_key = normalize_code(g.get("key") or "") if isinstance(g.get("key") or "", str) else None
        if group_key is None or (group_key and not _is_code(group_key, GROUP_KEY_LENGTH)):
            raise read.fail(f"{where}: the group key {g.get('key')!r} is not {GROUP_KEY_LENGTH} characters of "
                            "the code alphabet")
        scenarios = []
        versions: set[tuple[str, int]] = set()
        for si, s in enumerate(read.field(g, "scenarios", list, where), start=1):
            swhere = f"{where} ('{group_name}'), scenario {si}"
            body = read.file(read.field(s, "file", str, swhere), s.get("sha256"))
            try:
                read_scenario_bytes(body)
                text_body = body.decode("utf-8-sig")
                scenario_name = _name(read.field(s, "name", str, swhere), "scenario")
                author = _name(read.field(s, "author", str, swhere), "author", empty_ok=True)
            except (ScenarioError, StoreError, UnicodeDecodeError) as exc:
                raise read.fail(f"{swhere} ({s.get('file')}): {exc}") from exc
            version = read.field(s, "version", int, swhere)
            if version < 1 or (name_key(scenario_name), version) in versions:
                raise read.fail(f"{swhere}: version {version} of '{scenario_name}' is below 1 or listed twice")
            versions.add((name_key(scenario_name), version))
            results = []
            for ri, r in enumerate(read.field(s, "results", list, swhere), start=1):
                results.append(_result(read, r, f"{swhere}, result {ri}"))
            scenarios.append({"name": scenario_name, "version": version,
                              "toml": text_body, "author": author,
                              "created_at": read.when(s.get("created_at"), swhere),
                              "chosen": read.field(s, "chosen", bool, swhere), "results": results})
        if sum(s["chosen"] for s in scenarios) > 1:
            raise read.fail(f"{where} ('{group_name}'): more than one scenario is marked chosen")
        groups.append({"name": group_name, "created_at": read.when(g.get("created_at"), where),
                       "key": group_key, "scenarios": scenarios})
    return store._load(name, code, facilitator, shared, created, files, groups)


def _result(read: _Reader, r: object, where: str) -> dict[str, Any]:
    status = read.field(r, "status", str, where)
    assert isinstance(r, dict)
    plan_json = None
    if r.get("plan_file") is not None:
        raw = read.file(r["plan_file"], r.get("plan_sha256"))
        try:
            plan_json = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise read.fail(f"{where}: the plan file {r['plan_file']} is not UTF-8 text ({exc})") from exc
    try:  # the same rules as a solve saved by the app: status, error text, plan JSON, numbers
        checked = _checked_result(status, r.get("gap"), plan_json, r.get("error"), r.get("seconds"))
    except StoreError as exc:
        raise read.fail(f"{where}: {exc}") from exc
    return {**checked, "created_at": read.when(r.get("created_at"), where)}


__all__ = ["FORMAT", "FORMAT_VERSION", "MANIFEST", "export_workshop", "import_workshop"]
