"""Bad spider arguments are refused before anything is fetched, in one line."""

from __future__ import annotations

import json

import pytest

from reviewcrawler.outcome import ExitStatus
from reviewcrawler.spiders.reviews import ReviewsSpider
from tests.conftest import scrapy_cmd

PAGE_1 = "https://www.imdb.com/title/tt0396184/reviews/"


@pytest.fixture
def recording(tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({}), encoding="utf-8")
    return str(tmp_path)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"title": "tt12x"}, "not an IMDb title id"),
        ({"title": "0396184"}, "not an IMDb title id"),
        ({"title": "tt1,tt1"}, "more than one start for tt1"),
        ({"title": "tt1", "url": "https://www.imdb.com/title/tt1/reviews"}, "more than one start"),
        ({"url": "file:///etc/passwd"}, "not an http(s) review-page URL"),
        ({"url": "ftp://www.imdb.com/title/tt1/reviews"}, "not an http(s) review-page URL"),
        ({"url": "https://www.imdb.com/title/tt1/"}, "not an http(s) review-page URL"),
        ({"title": "tt1", "max_pages": "0"}, "max_pages: Input should be greater than 0"),
        ({"title": "tt1", "max_pages": "many"}, "max_pages: Input should be a valid integer"),
        ({"title": "tt1", "replay": "/no/such/dir"}, "replay: no such directory"),
        ({"title": "tt1", "bogus": "1"}, "bogus: Extra inputs are not permitted"),
        ({}, "nothing to read"),
        ({"title": "tt1", "order": "oldest"}, "order: Input should be 'newest' or 'helpful'"),
        ({"title": "tt1", "order": ""}, "order: Input should be 'newest' or 'helpful'"),
        ({"title": "tt1", "full": "yes"}, "full: give 0, 1, true or false, not 'yes'"),
        ({"title": "tt1", "full": "2"}, "full: give 0, 1, true or false"),
        ({"title": "tt1", "full": ""}, "full: give 0, 1, true or false"),
    ],
)
def test_bad_arguments_raise_one_line(arguments, message):
    with pytest.raises(ValueError) as raised:
        ReviewsSpider.check_arguments(arguments)
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_replay_needs_a_manifest(tmp_path):
    with pytest.raises(ValueError, match=r"no manifest\.json in"):
        ReviewsSpider.check_arguments({"title": "tt1", "replay": str(tmp_path)})


def test_replay_manifest_must_be_a_json_object_of_paths(tmp_path):
    (tmp_path / "manifest.json").write_text("[]", encoding="utf-8")
    with pytest.raises(ValueError, match="is not a JSON object of URL -> file path"):
        ReviewsSpider.check_arguments({"title": "tt1", "replay": str(tmp_path)})


def test_record_must_be_a_directory(tmp_path):
    file = tmp_path / "file"
    file.write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match="record: not a directory"):
        ReviewsSpider.check_arguments({"title": "tt1", "record": str(file)})


def test_crawl_arguments_do_not_mix_with_saved_pages(tmp_path, recording):
    page = tmp_path / "page.html"
    page.write_text("<html></html>", encoding="utf-8")
    for extra in ({"url": PAGE_1}, {"max_pages": "2"}, {"replay": recording}):
        with pytest.raises(ValueError, match="path= reads saved pages"):
            ReviewsSpider.check_arguments({"path": str(page), **extra})


def test_replay_and_record_together_are_refused(tmp_path, recording):
    with pytest.raises(ValueError, match="not both"):
        ReviewsSpider.check_arguments(
            {"title": "tt1", "replay": recording, "record": str(tmp_path / "new")}
        )


def test_good_crawl_arguments():
    params = ReviewsSpider.check_arguments(
        {
            "title": "tt1,tt2",
            "url": "http://127.0.0.1:8000/title/tt3/reviews?ref_=x",
            "max_pages": "4",
        }
    )
    assert params.crawling
    assert params.max_pages == 4
    assert params.starts("https://www.imdb.com") == [
        ("tt1", "https://www.imdb.com/title/tt1/reviews/"),
        ("tt2", "https://www.imdb.com/title/tt2/reviews/"),
        ("tt3", "http://127.0.0.1:8000/title/tt3/reviews?ref_=x"),
    ]


def test_scrapy_crawl_with_a_malformed_title_exits_2_with_one_line():
    run = scrapy_cmd("crawl", "reviews", "-a", "title=tt12x")
    assert run.returncode == ExitStatus.USAGE
    assert run.stderr.strip().splitlines() == [
        "scrapy crawl reviews: error: title: "
        "not an IMDb title id (tt and 1-10 ASCII digits): 'tt12x'"
    ]


@pytest.mark.parametrize(
    "argument", ["order=newest", "order=helpful", "full=1", "full=0", "max_pages=2"]
)
def test_order_and_full_are_for_crawls_not_saved_pages(argument, tmp_path):
    """Saved pages are read whole, in file order: nothing for these to change."""
    (tmp_path / "page.html").write_text("<html></html>")
    name, value = argument.split("=")
    with pytest.raises(ValueError, match="path= reads saved pages whole, in file order"):
        ReviewsSpider.check_arguments({"path": str(tmp_path), name: value})


@pytest.mark.parametrize(
    ("value", "full"), [("1", True), ("0", False), ("true", True), ("FALSE", False)]
)
def test_full_takes_0_1_true_false(value, full):
    params = ReviewsSpider.check_arguments({"title": "tt1", "full": value})
    assert (params.full, params.order) == (full, "newest")
    assert ReviewsSpider.check_arguments({"title": "tt1", "order": "helpful"}).order == "helpful"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["title=tt1", "order=random"], "order: Input should be 'newest' or 'helpful'"),
        (["title=tt1", "full=maybe"], "full: give 0, 1, true or false, not 'maybe'"),
        (["path=fixtures/legacy", "order=helpful"], "path= reads saved pages whole"),
        (["path=fixtures/legacy", "full=1"], "path= reads saved pages whole"),
    ],
)
def test_scrapy_crawl_with_bad_order_or_full_exits_2_reading_nothing(arguments, message, tmp_path):
    archive = tmp_path / "archive"
    args = [part for argument in arguments for part in ("-a", argument)]
    run = scrapy_cmd("crawl", "reviews", *args, "-s", f"ARCHIVE_DIR={archive}")
    assert run.returncode == ExitStatus.USAGE
    (line,) = run.stderr.strip().splitlines()
    assert line.startswith("scrapy crawl reviews: error: ") and message in line
    assert not archive.exists()  # nothing read, nothing written
