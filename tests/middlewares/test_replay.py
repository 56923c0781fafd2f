"""Replaying a recording: the same items as the live run, without the network."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest
import pytest_twisted
from scrapy import Request
from scrapy.http import TextResponse
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.test import get_crawler

from reviewcrawler.crawl.graphql import ReviewsQuery
from reviewcrawler.middlewares.replay import ReplayMiddleware
from reviewcrawler.outcome import ExitStatus, exit_status
from tests import currentpages
from tests.conftest import (
    archive_settings,
    crawl,
    project_settings,
    read_jsonl,
    scrapy_cmd,
    site_settings,
)
from tests.legacypages import TITLE_ID, first_page, fragment
from tests.localsite import LocalSite

THREE_PAGES = [range(1, 4), range(4, 7), range(7, 9)]
IMDB_PAGE_1 = f"https://www.imdb.com/title/{TITLE_ID}/reviews"
IMDB_PAGE_2 = f"https://www.imdb.com/title/{TITLE_ID}/reviews/_ajax?paginationKey=key2"
TITLE_STATS = f"reviewcrawler/title/{TITLE_ID}"


def without_time(items) -> list[dict]:
    return sorted(
        ({**asdict(item), "scraped_at": None} for item in items), key=lambda r: r["review_id"]
    )


def write_recording(directory, pages: dict[str, str]) -> str:
    """A hand-made recording: `pages` maps URL -> body (a JSON answer named ``.json``,
    as the recorder names it: a body's type is told by its name)."""
    directory.mkdir(parents=True, exist_ok=True)
    manifest = {}
    for number, (url, body) in enumerate(pages.items()):
        name = f"page{number}.json" if body.lstrip().startswith("{") else f"page{number}.html"
        (directory / name).write_text(body, encoding="utf-8")
        manifest[url] = name
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return str(directory)


@pytest.mark.parametrize("source", ["directory", "warc"])
@pytest_twisted.inlineCallbacks
def test_a_recorded_crawl_replays_to_identical_items_with_the_server_gone(tmp_path, source):
    site = LocalSite()
    try:
        site.serve_title(THREE_PAGES)
        settings = site_settings(site)
        recording = tmp_path / "recording"
        live = yield deferred_from_coro(
            crawl(settings, order="helpful", title=TITLE_ID, record=str(recording))
        )
    finally:
        site.stop()
    replay = recording if source == "directory" else recording / "responses.warc.gz"
    replayed = yield deferred_from_coro(
        crawl(settings, order="helpful", title=TITLE_ID, replay=str(replay))
    )
    assert len(live.items) == 8
    assert without_time(replayed.items) == without_time(live.items)
    assert replayed.stats[f"{TITLE_STATS}/complete"] == 1
    assert replayed.stats["reviewcrawler/replay/hits"] == 3
    assert "reviewcrawler/replay/misses" not in replayed.stats


@pytest_twisted.inlineCallbacks
def test_a_page_missing_from_the_recording_is_a_logged_miss_and_the_title_incomplete(
    tmp_path, caplog
):
    replay = write_recording(tmp_path, {IMDB_PAGE_1: first_page(range(1, 4), "key2")})
    result = yield deferred_from_coro(
        crawl(project_settings(), order="helpful", title=TITLE_ID, replay=replay)
    )
    assert [item.review_id for item in result.items] == ["rw1000001", "rw1000002", "rw1000003"]
    assert result.stats["reviewcrawler/replay/misses"] == 1
    assert result.stats[f"{TITLE_STATS}/complete"] == 0
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE
    assert "Replay miss: https://www.imdb.com/title/tt0396184/reviews/_ajax?" in caplog.text


@pytest_twisted.inlineCallbacks
def test_replay_never_uses_the_network(local_site, tmp_path):
    local_site.serve_title(THREE_PAGES)
    replay = write_recording(tmp_path, {})
    start = f"{local_site.url}/title/{TITLE_ID}/reviews/"
    result = yield deferred_from_coro(
        crawl(site_settings(local_site), order="helpful", url=start, replay=replay)
    )
    assert local_site.hits == []
    assert result.items == []
    assert result.stats["reviewcrawler/replay/misses"] == 1


@pytest_twisted.inlineCallbacks
def test_replay_obeys_a_recorded_robots_txt(tmp_path):
    replay = write_recording(
        tmp_path,
        {
            "https://www.imdb.com/robots.txt": "User-agent: *\nDisallow: /title/\n",
            IMDB_PAGE_1: first_page(range(1, 4), None),
        },
    )
    result = yield deferred_from_coro(
        crawl(project_settings(), order="helpful", title=TITLE_ID, replay=replay)
    )
    assert result.items == []
    assert result.stats["robotstxt/forbidden"] == 1
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE


@pytest_twisted.inlineCallbacks
def test_replay_without_robots_txt_allows_all(tmp_path):
    replay = write_recording(
        tmp_path,
        {
            # Scheme, slash, ref_ and parameter order all differ from what is asked.
            f"{IMDB_PAGE_1}/?ref_=tt_urv": first_page(range(1, 4), "key2"),
            f"http://www.imdb.com/title/{TITLE_ID}/reviews/_ajax/?paginationKey=key2&ref_=x": (
                fragment(range(4, 6), None)
            ),
        },
    )
    result = yield deferred_from_coro(
        crawl(project_settings(), order="helpful", title=TITLE_ID, replay=replay)
    )
    assert len(result.items) == 5
    assert result.stats["reviewcrawler/replay/robots_allow_all"] == 1
    assert exit_status(result.stats) is ExitStatus.COMPLETE


def test_scrapy_crawl_replay_with_a_missing_page_exits_incomplete_and_keeps_page_1(tmp_path):
    replay = write_recording(tmp_path / "recording", {IMDB_PAGE_1: first_page(range(1, 4), "key2")})
    output = tmp_path / "out.jsonl"
    run = scrapy_cmd(
        "crawl",
        "reviews",
        "-a",
        f"title={TITLE_ID}",
        "-a",
        "order=helpful",
        "-a",
        f"replay={replay}",
        "-O",
        str(output),
    )
    assert run.returncode == ExitStatus.INCOMPLETE, run.stderr
    assert [record["review_id"] for record in read_jsonl(output)] == [
        "rw1000001",
        "rw1000002",
        "rw1000003",
    ]
    assert f"Replay miss: {IMDB_PAGE_2.replace('?', '?ref_=undefined&')}" in run.stderr
    assert f"{TITLE_ID}: INCOMPLETE after 1 page(s), 3 review(s)" in run.stderr


@pytest.mark.parametrize("source", ["directory", "warc"])
@pytest_twisted.inlineCallbacks
def test_a_recorded_current_title_replays_its_graphql_pages_identically(tmp_path, source):
    site = LocalSite()
    try:
        currentpages.serve(site)
        settings = site_settings(site)
        recording = tmp_path / "recording"
        live = yield deferred_from_coro(
            crawl(settings, order="helpful", title=currentpages.TITLE_ID, record=str(recording))
        )
    finally:
        site.stop()
    manifest = json.loads((recording / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(Path(body).suffix for body in manifest.values()) == [".html", ".json", ".json"]
    replay = recording if source == "directory" else recording / "responses.warc.gz"
    replayed = yield deferred_from_coro(
        crawl(settings, order="helpful", title=currentpages.TITLE_ID, replay=str(replay))
    )
    assert len(live.items) == 11
    assert without_time(replayed.items) == without_time(live.items)
    assert replayed.stats[f"{TITLE_STATS}/complete"] == 1
    assert replayed.stats["reviewcrawler/replay/hits"] == 3
    assert "reviewcrawler/replay/misses" not in replayed.stats


@pytest_twisted.inlineCallbacks
def test_a_recording_replays_after_the_graphql_hash_rotated(tmp_path):
    site = LocalSite()
    try:
        currentpages.serve(site)
        recording = tmp_path / "recording"
        live = yield deferred_from_coro(
            crawl(
                site_settings(site),
                order="helpful",
                title=currentpages.TITLE_ID,
                record=str(recording),
            )
        )
    finally:
        site.stop()
    # The default hosts (the recording was made on a local server) and a newer hash.
    settings = project_settings(IMDB_GRAPHQL_HASH="f" * 64)
    replayed = yield deferred_from_coro(
        crawl(settings, order="helpful", title=currentpages.TITLE_ID, replay=str(recording))
    )
    assert [r.review_id for r in replayed.items] == [r.review_id for r in live.items]
    assert replayed.stats[f"{TITLE_STATS}/complete"] == 1
    assert "reviewcrawler/replay/misses" not in replayed.stats


@pytest_twisted.inlineCallbacks
def test_a_graphql_page_missing_from_a_recording_is_a_miss(tmp_path, caplog):
    query = ReviewsQuery.checked(
        "https://caching.graphql.imdb.com/", "a" * 64, "https://www.imdb.com"
    )
    page_1 = currentpages.PAGE_1.read_text(encoding="utf-8")
    page_2 = currentpages.ANSWERS[0].read_text(encoding="utf-8")
    # Page 3's cursor is recorded, but for another cursor than page 2 names.
    replay = write_recording(
        tmp_path,
        {
            f"https://www.imdb.com/title/{TITLE_ID}/reviews/": page_1,
            query.page_url(TITLE_ID, currentpages.CURSORS[0]): page_2,
            query.page_url(TITLE_ID, currentpages.CURSORS[1] + "x"): "{}",
        },
    )
    result = yield deferred_from_coro(
        crawl(project_settings(), order="helpful", title=TITLE_ID, replay=replay)
    )
    assert len(result.items) == 6 + 3
    assert result.stats["reviewcrawler/replay/hits"] == 2
    assert result.stats["reviewcrawler/replay/misses"] == 1
    assert exit_status(result.stats) is ExitStatus.INCOMPLETE
    assert "Replay miss: https://caching.graphql.imdb.com/?operationName=" in caplog.text


@pytest_twisted.inlineCallbacks
def test_an_archived_replay_writes_its_manifest_naming_the_recording(tmp_path):
    replay = write_recording(tmp_path / "recording", {IMDB_PAGE_1: first_page(range(1, 4), None)})
    archive = tmp_path / "archive"
    settings = archive_settings(archive)
    result = yield deferred_from_coro(
        crawl(settings, order="helpful", title=TITLE_ID, replay=replay)
    )
    assert exit_status(result.stats) is ExitStatus.COMPLETE
    [manifest] = (archive / "runs").glob("*.json")
    assert json.loads(manifest.read_text(encoding="utf-8"))["arguments"]["replay"] == replay


@pytest.mark.parametrize("source", ["pusher2", "pusher2/responses.warc.gz"])
def test_a_replayed_response_has_the_class_of_what_was_recorded(source):
    """A page is HTML and a GraphQL answer JSON, told as for a saved page: from the body
    file's name (a directory) or the recorded Content-Type (a WARC file)."""
    recordings = Path(__file__).resolve().parents[2] / "recordings"
    crawler = get_crawler(settings_dict={"REPLAY_DIR": str(recordings / source)})
    replay = ReplayMiddleware.from_crawler(crawler)
    manifest = json.loads((recordings / "pusher2" / "manifest.json").read_text())
    classes = {
        url: type(replay.process_request(Request(url))) for url in manifest if "robots" not in url
    }
    assert sorted(c.__name__ for c in classes.values()) == [
        "HtmlResponse", "JsonResponse", "JsonResponse"
    ]  # fmt: skip
    robots = replay.process_request(Request("https://elsewhere.example/robots.txt"))
    assert type(robots) is TextResponse and robots.body == b""
