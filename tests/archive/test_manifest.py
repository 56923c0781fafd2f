import json
from datetime import UTC, datetime

from reviewcrawler.archive.manifest import (
    orphan_manifest,
    run_manifest,
    titles_section,
    write_manifest,
)

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
        removed_partials=[],
        recovered_runs=[],
        scrapyd_job=None,
        write_failures={},
    )


def test_status_and_exit_status_come_from_the_outcome():
    assert (manifest().status, manifest().exit_status) == ("finished", 0)
    failed = manifest(**{"log_count/ERROR": 1})
    assert (failed.status, failed.exit_status) == ("failed", 1)
    interrupted = manifest("shutdown")
    assert (interrupted.status, interrupted.exit_status) == ("interrupted", 1)
    incomplete = manifest(**{"reviewcrawler/titles_incomplete": 1})
    assert (incomplete.status, incomplete.exit_status) == ("finished", 3)
    assert manifest().started_at == "2026-11-25T08:00:00Z"


def test_counts_come_from_the_stats():
    counts = manifest(**{"reviewcrawler/archive/new": 4, "reviewcrawler/pages_read": 2}).counts
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


def test_one_writer_keeps_the_file_order_of_both_kinds(tmp_path):
    write_manifest(tmp_path / "run.json", manifest())
    write_manifest(tmp_path / "orphan.json", orphan_manifest(RUN, ["b", "a"], "run x"))
    run = json.loads((tmp_path / "run.json").read_text(encoding="utf-8"))
    orphan = json.loads((tmp_path / "orphan.json").read_text(encoding="utf-8"))
    assert list(run)[:7] == [
        "format", "run_id", "status", "exit_status", "finish_reason", "started_at", "finished_at",
    ]  # fmt: skip
    assert list(run)[-4:] == ["removed_partials", "recovered_runs", "scrapyd_job", "write_failures"]
    assert orphan == {
        "format": 1,
        "run_id": RUN,
        "status": "interrupted",
        "exit_status": 1,
        "finish_reason": "killed while committing",
        "started_at": "2026-11-25T08:00:00Z",
        "finished_at": None,
        "recovered_by": "run x",
        "files": ["a", "b"],
    }
    assert list(orphan) == ["format", "run_id", "status", "exit_status", "finish_reason",
                            "started_at", "finished_at", "recovered_by", "files"]  # fmt: skip
