"""The current layout's two sources of a review, its HTML card and its JSON entry.

Which source is authoritative, and why
--------------------------------------
The HTML cards and the JSON overlap but are not the same thing:

* **Which reviews, in which order: the HTML cards.** They are what the user
  saw. After "load more" a saved page holds more cards than its JSON, which
  still describes the first page only; with "Hide spoilers" on it holds fewer.
  A review that is only in the JSON while the page has cards is left out and
  counted in a note (``json_only_reviews``). Only a page with *no* cards at all
  is read from its JSON; if that page announces reviews, it is still layout
  drift (the cards, the authoritative list, could not be found) and fails the
  run, with the JSON's reviews kept.
* **What the reader reads — rating, headline, author, author id, body: the
  card**; the JSON fills what the card lacks (the body of a collapsed spoiler).
  Both render to the same text through the same loader processors.
* **date: the JSON ``submissionDate``.** The card shows that date formatted in
  the renderer's time zone: server-rendered pages show it one day *earlier*
  (``Dec 5, 2025`` for ``2025-12-06``, on all 25 cards of a January 2026 page:
  a plain date read as UTC midnight, printed in a US time zone), and a
  browser's copy depends on where the browser was. The stored date is the same
  for everybody, is the date the legacy layout printed as far as we can tell
  (so one review gives one record in both layouts), and is what a GraphQL crawl
  will see. A card date is used only when the JSON does not have the review; it
  may then be a day early if the page was rendered west of UTC.
* **helpful votes: the JSON** (``upVotes``/``downVotes``, exact). Server HTML
  renders only a loader, and a browser abbreviates large counts (``1.2K``).
  Card counts are used when the JSON does not have the review;
  ``helpful_total`` = up + down.
* **spoiler: the JSON flag**; the card (spoiler content or the collapsed
  "Spoiler" button) otherwise. How a card looks depends on whether the user
  expanded it; the flag does not.
* **title_id, movie_title, movie_year: the page** — canonical link, og:url,
  the JSON's ``entityMetadata``/route, the "saved from" comment, the review
  hrefs (``/title/ttN/review/rwN/``), ``h2[data-testid=subtitle]``,
  ``<title>``, then the links to ``/title/ttN/`` outside the cards (a copied
  section's header: poster and "Name (Year)" back link; only when they all name
  the same title, `reviewcrawler.parsers.current.header`) — then ``-a title=``. Never
  guessed: a fragment naming no title, or two, gives ``title_id`` null, and
  validation rejects it saying so.

Wherever a card and the JSON both have a field they are compared; a mismatch is
a ``json_html_disagreement`` note (one log line and a count), never a crash.
The card's date being exactly one day earlier is the known rendering shift
above, not a disagreement; an abbreviated count agrees with an exact one within
its last shown digit.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from reviewcrawler.items import Review
from reviewcrawler.loaders import VoteCounts, html_fragment
from reviewcrawler.parsers.base import PageContext
from reviewcrawler.parsers.current.next_data import JsonReview
from reviewcrawler.parsers.extract import load_review, page_defaults
from reviewcrawler.parsers.jsonvalues import as_int, as_str

#: Fields a card is trusted for; the JSON only fills them in.
CARD_FIRST = ("review_id", "rating", "headline", "author", "author_id", "text", "permalink")
#: Fields the JSON is trusted for; the card only fills them in.
JSON_FIRST = ("date", "spoiler")  # and the vote counts, as a pair
VOTE_FIELDS = ("helpful_yes", "helpful_total")
COMPARED = ("rating", "headline", "author", "author_id", "text")


@dataclass(frozen=True, slots=True)
class PageValues:
    """Page-level values every record of the page shares, cleaned once."""

    title_id: str | None
    movie_title: str | None
    movie_year: int | None
    context: PageContext
    #: All of them as the record each review of the page starts from.
    defaults: Review = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        defaults = page_defaults(
            title_id=self.title_id,
            movie_title=self.movie_title,
            movie_year=self.movie_year,
            source_url=self.context.url,
            scraped_at=self.context.scraped_at,
        )
        object.__setattr__(self, "defaults", defaults)


def json_record(entry: JsonReview, page_values: PageValues) -> Review:
    """The review as the JSON has it, with the page's fields: a record of its own."""
    values = {**json_values(entry), "title_id": page_values.context.title_id}
    return load_review(values, page_values.defaults)


def json_values(entry: JsonReview) -> dict[str, object]:
    """The review's own fields in the JSON (cleaning is the loader's job)."""
    text = as_str(entry.text)
    votes = VoteCounts(as_int(entry.up), as_int(entry.down))
    return {
        "review_id": entry.review_id,
        "rating": as_int(entry.rating),
        "headline": as_str(entry.headline),
        "author": as_str(entry.author),
        "author_id": as_str(entry.author_id),
        "date": as_str(entry.date),
        "spoiler": entry.spoiler if isinstance(entry.spoiler, bool) else None,
        "text": html_fragment(text) if text is not None else None,
        "helpful_yes": votes,
        "helpful_total": votes,
        "permalink": entry.review_id,
    }


def merge(shown: Review, stored: Review, entry: JsonReview) -> Review:
    """The card's review with each field taken from its authoritative source."""
    merged = replace(shown)
    for name in CARD_FIRST:
        if getattr(merged, name) is None:
            setattr(merged, name, getattr(stored, name))
    if stored.date is not None:
        merged.date = stored.date
    if isinstance(entry.spoiler, bool):
        merged.spoiler = stored.spoiler
    if stored.helpful_yes is not None and stored.helpful_total is not None:
        merged.helpful_yes, merged.helpful_total = stored.helpful_yes, stored.helpful_total
    return merged


def source_of(name: str) -> str:
    return "__NEXT_DATA__" if name in (*JSON_FIRST, *VOTE_FIELDS) else "the card"


def disagreements(shown: Review, stored: Review, entry: JsonReview) -> list[str]:
    """Fields the card and the JSON both have, with different values."""
    differing = [
        name
        for name in COMPARED
        if getattr(shown, name) is not None
        and getattr(stored, name) is not None
        and getattr(shown, name) != getattr(stored, name)
    ]
    if shown.spoiler != stored.spoiler and isinstance(entry.spoiler, bool):
        differing.append("spoiler")
    if shown.date and stored.date and not _same_day_as_shown(shown.date, stored.date):
        differing.append("date")
    card_votes, json_votes = _up_down(shown), _up_down(stored)
    if card_votes and json_votes:
        if not _same_count(card_votes[0], json_votes[0]):
            differing.append("helpful_yes")
        if not _same_count(card_votes[1], json_votes[1]):
            differing.append("helpful_total")
    return differing


def _same_day_as_shown(shown: str, stored: str) -> bool:
    """The card shows the stored date, or (rendered west of UTC) the day before."""
    if shown == stored:
        return True
    try:
        return date.fromisoformat(shown) == date.fromisoformat(stored) - timedelta(days=1)
    except ValueError:
        return False


def _up_down(review: Review) -> tuple[int, int] | None:
    if review.helpful_yes is None or review.helpful_total is None:
        return None
    return review.helpful_yes, review.helpful_total - review.helpful_yes


def _same_count(shown: int, exact: int) -> bool:
    """``1.2K`` (1200) agrees with 1187: a count agrees within its last shown digit."""
    if shown == exact:
        return True
    if shown < 1000:
        return False
    precision = 1
    while shown % (precision * 10) == 0:
        precision *= 10
    return abs(shown - exact) < precision
