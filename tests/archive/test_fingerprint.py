from reviewcrawler.archive.fingerprint import CONTENT_FIELDS, content_fingerprint

RECORD = {
    "review_id": "rw1",
    "headline": "Good",
    "text": "Body",
    "rating": 8,
    "spoiler": False,
    "author": "Ann",
    "date": "2020-01-02",
    "helpful_yes": 3,
    "helpful_total": 4,
    "scraped_at": "2026-01-01T00:00:00+00:00",
}


def test_vote_counts_and_fetch_details_do_not_change_it():
    later = {**RECORD, "helpful_yes": 30, "helpful_total": 40, "scraped_at": "2026-02-01"}
    assert content_fingerprint(later) == content_fingerprint(RECORD)


def test_every_content_field_changes_it():
    for name, value in {
        "headline": "Bad",
        "text": "Body!",
        "rating": None,
        "spoiler": True,
        "author": "Bob",
        "date": "2020-01-03",
    }.items():
        assert content_fingerprint({**RECORD, name: value}) != content_fingerprint(RECORD), name
    assert set(CONTENT_FIELDS) == {"headline", "text", "rating", "spoiler", "author", "date"}


def test_key_order_does_not_matter():
    assert content_fingerprint(dict(reversed(RECORD.items()))) == content_fingerprint(RECORD)
