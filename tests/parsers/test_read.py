"""`reviewcrawler.parsers.read`: one answer per response, records or why none.

Whatever is wrong with a page, `read` says it once, with a fixed code for the
stats and a one-line reason; the spider only routes the answer.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from scrapy.http import HtmlResponse, JsonResponse, Response, TextResponse

from reviewcrawler.parsers import Cursor, LoadMore, ParsedPage, Unreadable, read
from tests.conftest import FIXTURES, ROOT
from tests.parsers.test_detection import ROBOT_CHECK_PAGE

SCRAPED_AT = "2026-01-01T00:00:00+00:00"
REVIEWS_URL = "https://www.imdb.com/title/tt0396184/reviews/"


def outcome(response: Response, **hints) -> ParsedPage | Unreadable:
    return read(response, scraped_at=SCRAPED_AT, **hints)


def page(name: str, url: str = REVIEWS_URL) -> HtmlResponse:
    return HtmlResponse(url=url, body=(FIXTURES / name).read_bytes())


@pytest.mark.parametrize(
    ("response", "code", "blocked"),
    [
        (HtmlResponse(url=REVIEWS_URL, status=202, body=b""), "robot-check", True),
        (
            HtmlResponse(
                url=REVIEWS_URL, status=405, headers={"x-amzn-waf-action": "captcha"}, body=b"x"
            ),
            "robot-check",
            True,
        ),
        (HtmlResponse(url=REVIEWS_URL, body=ROBOT_CHECK_PAGE.encode()), "robot-check", True),
        (HtmlResponse(url=REVIEWS_URL, body=b"  \n"), "empty", False),
        (Response(url=REVIEWS_URL, body=b"\x89PNG\r\n"), "not-html", False),
        (
            JsonResponse(
                url="https://caching.graphql.imdb.com/",
                body=json.dumps(
                    {"errors": [{"message": "PersistedQueryNotFound"}], "data": None}
                ).encode(),
            ),
            "hash-rejected",
            True,
        ),
        (
            JsonResponse(
                url="https://caching.graphql.imdb.com/",
                body=b'{"errors": [{"message": "boom"}]}',
            ),
            "graphql-errors",
            True,
        ),
        (page("legacy/bad/not-review-page.html"), "not-a-review-page", False),
        (page("legacy/bad/binary-junk.html"), "binary", False),
    ],
    ids=[
        "http-202",
        "waf-header",
        "challenge-page",
        "empty",
        "not-text",
        "hash-rejected",
        "graphql-errors",
        "not-review-page",
        "binary",
    ],
)
def test_a_page_without_records_says_why_once(response, code, blocked):
    answer = outcome(response)
    assert isinstance(answer, Unreadable)
    assert (answer.code, answer.blocked) == (code, blocked)
    assert answer.reason and "\n" not in answer.reason


def test_a_legacy_page_answers_its_records_and_its_load_more_key():
    answer = outcome(page("legacy/pusher2-page1.html"))
    assert isinstance(answer, ParsedPage)
    assert answer.layout == "legacy"
    assert len(answer.reviews) == 25
    assert isinstance(answer.next_page, LoadMore)
    assert answer.next_page.key


def test_a_current_page_answers_its_end_cursor_as_data():
    answer = outcome(page("current/pusher2-2026.html"))
    assert isinstance(answer, ParsedPage)
    assert answer.next_page == Cursor("tt0396184", answer.next_page.after)
    assert answer.next_page.after


def test_a_cut_off_page_is_flagged_and_a_drifted_one_too():
    cut = outcome(page("legacy/bad/truncated.html"))
    drifted = outcome(page("legacy/bad/layout-drift.html"))
    assert isinstance(cut, ParsedPage) and cut.truncated and not cut.drifted
    assert isinstance(drifted, ParsedPage) and drifted.drifted


def test_nul_characters_are_removed_and_noted():
    body = (
        (FIXTURES / "legacy" / "pusher2-page1.html")
        .read_bytes()
        .replace(b"</body>", b"\x00\x00</body>")
    )
    answer = outcome(TextResponse(url=REVIEWS_URL, body=body, encoding="utf-8"))
    assert isinstance(answer, ParsedPage)
    assert [note.kind for note in answer.notes] == ["nul_characters"]
    assert "2 NUL" in answer.notes[0].message


def test_the_parsers_need_no_engine():
    code = (
        "import sys, reviewcrawler.parsers; "
        "print(sorted(m for m in sys.modules if m.startswith(('scrapy.core', 'scrapy.crawler', "
        "'reviewcrawler.spiders', 'reviewcrawler.crawl', 'twisted.internet.reactor'))))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert loaded.stdout.strip() == "[]"
