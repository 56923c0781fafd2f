import json

from reviewcrawler.archive.files import AtomicJsonLines, partial_path
from reviewcrawler.archive.layout import ArchiveLayout
from reviewcrawler.archive.recovery import recover

KILLED, ORPHAN, NOW = (
    "20261101T000000Z-000000",
    "20261102T000000Z-000000",
    "20261103T000000Z-000000",
)


def test_partial_files_of_a_killed_run_are_removed(tmp_path):
    layout = ArchiveLayout.at(tmp_path)
    for path in (layout.reviews_file("tt1", KILLED), layout.rejects_file(KILLED)):
        path.parent.mkdir(parents=True, exist_ok=True)
        partial_path(path).write_text('{"review_id": "rw1"}\n{"revi')  # killed mid-line
    recovery = recover(layout, by_run=NOW)
    assert sorted(recovery.removed_partials) == [
        f"rejects/{KILLED}.jsonl.partial",
        f"reviews/tt1/{KILLED}.jsonl.partial",
    ]
    assert layout.partial_files() == []
    assert not (layout.reviews_dir / "tt1").exists()


def test_files_committed_without_a_manifest_get_one(tmp_path):
    layout = ArchiveLayout.at(tmp_path)
    file = AtomicJsonLines(layout.reviews_file("tt1", ORPHAN))
    file.write({"review_id": "rw1"})
    file.commit()
    recovery = recover(layout, by_run=NOW)
    assert recovery.recovered_runs == [ORPHAN]
    manifest = json.loads(layout.manifest_file(ORPHAN).read_text())
    assert manifest["status"] == "interrupted"
    assert manifest["recovered_by"] == NOW
    assert manifest["files"] == [f"reviews/tt1/{ORPHAN}.jsonl"]
    assert recover(layout, by_run=NOW).recovered_runs == []
