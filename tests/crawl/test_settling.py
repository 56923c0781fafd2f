"""A title's next page is yielded only after its page's items were handled."""

from __future__ import annotations

import asyncio

import pytest_twisted
from scrapy.utils.defer import deferred_from_coro

from reviewcrawler.crawl.settling import PageItems


@pytest_twisted.ensureDeferred
async def test_waits_for_every_item_of_its_response_and_no_other():
    items = PageItems()
    page, other = object(), object()
    items.expect(page, 3)
    items.expect(other, 1)
    waiting = asyncio.ensure_future(items.handled(page))
    for _ in range(2):
        items.item_handled(response=page, item=None)
    items.item_handled(response=other, item=None)
    await deferred_from_coro(asyncio.sleep(0))
    assert not waiting.done()
    items.item_handled(response=page, item=None, exception=ValueError())
    await deferred_from_coro(waiting)
    assert waiting.done()


@pytest_twisted.ensureDeferred
async def test_a_page_without_items_or_already_handled_does_not_wait():
    items = PageItems()
    page = object()
    items.expect(page, 0)
    await deferred_from_coro(items.handled(page))
    items.expect(page, 1)
    items.item_handled(response=page)
    await deferred_from_coro(items.handled(page))
    items.item_handled(response=None)  # an item of no response (start items): ignored
