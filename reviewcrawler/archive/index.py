"""``index.json``: review_id → latest fingerprint, so a run need not read the archive.

The index is a cache of what the review files say, never the truth itself. It
records a digest of the list of review files it was built from (names and
sizes) and a digest of its own entries; when either disagrees with what is on
disk, it is rebuilt from the files. Checking costs one directory listing, not a
read of every review.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonlines

from reviewcrawler.archive.files import iter_jsonl, write_json_atomic
from reviewcrawler.archive.fingerprint import content_fingerprint
from reviewcrawler.archive.layout import ArchiveLayout

FORMAT = 1
ENTRY_FIELDS = ("fingerprint", "title_id", "run_id", "versions")


@dataclass(slots=True)
class IndexEntry:
    fingerprint: str
    title_id: str
    #: The run whose file holds the latest version.
    run_id: str
    versions: int = 1


@dataclass(slots=True)
class ArchiveIndex:
    entries: dict[str, IndexEntry] = field(default_factory=dict)
    #: Digest of the review files this index covers (see `files_digest`).
    covers: str = ""

    def get(self, review_id: str) -> IndexEntry | None:
        return self.entries.get(review_id)

    def add_version(self, review_id: str, fingerprint: str, title_id: str, run_id: str) -> None:
        known = self.entries.get(review_id)
        versions = known.versions + 1 if known else 1
        self.entries[review_id] = IndexEntry(fingerprint, title_id, run_id, versions)

    def save(self, layout: ArchiveLayout) -> None:
        """Record the index as covering the review files now on disk."""
        self.covers = files_digest(layout)
        entries = _entries_json(self.entries)
        write_json_atomic(
            layout.index_path,
            {
                "format": FORMAT,
                "covers": self.covers,
                "entries_digest": _digest(entries),
                "fields": list(ENTRY_FIELDS),
                "entries": entries,
            },
        )


DamageReport = Callable[[Path, Exception], None]


def load_index(layout: ArchiveLayout) -> ArchiveIndex | None:
    """The saved index if it matches the files on disk, else ``None``."""
    try:
        data = json.loads(layout.index_path.read_text(encoding="utf-8"))
        if data["format"] != FORMAT or data["fields"] != list(ENTRY_FIELDS):
            return None
        entries = data["entries"]
        if data["entries_digest"] != _digest(entries):
            return None
        if data["covers"] != files_digest(layout):
            return None
        return ArchiveIndex(
            {rid: IndexEntry(*values) for rid, values in entries.items()}, data["covers"]
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def rebuild_index(layout: ArchiveLayout, on_damage: DamageReport | None = None) -> ArchiveIndex:
    """Read every review file, oldest run first; the last version read is the latest.

    A damaged file contributes the records before the damage and is reported;
    reviews it hides are then archived again by the next run, never lost.
    """
    index = ArchiveIndex()
    for path in layout.review_files():
        try:
            for record in iter_jsonl(path):
                index.add_version(
                    record["review_id"], content_fingerprint(record), record["title_id"], path.stem
                )
        except (jsonlines.InvalidLineError, KeyError, UnicodeDecodeError) as error:
            if on_damage is None:
                raise
            on_damage(path, error)
    return index


def files_digest(layout: ArchiveLayout) -> str:
    """Digest of the names and sizes of the committed review files."""
    listing = hashlib.sha256()
    for path in layout.review_files():
        listing.update(f"{layout.relative(path)}\0{path.stat().st_size}\n".encode())
    return listing.hexdigest()


def _entries_json(entries: dict[str, IndexEntry]) -> dict[str, list[Any]]:
    return {
        rid: [e.fingerprint, e.title_id, e.run_id, e.versions] for rid, e in sorted(entries.items())
    }


def _digest(entries: Any) -> str:
    canonical = json.dumps(entries, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
