"""One run per archive at a time: an exclusive `fcntl.flock` on ``ARCHIVE_DIR/.lock``.

The kernel releases a flock when its holder dies (even by SIGKILL), so a dead
run never blocks the next one. The holder's name (run id or command), pid, host and start time are
written inside the file only so that a refused run can say who holds it; the
file itself is never deleted (deleting a flock'd file lets two runs lock two
different files).
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from datetime import UTC, datetime
from typing import Any

from reviewcrawler.archive.layout import ArchiveLayout, UnsafePath

#: Never through a link: a planted ``.lock`` link would have the run truncate its target.
_OPEN = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC


class ArchiveLocked(Exception):
    """Another process holds the archive; the message names it, on one line."""


class ArchiveLock:
    def __init__(self, layout: ArchiveLayout) -> None:
        self.layout = layout
        self._fd: int | None = None

    def acquire(self, owner: str) -> None:
        """Take the lock for `owner` (``"run <run_id>"``, a command) or raise `ArchiveLocked`.

        `UnsafePath` if ``.lock`` is a symbolic link; `OSError` if the archive
        directory cannot be created or written.
        """
        self.layout.root.mkdir(parents=True, exist_ok=True)
        path = self.layout.lock_path
        try:
            fd = os.open(path, _OPEN, 0o644)
        except OSError:
            if path.is_symlink():
                raise UnsafePath(
                    f"{path} is a symbolic link; refusing to follow it (remove it)"
                ) from None
            raise
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ArchiveLocked(
                f"archive {self.layout.root} is in use by {self.holder()}; not starting"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "owner": owner,
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode() + b"\n", 0)

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def holder(self) -> str:
        """Who holds the lock, as written in the lock file by its holder."""
        try:
            fd = os.open(self.layout.lock_path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            with os.fdopen(fd, "rb") as lock_file:
                info: dict[str, Any] = json.loads(lock_file.read(4096))
            return f"{info['owner']} (pid {info['pid']} on {info['host']}, since {info['since']})"
        except (OSError, ValueError, KeyError, TypeError):
            return "another process (holder details not yet written)"

    def __enter__(self) -> ArchiveLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
