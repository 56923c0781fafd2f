"""The legacy parser names the next page and fills in what fragments leave out."""

from __future__ import annotations

from parsel import Selector

from reviewcrawler.crawl.pages import next_page_url
from reviewcrawler.parsers import LoadMore, PageContext, parser_for
from tests.legacypages import MOVIE_TITLE, MOVIE_YEAR, first_page, fragment

SITE = "https://www.imdb.com"


def parse(html: str, url: str, **hints):
    page = Selector(text=html)
    parser = parser_for(page)
    assert parser is not None
    return parser.parse(page, PageContext(url=url, scraped_at="2024-01-01T00:00:00+00:00", **hints))


def test_next_page_is_the_widget_url_with_its_key_joined_to_the_page_url():
    result = parse(first_page(range(1, 3), "k/2+="), f"{SITE}/title/tt0396184/reviews/")
    page_url = f"{SITE}/title/tt0396184/reviews/"
    assert result.next_page == LoadMore("/title/tt0396184/reviews/_ajax", "k/2+=")
    assert next_page_url(result.next_page, page_url, None) == (
        f"{SITE}/title/tt0396184/reviews/_ajax?ref_=undefined&paginationKey=k%2F2%2B%3D"
    )
    assert (result.movie_title, result.movie_year) == (MOVIE_TITLE, MOVIE_YEAR)


def test_the_last_page_has_no_next_page():
    result = parse(fragment(range(1, 3), None), f"{SITE}/title/tt0396184/reviews/_ajax?x=1")
    assert result.next_page is None


def test_a_fragment_takes_title_and_year_from_the_hints():
    result = parse(
        fragment(range(4, 6), "k3"),
        f"{SITE}/title/tt0396184/reviews/_ajax?paginationKey=k2",
        movie_title=MOVIE_TITLE,
        movie_year=MOVIE_YEAR,
    )
    assert {(r.movie_title, r.movie_year) for r in result.reviews} == {(MOVIE_TITLE, MOVIE_YEAR)}
    without_hints = parse(fragment(range(4, 6), "k3"), f"{SITE}/title/tt0396184/reviews/_ajax")
    assert {(r.movie_title, r.movie_year) for r in without_hints.reviews} == {(None, None)}


def test_the_page_itself_wins_over_hints():
    result = parse(
        first_page(range(1, 2), None),
        f"{SITE}/title/tt0396184/reviews/",
        movie_title="Something else",
        movie_year=1999,
    )
    assert (result.reviews[0].movie_title, result.reviews[0].movie_year) == (
        MOVIE_TITLE,
        MOVIE_YEAR,
    )
