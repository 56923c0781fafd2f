"""A damaged line or manifest: readers skip it with one warning, verify lists it,
repair quarantines it, and the next crawl archives again what it held."""

from __future__ import annotations

import json
from pathlib import Path

from reviewcrawler.outcome import ExitStatus
from tests.conftest import read_jsonl, scrapy_cmd, shell_pipeline
from tests.hardening.faults import (
    archived,
    assert_quiet,
    clean_run,
    content,
    crawl_cmd,
    feed,
    lines_with,
    two_titles,
)
from tests.pages import review, write_pages


def archive_cmd(archive: Path, *args: str):
    return scrapy_cmd("archive", *args, "-s", f"ARCHIVE_DIR={archive}")


def cut_line(path: Path, number: int) -> str:
    """Cut line `number` (1-based) of `path` in half, as a full disk would; its review id."""
    lines = path.read_bytes().splitlines(keepends=True)
    review_id = json.loads(lines[number - 1])["review_id"]
    lines[number - 1] = lines[number - 1][: len(lines[number - 1]) // 2] + b"\n"
    path.write_bytes(b"".join(lines))
    return review_id


def test_a_cut_line_and_a_cut_manifest_from_damage_to_repair(tmp_path):
    pages = two_titles(tmp_path / "pages")
    expected_archive, expected_feed = clean_run(tmp_path, pages)
    archive = tmp_path / "archive"
    assert crawl_cmd(archive, "-a", f"path={pages}").returncode == 0
    (title_file,) = (archive / "reviews" / "tt1355644").glob("*.jsonl")
    lost = cut_line(title_file, 2)
    (manifest,) = (archive / "runs").glob("*.json")
    manifest.write_bytes(manifest.read_bytes()[:100])
    where = f"reviews/tt1355644/{title_file.name}:2"

    out = tmp_path / "export.jsonl"
    export = archive_cmd(archive, "export", "-O", str(out))
    assert export.returncode == 0, export.stderr
    assert_quiet(export)
    (warning,) = lines_with(export.stderr, "warning")
    assert where in warning and "skipped" in warning
    exported = content(read_jsonl(out))
    assert exported == {rid: r for rid, r in expected_feed.items() if rid != lost}

    stats = archive_cmd(archive, "stats", "--json")
    assert stats.returncode == 0, stats.stderr
    assert_quiet(stats)
    assert len(lines_with(stats.stderr, "warning")) == 2  # the line and the manifest
    assert f"runs/{manifest.name}:1: unreadable manifest" in stats.stderr
    assert json.loads(stats.stdout)["tt1355644"]["reviews"] == 4

    verify = archive_cmd(archive, "verify")
    assert verify.returncode == 1
    assert where in verify.stdout
    assert f"runs/{manifest.name}" in verify.stdout

    # A crawl into the damaged archive says so, once, and goes on.
    warned = crawl_cmd(archive, "-a", f"path={pages}")
    assert warned.returncode == ExitStatus.COMPLETE, warned.stderr[-3000:]
    assert_quiet(warned)
    assert len(lines_with(warned.stderr, "damaged place(s)")) == 1

    repair = archive_cmd(archive, "repair")
    assert repair.returncode == 0, repair.stderr
    assert_quiet(repair)
    assert f"quarantined {where}" in repair.stdout
    (quarantine,) = (archive / "quarantine").glob("*.jsonl")
    entries = read_jsonl(quarantine)
    assert {(e["file"], e["line"]) for e in entries} == {
        (f"reviews/tt1355644/{title_file.name}", 2),
        (f"runs/{manifest.name}", None),
    }
    assert all(e["text"] for e in entries)  # the damaged bytes, kept

    # The next crawl re-archives what was lost, and says so.
    again = crawl_cmd(archive, "-a", f"path={pages}")
    assert again.returncode == ExitStatus.COMPLETE, again.stderr[-3000:]
    assert len(lines_with(again.stderr, "quarantined 2 damaged line(s)")) == 1
    assert not lines_with(again.stderr, "damaged place(s)")
    assert archive_cmd(archive, "verify").returncode == 0
    full = tmp_path / "full.jsonl"
    assert archive_cmd(archive, "export", "-O", str(full)).returncode == 0
    assert feed(full) == expected_feed
    assert set(archived(archive)) == set(expected_archive)


def test_export_into_a_closed_pipe_ends_quietly(tmp_path, scrapy_client):
    """``| head -1`` closes the pipe long before a big export is written: exit 0, no noise."""
    pages = tmp_path / "pages"
    # Far more than a pipe buffers (64 KiB), so the export meets the closed pipe.
    write_pages(pages, {"big.html": [review(n, text="Long text. " * 100) for n in range(300)]})
    archive = tmp_path / "archive"
    assert crawl_cmd(archive, "-a", f"path={pages}").returncode == 0
    done = shell_pipeline(f"{scrapy_client} archive export -s ARCHIVE_DIR={archive} | head -1")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 1
    assert done.stderr == ""
