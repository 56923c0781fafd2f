"""Write a file under a temporary name beside it, renamed into place once complete.

A failed, interrupted or killed export never leaves a half file under the name
asked for, nor replaces a good file there with one: until the rename the data
lives only under a hidden ``.NAME.XXXXXXXX.partial`` name in the same directory
(same file system, so the rename is atomic).
"""

from __future__ import annotations

import os
import secrets
import signal
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType


class DestinationError(OSError):
    """The output cannot be written at all: bad input, found before anything is read."""


@contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """Yield an empty file to write; on success it becomes `target`, else it is removed.

    A device or pipe given as `target` (``/dev/stdout``) is written in place:
    there is nothing to replace atomically.
    """
    target = target.expanduser().absolute()
    if target.is_dir():
        raise DestinationError(f"{target} is a directory")
    if target.exists() and not target.resolve().is_file():
        yield target
        return
    # Through a symlink, replace the file it names, not the link.
    target = target.resolve() if target.is_symlink() else target
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        # O_EXCL: never adopt a file someone else made; 0o666 & umask, like any new file.
        os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    except OSError as error:
        raise DestinationError(f"cannot write {target}: {error.strerror or error}") from error
    try:
        with _terminate_as_exit():
            yield temporary
            _fsync(temporary)
            temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """SIGTERM raises `SystemExit`, so that the temporary file is removed on the way out."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def exit_now(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, exit_now)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _fsync(path: Path) -> None:
    if not stat.S_ISREG(path.stat().st_mode):
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
