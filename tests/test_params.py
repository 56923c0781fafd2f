"""Spider arguments: good ones parse, bad ones raise with a one-line reason."""

import pytest

from reviewcrawler.spiders.reviews import ReviewsSpider


def test_path_list_and_directory(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("b.html", "a.htm", "sub/c.HTML", "notes.txt"):
        (tmp_path / name).write_text("<html></html>")
    params = ReviewsSpider.check_arguments({"path": f"{tmp_path}, {tmp_path / 'a.htm'}"})
    assert [p.name for p in params.pages()] == ["a.htm", "b.html", "c.HTML"]


def test_scrapyd_job_argument_is_ignored(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<html></html>")
    assert ReviewsSpider.check_arguments({"path": str(page), "_job": "abc"}).path == [str(page)]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"path": "/no/such/page.html"}, "path does not exist: /no/such/page.html"),
        ({}, "nothing to read"),
        ({"title": "0396184"}, "not an IMDb title id"),
        ({"title": "tt0396184", "colour": "blue"}, "colour: Extra inputs are not permitted"),
    ],
)
def test_bad_arguments_raise_one_line(kwargs, message):
    with pytest.raises(ValueError, match=message) as raised:
        ReviewsSpider.check_arguments(kwargs)
    assert "\n" not in str(raised.value)


def test_directory_without_pages(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ValueError, match=r"no \.html/\.htm pages under"):
        ReviewsSpider.check_arguments({"path": str(tmp_path)})
