"""``scrapy archive repair``: take what readers skip out of the archive, keeping every byte.

Each damaged line (`reviewcrawler.archive.reader.review_lines` decides, as for
every reader) is appended to ``quarantine/<stamp>.jsonl`` with where it came
from (file, line, reason) and its text, and the file it came from is rewritten
without it, atomically; a file left with no line is removed and dropped from
its run's manifest. A damaged manifest is quarantined whole; the next run
writes a new one for that run's files (`reviewcrawler.archive.recovery`).

The index no longer matches the files afterwards, so the next crawl rebuilds
it: a review whose only stored version was damaged is then unknown to the
archive, and archived again when the crawl reads it. That crawl says so
(`repairs_since`).

Runs only under the archive lock.
"""

from __future__ import annotations

import base64
import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewcrawler.archive.files import (
    Damage,
    create_exclusive,
    fsync_dir,
    write_json_atomic,
    write_text_atomic,
)
from reviewcrawler.archive.layout import ArchiveLayout, new_run_id
from reviewcrawler.archive.reader import read_manifest, reject_lines, review_lines

#: Where a crawl that found damage (and could not repair it: readers take no
#: lock) leaves word of it, so every later crawl warns until a repair.
DAMAGE_NOTE = "damage.json"


@dataclass(slots=True)
class Repair:
    quarantined: list[Damage] = field(default_factory=list)
    rewritten: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: Where the damaged lines went; ``None`` if there were none.
    quarantine: Path | None = None


def repair(layout: ArchiveLayout) -> Repair:
    result = Repair()
    damage_by_file: dict[Path, list[Damage]] = defaultdict(list)

    def collect(damage: Damage) -> None:
        damage_by_file[damage.path].append(damage)

    for path in layout.review_files():
        _drain(review_lines(path, collect))
    for path in layout.reject_files():
        _drain(reject_lines(path, collect))
    manifests = {path: read_manifest(path, collect) for path in layout.manifest_files()}
    if damage_by_file:
        stamp = new_run_id(after=layout.latest_run_id())
        result.quarantine = layout.inside(layout.quarantine_dir / f"{stamp}.jsonl")
        _quarantine(layout, result.quarantine, damage_by_file)
        for path, damage in damage_by_file.items():
            result.quarantined.extend(damage)
            if path.suffix == ".json":
                path.unlink()  # its bytes are in quarantine; recovery writes a new one
                continue
            if _rewrite_without(path, {d.line for d in damage}):
                result.rewritten.append(layout.relative(path))
            else:
                result.removed.append(layout.relative(path))
        _forget_removed(layout, manifests, result.removed)
    clear_damage_note(layout)
    return result


def repairs_since(layout: ArchiveLayout, run_id: str | None) -> list[tuple[Path, int]]:
    """Quarantine files written after run `run_id`, each with its count of lines."""
    found = []
    for path in layout.quarantine_files():
        if run_id is None or path.stem > run_id:
            with path.open("rb") as lines:
                found.append((path, sum(1 for _ in lines)))
    return found


def note_damage(layout: ArchiveLayout, where: list[str]) -> None:
    write_text_atomic(layout.root / DAMAGE_NOTE, json.dumps({"damaged": where}, indent=2) + "\n")


def damage_noted(layout: ArchiveLayout) -> list[str]:
    """What a crawl or `verify` found damaged and no repair has fixed since."""
    path = layout.root / DAMAGE_NOTE
    if path.is_symlink() or not path.is_file():
        return []
    try:
        where = json.loads(path.read_bytes()).get("damaged")
    except (ValueError, AttributeError, OSError):
        return [DAMAGE_NOTE]  # damaged itself: still word of damage
    return [str(w) for w in where] if isinstance(where, list) else [DAMAGE_NOTE]


def clear_damage_note(layout: ArchiveLayout) -> None:
    (layout.root / DAMAGE_NOTE).unlink(missing_ok=True)


def _drain(lines: Iterator[Any]) -> None:
    for _ in lines:
        pass


def _quarantine(
    layout: ArchiveLayout, target: Path, damage_by_file: dict[Path, list[Damage]]
) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with create_exclusive(target) as out:
        for path, damage in damage_by_file.items():
            whole = path.suffix == ".json"
            for item in damage:
                raw = path.read_bytes() if whole else item.raw
                entry: dict[str, Any] = {
                    "file": layout.relative(path),
                    "line": None if whole else item.line,
                    "reason": item.reason,
                    **_content(raw),
                }
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")
        out.flush()
    fsync_dir(target.parent)


def _content(raw: bytes) -> dict[str, str]:
    """The damaged bytes as text if they are UTF-8, else in base64: never altered."""
    try:
        return {"text": raw.decode("utf-8")}
    except UnicodeDecodeError:
        return {"base64": base64.b64encode(raw).decode("ascii")}


def _rewrite_without(path: Path, lines: set[int]) -> bool:
    """Rewrite `path` without `lines` (1-based), atomically; ``False`` (and gone) if empty."""
    with path.open("rb") as source:
        kept = [raw for number, raw in enumerate(source, start=1) if number not in lines]
    kept = [raw if raw.endswith(b"\n") else raw + b"\n" for raw in kept if raw.strip()]
    if not kept:
        path.unlink()
        fsync_dir(path.parent)
        return False
    write_text_atomic(path, b"".join(kept).decode("utf-8"))
    return True


def _forget_removed(
    layout: ArchiveLayout, manifests: dict[Path, dict[str, Any] | None], removed: list[str]
) -> None:
    """Drop removed files from the manifests that list them (else `verify` finds them missing)."""
    gone = set(removed)
    for path, manifest in manifests.items():
        if manifest is None or not gone & set(map(str, manifest["files"])):
            continue
        manifest["removed_by_repair"] = sorted(gone & set(manifest["files"]))
        manifest["files"] = [name for name in manifest["files"] if name not in gone]
        write_json_atomic(path, manifest)
