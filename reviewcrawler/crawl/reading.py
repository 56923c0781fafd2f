"""Where pages are parsed: in the crawl's process, or in worker processes beside it.

Parsing a saved page (lxml, then the loaders) costs about as much CPU as
everything Scrapy and the pipelines do with its reviews afterwards, and it is
pure: bytes in, plain data out (`reviewcrawler.parsers.read`). So a run over
many saved pages hands each page to a worker process and the engine goes on
with other pages' items meanwhile, keeping a second core busy. The outcome is
the same object either way; workers only move where the work happens.

``PARSE_PROCESSES`` sets how many workers (0: parse in the crawl's process).
Unset, a ``path=`` run of at least `AUTO_MIN_PAGES` pages on a machine with more
than one CPU gets one worker fewer than the machine has CPUs (at most
`AUTO_MAX_PROCESSES`); everything else parses in-process, where a worker would
cost its start-up for a few pages, or wait on the network anyway.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from scrapy.http import Response, TextResponse

from reviewcrawler.parsers import ParsedPage, Unreadable, read

logger = logging.getLogger(__name__)

AUTO_MIN_PAGES = 50
AUTO_MAX_PROCESSES = 4
#: How often a worker checks that the crawl that started it is still there.
ORPHAN_CHECK_SECONDS = 1.0

Outcome = ParsedPage | Unreadable


@dataclass(frozen=True, slots=True)
class PortableResponse:
    """What `read` needs of a response, as plain data a worker can be sent: the
    same class, so the same decoding (from the headers, the body, or the
    encoding the response was made with)."""

    response_class: type[Response]
    url: str
    status: int
    headers: dict[bytes, list[bytes]]
    body: bytes
    encoding: str | None

    @classmethod
    def of(cls, response: Response) -> PortableResponse:
        # `encoding` as given when the response was made, not as inferred (which
        # decodes the body: the worker's job). Scrapy keeps it in `_encoding`.
        text = isinstance(response, TextResponse)
        encoding = getattr(response, "_encoding", None) if text else None
        headers = {bytes(key): list(values) for key, values in response.headers.items()}
        return cls(type(response), response.url, response.status, headers, response.body, encoding)

    def response(self) -> Response:
        kwargs: dict[str, Any] = {"status": self.status, "headers": self.headers, "body": self.body}
        if self.encoding is not None:
            kwargs["encoding"] = self.encoding
        return self.response_class(self.url, **kwargs)


def read_portable(page: PortableResponse, context: dict[str, Any]) -> Outcome:
    """`read`, in a worker."""
    return read(page.response(), **context)


def planned_processes(configured: int | None, *, saved_pages: int | None) -> int:
    """Workers for a run: `configured` if set, else the automatic rule above."""
    if configured is not None:
        return configured
    cpus = os.cpu_count() or 1
    if saved_pages is None or saved_pages < AUTO_MIN_PAGES or cpus < 2:
        return 0
    return min(cpus - 1, AUTO_MAX_PROCESSES)


class PageReader:
    """Reads responses with `parsers.read`, in `processes` workers or in-process."""

    def __init__(self, processes: int, start_method: str | None = None) -> None:
        self.processes = processes
        #: How workers start (`multiprocessing`'s start methods); `_start_method` by default.
        self.start_method = start_method or _start_method()
        self._pool: Executor | None = None
        self._broken = False

    async def read(self, response: Response, **context: Any) -> Outcome:
        if self.processes <= 0 or self._broken or not _in_asyncio():
            return read(response, **context)
        future = self._executor().submit(read_portable, PortableResponse.of(response), context)
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            # A worker died (killed, out of memory): the run goes on in-process.
            logger.warning("A page-parsing worker process died; parsing in the crawl's process")
            self._broken = True
            return read(response, **context)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _executor(self) -> Executor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context(self.start_method),
                initializer=_exit_when_orphaned,
                initargs=(os.getpid(),),
            )
        return self._pool


def _in_asyncio() -> bool:
    """Whether an asyncio loop runs the crawl (Scrapy's default reactor), which
    can await a worker's answer; under another reactor pages parse in-process."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _start_method() -> str:
    """Fork where it is safe: a worker starts in milliseconds with every module the
    crawl has imported. Python 3.12 deprecates forking a process that runs threads
    (Scrapy's thread pool does), so there a fork server starts the workers; other
    systems spawn them."""
    if not sys.platform.startswith("linux"):
        return "spawn"
    return "fork" if sys.version_info < (3, 12) else "forkserver"


def _exit_when_orphaned(crawl: int) -> None:
    """A worker whose crawl was killed would wait for work for ever (it holds
    both ends of its queue, so it never sees the crawl go): it leaves instead,
    when its parent changes (a forked worker) or the crawl is gone (a fork
    server's worker, whose server lives as long as its workers do)."""
    parent = os.getppid()
    threading.Thread(target=_watch, args=(parent, crawl), name="orphan-check", daemon=True).start()


def _watch(parent: int, crawl: int) -> None:
    while os.getppid() == parent and _exists(crawl):
        time.sleep(ORPHAN_CHECK_SECONDS)
    os._exit(0)


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # there, but not ours: another process took its number
        return False
    return True
