"""The JSON Lines feed writes what Scrapy's exporter writes, byte for byte."""

from __future__ import annotations

import io
from typing import Any

import pytest
from scrapy.exporters import JsonLinesItemExporter

from reviewcrawler.feeds import ReviewJsonLinesExporter
from reviewcrawler.items import REVIEW_FIELDS, RejectedReview, Review

REVIEW = Review(
    review_id="rw0000001",
    title_id="tt0000001",
    movie_title="Caf\u00e9 \u201cNoir\u201d",
    movie_year=2004,
    rating=None,
    headline='He said "no" \\ </script>',
    author="\u00c5sa",
    date="2009-02-08",
    spoiler=True,
    text="line one\n\nline two \u2028 \U0001f3ac",
    helpful_yes=0,
    helpful_total=0,
    permalink="https://www.imdb.com/review/rw0000001/",
)


def lines(exporter_class: type[JsonLinesItemExporter], item: Any, **options: Any) -> bytes:
    out = io.BytesIO()
    exporter = exporter_class(out, **options)
    exporter.start_exporting()
    exporter.export_item(item)
    exporter.finish_exporting()
    return out.getvalue()


@pytest.mark.parametrize(
    "options",
    [
        {"encoding": "utf-8", "fields_to_export": list(REVIEW_FIELDS)},
        {"encoding": "utf-8"},
        {},
        {"encoding": "latin-1", "fields_to_export": list(REVIEW_FIELDS)},
        {"fields_to_export": ["review_id", "rating"]},
        {"fields_to_export": {"review_id": "id", "text": "body"}},
        {"encoding": "utf-8", "indent": 2},
    ],
)
@pytest.mark.parametrize("item", [REVIEW, Review(), {"review_id": "rw1", "extra": [1]}])
def test_same_bytes_as_scrapy(options: dict[str, Any], item: Any) -> None:
    if options.get("encoding") == "latin-1" and item is REVIEW:
        with pytest.raises(UnicodeEncodeError):
            lines(JsonLinesItemExporter, item, **options)
        with pytest.raises(UnicodeEncodeError):
            lines(ReviewJsonLinesExporter, item, **options)
        return
    assert lines(ReviewJsonLinesExporter, item, **options) == lines(
        JsonLinesItemExporter, item, **options
    )


def test_other_items_take_scrapys_path() -> None:
    rejected = RejectedReview(record={"review_id": "rw1"}, reasons=["missing date"])
    assert lines(ReviewJsonLinesExporter, rejected) == lines(JsonLinesItemExporter, rejected)


def test_the_crawl_uses_it() -> None:
    from scrapy.utils.project import get_project_settings

    exporters = get_project_settings().getwithbase("FEED_EXPORTERS")
    assert exporters["jsonlines"].endswith("ReviewJsonLinesExporter")
    assert exporters["jsonl"].endswith("ReviewJsonLinesExporter")
