"""The current-layout Pusher II title as IMDb serves it: the reviews page (the
``pusher2-2026`` fixture, 6 reviews and an end cursor) and two GraphQL answers
(``fixtures/current/graphql``: 3 reviews, then the last 2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.conftest import FIXTURES, read_jsonl
from tests.localsite import JSON, LocalSite, Reply

TITLE_ID = "tt0396184"
MOVIE_TITLE = "Pusher II"
MOVIE_YEAR = 2004
PAGE_1 = FIXTURES / "current" / "pusher2-2026.html"
ANSWERS = [FIXTURES / "current" / "graphql" / f"pusher2-page{n}.json" for n in (2, 3)]
PAGE_1_PATH = f"/title/{TITLE_ID}/reviews"


def cursor_of(answer: Path) -> str:
    """The ``after`` cursor the fixture `answer` was asked for (its meta URL)."""
    meta = json.loads(answer.with_suffix(".meta.json").read_text(encoding="utf-8"))
    variables = json.loads(parse_qs(urlsplit(meta["url"]).query)["variables"][0])
    return variables["after"]


CURSORS = [cursor_of(answer) for answer in ANSWERS]


def serve(site: LocalSite) -> list[str]:
    """Serve the title; its targets in reading order (for `LocalSite.hits_of`)."""
    site.serve(PAGE_1_PATH, Reply(PAGE_1.read_text(encoding="utf-8")))
    targets = [PAGE_1_PATH]
    for answer, cursor in zip(ANSWERS, CURSORS, strict=True):
        body = answer.read_text(encoding="utf-8")
        targets.append(site.serve_graphql(TITLE_ID, cursor, Reply(body, content_type=JSON)))
    return targets


def expected(pages: int = 3) -> list[dict[str, Any]]:
    """The golden records of the first `pages` pages, as a crawl gives them."""
    records = [
        record
        for case in [PAGE_1, *ANSWERS][:pages]
        for record in read_jsonl(case.with_suffix(".jsonl"))
    ]
    # An answer does not name the title; the crawl carries page 1's.
    return [{**r, "movie_title": MOVIE_TITLE, "movie_year": MOVIE_YEAR} for r in records]
