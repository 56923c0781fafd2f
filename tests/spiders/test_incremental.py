"""Scheduled runs into one archive: newest first, stop when caught up, full=1,
and a title never read to its end is read to its end (issue 12)."""

from __future__ import annotations

import logging

import pytest
import pytest_twisted
from scrapy.utils.defer import deferred_from_coro

from reviewcrawler.archive.layout import ArchiveLayout
from reviewcrawler.archive.reader import title_stats
from reviewcrawler.outcome import ExitStatus, exit_status
from tests.archive_helpers import manifests, run_reviews
from tests.conftest import crawl, site_settings
from tests.orderedsite import TITLE_ID, OrderedTitle

LAYOUTS = ["legacy", "current"]


def settings(site, archive, **overrides):
    return site_settings(
        site, ARCHIVE_ENABLED=True, ARCHIVE_DIR=str(archive), LOG_LEVEL="INFO", **overrides
    )


class Runs:
    """Crawls of one title into one archive, each counting the review pages it fetched."""

    def __init__(self, site, title, archive):
        self.site, self.title, self.archive = site, title, archive

    async def run(self, **arguments):
        self.title.serve(self.site)
        before = self.title.review_hits(self.site)
        result = await crawl(settings(self.site, self.archive), title=TITLE_ID, **arguments)
        result.pages = self.title.review_hits(self.site) - before
        result.manifest = manifests(self.archive)[-1]
        result.archived = [
            r["review_id"] for r in run_reviews(self.archive, result.manifest["run_id"])
        ]
        return result


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest_twisted.inlineCallbacks
def test_daily_runs_pay_for_what_is_new(local_site, tmp_path, layout, caplog):
    title = OrderedTitle(layout)
    runs = Runs(local_site, title, tmp_path / "archive")

    # 1. A new title is read to its end.
    first = yield deferred_from_coro(runs.run())
    assert exit_status(first.stats) is ExitStatus.COMPLETE
    assert len(set(first.archived)) == 300
    assert first.stats[f"reviewcrawler/title/{TITLE_ID}/complete"] == 1
    assert first.stats[f"reviewcrawler/title/{TITLE_ID}/caught_up"] == 0

    # 2. Three newer reviews, deep in the default order: at most 2 pages, those 3 archived.
    added = title.add_newer(3)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="reviews"):
        second = yield deferred_from_coro(runs.run())
    assert exit_status(second.stats) is ExitStatus.COMPLETE
    assert second.pages <= 2
    assert sorted(second.archived) == sorted(added)
    assert second.stats[f"reviewcrawler/title/{TITLE_ID}/caught_up"] == 1
    assert second.manifest["titles"][TITLE_ID]["caught_up"] == 1
    assert f"{TITLE_ID}: up to date after {second.pages} page(s), 3 new" in caplog.text

    # 3. Nothing new: 1 page, nothing archived, up to date.
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="reviews"):
        third = yield deferred_from_coro(runs.run())
    assert exit_status(third.stats) is ExitStatus.COMPLETE
    assert (third.pages, third.archived) == (1, [])
    assert f"{TITLE_ID}: up to date after 1 page(s), 0 new" in caplog.text

    # 4. An old review edited: full=1 reads every page and archives exactly that version.
    edited = title.edit(7, "Rewritten years later.")
    full = yield deferred_from_coro(runs.run(full="1"))
    assert exit_status(full.stats) is ExitStatus.COMPLETE
    assert full.pages == len(title.pages(newest=True)) + (layout == "current" and 0)
    assert full.archived == [edited]
    assert full.manifest["counts"]["changed"] == 1
    assert full.manifest["arguments"]["full"] is True

    # The archive shows the crawl state.
    state = title_stats(ArchiveLayout.at(tmp_path / "archive"))[TITLE_ID]["crawl"]
    assert state["status"] == "complete"
    assert state["order"] == "newest"
    assert state["last_complete_run"] == full.manifest["run_id"]
    assert state["newest_review"] == max(r.day for r in title.reviews).isoformat()


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest_twisted.inlineCallbacks
def test_a_title_stopped_by_max_pages_is_read_to_its_end_next_time(local_site, tmp_path, layout):
    title = OrderedTitle(layout)
    title.add_newer(3)
    runs = Runs(local_site, title, tmp_path / "archive")

    limited = yield deferred_from_coro(runs.run(max_pages="3"))
    assert exit_status(limited.stats) is ExitStatus.INCOMPLETE
    assert limited.pages == 3
    if layout == "legacy":  # the newest 3 pages of 25, as asked
        newest = [r.review_id for r in title.in_order(newest=True)[:75]]
        assert sorted(limited.archived) == sorted(newest)

    after = yield deferred_from_coro(runs.run())
    assert exit_status(after.stats) is ExitStatus.COMPLETE
    assert after.stats[f"reviewcrawler/title/{TITLE_ID}/caught_up"] == 0
    assert after.pages == len(title.pages(newest=True))
    everything = set(limited.archived) | set(after.archived)
    assert len(everything) == 303
    assert not set(limited.archived) & set(after.archived)


@pytest_twisted.inlineCallbacks
def test_order_helpful_reads_the_default_order_and_never_stops_early(local_site, tmp_path):
    title = OrderedTitle("legacy")
    runs = Runs(local_site, title, tmp_path / "archive")
    yield deferred_from_coro(runs.run())
    again = yield deferred_from_coro(runs.run(order="helpful"))
    assert again.pages == 12
    assert again.archived == []
    assert again.stats[f"reviewcrawler/title/{TITLE_ID}/caught_up"] == 0
    assert again.manifest["arguments"]["order"] == "helpful"
    # The first review of the default order is the most helpful one.
    sources = {item.source_url for item in again.items}
    assert all("sort=" not in url for url in sources)


@pytest_twisted.inlineCallbacks
def test_a_page_out_of_newest_order_is_never_taken_as_caught_up(local_site, tmp_path, caplog):
    """A site that ignores the sort parameters: the title is read to its end."""
    title = OrderedTitle("legacy")
    runs = Runs(local_site, title, tmp_path / "archive")
    yield deferred_from_coro(runs.run(order="helpful"))
    title.add_newer(3)
    title.serve(local_site)
    # Only the default order is served from now on.
    for key in [k for k in local_site.routes if "sort=" in k]:
        del local_site.routes[key]
    caplog.clear()
    before = title.review_hits(local_site)
    with caplog.at_level(logging.WARNING, logger="reviews"):
        result = yield deferred_from_coro(
            crawl(settings(local_site, tmp_path / "archive"), title=TITLE_ID)
        )
    assert title.review_hits(local_site) - before == 13
    assert result.stats["reviewcrawler/archive/new"] == 3
    assert "is not newest first; reading the title to its end" in caplog.text
