"""A season of scheduled runs through the real engine into one ARCHIVE_DIR."""

from __future__ import annotations

import logging
import re

import pytest
import pytest_twisted
from scrapy.utils.defer import deferred_from_coro

import reviewcrawler.archive.index as index_module
from reviewcrawler import settings as project
from reviewcrawler.archive.layout import ArchiveLayout
from reviewcrawler.archive.lock import ArchiveLock
from reviewcrawler.archive.reader import latest_reviews
from reviewcrawler.outcome import ExitStatus, exit_status
from tests.archive_helpers import assert_valid_archive, manifests, review_files, run_reviews
from tests.conftest import archive_settings, crawl, read_jsonl
from tests.pages import review, write_pages

OTHER_TITLE = "tt0000002"


def first_pages():
    title_a = [review(n) for n in range(5)]
    title_b = [review(n, title_id=OTHER_TITLE) for n in range(5, 9)]
    # The same page saved twice: its reviews are archived once, counted as duplicates.
    return {"a.html": title_a, "a-copy.html": title_a, "b.html": title_b}


@pytest_twisted.inlineCallbacks
def test_a_season_of_scheduled_runs(tmp_path, monkeypatch):
    pages, archive = tmp_path / "pages", tmp_path / "archive"
    settings = archive_settings(archive)

    def run():
        return deferred_from_coro(crawl(settings, path=str(pages)))

    # Run 1 archives everything.
    write_pages(pages, first_pages())
    first = yield run()
    assert exit_status(first.stats) is ExitStatus.COMPLETE
    assert len(first.items) == 9  # what a feed export gets
    (m1,) = manifests(archive)
    assert m1["status"] == "finished"
    assert m1["exit_status"] == 0
    assert m1["counts"] == {
        "pages_read": 3,
        "pages_skipped": 0,
        "reviews_seen": 14,
        "new": 9,
        "changed": 0,
        "unchanged": 0,
        "duplicates_in_run": 5,
        "rejected": 0,
    }
    assert m1["arguments"]["path"] == [str(pages)]
    assert m1["arguments"]["title"] == []
    assert m1["titles"]["tt1355644"]["new"] == 5
    assert sorted(m1["files"]) == sorted(
        f"reviews/{t}/{m1['run_id']}.jsonl" for t in ("tt1355644", OTHER_TITLE)
    )
    assert len(run_reviews(archive, m1["run_id"])) == 9

    # Run 2 on the same pages writes no review file, and says 0 new; it stays cheap:
    # the index is valid, so no review file is read.
    with monkeypatch.context() as cheap:
        cheap.setattr(index_module, "iter_jsonl", pytest.fail)
        second = yield run()
    assert exit_status(second.stats) is ExitStatus.COMPLETE
    assert len(second.items) == 9  # the feed still gets every review of the run
    m2 = manifests(archive)[-1]
    assert m2["run_id"] > m1["run_id"]
    assert (m2["counts"]["new"], m2["counts"]["changed"], m2["counts"]["unchanged"]) == (0, 0, 9)
    assert m2["files"] == []
    assert len(review_files(archive)) == 2

    # Run 3: one review edited, one new, every vote count changed.
    title_a = [
        review(
            n, helpful_yes=n + 10, helpful_total=n + 20, **({"text": "Edited."} if n == 2 else {})
        )
        for n in range(5)
    ] + [review(20)]
    write_pages(pages, {"a.html": title_a, "b.html": first_pages()["b.html"]})
    third = yield run()
    m3 = manifests(archive)[-1]
    assert (m3["counts"]["new"], m3["counts"]["changed"], m3["counts"]["unchanged"]) == (1, 1, 8)
    archived = run_reviews(archive, m3["run_id"])
    assert sorted((r["review_id"], r["text"]) for r in archived) == [
        ("rw1002", "Edited."),
        ("rw1020", "Body of review 20.\n\nSecond paragraph."),
    ]
    assert m3["files"] == [f"reviews/tt1355644/{m3['run_id']}.jsonl"]
    assert len(third.items) == 10

    # A corrupt page among good ones: the good reviews are archived, the rest rejected.
    corrupt = [
        review(30, title_id=OTHER_TITLE, date="31 February 2009"),
        review(31, title_id=OTHER_TITLE, helpful_yes=9, helpful_total=2),
        review(32, title_id=OTHER_TITLE),
    ]
    write_pages(pages, {"a.html": title_a, "b.html": first_pages()["b.html"], "c.html": corrupt})
    (pages / "empty.html").write_bytes(b"")
    fourth = yield run()
    assert exit_status(fourth.stats) is ExitStatus.COMPLETE  # rejects are not a failure
    m4 = manifests(archive)[-1]
    assert (m4["counts"]["new"], m4["counts"]["rejected"], m4["counts"]["pages_skipped"]) == (
        1,
        2,
        1,
    )
    assert [r["review_id"] for r in run_reviews(archive, m4["run_id"])] == ["rw1032"]
    rejects = read_rejects(archive, m4["run_id"])
    assert {r["record"]["review_id"]: r["reasons"] for r in rejects} == {
        "rw1030": ["missing date"],
        "rw1031": ["helpful_yes 9 > helpful_total 2"],
    }
    assert all(r["source_url"].endswith("c.html") for r in rejects)

    # Export: every review once, its latest version.
    exported = list(latest_reviews(ArchiveLayout.at(archive)))
    ids = [r["review_id"] for r in exported]
    assert sorted(ids) == sorted({*(f"rw{1000 + n}" for n in (*range(9), 20, 32))})
    assert next(r for r in exported if r["review_id"] == "rw1002")["text"] == "Edited."
    assert_valid_archive(archive)


def read_rejects(archive, run_id):
    return read_jsonl(archive / "rejects" / f"{run_id}.jsonl")


@pytest_twisted.inlineCallbacks
def test_archive_disabled_writes_nothing(tmp_path):
    write_pages(tmp_path / "pages", first_pages())
    settings = archive_settings(tmp_path / "archive", ARCHIVE_ENABLED=False)
    result = yield deferred_from_coro(crawl(settings, path=str(tmp_path / "pages")))
    assert len(result.items) == 9
    assert not (tmp_path / "archive").exists()


@pytest_twisted.inlineCallbacks
def test_a_held_lock_refuses_the_run_before_reading(tmp_path):
    write_pages(tmp_path / "pages", first_pages())
    archive = tmp_path / "archive"
    with ArchiveLock(ArchiveLayout.at(archive)) as lock:
        lock.acquire("run 20261125T080000Z-abcdef")
        result = yield deferred_from_coro(
            crawl(archive_settings(archive), path=str(tmp_path / "pages"))
        )
    assert exit_status(result.stats) is ExitStatus.FAILED
    assert result.stats["finish_reason"] == "archive_locked"
    assert result.items == []
    assert result.stats.get("reviewcrawler/pages_read") is None
    assert not (archive / "runs").exists()


@pytest_twisted.inlineCallbacks
def test_an_unwritable_archive_fails_the_run(tmp_path):
    write_pages(tmp_path / "pages", first_pages())
    (tmp_path / "not-a-dir").write_text("")
    settings = archive_settings(tmp_path / "not-a-dir" / "archive")
    result = yield deferred_from_coro(crawl(settings, path=str(tmp_path / "pages")))
    assert exit_status(result.stats) is ExitStatus.FAILED
    assert result.stats["finish_reason"] == "archive_unwritable"
    assert result.items == []


def _garbage(index, tmp_path):
    index.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)


def _truncated(index, tmp_path):
    index.write_bytes(index.read_bytes()[:2048])


def _symlink(index, tmp_path):
    (tmp_path / "target.db").write_bytes(b"not mine")
    index.unlink()
    index.symlink_to(tmp_path / "target.db")


def _directory(index, tmp_path):
    index.unlink()
    index.mkdir()


@pytest.mark.parametrize("damage", [_garbage, _truncated, _symlink, _directory])
@pytest_twisted.inlineCallbacks
def test_a_damaged_index_is_rebuilt_not_trusted(tmp_path, caplog, damage):
    pages, archive = tmp_path / "pages", tmp_path / "archive"
    write_pages(pages, first_pages())
    yield deferred_from_coro(crawl(archive_settings(archive), path=str(pages)))
    damage(archive / "index.db", tmp_path)
    with caplog.at_level(logging.WARNING):
        result = yield deferred_from_coro(crawl(archive_settings(archive), path=str(pages)))
    assert result.stats["reviewcrawler/archive/unchanged"] == 9
    assert "reviewcrawler/archive/new" not in result.stats
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len([w for w in warnings if "index" in w]) == 1, warnings
    assert "is damaged" in warnings[0] and "rebuilding it from the review files" in warnings[0]
    assert not (archive / "index.db").is_symlink()
    if damage is _symlink:
        assert (tmp_path / "target.db").read_bytes() == b"not mine"  # never written through


@pytest_twisted.inlineCallbacks
def test_an_archive_with_index_json_upgrades_itself_with_one_line(tmp_path, caplog):
    pages, archive = tmp_path / "pages", tmp_path / "archive"
    write_pages(pages, first_pages())
    yield deferred_from_coro(crawl(archive_settings(archive), path=str(pages)))
    # As the code before the database left it: index.json, no index.db.
    (archive / "index.db").unlink()
    (archive / "index.json").write_text('{"format": 2, "covers": ""}\n{}\n')
    with caplog.at_level(logging.INFO, logger="reviewcrawler.extensions.archive_run"):
        result = yield deferred_from_coro(
            crawl(archive_settings(archive, LOG_LEVEL="INFO"), path=str(pages))
        )
    assert result.stats["reviewcrawler/archive/unchanged"] == 9
    messages = [r.getMessage() for r in caplog.records]
    upgrades = [m for m in messages if not m.startswith("Archive run ")]
    assert len(upgrades) == 1 and "upgraded" in upgrades[0], upgrades
    assert not (archive / "index.json").exists()
    assert (archive / "index.db").is_file()


@pytest_twisted.inlineCallbacks
def test_long_runs_log_progress(tmp_path, caplog):
    write_pages(tmp_path / "pages", first_pages())
    pipelines = {**project.ITEM_PIPELINES, "tests.slow_pipeline.SlowPipeline": 250}
    settings = archive_settings(
        tmp_path / "archive",
        ITEM_PIPELINES=pipelines,
        TEST_SLOW_ITEM_SECONDS=0.03,
        PROGRESS_INTERVAL=0.1,
        LOG_LEVEL="INFO",
    )
    with caplog.at_level(logging.INFO, logger="reviewcrawler.extensions.archive_run"):
        yield deferred_from_coro(crawl(settings, path=str(tmp_path / "pages")))
    progress = [r.getMessage() for r in caplog.records if r.getMessage().startswith("Progress:")]
    assert progress, caplog.text
    assert re.fullmatch(
        r"Progress: \d+ pages, \d+ reviews, \d+ new, 0 rejected \(\d+\.\d reviews/min\)",
        progress[-1],
    )


@pytest_twisted.inlineCallbacks
def test_repairing_a_run_killed_before_its_index_commit_reads_its_files_only(
    tmp_path, monkeypatch, caplog
):
    pages, archive = tmp_path / "pages", tmp_path / "archive"
    write_pages(pages, first_pages())
    yield deferred_from_coro(crawl(archive_settings(archive), path=str(pages)))
    # A run whose index transaction never happens: on disk, what a kill -9 after the
    # renames leaves (files in place, the run in the journal, the index without them).
    write_pages(pages, {"more.html": [review(n) for n in range(50, 60)]})
    with monkeypatch.context() as killed:
        killed.setattr(index_module.ArchiveIndex, "finish_commit", lambda *args: None)
        yield deferred_from_coro(crawl(archive_settings(archive), path=str(pages)))
    killed_run = manifests(archive)[-1]["run_id"]

    read = []
    real_iter_jsonl = index_module.iter_jsonl
    monkeypatch.setattr(
        index_module, "iter_jsonl", lambda path: read.append(path) or real_iter_jsonl(path)
    )
    with caplog.at_level(logging.WARNING):
        repaired = yield deferred_from_coro(crawl(archive_settings(archive), path=str(pages)))
    assert {path.stem for path in read} == {killed_run}
    assert repaired.stats["reviewcrawler/archive/unchanged"] == 10
    assert "reviewcrawler/archive/new" not in repaired.stats
    assert f"Run {killed_run} was killed before its index commit" in caplog.text
    assert len(latest_reviews_ids(archive)) == 19


def latest_reviews_ids(archive):
    return [r["review_id"] for r in latest_reviews(ArchiveLayout.at(archive))]
