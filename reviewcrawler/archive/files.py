"""Atomic files: written under a ``.partial`` name, renamed into place when complete.

A reader never sees a half-written archive file: until `commit`, the data lives
only under the ``.partial`` name, which nothing reads. `commit` fsyncs the file,
renames it and fsyncs the directory, so the rename survives a power loss too.

Nothing here writes through a symbolic link: a ``.partial`` file is created
with ``O_EXCL | O_NOFOLLOW`` (a link in its place is refused, a killed run's
leftover file replaced), and a link where the final file goes is refused
before the rename. A planted link could otherwise make a run truncate or
replace a file outside the archive.

Reading is forgiving instead: `iter_jsonl` can skip a damaged line (a full disk
or a bad copy cut it) and report where it was, so one line never hides a file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import jsonlines

from reviewcrawler.archive.layout import PARTIAL_SUFFIX, UnsafePath

#: Create a new file, never through a link, never one that exists.
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC


def create_exclusive(path: Path, mode: int = 0o644) -> IO[str]:
    """`path` created anew for writing text; `UnsafePath` if a symbolic link is there.

    A regular file in its place is a killed run's leftover (callers hold the
    archive lock) and is replaced. `mode` is masked by the umask, as for any new file.
    """
    try:
        fd = os.open(path, _CREATE, mode)
    except FileExistsError:
        refuse_link(path)
        path.unlink()
        fd = os.open(path, _CREATE, mode)
    return os.fdopen(fd, "w", encoding="utf-8", newline="\n")


def refuse_link(path: Path) -> None:
    """`UnsafePath` naming `path` if it is a symbolic link."""
    if path.is_symlink():
        raise UnsafePath(f"{path} is a symbolic link; refusing to write through it")


def partial_path(path: Path) -> Path:
    return path.with_name(path.name + PARTIAL_SUFFIX)


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class AtomicJsonLines:
    """A JSON Lines file that appears under its name only once complete.

    Each line is flushed to the OS as it is written, so a kill loses nothing
    that a later run would need: the ``.partial`` file is discarded anyway.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.partial = partial_path(path)
        self.lines = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] = create_exclusive(self.partial)
        self._writer = jsonlines.Writer(self._file, compact=True, flush=True)

    def write(self, record: dict[str, Any]) -> None:
        self._writer.write(record)
        self.lines += 1

    def commit(self) -> None:
        """Make the file durable and visible under its final name (never replacing one)."""
        self._close(sync=True)
        refuse_link(self.path)
        if self.path.exists():
            raise FileExistsError(f"archive file already exists, not replacing it: {self.path}")
        self.partial.rename(self.path)
        fsync_dir(self.path.parent)

    def discard(self) -> None:
        # A full disk fails the last flush too; what it held is thrown away anyway.
        with suppress(OSError):
            self._close(sync=False)
        self.partial.unlink(missing_ok=True)

    def _close(self, *, sync: bool) -> None:
        if self._file.closed:
            return
        self._writer.close()  # marks the writer closed; the file is ours to close
        try:
            self._file.flush()
            if sync:
                os.fsync(self._file.fileno())
        finally:
            self._file.close()


def write_json_atomic(path: Path, data: Any) -> None:
    """Write `data` as indented JSON to `path`, replacing it atomically (manifests)."""
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path`, replacing it atomically: a reader sees old or new, whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with (
        replaced_atomically(path) as partial,
        partial.open("w", encoding="utf-8", newline="\n") as out,
    ):
        out.write(text)


@contextmanager
def replaced_atomically(
    path: Path, partial: Path | None = None, mode: int = 0o644
) -> Iterator[Path]:
    """An empty new file to fill; once the block completes, it becomes `path` atomically.

    The project's one atomic write. The data goes to `partial` (by default `path`
    with ``.partial`` added; the same directory, so the rename is atomic), made by
    `create_exclusive`. On success the file is synced, renamed over `path` (never
    through a symbolic link) and the directory synced: a reader sees the old file
    or the new one, whole, even after a power loss. On failure it is removed.
    """
    partial = partial or partial_path(path)
    create_exclusive(partial, mode).close()
    try:
        yield partial
        fsync_file(partial)
        refuse_link(path)
        partial.replace(path)
    except BaseException:
        if not partial.is_symlink():
            partial.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class Damage:
    """A line of an archive file that cannot be read back."""

    path: Path
    line: int
    reason: str
    raw: bytes = b""

    def where(self, root: Path | None = None) -> str:
        path = self.path.relative_to(root) if root is not None else self.path
        return f"{path}:{self.line}"


DamageHandler = Callable[[Damage], None]


def iter_jsonl(path: Path, on_damage: DamageHandler | None = None) -> Iterator[dict[str, Any]]:
    """The records of a committed archive file, damaged lines skipped.

    Each damaged line (not UTF-8, not JSON, not an object) goes to `on_damage`;
    without one, `jsonlines.InvalidLineError` is raised for the first, but only
    once every good line has been read: damage never hides the lines after it.
    """
    first: Damage | None = None
    for item in numbered_lines(path):
        if not isinstance(item, Damage):
            yield item[1]
        elif on_damage is not None:
            on_damage(item)
        else:
            first = first or item
    if first is not None:
        raise jsonlines.InvalidLineError(
            f"{first.where()}: {first.reason}", first.raw.decode(errors="replace"), first.line
        )


def numbered_lines(path: Path) -> Iterator[Damage | tuple[int, dict[str, Any]]]:
    """Each line of `path` as ``(line number, record)``, or the `Damage` it is."""
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            reason = None
            try:
                record = json.loads(raw)
            except UnicodeDecodeError:
                reason = "not valid JSON Lines: not UTF-8 text"
            except ValueError as error:
                reason = f"not valid JSON Lines: {error}"
            else:
                if not isinstance(record, dict):
                    reason = f"not valid JSON Lines: a JSON {type(record).__name__}, not an object"
            if reason is None:
                yield number, record
            else:
                yield Damage(path, number, reason, raw)
