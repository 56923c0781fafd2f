"""The bundled Pusher II pages served at IMDb's own paths, crawled as a browser pages them."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest_twisted
from scrapy.utils.defer import deferred_from_coro

from reviewcrawler.outcome import ExitStatus, exit_status
from tests.conftest import FIXTURES, crawl, read_jsonl, site_settings
from tests.localsite import Reply

PAGES = [FIXTURES / "legacy" / f"pusher2-page{n}.html" for n in (1, 2)]
TITLE_ID = "tt0396184"


def serve_pusher(site) -> list[str]:
    """Serve both pages at the paths their meta.json records; return those paths."""
    paths = []
    for page in PAGES:
        url = json.loads(page.with_suffix(".meta.json").read_text(encoding="utf-8"))["url"]
        parts = urlsplit(url)
        key = parse_qs(parts.query).get("paginationKey")
        path = parts.path + (f"?paginationKey={key[0]}" if key else "")
        site.serve(path, Reply(page.read_text(encoding="utf-8")))
        paths.append(path)
    return paths


@pytest_twisted.inlineCallbacks
def test_title_crawl_reaches_all_44_reviews(local_site):
    paths = serve_pusher(local_site)
    result = yield deferred_from_coro(crawl(site_settings(local_site), title=TITLE_ID))
    expected = [r for page in PAGES for r in read_jsonl(page.with_suffix(".jsonl"))]
    got = {item.review_id: item for item in result.items}
    assert sorted(got) == sorted(r["review_id"] for r in expected)
    for record in expected:
        item = got[record["review_id"]]
        for field, value in record.items():
            if field not in ("movie_title", "movie_year"):
                assert getattr(item, field) == value, (record["review_id"], field)
        # Page 2 shows no title heading; the crawl carries page 1's over.
        assert (item.movie_title, item.movie_year) == ("Pusher II", 2004)
    assert [len(local_site.hits_of(path)) for path in paths] == [1, 1]
    assert result.stats[f"reviewcrawler/title/{TITLE_ID}/complete"] == 1
    assert exit_status(result.stats) is ExitStatus.COMPLETE


@pytest_twisted.inlineCallbacks
def test_max_pages_1_gives_the_first_25(local_site):
    serve_pusher(local_site)
    result = yield deferred_from_coro(
        crawl(site_settings(local_site), title=TITLE_ID, max_pages="1")
    )
    assert len(result.items) == 25
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE
