"""The generated corpus: deterministic, unique ids, current pages renamed throughout."""

from __future__ import annotations

import json
import re

from benchmarks import corpus
from tests.conftest import fixture_path

PAGES = 3
#: Two titles: one of each layout (titles alternate, 4 pages each).
MIXED_PAGES = 2 * corpus.PAGES_PER_TITLE
NEXT_DATA = re.compile(r'<script id="__NEXT_DATA__" type="application/json">(.*?)</script>', re.S)


def test_corpus_is_deterministic_with_unique_review_ids(tmp_path):
    first = corpus.generate(tmp_path / "one", PAGES, layouts=("legacy",))
    second = corpus.generate(tmp_path / "two", PAGES, layouts=("legacy",))
    assert first.digest == second.digest
    assert first.reviews == PAGES * corpus.REVIEWS_PER_PAGE
    ids = []
    for name in first.files:
        html = (first.pages_dir / name).read_text(encoding="utf-8")
        page_ids = re.findall(r'data-review-id="(rw\d+)"', html)
        assert len(page_ids) == corpus.REVIEWS_PER_PAGE
        # Every link of a review names its new id: vote URL, headline and Permalink.
        for review_id in page_ids:
            assert html.count(f"/review/{review_id}/") == 3
        assert "data-key=" not in html
        ids += page_ids
    assert len(set(ids)) == len(ids) == first.reviews
    assert ids[0] == first.first_review_id and ids[-1] == first.last_review_id


def test_mixed_corpus_renames_current_cards_and_their_json(tmp_path):
    """Current pages: new ids in every card link and in both JSON shapes, nothing of the source."""
    first = corpus.generate(tmp_path / "one", MIXED_PAGES)
    assert first.digest == corpus.generate(tmp_path / "two", MIXED_PAGES).digest
    assert first.layouts == ["legacy", "current"]
    assert first.pages_per_layout == {"legacy": 4, "current": 4}
    source = fixture_path(corpus.CurrentLayout.FIXTURE_PAGE).read_text(encoding="utf-8")
    source_ids = set(re.findall(r"\brw\d+\b", source))
    ids = []
    for name in first.files:
        html = (first.pages_dir / name).read_text(encoding="utf-8")
        page_ids = list(dict.fromkeys(re.findall(r"/review/(rw\d+)/", html)))
        assert len(page_ids) == corpus.REVIEWS_PER_PAGE, name
        ids += page_ids
        if "user-review-item" not in html:
            continue
        title_id = name.split("-")[0]
        assert "tt0396184" not in html and not source_ids & set(re.findall(r"\brw\d+\b", html))
        assert (
            f'<link rel="canonical" href="https://www.imdb.com/title/{title_id}/reviews/"/>' in html
        )
        data = json.loads(NEXT_DATA.search(html).group(1))
        content = data["props"]["pageProps"]["contentData"]
        assert [e["review"]["reviewId"] for e in content["reviews"]] == page_ids
        edges = content["data"]["title"]["reviews"]["edges"]
        assert [e["node"]["id"] for e in edges] == page_ids
        assert content["entityMetadata"]["id"] == data["query"]["tconst"] == title_id
        assert content["reviewCount"] == 4 * corpus.REVIEWS_PER_PAGE
        assert content["pageInfo"]["hasNextPage"] is False
        assert "<" not in NEXT_DATA.search(html).group(1)  # still safe inside <script>
    assert len(set(ids)) == len(ids) == first.reviews
