from datetime import UTC, datetime

from reviewcrawler.archive.manifest import run_manifest, titles_section

RUN = "20261125T080000Z-000000"


def manifest(reason="finished", **stats):
    return run_manifest(
        run_id=RUN,
        spider="reviews",
        arguments={"path": ["x"], "title": []},
        settings={"ARCHIVE_DIR": "/a"},
        finished_at=datetime(2026, 11, 25, 8, 1, tzinfo=UTC),
        reason=reason,
        stats=stats,
        files=[],
        archived_per_title={},
        extra={},
    )


def test_status_and_exit_status_come_from_the_outcome():
    assert (manifest()["status"], manifest()["exit_status"]) == ("finished", 0)
    failed = manifest(**{"log_count/ERROR": 1})
    assert (failed["status"], failed["exit_status"]) == ("failed", 1)
    interrupted = manifest("shutdown")
    assert (interrupted["status"], interrupted["exit_status"]) == ("interrupted", 1)
    incomplete = manifest(**{"reviewcrawler/titles_incomplete": 1})
    assert (incomplete["status"], incomplete["exit_status"]) == ("finished", 3)
    assert manifest()["started_at"] == "2026-11-25T08:00:00Z"


def test_counts_come_from_the_stats():
    counts = manifest(**{"reviewcrawler/archive/new": 4, "reviewcrawler/pages_read": 2})["counts"]
    assert counts["new"] == 4
    assert counts["pages_read"] == 2
    assert counts["rejected"] == 0


def test_titles_take_per_title_stats_and_what_was_archived():
    stats = {
        "reviewcrawler/title/tt1/pages": 2,
        "reviewcrawler/title/tt1/reviews": 44,
        "reviewcrawler/title/tt1/complete": True,
        "reviewcrawler/pages_read": 2,
    }
    assert titles_section(stats, {"tt1": {"new": 3}, "tt2": {"changed": 1}}) == {
        "tt1": {"pages": 2, "reviews": 44, "complete": True, "new": 3},
        "tt2": {"changed": 1},
    }
