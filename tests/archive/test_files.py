import json

import jsonlines
import pytest

from reviewcrawler.archive.files import AtomicJsonLines, iter_jsonl, write_json_atomic
from reviewcrawler.archive.layout import UnsafePath


def test_file_appears_only_when_committed(tmp_path):
    path = tmp_path / "t" / "run.jsonl"
    file = AtomicJsonLines(path)
    file.write({"a": "é"})
    assert not path.exists()
    assert file.partial.read_text(encoding="utf-8") == '{"a":"é"}\n'  # flushed as written
    file.commit()
    assert list(iter_jsonl(path)) == [{"a": "é"}]
    assert not file.partial.exists()


def test_commit_never_replaces_an_archive_file(tmp_path):
    path = tmp_path / "run.jsonl"
    path.write_text('{"old": 1}\n')
    file = AtomicJsonLines(path)
    file.write({"new": 1})
    with pytest.raises(FileExistsError):
        file.commit()
    assert path.read_text() == '{"old": 1}\n'


def test_discard_leaves_nothing(tmp_path):
    file = AtomicJsonLines(tmp_path / "run.jsonl")
    file.write({"a": 1})
    file.discard()
    assert list(tmp_path.iterdir()) == []


def test_write_json_atomic_replaces(tmp_path):
    path = tmp_path / "index.json"
    write_json_atomic(path, {"v": 1})
    write_json_atomic(path, {"v": 2})
    assert json.loads(path.read_text()) == {"v": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["index.json"]


def test_a_symlink_in_place_of_a_partial_file_is_refused(tmp_path):
    target = tmp_path / "elsewhere.txt"
    target.write_text("keep me\n")
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "run.jsonl.partial").symlink_to(target)
    with pytest.raises(UnsafePath, match="is a symbolic link"):
        AtomicJsonLines(archive / "run.jsonl")
    (archive / "runs.json.partial").symlink_to(target)
    with pytest.raises(UnsafePath, match="is a symbolic link"):
        write_json_atomic(archive / "runs.json", {"v": 1})
    assert target.read_text() == "keep me\n"
    assert (archive / "runs.json.partial").is_symlink()  # refused, not removed


def test_a_symlink_in_place_of_the_final_file_is_refused(tmp_path):
    target = tmp_path / "elsewhere.json"
    target.write_text("{}\n")
    (tmp_path / "m.json").symlink_to(target)
    with pytest.raises(UnsafePath):
        write_json_atomic(tmp_path / "m.json", {"v": 1})
    assert target.read_text() == "{}\n"
    assert not (tmp_path / "m.json.partial").exists()


def test_a_killed_runs_leftover_partial_is_replaced(tmp_path):
    (tmp_path / "m.json.partial").write_text("half")
    write_json_atomic(tmp_path / "m.json", {"v": 1})
    assert json.loads((tmp_path / "m.json").read_text()) == {"v": 1}


def test_damaged_lines_are_skipped_and_reported(tmp_path):
    path = tmp_path / "run.jsonl"
    path.write_bytes(b'{"a": 1}\n{"a": 2, "cut\n[1]\n\xff\xfe\n{"a": 3}\n')
    damage = []
    assert list(iter_jsonl(path, on_damage=damage.append)) == [{"a": 1}, {"a": 3}]
    read = []
    with pytest.raises(jsonlines.InvalidLineError, match=":2: "):
        read.extend(iter_jsonl(path))
    assert read == [{"a": 1}, {"a": 3}]  # every good line first
    assert [d.line for d in damage] == [2, 3, 4]
    assert all(d.reason.startswith("not valid JSON Lines: ") for d in damage)
    assert "not UTF-8" in damage[2].reason
    with pytest.raises(jsonlines.InvalidLineError):
        list(iter_jsonl(path))
