"""Where everything lives under ``ARCHIVE_DIR``, and how runs are named."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reviewcrawler.ids import TITLE

PARTIAL_SUFFIX = ".partial"
RUN_ID = re.compile(r"[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}")
_STAMP = "%Y%m%dT%H%M%SZ"


class UnsafePath(OSError):
    """A path in the archive that is a symbolic link, or would lead out of the archive."""


@dataclass(frozen=True, slots=True)
class ArchiveLayout:
    root: Path

    @classmethod
    def at(cls, directory: str | Path) -> ArchiveLayout:
        return cls(Path(directory).expanduser().absolute())

    @property
    def reviews_dir(self) -> Path:
        return self.root / "reviews"

    @property
    def rejects_dir(self) -> Path:
        return self.root / "rejects"

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    @property
    def index_path(self) -> Path:
        return self.root / "index.db"

    @property
    def old_index_path(self) -> Path:
        """Where archives before the index database kept their index."""
        return self.root / "index.json"

    @property
    def lock_path(self) -> Path:
        return self.root / ".lock"

    @property
    def quarantine_dir(self) -> Path:
        """Damaged lines and manifests ``scrapy archive repair`` took out of the archive."""
        return self.root / "quarantine"

    def quarantine_files(self) -> list[Path]:
        return sorted(_files(self.quarantine_dir, ".jsonl"), key=lambda path: path.stem)

    def reviews_file(self, title_id: str, run_id: str) -> Path:
        """Where a run's reviews of `title_id` go; `UnsafePath` if that is not inside."""
        problem = TITLE.problem(title_id)
        if problem is not None:
            raise UnsafePath(f"no archive file for a bad title id: {problem}")
        return self.inside(self.reviews_dir / title_id / f"{run_id}.jsonl")

    def inside(self, path: Path) -> Path:
        """`path`, once sure it stays in the archive after every link is followed.

        The archive directory itself may be a link (users put archives on other
        disks that way); a link inside it that leads out is refused.
        """
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise UnsafePath(f"{path} leads out of the archive {self.root}; refusing it")
        return path

    def rejects_file(self, run_id: str) -> Path:
        return self.inside(self.rejects_dir / f"{run_id}.jsonl")

    def manifest_file(self, run_id: str) -> Path:
        return self.inside(self.runs_dir / f"{run_id}.json")

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def review_files(self) -> list[Path]:
        """Committed review files, oldest run first (the order versions were written)."""
        files = [
            path
            for title_dir in _subdirs(self.reviews_dir)
            if TITLE.valid(title_dir.name)
            for path in _files(title_dir, ".jsonl")
        ]
        return sorted(files, key=lambda path: (path.stem, path.parent.name))

    def reject_files(self) -> list[Path]:
        return sorted(_files(self.rejects_dir, ".jsonl"), key=lambda path: path.stem)

    def manifest_files(self) -> list[Path]:
        return sorted(_files(self.runs_dir, ".json"), key=lambda path: path.stem)

    def partial_files(self) -> list[Path]:
        """What runs that never reached their commit left behind."""
        dirs = [self.root, self.rejects_dir, self.runs_dir]
        found = [p for d in dirs for p in _entries(d) if p.name.endswith(PARTIAL_SUFFIX)]
        return found + self.scan_reviews()[1]

    def latest_run_id(self, review_runs: set[str] | None = None) -> str | None:
        """The latest run id in the archive; `review_runs`: those of the review
        files, when the caller has them from `scan_reviews` already."""
        if review_runs is None:
            review_runs = self.scan_reviews()[0]
        ids = [p.stem for p in (*self.manifest_files(), *self.reject_files())]
        ids += [p.stem for p in self.quarantine_files()]
        return max((i for i in (*ids, *review_runs) if RUN_ID.fullmatch(i)), default=None)

    def scan_reviews(self) -> tuple[set[str], list[Path]]:
        """One pass over the review folders, names only (no `stat`, no sort): the
        run ids of committed review files, and the ``.partial`` files."""
        runs: set[str] = set()
        partials: list[Path] = []
        for title_dir in _scan(self.reviews_dir):
            if not title_dir.is_dir(follow_symlinks=False):
                continue
            for entry in _scan(Path(title_dir.path)):
                if entry.name.endswith(PARTIAL_SUFFIX):
                    partials.append(Path(entry.path))
                elif entry.name.endswith(".jsonl") and TITLE.valid(title_dir.name):
                    runs.add(entry.name.removesuffix(".jsonl"))
        return runs, partials


def new_run_id(now: datetime | None = None, after: str | None = None) -> str:
    """``20261125T080000Z-0a1b2c``: UTC time, then its microseconds in hex.

    Ids must sort in the order runs happened (the latest version of a review is
    the one in the latest run), even for two runs within one second and when the
    clock stepped back; the archive lock makes them unique.
    """
    moment = now or datetime.now(UTC)
    if after is not None and RUN_ID.fullmatch(after) and _format(moment) <= after:
        moment = _parse(after) + timedelta(microseconds=1)
    return _format(moment)


def run_time(run_id: str) -> datetime:
    return _parse(run_id)


def _format(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment.strftime(_STAMP)}-{moment.microsecond:06x}"


def _parse(run_id: str) -> datetime:
    stamp, micro = run_id.split("-")
    moment = datetime.strptime(stamp, _STAMP).replace(tzinfo=UTC)
    return moment + timedelta(microseconds=int(micro, 16))


# Listings read directory entries only (their type comes with the name): a run
# lists the archive's names, but never stats every file in it.


def _scan(directory: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as entries:
            return list(entries)
    except FileNotFoundError:
        return []


def _entries(directory: Path) -> Iterator[Path]:
    for entry in _scan(directory):
        yield Path(entry.path)


def _subdirs(directory: Path) -> list[Path]:
    return sorted(Path(e.path) for e in _scan(directory) if e.is_dir(follow_symlinks=False))


def _files(directory: Path, suffix: str) -> list[Path]:
    return [
        Path(e.path)
        for e in _scan(directory)
        if e.name.endswith(suffix) and e.is_file(follow_symlinks=False)
    ]
