"""Recording a live crawl: bodies + manifest for replay, a WARC of every exchange."""

from __future__ import annotations

import gzip
import json

import pytest_twisted
from scrapy.utils.defer import deferred_from_coro
from warcio.archiveiterator import ArchiveIterator

from tests.conftest import crawl, site_settings
from tests.legacypages import TITLE_ID
from tests.localsite import Reply

TWO_PAGES = [range(1, 4), range(4, 6)]


def warc_records(path) -> list[tuple[str, str, str | None]]:
    """``(type, URL, HTTP status)`` of every record."""
    with path.open("rb") as stream:
        return [
            (
                record.rec_type,
                record.rec_headers.get_header("WARC-Target-URI"),
                record.http_headers.get_statuscode() if record.rec_type == "response" else None,
            )
            for record in ArchiveIterator(stream)
        ]


@pytest_twisted.inlineCallbacks
def test_record_keeps_successful_bodies_in_the_manifest_and_every_exchange_in_the_warc(
    local_site, tmp_path
):
    paths = local_site.serve_title(TWO_PAGES)
    local_site.serve_first(paths[1], Reply("busy", status=503))
    recording = tmp_path / "recording"
    result = yield deferred_from_coro(
        crawl(site_settings(local_site), order="helpful", title=TITLE_ID, record=str(recording))
    )
    assert len(result.items) == 5
    manifest = json.loads((recording / "manifest.json").read_text(encoding="utf-8"))
    page_2 = f"{local_site.url}/title/{TITLE_ID}/reviews/_ajax?ref_=undefined&paginationKey=key2"
    assert set(manifest) == {f"{local_site.url}/title/{TITLE_ID}/reviews/", page_2}
    assert b"rw1000004" in (recording / manifest[page_2]).read_bytes()
    records = warc_records(recording / "responses.warc.gz")
    assert records[0][0] == "warcinfo"
    statuses = [(url, status) for kind, url, status in records if kind == "response"]
    assert statuses == [
        (f"{local_site.url}/robots.txt", "404"),
        (f"{local_site.url}/title/{TITLE_ID}/reviews/", "200"),
        (page_2, "503"),
        (page_2, "200"),
    ]
    assert sum(kind == "request" for kind, _, _ in records) == 4
    assert result.stats["reviewcrawler/recorded"] == 4


@pytest_twisted.inlineCallbacks
def test_record_never_stores_cookies_or_credentials(local_site, tmp_path):
    paths = local_site.serve_title(TWO_PAGES)
    local_site.serve_first(
        paths[0],
        Reply(
            local_site.routes[f"/title/{TITLE_ID}/reviews"][0].body,
            headers={"Set-Cookie": "session-id=SESSION-SECRET; Path=/"},
        ),
    )
    settings = site_settings(
        local_site,
        DEFAULT_REQUEST_HEADERS={"Authorization": "Bearer TOKEN-SECRET"},
    )
    recording = tmp_path / "recording"
    yield deferred_from_coro(
        crawl(settings, order="helpful", title=TITLE_ID, record=str(recording))
    )
    # The cookie did go back to the site: it is only the recording that omits it.
    assert "SESSION-SECRET" in local_site.hits_of(paths[1])[0].headers.get("Cookie", "")
    stored = gzip.decompress((recording / "responses.warc.gz").read_bytes())
    stored += (recording / "manifest.json").read_bytes()
    for body in (recording / "bodies").iterdir():
        stored += body.read_bytes()
    assert b"SECRET" not in stored
    assert b"Bearer" not in stored


@pytest_twisted.inlineCallbacks
def test_recording_twice_into_one_directory_extends_it(local_site, tmp_path):
    local_site.serve_title(TWO_PAGES)
    local_site.serve_title([range(10, 12)], title_id="tt0000002")
    recording = tmp_path / "recording"
    settings = site_settings(local_site)
    yield deferred_from_coro(
        crawl(settings, order="helpful", title=TITLE_ID, record=str(recording))
    )
    yield deferred_from_coro(
        crawl(settings, order="helpful", title="tt0000002", record=str(recording))
    )
    manifest = json.loads((recording / "manifest.json").read_text(encoding="utf-8"))
    assert {url.split("/title/")[1].split("/")[0] for url in manifest} == {TITLE_ID, "tt0000002"}
    responses = [r for r in warc_records(recording / "responses.warc.gz") if r[0] == "response"]
    assert len(responses) == 5  # robots.txt twice, three pages


@pytest_twisted.inlineCallbacks
def test_a_redirected_page_is_recorded_under_the_url_asked_for_too(local_site, tmp_path):
    paths = local_site.serve_title(TWO_PAGES)
    moved = f"{local_site.url}/title/{TITLE_ID}/reviews?ref_=moved"
    local_site.serve_first(paths[0], Reply(status=301, headers={"Location": moved}))
    recording = tmp_path / "recording"
    result = yield deferred_from_coro(
        crawl(site_settings(local_site), order="helpful", title=TITLE_ID, record=str(recording))
    )
    assert len(result.items) == 5
    manifest = json.loads((recording / "manifest.json").read_text(encoding="utf-8"))
    assert manifest[f"{local_site.url}/title/{TITLE_ID}/reviews/"] == manifest[moved]
