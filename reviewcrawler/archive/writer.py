"""What one run adds to the archive, held in ``.partial`` files until `commit`."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

from reviewcrawler.archive.files import AtomicJsonLines
from reviewcrawler.archive.fingerprint import content_fingerprint
from reviewcrawler.archive.index import ArchiveIndex, IndexEntry, TitleState
from reviewcrawler.archive.layout import ArchiveLayout


class Verdict(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


class RunWriter:
    def __init__(self, layout: ArchiveLayout, run_id: str, index: ArchiveIndex) -> None:
        self.layout = layout
        self.run_id = run_id
        self.index = index
        #: What this run archived, written to the index at `commit` in one transaction.
        self.added: dict[str, IndexEntry] = {}
        self.per_title: dict[str, Counter[str]] = defaultdict(Counter)
        self._reviews: dict[str, AtomicJsonLines] = {}
        self._rejects: AtomicJsonLines | None = None
        #: A write failed (disk full, I/O error): nothing of this run may be committed.
        self.broken = False

    def archive(self, record: dict[str, Any]) -> Verdict:
        """Write `record` unless the archive already holds this exact content."""
        review_id, title_id = record["review_id"], record["title_id"]
        verdict = self.verdict(record)
        if verdict is Verdict.UNCHANGED:
            return verdict
        with self._guard():
            self._reviews_file(title_id).write(record)
        self.added[review_id] = IndexEntry(content_fingerprint(record), title_id, self.run_id)
        self.per_title[title_id][verdict.value] += 1
        return verdict

    def verdict(self, record: dict[str, Any]) -> Verdict:
        """What archiving `record` would be: one lookup, nothing written."""
        known = self.added.get(record["review_id"]) or self.index.get(record["review_id"])
        if known is None:
            return Verdict.NEW
        if known.fingerprint == content_fingerprint(record):
            return Verdict.UNCHANGED
        return Verdict.CHANGED

    def reject(self, record: dict[str, Any]) -> None:
        with self._guard():
            if self._rejects is None:
                self._rejects = AtomicJsonLines(self.layout.rejects_file(self.run_id))
            self._rejects.write(record)

    def commit(
        self,
        states: Iterable[TitleState],
        before_index: Callable[[list[str]], None] = lambda files: None,
    ) -> list[str]:
        """Journal the run's files, rename them into place (reviews first), call
        `before_index` with them (the manifest), then index the run in one transaction.

        Returns the files written, relative to the archive root. A kill after the
        journal entry and before the index commit is repaired by the next run from
        this run's files alone (`ArchiveIndex.replay_journal`).
        """
        names = self.file_names()
        if names:
            self.index.begin_commit(self.run_id, names)
        for file in self._files():
            file.commit()
        before_index(names)
        self.index.finish_commit(self.run_id, self.added, states)
        return names

    def discard(self) -> None:
        for file in self._files():
            file.discard()

    def file_names(self) -> list[str]:
        return [self.layout.relative(file.path) for file in self._files()]

    def _files(self) -> list[AtomicJsonLines]:
        return [*self._reviews.values(), *filter(None, [self._rejects])]

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except OSError:
            self.broken = True
            raise

    def _reviews_file(self, title_id: str) -> AtomicJsonLines:
        if title_id not in self._reviews:
            path = self.layout.reviews_file(title_id, self.run_id)
            self._reviews[title_id] = AtomicJsonLines(path)
        return self._reviews[title_id]
