"""Write a file under a temporary name beside it, renamed into place once complete.

A failed, interrupted or killed export never leaves a half file under the name
asked for, nor replaces a good file there with one: until the rename the data
lives only under a hidden ``.NAME.XXXXXXXX.partial`` name in the same directory,
renamed by the project's one atomic write (`replaced_atomically`).
"""

from __future__ import annotations

import secrets
import signal
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from types import FrameType

from reviewcrawler.archive.files import replaced_atomically


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
    # A name of its own: two exports to one target must not share a temporary file.
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    with ExitStack() as stack:
        try:
            # 0o666 & umask, like any new file the user asks for.
            path = stack.enter_context(replaced_atomically(target, temporary, mode=0o666))
        except OSError as error:
            raise DestinationError(f"cannot write {target}: {error.strerror or error}") from error
        with _terminate_as_exit():
            yield path


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
