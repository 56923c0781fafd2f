"""The index database: built from the files, opened without reading them, never
trusted when damaged, and repaired from one killed run's journal."""

import sqlite3
from pathlib import Path

import jsonlines
import pytest

import reviewcrawler.archive.index as index_module
from reviewcrawler.archive.files import AtomicJsonLines
from reviewcrawler.archive.fingerprint import content_fingerprint
from reviewcrawler.archive.index import (
    IndexDamaged,
    IndexEntry,
    TitleState,
    build_index,
    open_index,
    states_of_manifest,
)
from reviewcrawler.archive.layout import ArchiveLayout
from reviewcrawler.items import REVIEW_FIELDS

RUN_1, RUN_2, RUN_3 = (f"2026110{n}T000000Z-000000" for n in (1, 2, 3))


def record(review_id, text="Body", **changes):
    values = dict.fromkeys(REVIEW_FIELDS)
    values.update(review_id=review_id, title_id="tt1", text=text, **changes)
    return values


def write_run(layout, run_id, *records, title_id="tt1"):
    file = AtomicJsonLines(layout.reviews_file(title_id, run_id))
    for r in records:
        file.write(r)
    file.commit()


@pytest.fixture
def layout(tmp_path):
    layout = ArchiveLayout.at(tmp_path)
    write_run(layout, RUN_1, record("rw1"), record("rw2"))
    write_run(layout, RUN_2, record("rw2", text="Edited"))
    return layout


def opened(layout):
    index = open_index(layout)
    assert index is not None
    return index


def test_build_keeps_the_latest_version(layout):
    assert build_index(layout) == 2
    index = opened(layout)
    assert index.get("rw1") == IndexEntry(content_fingerprint(record("rw1")), "tt1", RUN_1, 1)
    latest = index.get("rw2")
    assert (latest.run_id, latest.versions) == (RUN_2, 2)
    assert latest.fingerprint == content_fingerprint(record("rw2", text="Edited"))
    assert index.get("rw9") is None


def test_opening_and_looking_up_reads_no_review_file(layout, monkeypatch):
    build_index(layout)

    def no_reading(*args):
        raise AssertionError("read a review file")

    monkeypatch.setattr(index_module, "iter_jsonl", no_reading)
    monkeypatch.setattr(ArchiveLayout, "review_files", no_reading)
    index = opened(layout)
    assert index.get("rw2").versions == 2


def test_the_database_is_in_wal_mode(layout):
    build_index(layout)
    index = opened(layout)
    index.finish_commit(RUN_3, {}, [])
    index.close()
    db = sqlite3.connect(layout.index_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


@pytest.mark.parametrize(
    "damage",
    [
        lambda path: path.write_bytes(b"{not a database"),
        lambda path: path.write_bytes(path.read_bytes()[:1500]),
        lambda path: path.write_bytes(b""),
    ],
    ids=["garbage", "truncated", "empty"],
)
def test_a_damaged_database_is_not_trusted(layout, damage):
    build_index(layout)
    damage(layout.index_path)
    with pytest.raises(IndexDamaged):
        open_index(layout)


def test_another_sqlite_database_is_not_trusted(layout):
    sqlite3.connect(layout.index_path).execute("CREATE TABLE reviews (x)").connection.commit()
    with pytest.raises(IndexDamaged, match="not a reviewcrawler index"):
        open_index(layout)


def test_a_symlink_in_place_of_the_index_is_never_opened_nor_written_through(layout, tmp_path):
    elsewhere = tmp_path / "elsewhere.db"
    build_index(layout, target=elsewhere)
    before = elsewhere.read_bytes()
    layout.index_path.symlink_to(elsewhere)
    with pytest.raises(IndexDamaged, match="symbolic link"):
        open_index(layout)
    build_index(layout)
    assert not layout.index_path.is_symlink()
    assert elsewhere.read_bytes() == before
    assert opened(layout).count() == 2


def test_a_symlinked_wal_file_is_not_trusted(layout, tmp_path):
    build_index(layout)
    (tmp_path / "target").write_text("")
    Path(f"{layout.index_path}-wal").symlink_to(tmp_path / "target")
    with pytest.raises(IndexDamaged, match="symbolic link"):
        open_index(layout)


def test_a_directory_in_place_of_the_index_is_moved_aside(layout):
    layout.index_path.mkdir()
    (layout.index_path / "keep").write_text("user data")
    with pytest.raises(IndexDamaged, match="not a regular file"):
        open_index(layout)
    build_index(layout)
    assert opened(layout).count() == 2
    assert (layout.root / "index.db.not-an-index" / "keep").read_text() == "user data"


def test_journal_replay_indexes_only_the_killed_runs_renamed_files(layout):
    build_index(layout)
    index = opened(layout)
    index.begin_commit(RUN_3, ["reviews/tt1/" + RUN_3 + ".jsonl", "reviews/tt2/x.jsonl"])
    # Killed after renaming tt1's file, before the index commit.
    write_run(layout, RUN_3, record("rw1", text="Edited"), record("rw3"))
    index.close()
    index = opened(layout)
    assert index.get("rw3") is None
    damaged = []
    assert index.replay_journal(layout, lambda p, e: damaged.append(p)) == [RUN_3]
    assert damaged == []
    assert (index.get("rw1").run_id, index.get("rw1").versions) == (RUN_3, 2)
    assert index.get("rw3").versions == 1
    state = index.title_state("tt1")
    assert (state.last_run, state.complete) == (RUN_3, False)
    assert index.replay_journal(layout, lambda p, e: None) == []  # once only


def test_finish_commit_keeps_the_last_complete_run_and_the_newest_date(layout):
    build_index(layout)
    index = opened(layout)
    index.finish_commit(RUN_1, {}, [TitleState("tt1", RUN_1, True, RUN_1, "newest", "2026-01-02")])
    index.finish_commit(RUN_2, {}, [TitleState("tt1", RUN_2, False, None, "helpful", "2025-01-01")])
    assert index.title_state("tt1") == TitleState(
        "tt1", RUN_2, False, RUN_1, "helpful", "2026-01-02"
    )


def test_crawl_state_is_rebuilt_from_the_manifests(layout):
    manifest = {
        "run_id": RUN_2,
        "arguments": {"order": "newest"},
        "titles": {"tt1": {"complete": 1, "newest_date": "2026-11-01", "layout": "current"}},
    }
    assert states_of_manifest(manifest) == [
        TitleState("tt1", RUN_2, True, RUN_2, "newest", "2026-11-01", "current")
    ]
    # Before order= existed, runs read in helpfulness order; saved pages say nothing.
    assert (
        states_of_manifest({"run_id": RUN_1, "arguments": {}, "titles": {"tt2": {"new": 3}}}) == []
    )
    killed = {"run_id": RUN_3, "files": ["reviews/tt1/x.jsonl"], "status": "interrupted"}
    assert states_of_manifest(killed) == [TitleState("tt1", RUN_3, False, None, "helpful")]


def test_a_damaged_review_file_is_reported_and_read_up_to_the_damage(layout):
    path = layout.reviews_file("tt1", RUN_2)
    path.write_text(path.read_text() + "{broken\n")
    damaged = []
    build_index(layout, on_damage=lambda p, e: damaged.append(p))
    assert damaged == [path]
    assert opened(layout).get("rw2").run_id == RUN_2
    with pytest.raises(jsonlines.InvalidLineError):
        build_index(layout)
