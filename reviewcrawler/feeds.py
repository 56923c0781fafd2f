"""Feeds: the JSON Lines exporter with one cheap step per review, and standard
output whose reader may leave.

Scrapy's exporter builds each line through `ItemAdapter`: a field lookup, its
metadata and a serializer call per field, about a fifth of what a review costs
to parse. A `Review` exported with its own fields in record order (the
project's ``FEED_EXPORT_FIELDS``) is the plain dict `as_record` gives, encoded by
the same encoder: the same bytes for less. Anything else takes Scrapy's path.

``-O -`` (standard output) read by ``| head`` loses its reader long before the
run ends; Scrapy's storage then logs a traceback per item. `StdoutFeed` says so
once and drops the rest of the feed; the run (and its archive) goes on.
"""

from __future__ import annotations

import io
import logging
import os
import sys
from dataclasses import fields
from typing import IO, Any

from scrapy import Spider
from scrapy.exporters import JsonLinesItemExporter
from scrapy.extensions.feedexport import StdoutFeedStorage

from reviewcrawler.items import REVIEW_FIELDS, Review, as_record

#: No field of `Review` asks for a serializer: its values are exported as they are.
_PLAIN_FIELDS = not any(field.metadata for field in fields(Review))


class ReviewJsonLinesExporter(JsonLinesItemExporter):
    def __init__(self, file: Any, **kwargs: Any) -> None:
        super().__init__(file, **kwargs)
        wanted = self.fields_to_export
        self._records_as_they_are = _PLAIN_FIELDS and (
            wanted is None or (not isinstance(wanted, dict) and tuple(wanted) == REVIEW_FIELDS)
        )

    def export_item(self, item: Any) -> None:
        if type(item) is Review and self._records_as_they_are:
            line = self.encoder.encode(as_record(item)) + "\n"
            self.file.write(line.encode(self.encoding or "utf-8"))
        else:
            super().export_item(item)


def discard_stdout() -> None:
    """The reader of standard output went away (``| head``): what it wanted, it has.
    Later writes and the flush at exit go to /dev/null instead of raising again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


class StdoutFeed(StdoutFeedStorage):
    """``-O -`` as Scrapy writes it, but a closed pipe is one line, not a traceback per item."""

    def open(self, spider: Spider) -> IO[bytes]:
        return _ReaderMayLeave(super().open(spider), spider.logger)  # type: ignore[return-value]


class _ReaderMayLeave(io.RawIOBase):
    def __init__(self, stdout: IO[bytes], logger: logging.LoggerAdapter[logging.Logger]) -> None:
        super().__init__()
        self._stdout = stdout
        self._logger = logger
        self._written = 0
        self._left = False

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        size = len(data)
        if not self._left:
            try:
                self._stdout.write(data)
                self._written += size
            except BrokenPipeError:
                self._reader_left()
        return size

    def flush(self) -> None:
        if not self._left:
            try:
                self._stdout.flush()
            except BrokenPipeError:
                self._reader_left()

    def close(self) -> None:
        self.flush()  # standard output itself stays open, as Scrapy leaves it
        super().close()

    def _reader_left(self) -> None:
        self._left = True
        discard_stdout()
        self._logger.info(
            "The feed's reader closed standard output after %d bytes; the rest of the "
            "feed is dropped, the run goes on",
            self._written,
        )
