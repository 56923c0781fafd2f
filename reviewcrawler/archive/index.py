"""``index.json``: review_id → latest fingerprint, so a run need not read the archive.

The index is a cache of what the review files say, never the truth itself. It
records a digest of the list of review files it was built from (names and
sizes) and a digest of its own entries; when either disagrees with what is on
disk, it is rebuilt from the files. Checking costs one directory listing, not a
read of every review.

On disk it is two lines: a small JSON header, then every entry as one compact
JSON object. The header's ``entries_digest`` is the SHA-256 of that second line
as stored, so checking it needs no re-encoding, and both lines are written and
read by the C JSON codec: a 100,000-review index loads in a fraction of a second.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jsonlines

from reviewcrawler.archive.files import iter_jsonl, write_text_atomic
from reviewcrawler.archive.fingerprint import content_fingerprint
from reviewcrawler.archive.layout import ArchiveLayout

FORMAT = 2
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
        entries = json.dumps(
            {
                rid: [e.fingerprint, e.title_id, e.run_id, e.versions]
                for rid, e in self.entries.items()
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )
        header = {
            "format": FORMAT,
            "covers": self.covers,
            "entries_digest": _digest(entries.encode("utf-8")),
            "fields": list(ENTRY_FIELDS),
        }
        write_text_atomic(layout.index_path, f"{json.dumps(header)}\n{entries}\n")


DamageReport = Callable[[Path, Exception], None]


def load_index(layout: ArchiveLayout) -> ArchiveIndex | None:
    """The saved index if it matches the files on disk, else ``None``."""
    try:
        header_line, _, entries_line = layout.index_path.read_bytes().partition(b"\n")
        header = json.loads(header_line)
        if header["format"] != FORMAT or header["fields"] != list(ENTRY_FIELDS):
            return None
        entries_line = entries_line.removesuffix(b"\n")
        if header["entries_digest"] != _digest(entries_line):
            return None
        if header["covers"] != files_digest(layout):
            return None
        entries = json.loads(entries_line)
        return ArchiveIndex(
            {rid: IndexEntry(*values) for rid, values in entries.items()}, header["covers"]
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


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
