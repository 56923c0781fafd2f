"""Small pages in IMDb's legacy review markup, built in tests.

The same structure as a saved ``/title/ttN/reviews`` page (header, review
blocks, load-more widget) and as the ``_ajax`` fragments that follow it, with
as few reviews as a test needs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape

TITLE_ID = "tt0396184"
MOVIE_TITLE = "Pusher II"
MOVIE_YEAR = 2004


def review_block(
    number: int,
    title_id: str = TITLE_ID,
    *,
    date: str = "8 February 2009",
    body: str | None = None,
) -> str:
    review_id = f"rw{1_000_000 + number}"
    body = body if body is not None else f"Body of review {number}."
    return f"""
<div class="lister-item mode-detail imdb-user-review collapsable" data-review-id="{review_id}"
     data-vote-url="/title/{title_id}/review/{review_id}/vote/interesting">
 <div class="review-container"><div class="lister-item-content">
  <div class="ipl-ratings-bar"><span class="rating-other-user-rating">
   <span>{number % 10 + 1}</span><span class="point-scale">/10</span></span></div>
  <a href="/review/{review_id}/?ref_=tt_urv" class="title"> Review number {number}
</a>
  <div class="display-name-date">
   <span class="display-name-link"
     ><a href="/user/ur{500 + number}/?ref_=tt_urv">Viewer {number}</a></span>
   <span class="review-date">{date}</span></div>
  <div class="content">
   <div class="text show-more__control">{escape(body)}<br><br>Second paragraph.</div>
   <div class="actions text-muted">
     {number} out of {number + 2} found this helpful.
     <span>Was this review helpful? <a href="/registration/signin">Sign in</a> to vote.</span><br>
     <a href="/review/{review_id}/?ref_=tt_urv">Permalink</a>
   </div>
  </div>
 </div></div>
</div>"""


def load_more(key: str | None, ajax_url: str) -> str:
    """The widget that leads to the next page; no key on the last page."""
    key_attribute = f' data-key="{escape(key)}"' if key else ""
    return f'<div class="load-more-data"{key_attribute} data-ajaxurl="{escape(ajax_url)}"></div>'


def first_page(
    numbers: Iterable[int],
    next_key: str | None,
    *,
    total: int | None = None,
    title_id: str = TITLE_ID,
    ajax_url: str | None = None,
    block: Callable[[int], str] | None = None,
) -> str:
    """A whole review page: title header, reviews, widget."""
    ajax_url = ajax_url or f"/title/{title_id}/reviews/_ajax"
    numbers = list(numbers)
    blocks = "".join((block or (lambda n: review_block(n, title_id)))(n) for n in numbers)
    announced = total if total is not None else len(numbers)
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<link rel="canonical" href="https://www.imdb.com/title/{title_id}/reviews/">
<title>{MOVIE_TITLE} ({MOVIE_YEAR}) - {MOVIE_TITLE} ({MOVIE_YEAR}) - User Reviews - IMDb</title>
</head><body>
<div class="subpage_title_block"><div class="parent">
 <h3 itemprop="name"><a href="/title/{title_id}/?ref_=tt_ov_tt">{MOVIE_TITLE}</a>
 <span class="nobr"> ({MOVIE_YEAR}) </span></h3></div></div>
<div class="lister">
 <div class="header"><div><span>{announced} Reviews</span></div></div>
 <div class="lister-list">{blocks}</div>
 {load_more(next_key, ajax_url)}
</div>
</body></html>
"""


def fragment(
    numbers: Iterable[int],
    next_key: str | None,
    *,
    title_id: str = TITLE_ID,
    ajax_url: str | None = None,
    block: Callable[[int], str] | None = None,
) -> str:
    """What ``/title/ttN/reviews/_ajax?paginationKey=KEY`` returns: blocks and the next widget."""
    ajax_url = ajax_url or f"/title/{title_id}/reviews/_ajax"
    blocks = "".join((block or (lambda n: review_block(n, title_id)))(n) for n in numbers)
    return f"""<div class="lister-list">{blocks}</div>
{load_more(next_key, ajax_url)}
"""
