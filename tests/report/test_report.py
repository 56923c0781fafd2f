"""``scrapy archive report``: what the page says, read back from the HTML."""

from __future__ import annotations

import json

import parsel
import pytest

from reviewcrawler.report.aggregate import TitleFigures
from tests.report.conftest import archive_cmd

ARCHIVE_PLOTS = {"plot-archived-per-run", "plot-run-outcomes", "plot-rejects"}
TITLE_PLOTS = ("per-month", "ratings", "mean-rating", "spoilers", "helpful")


def report(archive, out, *args: str) -> parsel.Selector:
    result = archive_cmd(archive, "report", "-o", str(out), *args)
    assert result.returncode == 0, result.stderr
    return parsel.Selector(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def latest(fixtures_archive, tmp_path_factory) -> list[dict]:
    out = tmp_path_factory.mktemp("latest") / "all.jsonl"
    archive_cmd(fixtures_archive, "export", "-O", str(out))
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_whole_archive(fixtures_archive, latest, tmp_path):
    page = report(fixtures_archive, tmp_path / "report.html")
    titles = sorted({r["title_id"] for r in latest})
    runs = len(list((fixtures_archive / "runs").glob("*.json")))
    assert f"{len(latest)} review(s), {len(titles)} title(s), {runs} run(s)" in page.css(
        ".meta"
    ).get()
    expected = ARCHIVE_PLOTS | {f"plot-{t}-{p}" for t in titles for p in TITLE_PLOTS}
    assert set(page.css("figure.plot::attr(id)").getall()) == expected
    assert not page.css("script")
    table = page.css("#titles tr")[1:]
    assert sorted(row.css("td a::text").get() for row in table) == titles
    # Most recently crawled first: Pusher (1996) was crawled last.
    assert table[0].css("td a::text").get() == "tt0117407"
    counts = {row.css("td a::text").get(): row.css("td.n::text").getall() for row in table}
    assert counts["tt0396184"][:2] == [str(sum(r["title_id"] == "tt0396184" for r in latest))] * 2


def test_named_titles_only(fixtures_archive, tmp_path):
    page = report(fixtures_archive, tmp_path / "one.html", "--title", "tt0117407")
    assert page.css("details::attr(id)").getall() == ["title-tt0117407"]
    assert {i for i in page.css("figure.plot::attr(id)").getall() if "tt" in i} == {
        f"plot-tt0117407-{p}" for p in TITLE_PLOTS
    }
    assert "every title named" in page.css("#plot-scope::text").get()


def test_plots_only_for_the_titles_with_most_reviews(fixtures_archive, tmp_path):
    out = tmp_path / "report.html"
    result = archive_cmd(
        fixtures_archive, "report", "-o", str(out), "-s", "REPORT_PLOTTED_TITLES=1"
    )
    assert result.returncode == 0, result.stderr
    page = parsel.Selector(out.read_text())
    plotted = {i.split("-")[1] for i in page.css("figure.plot::attr(id)").getall() if "-tt" in i}
    assert plotted == {"tt0396184"}  # 46 reviews against 4
    assert "at most 1" in page.css("#plot-scope::text").get()
    assert len(page.css("details")) == 2


def test_empty_archive_says_no_reviews_yet(tmp_path):
    (tmp_path / "archive").mkdir()
    page = report(tmp_path / "archive", tmp_path / "report.html")
    assert "no reviews yet" in page.css("#no-reviews::text").get().lower()


def test_progress_lines_and_quiet(fixtures_archive, tmp_path):
    args = ("-o", str(tmp_path / "r.html"), "-s", "ARCHIVE_PROGRESS_INTERVAL=0.000001")
    # The reading is what reports progress: the per-title plots can be left out.
    loud = archive_cmd(fixtures_archive, "report", *args, "-s", "REPORT_PLOTTED_TITLES=0")
    assert loud.returncode == 0
    progress = [line for line in loud.stderr.splitlines() if line.startswith("read ")]
    assert progress and all("review(s)," in line and "/s" in line for line in progress)
    for quiet in (("--quiet",), ("-s", "LOG_LEVEL=WARNING")):
        result = archive_cmd(fixtures_archive, "export", "-O", str(tmp_path / "a.csv"), *args[2:],
                             *quiet)  # fmt: skip
        assert result.returncode == 0 and result.stderr == ""


def test_title_figures():
    figures = TitleFigures("tt1")
    for rating, day, votes, spoiler in (
        (8, "2020-01-05", 0, False),
        (None, "2020-02-01", 12, True),
        (4, "2020-03-31", None, False),
        (10, "2021-11-30", 150, False),
    ):
        figures.add({"rating": rating, "date": day, "helpful_yes": votes, "spoiler": spoiler})
    assert figures.per_month == {"2020-01": 1, "2020-02": 1, "2020-03": 1, "2021-11": 1}
    assert figures.unrated == 1 and figures.spoilers == 1
    assert figures.per_quarter == {"2020-Q1": (12, 2), "2021-Q4": (10, 1)}
    assert figures.helpful == {"0": 1, "10-24": 1, "not shown": 1, "100+": 1}
    assert figures.mean_rating == pytest.approx(22 / 3)
