"""Atomic files: written under a ``.partial`` name, renamed into place when complete.

A reader never sees a half-written archive file: until `commit`, the data lives
only under the ``.partial`` name, which nothing reads. `commit` fsyncs the file,
renames it and fsyncs the directory, so the rename survives a power loss too.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import jsonlines

from reviewcrawler.archive.layout import PARTIAL_SUFFIX


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
        self._file: IO[str] = self.partial.open("x", encoding="utf-8", newline="\n")
        self._writer = jsonlines.Writer(self._file, compact=True, flush=True)

    def write(self, record: dict[str, Any]) -> None:
        self._writer.write(record)
        self.lines += 1

    def commit(self) -> None:
        """Make the file durable and visible under its final name (never replacing one)."""
        self._close(sync=True)
        if self.path.exists():
            raise FileExistsError(f"archive file already exists, not replacing it: {self.path}")
        self.partial.rename(self.path)
        fsync_dir(self.path.parent)

    def discard(self) -> None:
        self._close(sync=False)
        self.partial.unlink(missing_ok=True)

    def _close(self, *, sync: bool) -> None:
        if self._file.closed:
            return
        self._file.flush()
        if sync:
            os.fsync(self._file.fileno())
        self._writer.close()
        self._file.close()


def write_json_atomic(path: Path, data: Any) -> None:
    """Write `data` as indented JSON to `path`, replacing it atomically (manifests)."""
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` to `path`, replacing it atomically: a reader sees old or new, whole."""
    partial = partial_path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with partial.open("w", encoding="utf-8", newline="\n") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    partial.replace(path)
    fsync_dir(path.parent)


def iter_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The records of a committed archive file; `jsonlines.InvalidLineError` if damaged."""
    with jsonlines.open(path) as reader:
        yield from reader.iter(type=dict)
