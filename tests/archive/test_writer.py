import errno

from reviewcrawler.archive.files import AtomicJsonLines
from reviewcrawler.archive.index import TitleState, build_index, open_index
from reviewcrawler.archive.layout import ArchiveLayout
from reviewcrawler.archive.writer import RunWriter, Verdict
from reviewcrawler.items import REVIEW_FIELDS
from tests.conftest import read_jsonl

RUN_1, RUN_2 = "20261101T000000Z-000000", "20261102T000000Z-000000"


def index_of(layout):
    if not layout.index_path.exists():
        build_index(layout)
    index = open_index(layout)
    assert index is not None
    return index


def record(review_id, **changes):
    values = dict.fromkeys(REVIEW_FIELDS)
    values.update({"review_id": review_id, "title_id": "tt1", "text": "Body", "helpful_yes": 1})
    values.update(changes)
    return values


def test_new_changed_unchanged(tmp_path):
    layout = ArchiveLayout.at(tmp_path)
    first = RunWriter(layout, RUN_1, index_of(layout))
    assert first.archive(record("rw1")) is Verdict.NEW
    assert first.commit([]) == [f"reviews/tt1/{RUN_1}.jsonl"]

    second = RunWriter(layout, RUN_2, index_of(layout))
    assert second.archive(record("rw1", helpful_yes=99)) is Verdict.UNCHANGED
    assert second.archive(record("rw1", text="Edited")) is Verdict.CHANGED
    assert second.archive(record("rw2")) is Verdict.NEW
    second.commit([])
    assert second.per_title == {"tt1": {"changed": 1, "new": 1}}
    assert [r["review_id"] for r in read_jsonl(layout.reviews_file("tt1", RUN_2))] == [
        "rw1",
        "rw2",
    ]
    index = index_of(layout)
    assert (index.get("rw1").versions, index.get("rw1").run_id) == (2, RUN_2)


def test_nothing_new_writes_nothing(tmp_path):
    layout = ArchiveLayout.at(tmp_path)
    writer = RunWriter(layout, RUN_1, index_of(layout))
    assert writer.commit([]) == []
    assert not layout.reviews_dir.exists()


def test_discarded_run_leaves_no_file(tmp_path):
    layout = ArchiveLayout.at(tmp_path)
    writer = RunWriter(layout, RUN_1, index_of(layout))
    writer.archive(record("rw1"))
    writer.reject({"reasons": ["bad"], "record": {}})
    writer.discard()
    assert [p for p in tmp_path.rglob("*") if p.is_file() and "index.db" not in p.name] == []


def test_a_title_whose_file_fails_to_commit_is_left_unindexed_and_incomplete(
    tmp_path, monkeypatch
):
    layout = ArchiveLayout.at(tmp_path)
    writer = RunWriter(layout, RUN_1, index_of(layout))
    writer.archive(record("rw1", title_id="tt1"))
    writer.archive(record("rw2", title_id="tt2"))
    real_commit = AtomicJsonLines.commit

    def commit(file):
        if file.path.parent.name == "tt2":
            raise OSError(errno.ENOSPC, "No space left on device")
        real_commit(file)

    monkeypatch.setattr(AtomicJsonLines, "commit", commit)
    manifest_files = []
    states = [TitleState(t, RUN_1, True, RUN_1, "newest") for t in ("tt1", "tt2")]

    assert writer.commit(states, before_index=manifest_files.extend) == [
        f"reviews/tt1/{RUN_1}.jsonl"
    ]

    assert manifest_files == [f"reviews/tt1/{RUN_1}.jsonl"]
    assert writer.per_title == {"tt1": {"new": 1}}
    assert writer.failures["No space left on device"].kept_out == {"tt2": 1}
    index = index_of(layout)
    assert index.get("rw1") is not None and index.get("rw2") is None
    assert index.journal() == []
    # A run that stopped once caught up would never reach what was kept out.
    assert index.title_state("tt1").complete
    assert not index.title_state("tt2").complete
    assert index.title_state("tt2").last_complete_run is None
