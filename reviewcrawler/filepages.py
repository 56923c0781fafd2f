"""Saved pages (``file://``), read so that no file can hang, flood or stall a run.

Scrapy's own file handler reads whatever the path names to its end: a FIFO
blocks for ever, ``/dev/zero`` fills memory, an unreadable file raises an
`OSError` that the retry middleware takes for a network error. Here a page is
opened without blocking, must be a regular file of at most ``MAX_PAGE_BYTES``,
and a page that cannot be had fails with `UnreadablePage`, whose message is the
one line the spider logs (the request is never retried).

`saved_response` is the one rule for a saved page's bytes as a Scrapy response
(the spider's downloads, ``scrapy savefixture``, the fixture tests).
"""

from __future__ import annotations

import os
import stat
from typing import Any, Self

from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.asyncio import run_in_thread
from w3lib.url import file_uri_to_path

#: O_NONBLOCK: opening a FIFO with no writer would block before any check.
_OPEN = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC


class UnreadablePage(Exception):
    """A saved page that is not read; the message says why, on one line."""


def not_a_file(info: os.stat_result) -> str | None:
    """Why what `info` describes is no page file (a FIFO, a device…); ``None`` if it is one."""
    return None if stat.S_ISREG(info.st_mode) else f"not a regular file ({_kind(info.st_mode)})"


def read_page_file(path: str, max_bytes: int) -> bytes:
    """The bytes of `path`, checked as `check_page_file` does, on the file opened."""
    try:
        fd = os.open(path, _OPEN)
    except OSError as error:
        raise UnreadablePage(f"cannot read it: {error.strerror}") from None
    with os.fdopen(fd, "rb") as page:
        # Checked on what was opened: the path may have been swapped since.
        size = _checked_size(os.fstat(fd), max_bytes)
        try:
            body = page.read(size + 1)
        except OSError as error:
            raise UnreadablePage(f"cannot read it: {error.strerror}") from None
    if len(body) > max_bytes:  # it grew since
        raise UnreadablePage(_too_big(len(body), max_bytes))
    return body


def _checked_size(info: os.stat_result, max_bytes: int) -> int:
    problem = not_a_file(info)
    if problem is not None:
        raise UnreadablePage(problem)
    if info.st_size > max_bytes:
        raise UnreadablePage(_too_big(info.st_size, max_bytes))
    return info.st_size


def _too_big(size: int, max_bytes: int) -> str:
    return f"{size:,} bytes, over MAX_PAGE_BYTES ({max_bytes:,}); no review page is that big"


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a file"


def saved_response(
    url: str, body: bytes, filename: str | None, content_type: str | None = None,
    **response: Any,
) -> Response:  # fmt: skip
    """`body`, saved as `filename` (and, from a recording, served as `content_type`),
    as the response a crawl of it gets: its class (HTML, JSON, other text, bytes) told
    by Scrapy from the name, the recorded Content-Type and the bytes. `response`:
    further arguments of the response (a replay's ``request``, ``flags``)."""
    headers = Headers({"Content-Type": content_type}) if content_type else None
    response_class = responsetypes.from_args(headers=headers, filename=filename, body=body)
    return response_class(url=url, body=body, **response)


class PageFileDownloadHandler(BaseDownloadHandler):
    """``file://`` downloads through `read_page_file` (``DOWNLOAD_HANDLERS``)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.max_bytes = crawler.settings.getint("MAX_PAGE_BYTES")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    async def download_request(self, request: Request) -> Response:
        path = file_uri_to_path(request.url)
        body = await run_in_thread(read_page_file, path, self.max_bytes)
        return saved_response(request.url, body, path)
