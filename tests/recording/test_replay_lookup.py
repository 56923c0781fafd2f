"""Reading a recording: manifest entries, their files, and the WARC form."""

from __future__ import annotations

import json

import pytest

from reviewcrawler.recording import Recording
from reviewcrawler.recording.directory import read_manifest

PAGE = "https://www.imdb.com/title/tt0396184/reviews/"


def body(recording: Recording, url: str) -> bytes | None:
    found = recording.find(url)
    return None if found is None else found[0]


def write_manifest(directory, entries) -> None:
    (directory / "manifest.json").write_text(json.dumps(entries), encoding="utf-8")


def test_bodies_are_found_by_canonical_url(tmp_path):
    (tmp_path / "p1.html").write_bytes(b"<html>page 1</html>")
    write_manifest(tmp_path, {PAGE: "p1.html"})
    recording = Recording.open(tmp_path)
    assert body(recording, "http://www.imdb.com/title/tt0396184/reviews?ref_=tt_ov") == (
        b"<html>page 1</html>"
    )
    assert body(recording, "https://www.imdb.com/title/tt0396185/reviews/") is None


def test_a_recording_from_another_host_replays_by_path_when_unambiguous(tmp_path):
    (tmp_path / "p1.html").write_bytes(b"one")
    write_manifest(tmp_path, {"http://127.0.0.1:8000/title/tt0396184/reviews": "p1.html"})
    assert body(Recording.open(tmp_path), PAGE) == b"one"


def test_a_path_recorded_under_two_hosts_is_not_guessed(tmp_path):
    (tmp_path / "a.html").write_bytes(b"a")
    (tmp_path / "b.html").write_bytes(b"b")
    write_manifest(
        tmp_path,
        {
            "http://127.0.0.1:8000/title/tt0396184/reviews": "a.html",
            "http://127.0.0.1:9000/title/tt0396184/reviews": "b.html",
        },
    )
    assert body(Recording.open(tmp_path), PAGE) is None


def test_manifest_entries_cannot_reach_outside_their_directory(tmp_path, caplog):
    recording_dir = tmp_path / "recording"
    recording_dir.mkdir()
    (tmp_path / "secret.txt").write_bytes(b"secret")
    write_manifest(recording_dir, {PAGE: "../secret.txt", PAGE + "x": "/etc/passwd"})
    recording = Recording.open(recording_dir)
    assert body(recording, PAGE) is None
    assert body(recording, PAGE + "x") is None
    assert "outside" in caplog.text


def test_a_listed_file_that_is_gone_is_a_miss_not_a_crash(tmp_path, caplog):
    write_manifest(tmp_path, {PAGE: "gone.html"})
    assert body(Recording.open(tmp_path), PAGE) is None
    assert "cannot be read" in caplog.text


@pytest.mark.parametrize("content", ["[1, 2]", '{"u": 3}', "not json"])
def test_a_malformed_manifest_is_a_value_error(tmp_path, content):
    (tmp_path / "manifest.json").write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=r"manifest\.json"):
        read_manifest(tmp_path)
