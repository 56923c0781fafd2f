import json

import jsonlines
import pytest

import reviewcrawler.archive.index as index_module
from reviewcrawler.archive.files import AtomicJsonLines
from reviewcrawler.archive.fingerprint import content_fingerprint
from reviewcrawler.archive.index import load_index, rebuild_index
from reviewcrawler.archive.layout import ArchiveLayout
from reviewcrawler.items import REVIEW_FIELDS

RUN_1, RUN_2 = "20261101T000000Z-000000", "20261102T000000Z-000000"


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


def test_rebuild_keeps_the_latest_version(layout):
    index = rebuild_index(layout)
    assert index.get("rw1").run_id == RUN_1
    assert index.get("rw1").versions == 1
    latest = index.get("rw2")
    assert (latest.run_id, latest.versions) == (RUN_2, 2)
    assert latest.fingerprint == content_fingerprint(record("rw2", text="Edited"))


def test_a_valid_index_loads_without_reading_review_files(layout, monkeypatch):
    rebuild_index(layout).save(layout)

    def no_reading(path):
        raise AssertionError(f"read {path}")

    expected = rebuild_index(layout).entries
    monkeypatch.setattr(index_module, "iter_jsonl", no_reading)
    loaded = load_index(layout)
    assert loaded is not None
    assert loaded.entries == expected


def test_index_is_not_trusted_when_files_changed(layout):
    rebuild_index(layout).save(layout)
    write_run(layout, "20261103T000000Z-000000", record("rw3"))
    assert load_index(layout) is None


def test_index_is_not_trusted_when_damaged(layout):
    rebuild_index(layout).save(layout)
    header, entries = layout.index_path.read_text().splitlines()
    rows = json.loads(entries)
    rows["rw1"][0] = "0" * 32  # an entry edited behind the index's back
    layout.index_path.write_text(f"{header}\n{json.dumps(rows, separators=(',', ':'))}\n")
    assert load_index(layout) is None
    layout.index_path.write_text("{not json")
    assert load_index(layout) is None
    layout.index_path.unlink()
    assert load_index(layout) is None


def test_a_damaged_review_file_is_reported_and_read_up_to_the_damage(layout):
    path = layout.reviews_file("tt1", RUN_2)
    path.write_text(path.read_text() + "{broken\n")
    damaged = []
    index = rebuild_index(layout, on_damage=lambda p, e: damaged.append(p))
    assert damaged == [path]
    assert index.get("rw2").run_id == RUN_2
    with pytest.raises(jsonlines.InvalidLineError):
        rebuild_index(layout)
