from dataclasses import replace
from datetime import date

import pytest

from reviewcrawler.items import Review
from reviewcrawler.pipelines.validate import review_problems

VALID = Review(
    review_id="rw1",
    title_id="tt1",
    author_id="ur1",
    rating=7,
    headline="Fine",
    author="Ann",
    date="2020-01-02",
    text="Body",
    helpful_yes=1,
    helpful_total=2,
    permalink="https://www.imdb.com/review/rw1/",
)
TODAY = date(2026, 11, 25)


def test_valid_review_has_no_problems():
    assert review_problems(VALID, TODAY) == []
    assert review_problems(replace(VALID, rating=None, helpful_yes=None, helpful_total=None)) == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"rating": 11}, "rating out of range"),
        ({"rating": 0}, "rating out of range"),
        ({"date": "2026-12-01"}, "date in the future"),
        ({"date": "2009-02-30"}, "not a date"),
        ({"review_id": "rwx"}, "malformed review_id"),
        ({"title_id": None}, "missing title_id"),
        ({"author_id": "u1"}, "malformed author_id"),
        ({"text": ""}, "missing text"),
        ({"headline": None}, "missing headline"),
        ({"helpful_yes": 3}, "helpful_yes 3 > helpful_total 2"),
        ({"helpful_yes": None}, "only one of"),
        ({"helpful_yes": -1}, "negative"),
        ({"permalink": "https://example.org/review/rw1/"}, "permalink not on imdb.com"),
    ],
)
def test_each_problem_is_named(changes, problem):
    problems = review_problems(replace(VALID, **changes), TODAY)
    assert any(problem in p for p in problems), problems


def test_every_problem_is_reported():
    problems = review_problems(replace(VALID, rating=42, text=None, date=None), TODAY)
    assert len(problems) == 3
