"""A progress line on stderr while a command reads a large archive."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import IO, TypeVar

T = TypeVar("T")


class ReadProgress:
    """Counts what passes through `track`; says so at most every `interval` seconds.

    Nothing is printed for an archive read faster than `interval`; 0 prints nothing.
    """

    def __init__(self, interval: float, stream: IO[str] | None = None) -> None:
        self.interval = interval
        self.stream = stream or sys.stderr
        self.count = 0
        self.lines = 0
        self._started = self._last = time.monotonic()

    def track(self, records: Iterable[T]) -> Iterator[T]:
        for record in records:
            self.count += 1
            if self.interval > 0:
                now = time.monotonic()
                if now - self._last >= self.interval:
                    self._last = now
                    self._say(now)
            yield record

    def _say(self, now: float) -> None:
        rate = self.count / max(now - self._started, 1e-9)
        print(f"read {self.count:,} review(s), {rate:,.0f}/s", file=self.stream, flush=True)
        self.lines += 1
