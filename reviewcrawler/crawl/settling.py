"""What waits for a page's items to be handled: a title's next page (`PageItems`), and
the saved pages named after it (`SavedPageOrder`).

Scrapy hands a callback's items to the item pipelines concurrently with its
requests to the scheduler. In cluster mode both reach Redis, the items through
the pipelines (the review stream), the next page's request through the scheduler
(the shared queue), so a worker that loses Redis, or is killed, between the two
could leave a title's next page queued while some reviews of this page never got
into the stream: the rerun goes on from the next page and never reads them again.
So a title page's callback yields its items, waits until each one has been
scraped, dropped or failed, and only then yields the next page's request.
"""

from __future__ import annotations

import asyncio
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler


class PageItems:
    """How many items of each response the item pipelines have not finished with."""

    def __init__(self) -> None:
        # Keyed by the response object's id: the callback holds the response
        # until it is done waiting, so the id cannot be reused meanwhile.
        self._pending: dict[int, int] = {}
        self._handled: dict[int, asyncio.Future[None]] = {}

    def connect(self, crawler: Crawler) -> None:
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(self.item_handled, signal=signal)

    def expect(self, response: object, items: int) -> None:
        """`response`'s callback is about to yield `items` items."""
        if items:
            self._pending[id(response)] = self._pending.get(id(response), 0) + items

    def item_handled(self, response: Any = None, **kwargs: Any) -> None:
        key = id(response)
        left = self._pending.get(key)
        if left is None:
            return
        if left > 1:
            self._pending[key] = left - 1
            return
        del self._pending[key]
        waiter = self._handled.pop(key, None)
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def handled(self, response: object) -> None:
        """Return once every item expected of `response` has been handled."""
        key = id(response)
        if key not in self._pending:
            return
        waiter = self._handled.get(key)
        if waiter is None:
            waiter = self._handled[key] = asyncio.get_running_loop().create_future()
        await waiter


class SavedPageOrder:
    """Saved pages hand their items to the pipelines in the order they were named.

    Pages are read concurrently (and parsed in worker processes), so they finish in
    any order; but when two pages hold the same review with different content (a page
    saved twice, a year apart), the run's duplicate filter keeps the first it sees.
    That must be the first page in ``path=`` order, or the same pages would archive
    different content from one run to the next. So a page waits for its turn after
    it is parsed: until no page named before it is still being read.

    "Being read" starts when a page reaches the downloader. Scrapy hands start
    requests over first in, first out, so every page named before is there by then.
    A page still waiting in the scheduler is not waited for: with another start
    queue the order is the downloader's, but the wait can never stall the run (a
    waiting callback holds its response, and enough of them stop Scrapy taking new
    requests from the scheduler; the downloader finishes what it holds regardless).
    """

    def __init__(self) -> None:
        self._open: set[int] = set()
        self._changed = asyncio.Event()

    def reading(self, index: int) -> None:
        """Page `index` reached the downloader."""
        self._open.add(index)

    def finished(self, index: int) -> None:
        """Page `index` handed over its items, or failed, or was dropped."""
        self._open.discard(index)
        self._changed.set()
        self._changed = asyncio.Event()

    async def turn(self, index: int) -> None:
        """Return once no page named before page `index` is still being read."""
        while self._open and min(self._open) < index:
            await self._changed.wait()
