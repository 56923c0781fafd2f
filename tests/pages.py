"""Legacy IMDb review pages rendered from plain dicts, for tests that need to
edit one review, add one or change vote counts between scheduled runs."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Any

TITLE_ID = "tt1355644"


def review(number: int, title_id: str = TITLE_ID, **changes: Any) -> dict[str, Any]:
    """A valid review; `changes` override any field of the rendered block."""
    values: dict[str, Any] = {
        "review_id": f"rw{1000 + number}",
        "title_id": title_id,
        "rating": number % 10 + 1,
        "headline": f"Headline {number}",
        "author": f"Reviewer {number}",
        "author_id": f"ur{5000 + number}",
        "date": "8 February 2009",
        "spoiler": number % 3 == 0,
        "text": f"Body of review {number}.<br><br>Second paragraph.",
        "helpful_yes": number,
        "helpful_total": number + 2,
    }
    values.update(changes)
    return values


def render_block(r: dict[str, Any]) -> str:
    rating = (
        ""
        if r["rating"] is None
        else f'<span class="rating-other-user-rating"><span>{r["rating"]}</span>'
        '<span class="point-scale">/10</span></span>'
    )
    spoiler = '<span class="spoiler-warning">Warning: Spoilers</span>' if r["spoiler"] else ""
    helpful = (
        f"{r['helpful_yes']} out of {r['helpful_total']} found this helpful."
        if r["helpful_yes"] is not None
        else ""
    )
    return f"""
<div class="lister-item imdb-user-review collapsable" data-review-id="{r["review_id"]}"
     data-vote-url="/title/{r["title_id"]}/review/{r["review_id"]}/vote">
  <div class="review-container"><div class="lister-item-content">
    <div class="ipl-ratings-bar">{rating}</div>
    <a href="/review/{r["review_id"]}/" class="title"> {escape(r["headline"])}</a>
    <div class="display-name-date">
      <span class="display-name-link"
        ><a href="/user/{r["author_id"]}/">{escape(r["author"])}</a></span>
      <span class="review-date">{r["date"]}</span>
    </div>
    {spoiler}
    <div class="content">
      <div class="text show-more__control">{r["text"]}</div>
      <div class="actions text-muted">
        {helpful}
        <span>Was this review helpful?</span>
        <div class="ipl-inline-list"><a href="/review/{r["review_id"]}/">Permalink</a></div>
      </div>
    </div>
  </div></div>
</div>"""


def render_page(reviews: list[dict[str, Any]], title_id: str = TITLE_ID) -> str:
    blocks = "".join(render_block(r) for r in reviews)
    return f"""<!DOCTYPE html>
<html><head>
<link rel="canonical" href="https://www.imdb.com/title/{title_id}/reviews" />
<title>Test title - User Reviews</title></head>
<body>
<div class="subpage_title_block"><h3 itemprop="name">
  <a href="/title/{title_id}/">Test Title</a> <span class="nobr">(2012)</span></h3></div>
<div class="lister">
  <div class="header"><div><span>{len(reviews)} Reviews</span></div></div>
  <div class="lister-list">{blocks}</div>
</div>
</body></html>
"""


def write_pages(directory: Path, pages: dict[str, list[dict[str, Any]]]) -> list[Path]:
    """Write ``{file name: reviews}`` as pages under `directory`, replacing old ones."""
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.html"):
        old.unlink()
    paths = []
    for name, reviews in pages.items():
        path = directory / name
        title_id = reviews[0]["title_id"] if reviews else TITLE_ID
        path.write_text(render_page(reviews, title_id), encoding="utf-8")
        paths.append(path)
    return paths
