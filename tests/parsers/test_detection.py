"""Layout detection: each page goes to exactly one parser, or gets a documented verdict.

Verdicts for a page no parser reads (`why_unreadable`): a robot check or a
sign-in wall is *blocked* (IMDb withheld the reviews; the run is incomplete),
anything else is "not an IMDb review page".
"""

from __future__ import annotations

from pathlib import Path

import pytest
from parsel import Selector
from scrapy.http import HtmlResponse

from reviewcrawler.parsers import (
    NOT_A_REVIEW_PAGE,
    PARSERS,
    ROBOT_CHECKED,
    SIGN_IN_WALL,
    CurrentReviewPage,
    LegacyReviewPage,
    parser_for,
    why_unreadable,
)
from tests.conftest import FIXTURES

PAGES = sorted(FIXTURES.rglob("*.html"))

LEGACY_PAGE = """<!DOCTYPE html><html><head>
<link rel="canonical" href="https://www.imdb.com/title/tt0425379/reviews"></head><body>
<div class="subpage_title_block"><h3 itemprop="name"><a href="/title/tt0425379/">Pusher III</a>
<span class="nobr">(2005)</span></h3></div>
<div class="lister"><div class="header"><div><span>1 Reviews</span></div></div>
<div class="lister-list">
<div class="lister-item mode-detail imdb-user-review collapsable" data-review-id="rw7000001">
<a href="/review/rw7000001/" class="title">Written for the detection test</a></div>
</div></div></body></html>"""

#: The current title main page: its "User reviews" section shows a teaser card.
TITLE_MAIN_PAGE = """<!DOCTYPE html><html><head>
<link rel="canonical" href="https://www.imdb.com/title/tt0396184/"></head><body>
<section data-testid="UserReviews" class="ipc-page-section">
<a class="ipc-title-link-wrapper" href="/title/tt0396184/reviews/">User reviews</a>
<article class="sc-1 abc user-review-item"><div data-testid="review-card-parent">
<div data-testid="review-summary"><a href="/title/tt0396184/review/rw7000002/"><h3>Teaser</h3></a>
</div><div data-testid="review-overflow"><div class="ipc-html-content-inner-div">Teaser text.</div>
</div></div></article></section>
<script id="__NEXT_DATA__" type="application/json">{"page":"/title/[tconst]","query":{}}</script>
</body></html>"""

#: AWS WAF's JavaScript challenge, served instead of the page.
ROBOT_CHECK_PAGE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<script>window.awsWafCookieDomainList = [];
window.gokuProps = {"key":"AQID","iv":"BAUG","context":"Bwg="};</script>
<script src="https://0123456789ab.edge.sdk.awswaf.com/0123456789ab/challenge.js"></script>
</head><body><noscript>JavaScript is disabled. Enable it to continue.</noscript></body></html>"""

#: The current reviews page with its chrome but no review data at all (the 2026
#: sign-in wall; its exact markup is unverified, this is what is assumed).
SIGN_IN_WALL_PAGE = """<!DOCTYPE html><html><head>
<link rel="canonical" href="https://www.imdb.com/title/tt0396184/reviews/"></head><body>
<h2 data-testid="subtitle">Pusher II</h2>
<section class="ipc-page-section"><div data-testid="tturv-total-reviews">44 reviews</div>
<a href="/registration/signin/?u=%2Ftitle%2Ftt0396184%2Freviews%2F">Sign in to see reviews</a>
</section>
<script id="__NEXT_DATA__" type="application/json">{"props":{"pageProps":{"contentData":
{"entityMetadata":{"id":"tt0396184"},"reviewCount":44,"reviews":[]}}},
"page":"/title/[tconst]/reviews","query":{"tconst":"tt0396184"}}</script></body></html>"""

#: A title nobody has reviewed: a real, empty review page.
NO_REVIEWS_PAGE = """<!DOCTYPE html><html><head>
<link rel="canonical" href="https://www.imdb.com/title/tt9999999/reviews/"></head><body>
<section class="ipc-page-section"><div data-testid="tturv-total-reviews">0 reviews</div>
</section></body></html>"""


def _page(path: Path) -> Selector:
    # As the spider sees it: decoded by Scrapy's rules; an empty file is an empty page.
    return HtmlResponse(url=path.as_uri(), body=path.read_bytes()).selector


@pytest.mark.parametrize("path", PAGES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_no_fixture_matches_two_layouts(path):
    page = _page(path)
    assert len([parser for parser in PARSERS if parser.matches(page)]) <= 1


@pytest.mark.parametrize(
    "path",
    sorted((FIXTURES / "current").rglob("*.html")),
    ids=lambda p: str(p.relative_to(FIXTURES)),
)
def test_every_current_fixture_is_current(path):
    page = _page(path)
    assert parser_for(page) is CurrentReviewPage
    assert not LegacyReviewPage.matches(page)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("pusher2-2026.html", CurrentReviewPage),  # full server page
        ("pusher-2025.html", CurrentReviewPage),  # full server page, 2024-25 JSON
        ("pusher2-fragment.html", CurrentReviewPage),  # bare <section> out of the DOM
        ("pusher2-saved.html", CurrentReviewPage),  # "Save page as", MOTW comment
    ],
)
def test_current_forms(name, expected):
    assert parser_for(_page(FIXTURES / "current" / name)) is expected


def test_legacy_page():
    page = Selector(text=LEGACY_PAGE)
    assert parser_for(page) is LegacyReviewPage
    assert not CurrentReviewPage.matches(page)


@pytest.mark.parametrize(
    ("html", "verdict"),
    [
        (TITLE_MAIN_PAGE, NOT_A_REVIEW_PAGE),
        (
            "<html><body><h1>Some other site</h1><p>No reviews here.</p></body></html>",
            NOT_A_REVIEW_PAGE,
        ),
        (ROBOT_CHECK_PAGE, ROBOT_CHECKED),
        (SIGN_IN_WALL_PAGE, SIGN_IN_WALL),
    ],
    ids=["title-main-page", "other-site", "robot-check", "sign-in-wall"],
)
def test_pages_no_parser_reads(html, verdict):
    page = Selector(text=html)
    assert parser_for(page) is None
    assert why_unreadable(page) == verdict


def test_blocked_verdicts_say_so():
    assert ROBOT_CHECKED.blocked and SIGN_IN_WALL.blocked
    assert not NOT_A_REVIEW_PAGE.blocked


def test_a_title_without_reviews_is_a_review_page_not_a_wall():
    page = Selector(text=NO_REVIEWS_PAGE)
    assert parser_for(page) is CurrentReviewPage
