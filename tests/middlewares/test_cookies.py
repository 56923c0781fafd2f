"""A signed-in session's cookies (``COOKIES_FILE``): sent to IMDb's hosts as a browser
would send them, to no other host, and stored nowhere."""

from __future__ import annotations

import gzip
import time

import pytest
import pytest_twisted
from scrapy import Request
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.test import get_crawler

from reviewcrawler import settings
from reviewcrawler.middlewares.cookies import SessionCookiesMiddleware, load_cookies
from reviewcrawler.outcome import ExitStatus, exit_status
from tests import currentpages
from tests.conftest import crawl, scrapy_cmd, site_settings

IMDB_HOSTS = ["www.imdb.com", "caching.graphql.imdb.com"]
LATER = int(time.time()) + 30 * 86400


def cookies_txt(path, *lines: str, header: str = "# Netscape HTTP Cookie File"):
    """A cookies.txt as browser extensions export it: tab-separated, one cookie a line."""
    rows = [header, "# written for a test", ""]
    rows += ["\t".join(line.split()) for line in lines]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def browser_export(tmp_path):
    return cookies_txt(
        tmp_path / "cookies.txt",
        f".imdb.com TRUE / TRUE {LATER} session-id SESSION-SECRET",
        # A session cookie: exporters write its expiry as 0.
        "www.imdb.com FALSE / TRUE 0 ubid-main HOSTONLY-SECRET",
        f"#HttpOnly_.imdb.com TRUE / TRUE {LATER} at-main HTTPONLY-SECRET",
        f".imdb.com TRUE / TRUE {int(time.time()) - 60} old-id EXPIRED-SECRET",
        f".google.com TRUE / TRUE {LATER} NID OTHER-SITE-SECRET",
    )


def test_only_unexpired_cookies_for_the_imdb_hosts_are_kept(browser_export):
    kept = load_cookies(str(browser_export), IMDB_HOSTS)
    assert sorted(cookie.name for cookie in kept) == ["at-main", "session-id", "ubid-main"]


def sent_cookies(middleware: SessionCookiesMiddleware, url: str) -> str:
    request = Request(url)
    middleware.process_request(request)
    return request.headers.get("Cookie", b"").decode()


def test_scrapys_jar_sends_each_cookie_where_a_browser_would(browser_export):
    crawler = get_crawler(
        settings_dict={
            "COOKIES_FILE": str(browser_export),
            "IMDB_BASE_URL": settings.IMDB_BASE_URL,
            "IMDB_GRAPHQL_URL": settings.IMDB_GRAPHQL_URL,
        }
    )
    middleware = SessionCookiesMiddleware.from_crawler(crawler)
    page = sent_cookies(middleware, "https://www.imdb.com/title/tt0396184/reviews/")
    assert sorted(page.split("; ")) == [
        "at-main=HTTPONLY-SECRET",
        "session-id=SESSION-SECRET",
        "ubid-main=HOSTONLY-SECRET",
    ]
    # The GraphQL host gets the .imdb.com cookies, not those set for www only.
    graphql = sent_cookies(middleware, "https://caching.graphql.imdb.com/?operationName=x")
    assert sorted(graphql.split("; ")) == ["at-main=HTTPONLY-SECRET", "session-id=SESSION-SECRET"]
    assert sent_cookies(middleware, "https://www.google.com/") == ""
    assert sent_cookies(middleware, "https://imdb.com.example.org/") == ""
    # Secure cookies never go over plain http.
    assert sent_cookies(middleware, "http://www.imdb.com/title/tt0396184/reviews/") == ""


@pytest.mark.parametrize(
    ("lines", "header", "message"),
    [
        (None, "", "cannot read {path}: No such file or directory"),
        (["www.imdb.com FALSE / FALSE 0 a b"], "session-id=abc", "is not a Netscape cookies.txt"),
        (
            [f".google.com TRUE / TRUE {LATER} NID x"],
            "# Netscape HTTP Cookie File",
            "holds no unexpired cookie for www.imdb.com or caching.graphql.imdb.com",
        ),
    ],
    ids=["missing", "not-cookies-txt", "no-imdb-cookie"],
)
def test_an_unusable_file_is_one_line_naming_the_setting(tmp_path, lines, header, message):
    path = tmp_path / "cookies.txt"
    if lines is not None:
        cookies_txt(path, *lines, header=header)
    with pytest.raises(ValueError) as raised:
        load_cookies(str(path), IMDB_HOSTS)
    text = str(raised.value)
    assert text.startswith("COOKIES_FILE: ")
    assert message.format(path=path) in text
    assert "\n" not in text


def test_scrapy_crawl_with_a_missing_cookies_file_exits_2(tmp_path):
    missing = tmp_path / "nope.txt"
    done = scrapy_cmd("crawl", "reviews", "-a", "title=tt0396184", "-s", f"COOKIES_FILE={missing}")
    assert done.returncode == ExitStatus.USAGE
    assert done.stderr.strip().splitlines()[-1] == (
        f"scrapy crawl reviews: error: COOKIES_FILE: cannot read {missing}: "
        "No such file or directory"
    )


@pytest_twisted.inlineCallbacks
def test_a_signed_in_crawl_sends_the_session_and_stores_it_nowhere(local_site, tmp_path):
    currentpages.serve(local_site)
    cookies = cookies_txt(
        tmp_path / "cookies.txt",
        "127.0.0.1 FALSE / FALSE 0 session-id SESSION-SECRET",
        f"elsewhere.example FALSE / FALSE {LATER} other ELSEWHERE-SECRET",
    )
    archive, recording = tmp_path / "archive", tmp_path / "recording"
    signed_in = site_settings(
        local_site, COOKIES_FILE=str(cookies), ARCHIVE_ENABLED=True, ARCHIVE_DIR=str(archive)
    )
    result = yield deferred_from_coro(
        crawl(signed_in, order="helpful", title=currentpages.TITLE_ID, record=str(recording))
    )
    assert len(result.items) == 11
    assert exit_status(result.stats) is ExitStatus.COMPLETE
    # Every request to the site, GraphQL calls included, carries the session...
    assert len(local_site.graphql_hits()) == 2
    assert {hit.headers.get("Cookie") for hit in local_site.hits} == {"session-id=SESSION-SECRET"}
    # ...and nothing written holds it: the manifest names the file only.
    [manifest] = (archive / "runs").glob("*.json")
    assert f'"COOKIES_FILE": "{cookies}"' in manifest.read_text(encoding="utf-8")
    written = [p for p in (*archive.rglob("*"), *recording.rglob("*")) if p.is_file()]
    assert any(p.name == "responses.warc.gz" for p in written)
    for path in written:
        data = path.read_bytes()
        if path.name.endswith(".gz"):
            data = gzip.decompress(data)
        assert b"SECRET" not in data, path
        assert b"session-id" not in data, path
