"""The current layout beyond its goldens: drift, JSON against HTML, both JSON shapes,
and the same review giving the same record as in the legacy layout."""

from __future__ import annotations

import json
import re
from dataclasses import asdict

import pytest
from scrapy.http import HtmlResponse

from reviewcrawler.items import REVIEW_FIELDS, Review
from reviewcrawler.parsers import CurrentReviewPage, LegacyReviewPage, PageContext, ParsedPage
from reviewcrawler.parsers.current import _same_count
from reviewcrawler.pipelines.validate import MISSING_TITLE_ID, review_problems
from tests.conftest import FIXTURES, fixture_path, read_jsonl

CURRENT = FIXTURES / "current"
NEXT_DATA = re.compile(
    r'(<script id="__NEXT_DATA__" type="application/json">)(.*?)(</script>)', re.S
)
VOTE_FIELDS = ("helpful_yes", "helpful_total")
#: A fragment does not name its title: name and year are unknown, as on a
#: legacy pagination fragment.
TITLE_FIELDS = ("movie_title", "movie_year")


def parse(body: bytes | str, title_id: str | None = None, parser=CurrentReviewPage) -> ParsedPage:
    if isinstance(body, str):
        body = body.encode("utf-8")
    url = "https://www.imdb.com/title/tt0396184/reviews/"
    response = HtmlResponse(url=url, body=body)
    context = PageContext(url=url, scraped_at="2026-01-01T00:00:00+00:00", title_id=title_id)
    return parser.parse(response.selector, context)


def fixture_text(*parts: str) -> str:
    return fixture_path(*parts).read_text(encoding="utf-8")


def with_next_data(html: str, change) -> str:
    """`html` with its ``__NEXT_DATA__`` passed through `change` (a dict -> None)."""
    match = NEXT_DATA.search(html)
    assert match
    data = json.loads(match.group(2))
    change(data)
    raw = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace("&", "\\u0026")
    return html[: match.start(2)] + raw + html[match.end(2) :]


def records(page: ParsedPage) -> list[dict[str, object]]:
    return [asdict(review) for review in page.reviews]


def notes(page: ParsedPage, kind: str) -> list[str]:
    return [note.message for note in page.notes if note.kind == kind]


# Layout drift --------------------------------------------------------------------------


def test_renamed_cards_are_drift_and_the_json_reviews_are_kept():
    page = parse(fixture_text("current", "bad", "drift-cards-renamed.html"))
    assert page.blocks_found == 0
    assert page.declared_total == 44
    assert page.drifted
    assert [r.review_id for r in page.reviews] == ["rw2010471", "rw1125162"]


def test_cards_whose_test_ids_were_renamed_are_drift_and_rejected_not_dropped():
    page = parse(fixture_text("current", "bad", "drift-testids-renamed.html"), "tt0396184")
    assert page.blocks_found == page.blocks_unreadable == 2
    assert page.drifted
    assert page.reviews == []
    assert all("no review link (/review/rwN/) in card" in r.reasons for r in page.rejected)


def test_a_good_page_is_not_drift():
    page = parse(fixture_text("current", "pusher2-2026.html"))
    assert (page.blocks_found, page.blocks_unreadable, page.declared_total) == (6, 0, 44)
    assert not page.drifted


def _cut(html: str, before: str) -> ParsedPage:
    cut = html[: html.index(before)]
    response = HtmlResponse(url="file:///cut.html", body=cut.encode("utf-8"))
    context = PageContext(url="file:///cut.html", scraped_at="x", truncated=True)
    return CurrentReviewPage.parse(response.selector, context)


def test_a_card_cut_off_in_its_body_is_rejected_and_the_page_is_not_drift():
    html = fixture_text("current", "pusher2-2026.html")
    page = _cut(html, "original. Focusing now on the lead")  # inside the last card's body
    # The JSON sat at the end of the page: gone, so the collapsed spoiler has no body.
    assert [r.review_id for r in page.reviews] == [
        "rw1292052",
        "rw2010471",
        "rw1125162",
        "rw2516174",
    ]
    assert [(r.record["review_id"], r.reasons) for r in page.rejected] == [
        ("rw0993353", ["spoiler body not in page (collapsed when saved, not in __NEXT_DATA__)"]),
        ("rw9158595", ["card ends before its author, date and Permalink (page cut off?)"]),
    ]
    assert not page.drifted


def test_a_card_cut_off_after_its_date_is_whole():
    html = fixture_text("current", "pusher2-2026.html")
    page = _cut(html, "rw9158595/?ref_=tturv_perm_6")  # inside the last Permalink link
    last = page.reviews[-1]
    assert (last.review_id, last.date) == ("rw9158595", "2023-06-22")  # as shown: no JSON
    assert last.text and last.text.endswith("makes the future just a smidge brighter.")


# JSON against HTML ---------------------------------------------------------------------


def test_server_page_dates_one_day_early_are_not_a_disagreement():
    page = parse(fixture_text("current", "pusher2-2026.html"))
    assert page.notes == []
    assert page.reviews[0].date == "2006-03-11"  # the card shows "Mar 10, 2006"


def test_saved_copy_notes_its_one_real_disagreement():
    page = parse(fixture_text("current", "pusher2-saved.html"))
    assert notes(page, "json_html_disagreement") == [
        "rw2010471: the card and __NEXT_DATA__ disagree on helpful_yes; "
        "kept the helpful_yes from __NEXT_DATA__"
    ]
    # "1.2K" shown for the JSON's exact 1187 agrees; the exact count is kept.
    h = next(r for r in page.reviews if r.review_id == "rw6530418")
    assert (h.helpful_yes, h.helpful_total) == (1187, 1224)


def test_disagreeing_headline_keeps_the_card_and_says_so():
    def retitle(data):
        review = data["props"]["pageProps"]["contentData"]["reviews"][1]["review"]
        review["reviewSummary"] = "A different headline"

    page = parse(with_next_data(fixture_text("current", "pusher2-saved.html"), retitle))
    assert notes(page, "json_html_disagreement") == [
        "rw2010471: the card and __NEXT_DATA__ disagree on headline, helpful_yes; "
        "kept the headline from the card, helpful_yes from __NEXT_DATA__"
    ]
    assert page.reviews[1].headline == "Gritty, bleak and unforgettable"


def test_collapsed_spoiler_body_comes_from_the_json():
    page = parse(fixture_text("current", "pusher2-2026.html"))
    spoiler = next(r for r in page.reviews if r.review_id == "rw0993353")
    assert spoiler.spoiler is True
    assert spoiler.text and spoiler.text.startswith("Movies that describe and draws a picture")


def test_collapsed_spoiler_without_json_is_rejected_with_its_reason():
    page = parse(fixture_text("current", "pusher2-saved.html"))
    assert [(r.record["review_id"], r.reasons) for r in page.rejected] == [
        (
            "rw9012554",
            ["spoiler body not in page (collapsed when saved, not in __NEXT_DATA__)"],
        )
    ]


def test_json_reviews_not_shown_as_cards_are_noted_not_archived():
    def add_hidden(data):
        content = data["props"]["pageProps"]["contentData"]
        extra = json.loads(json.dumps(content["reviews"][0]))
        extra["review"]["reviewId"] = "rw1234567"
        content["reviews"].append(extra)

    page = parse(with_next_data(fixture_text("current", "pusher2-saved.html"), add_hidden))
    assert "rw1234567" not in {r.review_id for r in page.reviews}
    assert notes(page, "json_only_reviews") == [
        "1 review(s) in __NEXT_DATA__ are not shown as cards (rw1234567); "
        "not archived: the cards are what the page showed"
    ]


def test_unreadable_json_is_noted_and_the_cards_still_read():
    html = NEXT_DATA.sub(r"\1{not json\3", fixture_text("current", "pusher2-saved.html"))
    page = parse(html)
    assert len(notes(page, "unreadable_next_data")) == 1
    # Without the JSON, shown dates and shown votes are all there is.
    assert [r.review_id for r in page.reviews][:2] == ["rw1292052", "rw2010471"]
    assert page.reviews[0].date == "2006-03-10"
    assert page.reviews[1].helpful_yes == 26
    assert page.reviews[0].movie_title == "Pusher II"  # from the page header


@pytest.mark.parametrize(
    ("shown", "exact", "same"),
    [
        (41, 41, True),
        (41, 42, False),
        (1200, 1187, True),
        (1200, 1249, True),
        (1200, 1300, False),
        (12000, 12345, True),
        (1024, 1030, False),
        (2_000_000, 1_951_000, True),
    ],
)
def test_abbreviated_counts_agree_within_their_last_digit(shown, exact, same):
    assert _same_count(shown, exact) is same


# Both JSON shapes ----------------------------------------------------------------------


def _drop_flat_shape(data):
    del data["props"]["pageProps"]["contentData"]["reviews"]


def _drop_edges_shape(data):
    del data["props"]["pageProps"]["contentData"]["data"]


@pytest.mark.parametrize("change", [_drop_flat_shape, _drop_edges_shape])
def test_either_json_shape_alone_gives_the_same_records(change):
    html = fixture_text("current", "pusher2-2026.html")
    assert records(parse(with_next_data(html, change))) == records(parse(html))


@pytest.mark.parametrize("change", [_drop_flat_shape, _drop_edges_shape])
def test_either_json_shape_alone_gives_the_same_records_without_cards(change):
    html = fixture_text("current", "pusher2-2026.html")
    no_cards = html.replace("user-review-item", "user-review-gone")
    expected = records(parse(html))
    got = records(parse(with_next_data(no_cards, change)))
    assert got == expected


# Title id: from the page, or the user; never guessed -----------------------------------


def test_fragment_names_no_title_and_is_not_guessed():
    page = parse(fixture_text("current", "pusher2-fragment.html"))
    assert page.title_id is None
    assert [r.title_id for r in page.reviews] == [None] * 4
    assert all(review_problems(r) == [MISSING_TITLE_ID] for r in page.reviews)


def test_fragment_with_a_title_from_the_user():
    page = parse(fixture_text("current", "pusher2-fragment.html"), title_id="tt0396184")
    assert {r.title_id for r in page.reviews} == {"tt0396184"}
    assert all(review_problems(r) == [] for r in page.reviews)


def test_page_title_wins_over_the_user_hint():
    page = parse(fixture_text("current", "pusher-2025.html"), title_id="tt0396184")
    assert {r.title_id for r in page.reviews} == {"tt0117407"}


def test_saved_from_comment_names_the_title_when_nothing_else_does():
    html = fixture_text("current", "pusher2-fragment.html")
    saved = (
        "<!DOCTYPE html>\n<!-- saved from url=(0045)https://www.imdb.com/title/tt0396184/"
        f"reviews/ -->\n<html><head></head><body>{html}</body></html>"
    )
    assert {r.title_id for r in parse(saved).reviews} == {"tt0396184"}


# The same review in both layouts -------------------------------------------------------

LEGACY_PAGE = FIXTURES / "legacy" / "pusher2-page1.html"


def _by_id(reviews: list[Review]) -> dict[str, dict[str, object]]:
    return {r.review_id: asdict(r) for r in reviews if r.review_id}


@pytest.mark.skipif(
    not LEGACY_PAGE.exists(), reason="legacy Pusher II fixture not in this tree yet"
)
@pytest.mark.parametrize(
    ("case", "hint", "ignored"),
    [
        ("pusher2-2026.html", None, VOTE_FIELDS),
        ("pusher2-saved.html", None, VOTE_FIELDS),
        ("pusher2-fragment.html", "tt0396184", VOTE_FIELDS + TITLE_FIELDS),
    ],
)
def test_same_review_same_record_in_both_layouts(case, hint, ignored):
    legacy = _by_id(parse(LEGACY_PAGE.read_bytes(), parser=LegacyReviewPage).reviews)
    current = _by_id(parse(fixture_text("current", case), hint).reviews)
    shared = sorted(set(legacy) & set(current))
    assert len(shared) >= 3
    compared = [f for f in REVIEW_FIELDS if f not in (*ignored, "source_url", "scraped_at")]
    differences = {
        rid: {
            f: (legacy[rid][f], current[rid][f])
            for f in compared
            if legacy[rid][f] != current[rid][f]
        }
        for rid in shared
    }
    assert differences == {rid: {} for rid in shared}


def test_shared_reviews_match_the_legacy_golden_too():
    """The same check against the legacy golden file, which needs no legacy parser run."""
    golden_path = FIXTURES / "legacy" / "pusher2-page1.jsonl"
    if not golden_path.exists():
        pytest.skip("legacy Pusher II golden not in this tree yet")
    legacy = {g["review_id"]: g for g in read_jsonl(golden_path)}
    current = {g["review_id"]: g for g in read_jsonl(CURRENT / "pusher2-2026.jsonl")}
    shared = set(legacy) & set(current)
    assert len(shared) >= 3
    for rid in shared:
        for field, value in legacy[rid].items():
            if field not in VOTE_FIELDS:
                assert current[rid][field] == value, (rid, field)


def test_a_spoiler_signpost_alone_marks_a_spoiler():
    html = fixture_text("current", "pusher2-fragment.html").replace(
        'data-testid="review-spoiler-content"', 'data-testid="review-overflow"'
    )
    page = parse(html, "tt0396184")
    assert [r.spoiler for r in page.reviews] == [False, True, False, True]


# The title named only by a copied section's header links ------------------------------

HEADER_SECTION = fixture_text("current", "pusher2-section-header.html")
BACK_LINK = '<a href="/title/tt0396184/?ref_=tturv_ov_back"'


def test_a_section_titled_only_by_its_header_links_names_its_title():
    page = parse(HEADER_SECTION)
    assert page.title_id == "tt0396184"
    assert (page.movie_title, page.movie_year) == ("Pusher II", 2004)
    assert len(page.reviews) == 4
    assert all(not review_problems(r) for r in page.reviews)
    assert {(r.title_id, r.movie_title, r.movie_year) for r in page.reviews} == {
        ("tt0396184", "Pusher II", 2004)
    }


@pytest.mark.parametrize(
    "href",
    [
        "https://www.imdb.com/title/tt0117407/?ref_=tturv_ov_back",  # a browser's absolute link
        "/title/tt0117407",
        "/title/tt0117407/#top",
    ],
)
def test_any_link_form_to_the_title_page_counts(href):
    html = HEADER_SECTION.replace("/title/tt0396184/?ref_=tturv_ov_i", href).replace(
        BACK_LINK, f'<a href="{href}"'
    )
    page = parse(html)
    assert page.title_id == "tt0117407"
    assert {r.title_id for r in page.reviews} == {"tt0117407"}


def test_header_links_to_two_titles_name_none_and_say_so():
    html = HEADER_SECTION.replace(BACK_LINK, '<a href="/title/tt0117407/?ref_=tturv_ov_back"')
    page = parse(html)
    assert page.title_id is None
    assert page.movie_title is None and page.movie_year is None
    assert notes(page, "title_links_disagree") == [
        "links outside the reviews name different titles (tt0396184, tt0117407); "
        "the page's title is not guessed"
    ]
    assert [MISSING_TITLE_ID in review_problems(r) for r in page.reviews] == [True] * 4


def test_a_title_link_inside_a_review_is_not_the_page_title():
    """A review that links another film ("better than Pusher") names no page title."""
    fragment = fixture_text("current", "pusher2-fragment.html")
    html = fragment.replace(
        "Pusher (1996)", '<a href="/title/tt0117407/?ref_=tturv_txt">Pusher (1996)</a>', 1
    )
    assert html != fragment
    page = parse(html)
    assert page.title_id is None
    # ...nor does it disagree with the header's.
    html = HEADER_SECTION.replace(
        "Pusher (1996)", '<a href="/title/tt0117407/?ref_=tturv_txt">Pusher (1996)</a>', 1
    )
    assert parse(html).title_id == "tt0396184"


def test_a_back_link_without_the_name_and_year_shape_gives_only_the_id():
    html = HEADER_SECTION.replace(">Pusher II (2004)</h2>", ">Back</h2>")
    page = parse(html)
    assert page.title_id == "tt0396184"
    assert (page.movie_title, page.movie_year) == (None, None)


def test_the_page_own_title_wins_over_header_links():
    # Review hrefs naming the title are read before links outside the reviews.
    html = HEADER_SECTION.replace('href="/review/rw', 'href="/title/tt0117407/review/rw')
    page = parse(html)
    assert page.title_id == "tt0117407"
    # The back link names another title: its name and year are not this title's.
    assert (page.movie_title, page.movie_year) == (None, None)


# The text rule on the current layout ---------------------------------------------------


def test_c1_punctuation_reads_the_same_from_cards_and_json():
    page = parse(fixture_text("current", "pusher2-c1-punctuation.html"))
    assert notes(page, "json_html_disagreement") == []
    texts = " ".join(r.text or "" for r in page.reviews)
    assert "quickly…" in texts and "possibilities—therefore" in texts and "Tonny\u2019s" in texts
    assert "80.000\xa0danish" in texts
    assert not [c for c in texts if "\x80" <= c <= "\x9f"]
    # The JSON alone (no cards) gives the same records.
    html = fixture_text("current", "pusher2-c1-punctuation.html")
    json_only = parse(re.sub(r"<article .*?</article>", "", html, flags=re.S))
    by_id = {r.review_id: r.text for r in json_only.reviews}
    assert {r.review_id: r.text for r in page.reviews} == by_id
