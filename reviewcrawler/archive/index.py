"""``index.db``: review_id → latest fingerprint, and each title's crawl state.

An SQLite database (the stdlib's `sqlite3`, in WAL mode), so that a run costs
what it sees: one indexed lookup per review read, one row written per review
archived, in one transaction at the run's commit. Nothing loads it whole or
rewrites it whole, and nothing lists or stats the whole archive to trust it.

It is a cache, never the truth: the review files (and, for the crawl state,
the run manifests) are. `build_index` makes it again from them (``scrapy
archive reindex``); `reviewcrawler.archive.reader.verify` checks it against them.

A run commits in three steps, so that a kill -9 anywhere loses and duplicates
nothing, and repairing it costs that run's files only:

1. `ArchiveIndex.begin_commit` records the run and the files it is about to
   rename (the *journal*), committed on its own;
2. the files are renamed into place;
3. `ArchiveIndex.finish_commit` adds the run's reviews and crawl state and
   clears its journal row, in one transaction.

A journal row found on opening is a run killed between 1 and 3: `replay_journal`
indexes whichever of its files were renamed, and marks its titles incomplete
(a killed run never read a title to its end).

Longer than most modules on purpose: the schema, the three-step commit and the
rebuild from the files all read and write the same tables, and kept together a
change to a table is made in one place.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonlines

from reviewcrawler.archive.files import iter_jsonl, partial_path, replaced_atomically
from reviewcrawler.archive.fingerprint import content_fingerprint
from reviewcrawler.archive.layout import ArchiveLayout
from reviewcrawler.ids import REVIEW, TITLE, shown

#: ``PRAGMA application_id``: this file is a reviewcrawler index ("RCIX").
APPLICATION_ID = 0x52434958
#: ``PRAGMA user_version``: the schema below; another one is rebuilt, not migrated.
SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE reviews (
    review_id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    title_id TEXT NOT NULL,
    run_id TEXT NOT NULL,       -- the run whose file holds the latest version
    versions INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE titles (
    title_id TEXT PRIMARY KEY,
    last_run TEXT NOT NULL,     -- the last run that crawled the title
    complete INTEGER NOT NULL,  -- that run read it to its end
    last_complete_run TEXT,
    read_order TEXT NOT NULL,   -- -a order= of the last run
    newest_date TEXT,           -- of the newest review read
    layout TEXT                 -- of the title's first page, last read
) WITHOUT ROWID;
CREATE TABLE journal (
    run_id TEXT PRIMARY KEY,
    files TEXT NOT NULL         -- JSON list, relative to the archive root
) WITHOUT ROWID;
"""
_UPSERT_REVIEW = """
INSERT INTO reviews VALUES (?, ?, ?, ?, 1)
ON CONFLICT (review_id) DO UPDATE SET
    fingerprint = excluded.fingerprint, title_id = excluded.title_id,
    run_id = excluded.run_id, versions = versions + 1
"""
_UPSERT_TITLE = """
INSERT INTO titles VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (title_id) DO UPDATE SET
    last_run = excluded.last_run, complete = excluded.complete,
    last_complete_run = coalesce(excluded.last_complete_run, last_complete_run),
    read_order = excluded.read_order,
    newest_date = nullif(max(coalesce(newest_date, ''), coalesce(excluded.newest_date, '')), ''),
    layout = coalesce(excluded.layout, layout)
"""
_SQLITE_MAGIC = b"SQLite format 3\x00"
#: Files SQLite keeps beside the database in WAL mode.
_SIDE_FILES = ("-wal", "-shm")


class IndexDamaged(Exception):
    """The index database cannot be trusted; the message says why, in a few words."""


DamageReport = Callable[[Path, Exception], None]


@dataclass(frozen=True, slots=True)
class IndexEntry:
    fingerprint: str
    title_id: str
    #: The run whose file holds the latest version.
    run_id: str
    versions: int = 1


@dataclass(frozen=True, slots=True)
class TitleState:
    """What the archive knows of a title's crawls (``scrapy archive stats``)."""

    title_id: str
    last_run: str
    #: The last run read the title to its end (or until caught up).
    complete: bool
    last_complete_run: str | None
    order: str
    newest_date: str | None = None
    #: ``legacy`` or ``current``: which sort parameters its first page takes.
    layout: str | None = None


class ArchiveIndex:
    """An open index database. Lookups read it; only `finish_commit` and
    `replay_journal` write reviews, each in one transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def get(self, review_id: str) -> IndexEntry | None:
        row = self._db.execute(
            "SELECT fingerprint, title_id, run_id, versions FROM reviews WHERE review_id = ?",
            (review_id,),
        ).fetchone()
        return IndexEntry(*row) if row else None

    def title_state(self, title_id: str) -> TitleState | None:
        row = self._db.execute("SELECT * FROM titles WHERE title_id = ?", (title_id,)).fetchone()
        return _title_state(row) if row else None

    def title_states(self) -> dict[str, TitleState]:
        rows = self._db.execute("SELECT * FROM titles ORDER BY title_id")
        return {row[0]: _title_state(row) for row in rows}

    def entries(self) -> Iterator[tuple[str, IndexEntry]]:
        """Every entry, by review id (for `verify`)."""
        rows = self._db.execute("SELECT * FROM reviews ORDER BY review_id")
        for review_id, *values in rows:
            yield review_id, IndexEntry(*values)

    def journal(self) -> list[str]:
        """Runs killed between their renames and their index commit, not yet repaired."""
        return [row[0] for row in self._db.execute("SELECT run_id FROM journal ORDER BY run_id")]

    def count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM reviews").fetchone()[0])

    def begin_commit(self, run_id: str, files: list[str]) -> None:
        """Step 1: say which files the run is about to rename into place."""
        with self._db:
            self._db.execute("INSERT INTO journal VALUES (?, ?)", (run_id, json.dumps(files)))

    def finish_commit(
        self,
        run_id: str,
        entries: Mapping[str, IndexEntry],
        states: Iterable[TitleState],
    ) -> None:
        """Step 3: the run's reviews and crawl state, and its journal row gone, at once."""
        with self._db:
            self._db.executemany(
                _UPSERT_REVIEW,
                ((rid, e.fingerprint, e.title_id, e.run_id) for rid, e in entries.items()),
            )
            self._save_states(states)
            self._db.execute("DELETE FROM journal WHERE run_id = ?", (run_id,))

    def replay_journal(self, layout: ArchiveLayout, on_damage: DamageReport) -> list[str]:
        """Index the renamed files of runs killed while committing; their run ids."""
        pending = self._db.execute("SELECT run_id, files FROM journal ORDER BY run_id").fetchall()
        with self._db:
            for run_id, files in pending:
                titles: set[str] = set()
                for name in json.loads(files):
                    path = layout.root / name
                    if path.parent.parent == layout.reviews_dir and path.is_file():
                        titles.add(path.parent.name)
                        _index_file(self._db, path, on_damage)
                self._save_states(
                    TitleState(title_id, run_id, False, None, "newest") for title_id in titles
                )
                self._db.execute("DELETE FROM journal WHERE run_id = ?", (run_id,))
        return [run_id for run_id, _ in pending]

    def close(self) -> None:
        self._db.close()

    def _save_states(self, states: Iterable[TitleState]) -> None:
        self._db.executemany(
            _UPSERT_TITLE,
            (
                (
                    s.title_id,
                    s.last_run,
                    int(s.complete),
                    s.last_complete_run,
                    s.order,
                    s.newest_date,
                    s.layout,
                )
                for s in states
            ),
        )


def open_index(layout: ArchiveLayout, *, read_only: bool = False) -> ArchiveIndex | None:
    """The index database; ``None`` if there is none, `IndexDamaged` if it is unusable.

    Checks what can be checked without reading it whole: a regular file (never a
    symlink or a directory, nor its WAL side files), SQLite's header, this
    project's application id and schema version, a size that holds every page.
    """
    path = layout.index_path
    if not _lexists(path):
        return None
    _check_files(path)
    with path.open("rb") as head:
        if head.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
            raise IndexDamaged("not an SQLite database")
    uri = f"{path.as_uri()}?mode={'ro' if read_only else 'rw'}"
    try:
        db = sqlite3.connect(uri, uri=True)
    except sqlite3.Error as error:
        raise IndexDamaged(str(error)) from None
    try:
        _check_database(db, path)
        if not read_only:
            db.execute("PRAGMA journal_mode = WAL")
            # WAL with synchronous=FULL: a committed run survives a power loss too.
            db.execute("PRAGMA synchronous = FULL")
    except (sqlite3.Error, IndexDamaged) as error:
        db.close()
        raise IndexDamaged(str(error)) from None
    return ArchiveIndex(db)


def build_index(
    layout: ArchiveLayout, target: Path | None = None, on_damage: DamageReport | None = None
) -> int:
    """Write a fresh index at `target` (the archive's own by default) from the review
    files and manifests; the number of reviews indexed.

    Built under a ``.partial`` name and renamed into place, so a kill leaves the
    old index (or none), never half of one. Whatever sat at `target` (a damaged
    file, a symlink) is replaced, never written through; a directory is moved aside.
    """
    target = target or layout.index_path
    building = partial_path(target)
    for suffix in ("-journal", *_SIDE_FILES):
        _remove(building.with_name(building.name + suffix))
    with replaced_atomically(target, building) as built:
        db = sqlite3.connect(built)
        try:
            db.execute("PRAGMA journal_mode = OFF")  # a fresh file: a crash discards it whole
            db.execute("PRAGMA synchronous = OFF")
            count = fill_index(db, layout, on_damage)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.commit()
        finally:
            db.close()
        # What sits at `target` goes (a symlink itself; a directory is moved aside),
        # so that the rename replaces it instead of refusing it.
        _clear_target(target)
    return count


def memory_index(layout: ArchiveLayout, on_damage: DamageReport | None = None) -> ArchiveIndex:
    """An index built in memory from the files, for readers finding none on disk."""
    db = sqlite3.connect(":memory:")
    fill_index(db, layout, on_damage)
    db.commit()
    return ArchiveIndex(db)


def fill_index(
    db: sqlite3.Connection, layout: ArchiveLayout, on_damage: DamageReport | None = None
) -> int:
    """Create the schema in `db` and index every review file, oldest run first (the
    last version read is the latest), then every manifest's crawl state."""
    db.executescript(SCHEMA)
    for path in layout.review_files():
        _index_file(db, path, on_damage)
    index = ArchiveIndex(db)
    for manifest in _manifests(layout):
        index._save_states(states_of_manifest(manifest))
    return index.count()


def states_of_run(
    run_id: str, order: str, titles: Mapping[str, Mapping[str, Any]]
) -> list[TitleState]:
    """The crawl state a run leaves, from its manifest's ``titles`` section.

    Only crawled titles have one (a ``complete`` count); saved pages (``path=``)
    say nothing of what IMDb holds.
    """
    states = []
    for title_id, counts in titles.items():
        if "complete" not in counts or not TITLE.valid(title_id):
            continue
        complete = bool(counts["complete"])
        newest, layout = counts.get("newest_date"), counts.get("layout")
        states.append(
            TitleState(
                title_id,
                run_id,
                complete,
                run_id if complete else None,
                order,
                newest if isinstance(newest, str) else None,
                layout if layout in ("legacy", "current") else None,
            )
        )
    return states


def states_of_manifest(manifest: Mapping[str, Any]) -> list[TitleState]:
    run_id = manifest.get("run_id")
    if not isinstance(run_id, str):
        return []
    arguments = manifest.get("arguments") or {}
    # Runs before ``order=`` existed read in IMDb's default order.
    order = arguments.get("order", "helpful") if isinstance(arguments, dict) else "helpful"
    titles = manifest.get("titles")
    if isinstance(titles, dict):
        return states_of_run(run_id, str(order), titles)
    # A run killed while committing: its manifest lists files, and no title was complete.
    files = manifest.get("files")
    if not isinstance(files, list):
        return []
    killed = {Path(str(name)).parent.name for name in files if str(name).startswith("reviews/")}
    return [TitleState(title_id, run_id, False, None, str(order)) for title_id in sorted(killed)]


def _index_file(db: sqlite3.Connection, path: Path, on_damage: DamageReport | None) -> None:
    """Index one review file's good lines; its damage is reported (raised without
    `on_damage`, once every good line is indexed). Reviews a damaged line hides are
    then archived again by the next run, never lost.

    A record readers skip (`reviewcrawler.archive.reader.review_lines`: no
    well-formed review id, another title than its folder's) is damage here too.
    """
    rows = []
    damage: list[Exception] = []
    try:
        # Every good line is read before the first damaged one is raised.
        for record in iter_jsonl(path):
            review_id, title_id = record.get("review_id"), record.get("title_id")
            if REVIEW.valid(review_id) and title_id == path.parent.name:
                rows.append((review_id, content_fingerprint(record), title_id, path.stem))
            elif not damage:
                why = f"review_id {shown(review_id)} of title {shown(title_id)} unusable"
                damage.append(jsonlines.InvalidLineError(f"{path}: {why}", "", 0))
    except jsonlines.InvalidLineError as error:
        damage.insert(0, error)
    db.executemany(_UPSERT_REVIEW, rows)
    if damage:
        if on_damage is None:
            raise damage[0]
        on_damage(path, damage[0])


def _manifests(layout: ArchiveLayout) -> Iterator[dict[str, Any]]:
    for path in layout.manifest_files():
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # `archive verify` reports it; its run's state is unknown
        if isinstance(manifest, dict):
            yield manifest


def _title_state(row: tuple[Any, ...]) -> TitleState:
    title_id, last_run, complete, last_complete_run, order, newest_date, layout = row
    return TitleState(
        title_id, last_run, bool(complete), last_complete_run, order, newest_date, layout
    )


def _check_database(db: sqlite3.Connection, path: Path) -> None:
    application_id = db.execute("PRAGMA application_id").fetchone()[0]
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if application_id != APPLICATION_ID or version != SCHEMA_VERSION:
        raise IndexDamaged(f"not a reviewcrawler index of schema {SCHEMA_VERSION}")
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_schema WHERE type='table'")}
    if not {"reviews", "titles", "journal"} <= tables:
        raise IndexDamaged("tables are missing")
    wal = path.with_name(path.name + "-wal")
    if not wal.exists() or wal.stat().st_size == 0:
        # Every page lives in the main file once checkpointed: a shorter file lost some.
        pages, size = (
            db.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_count", "page_size")
        )
        if path.stat().st_size < pages * size:
            raise IndexDamaged("the file is shorter than its pages (truncated)")


def _check_files(path: Path) -> None:
    """The database and its side files are regular files: SQLite would write through a link."""
    for candidate in (path, *(path.with_name(path.name + s) for s in _SIDE_FILES)):
        try:
            mode = os.lstat(candidate).st_mode
        except FileNotFoundError:
            continue
        if stat.S_ISLNK(mode):
            raise IndexDamaged(f"{candidate.name} is a symbolic link")
        if not stat.S_ISREG(mode):
            raise IndexDamaged(f"{candidate.name} is not a regular file")


def _clear_target(target: Path) -> None:
    """Make way for a new index: drop the old one and its side files (a symlink
    itself, not what it points to); move a directory aside rather than delete it."""
    for candidate in (target, *(target.with_name(target.name + s) for s in _SIDE_FILES)):
        if candidate.is_dir() and not candidate.is_symlink():
            candidate.rename(candidate.with_name(f"{candidate.name}.not-an-index"))
        else:
            _remove(candidate)


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def _lexists(path: Path) -> bool:
    return os.path.lexists(path)
