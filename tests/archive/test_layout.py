from datetime import UTC, datetime

from reviewcrawler.archive.layout import RUN_ID, ArchiveLayout, new_run_id, run_time

NOW = datetime(2026, 11, 25, 8, 0, 0, 123456, tzinfo=UTC)


def test_run_id_names_its_utc_start():
    run_id = new_run_id(NOW)
    assert RUN_ID.fullmatch(run_id)
    assert run_id.startswith("20261125T080000Z-")
    assert run_time(run_id) == NOW


def test_run_ids_sort_by_time_within_one_second():
    earlier, later = new_run_id(NOW), new_run_id(NOW.replace(microsecond=123457))
    assert earlier < later


def test_a_run_id_never_sorts_before_the_latest_one():
    latest = new_run_id(NOW)
    assert new_run_id(NOW, after=latest) > latest
    clock_stepped_back = NOW.replace(hour=7)
    assert new_run_id(clock_stepped_back, after=latest) > latest


def test_partial_files_are_not_archive_files(tmp_path):
    layout = ArchiveLayout.at(tmp_path)
    committed = layout.reviews_file("tt1", new_run_id(NOW))
    committed.parent.mkdir(parents=True)
    committed.write_text("{}\n")
    (committed.parent / "20261126T000000Z-000000.jsonl.partial").write_text("{}\n")
    assert layout.review_files() == [committed]
    assert [p.name for p in layout.partial_files()] == ["20261126T000000Z-000000.jsonl.partial"]
    assert layout.latest_run_id() == committed.stem
