import json

import pytest

from reviewcrawler.archive.files import AtomicJsonLines, iter_jsonl, write_json_atomic


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
