"""A title's next page waits until the items of the page before it have been handled.

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
