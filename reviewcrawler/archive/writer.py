"""What one run adds to the archive, held in ``.partial`` files until `commit`.

A write that fails (no space, no permission, a name too long, a planted link)
costs only the file it was for: that title's ``.partial`` file is dropped, its
reviews are counted as kept out under the cause, and every other title of the
run still commits. The index learns of a title's reviews only once its file is
committed, so reviews kept out are archived by the next run. Nothing here
raises for such a failure: `failures` says what was lost, and why.

`commit` journals the run's files in the index database, renames them into
place, has the manifest written, and only then indexes them, in one
transaction (see `reviewcrawler.archive.index`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from reviewcrawler.archive.files import AtomicJsonLines
from reviewcrawler.archive.fingerprint import content_fingerprint
from reviewcrawler.archive.index import ArchiveIndex, IndexEntry, TitleState
from reviewcrawler.archive.layout import ArchiveLayout

#: What `RunWriter.failures` files a failed rejects file under, in place of a title.
REJECTS = "rejects"


class Verdict(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    #: A write failed: the review is kept out of the archive (not out of the feed).
    NOT_WRITTEN = "not_written"


@dataclass(slots=True)
class WriteFailure:
    """Every file one cause (an `OSError`'s message) kept out of the archive."""

    cause: str
    #: Title (or `REJECTS`) → records kept out.
    kept_out: Counter[str] = field(default_factory=Counter)

    @property
    def count(self) -> int:
        return sum(self.kept_out.values())


@dataclass(slots=True)
class _Pending:
    """A title's file of this run, and what the index learns once it is committed."""

    file: AtomicJsonLines
    versions: dict[str, IndexEntry] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)


class RunWriter:
    def __init__(self, layout: ArchiveLayout, run_id: str, index: ArchiveIndex) -> None:
        self.layout = layout
        self.run_id = run_id
        self.index = index
        #: Per committed title: new/changed counts (final once `commit` has run).
        self.per_title: dict[str, Counter[str]] = defaultdict(Counter)
        self._pending: dict[str, _Pending] = {}
        self._rejects: AtomicJsonLines | None = None
        #: Titles (and `REJECTS`) whose file failed, with the cause.
        self._failed: dict[str, str] = {}
        #: Cause → what it kept out of the archive.
        self.failures: dict[str, WriteFailure] = {}
        #: Files committed, relative to the archive root (set by `commit`).
        self.committed: list[str] = []

    def archive(self, record: dict[str, Any]) -> Verdict:
        """Write `record` unless the archive already holds this exact content."""
        review_id, title_id = record["review_id"], record["title_id"]
        fingerprint = content_fingerprint(record)
        verdict = self._verdict(review_id, title_id, fingerprint)
        if verdict is Verdict.UNCHANGED:
            return verdict
        if title_id in self._failed:
            self._kept_out(title_id, self._failed[title_id])
            return Verdict.NOT_WRITTEN
        try:
            pending = self._pending_for(title_id)
            pending.file.write(record)
        except OSError as error:
            self._fail(title_id, error)
            return Verdict.NOT_WRITTEN
        pending.versions[review_id] = IndexEntry(fingerprint, title_id, self.run_id)
        pending.counts[verdict.value] += 1
        return verdict

    def verdict(self, record: Mapping[str, Any]) -> Verdict:
        """What archiving `record` would be: one lookup, nothing written."""
        return self._verdict(
            record["review_id"], record["title_id"], content_fingerprint(record)
        )

    def _verdict(self, review_id: str, title_id: str, fingerprint: str) -> Verdict:
        pending = self._pending.get(title_id)
        known = (pending.versions.get(review_id) if pending else None) or self.index.get(
            review_id
        )
        if known is None:
            return Verdict.NEW
        if known.fingerprint == fingerprint:
            return Verdict.UNCHANGED
        return Verdict.CHANGED

    def reject(self, record: dict[str, Any]) -> None:
        if REJECTS in self._failed:
            self._kept_out(REJECTS, self._failed[REJECTS])
            return
        try:
            if self._rejects is None:
                self._rejects = AtomicJsonLines(self.layout.rejects_file(self.run_id))
            self._rejects.write(record)
        except OSError as error:
            self._fail(REJECTS, error)

    def commit(
        self,
        states: Iterable[TitleState],
        before_index: Callable[[list[str]], None] = lambda files: None,
    ) -> list[str]:
        """Journal the run's files, rename them into place (reviews first), call
        `before_index` with them (the manifest), then index the run in one transaction.

        Returns the files written, relative to the archive root. A file whose
        commit fails is counted in `failures`, the others still commit, and the
        index learns only of committed files. A kill after the journal entry and
        before the index commit is repaired by the next run from this run's files
        alone (`ArchiveIndex.replay_journal`), as is a failure to write the index
        (`sqlite3.Error`) once the files are in place.
        """
        names = self.file_names()
        if names:
            self.index.begin_commit(self.run_id, names)
        committed = self.committed
        entries: dict[str, IndexEntry] = {}
        for title_id, pending in list(self._pending.items()):
            if self._commit_file(title_id, pending.file):
                committed.append(self.layout.relative(pending.file.path))
                entries.update(pending.versions)
                self.per_title[title_id].update(pending.counts)
        if self._rejects is not None and self._commit_file(REJECTS, self._rejects):
            committed.append(self.layout.relative(self._rejects.path))
        before_index(committed)
        self.index.finish_commit(self.run_id, entries, map(self._unless_failed, states))
        return committed

    def _unless_failed(self, state: TitleState) -> TitleState:
        """A title whose file failed was not archived to its end: the next run reads
        it whole rather than stopping once caught up above what was kept out."""
        if state.title_id not in self._failed:
            return state
        return replace(state, complete=False, last_complete_run=None)

    def discard(self) -> None:
        for file in self._files():
            file.discard()

    def file_names(self) -> list[str]:
        """This run's files still to commit, relative to the archive root."""
        return [self.layout.relative(file.path) for file in self._files()]

    def counts(self) -> Counter[str]:
        """New/changed reviews committed, over every title."""
        return sum(self.per_title.values(), Counter())

    def reviews_kept_out(self) -> int:
        return sum(f.count - f.kept_out[REJECTS] for f in self.failures.values())

    def _commit_file(self, owner: str, file: AtomicJsonLines) -> bool:
        try:
            file.commit()
        except OSError as error:
            self._fail(owner, error, failed_record=False)
            return False
        return True

    def _files(self) -> Iterator[AtomicJsonLines]:
        yield from (pending.file for pending in self._pending.values())
        if self._rejects is not None:
            yield self._rejects

    def _pending_for(self, title_id: str) -> _Pending:
        if title_id not in self._pending:
            path = self.layout.reviews_file(title_id, self.run_id)
            self._pending[title_id] = _Pending(AtomicJsonLines(path))
        return self._pending[title_id]

    def _fail(self, owner: str, error: OSError, *, failed_record: bool = True) -> None:
        """Drop `owner`'s file: what it held (and the record that failed) is kept out."""
        # "No space left on device", not one message per file name.
        cause = error.strerror or str(error)
        self._failed[owner] = cause
        if owner == REJECTS:
            file, lines = self._rejects, (self._rejects.lines if self._rejects else 0)
            self._rejects = None
        else:
            pending = self._pending.pop(owner, None)
            file, lines = (pending.file, pending.file.lines) if pending else (None, 0)
        if file is not None:
            # One that cannot even be removed is a ``.partial`` file the next run removes.
            with suppress(OSError):
                file.discard()
        for _ in range(lines + failed_record):
            self._kept_out(owner, cause)

    def _kept_out(self, owner: str, cause: str) -> None:
        self.failures.setdefault(cause, WriteFailure(cause)).kept_out[owner] += 1
