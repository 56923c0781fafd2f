"""What one run adds to the archive, held in ``.partial`` files until `commit`."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

from reviewcrawler.archive.files import AtomicJsonLines
from reviewcrawler.archive.fingerprint import content_fingerprint
from reviewcrawler.archive.index import ArchiveIndex
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
        self.per_title: dict[str, Counter[str]] = defaultdict(Counter)
        self._reviews: dict[str, AtomicJsonLines] = {}
        self._rejects: AtomicJsonLines | None = None
        #: A write failed (disk full, I/O error): nothing of this run may be committed.
        self.broken = False

    def archive(self, record: dict[str, Any]) -> Verdict:
        """Write `record` unless the archive already holds this exact content."""
        review_id, title_id = record["review_id"], record["title_id"]
        fingerprint = content_fingerprint(record)
        known = self.index.get(review_id)
        if known is not None and known.fingerprint == fingerprint:
            return Verdict.UNCHANGED
        verdict = Verdict.NEW if known is None else Verdict.CHANGED
        with self._guard():
            self._reviews_file(title_id).write(record)
        self.index.add_version(review_id, fingerprint, title_id, self.run_id)
        self.per_title[title_id][verdict.value] += 1
        return verdict

    def reject(self, record: dict[str, Any]) -> None:
        with self._guard():
            if self._rejects is None:
                self._rejects = AtomicJsonLines(self.layout.rejects_file(self.run_id))
            self._rejects.write(record)

    def commit(self) -> list[str]:
        """Rename every file into place (reviews first), then save the index.

        Returns the files written, relative to the archive root. A kill before
        the index is saved leaves an index that no longer matches the files, so
        the next run rebuilds it rather than trusting it.
        """
        for file in self._files():
            file.commit()
        if self._reviews:
            self.index.save(self.layout)
        return self.file_names()

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
