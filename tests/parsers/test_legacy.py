"""Legacy parser edge cases built from the bundled fixtures."""

from __future__ import annotations

import re

from scrapy.http import HtmlResponse

from reviewcrawler.parsers import PageContext, looks_truncated
from reviewcrawler.parsers.legacy.page import LegacyReviewPage
from tests.conftest import FIXTURES, read_jsonl

PAGE_2 = FIXTURES / "legacy" / "pusher2-page2.html"
URL = "https://www.imdb.com/title/tt0396184/reviews/_ajax?paginationKey=k"


def parse(html: str):
    response = HtmlResponse(url=URL, body=html.encode("utf-8"))
    context = PageContext(url=URL, scraped_at="now", truncated=looks_truncated(response.text))
    return LegacyReviewPage.parse(response.selector, context)


def test_blocks_without_any_footer_are_whole_reviews():
    """Markup that never has the actions footer: nothing is cut off, votes are unknown."""
    html = re.sub(r'<div class="actions text-muted">.*?</div>', "", PAGE_2.read_text(), flags=re.S)
    page = parse(html)
    golden = read_jsonl(PAGE_2.with_suffix(".jsonl"))
    assert [r.review_id for r in page.reviews] == [g["review_id"] for g in golden]
    assert not page.rejected
    for review, expected in zip(page.reviews, golden, strict=True):
        assert (review.helpful_yes, review.helpful_total) == (None, None)
        assert review.permalink == expected["permalink"]
        assert review.text == expected["text"]


def test_a_fragment_cut_in_its_last_review_loses_only_that_review():
    html = PAGE_2.read_text()
    last_body = html.rindex('class="text show-more__control">')
    page = parse(html[: last_body + 80])
    golden = read_jsonl(PAGE_2.with_suffix(".jsonl"))
    assert [r.review_id for r in page.reviews] == [g["review_id"] for g in golden[:-1]]
    [rejected] = page.rejected
    assert rejected.record["review_id"] == golden[-1]["review_id"]
    assert "cut off" in rejected.reasons[-1]
