"""Ids: ASCII digits only, a length IMDb can have; a bad one is a reject or exit 2."""

from __future__ import annotations

import pytest

from reviewcrawler.ids import MAX_DIGITS, REVIEW, TITLE, USER
from reviewcrawler.outcome import ExitStatus
from tests.conftest import read_jsonl
from tests.hardening.faults import (
    archived,
    assert_quiet,
    clean_run,
    crawl_cmd,
    feed,
    lines_with,
    two_titles,
)
from tests.pages import review

ARABIC_INDIC = "\u0661\u0662\u0663"
FULL_WIDTH = "\uff11\uff12"
SUPERSCRIPT_TWO = "\u00b2"


@pytest.mark.parametrize("rule", [TITLE, REVIEW, USER])
def test_ascii_digits_of_a_plausible_length(rule):
    prefix = rule.prefix
    assert rule.valid(f"{prefix}0111161")
    assert rule.valid(f"{prefix}{'1' * MAX_DIGITS}")
    for bad in (
        f"{prefix}{'1' * (MAX_DIGITS + 1)}",
        f"{prefix}{ARABIC_INDIC}",
        f"{prefix}{FULL_WIDTH}",
        f"{prefix}{SUPERSCRIPT_TWO}",
        f"{prefix}12x",
        prefix,
        f"{prefix}12\n",
        None,
        12,
    ):
        assert not rule.valid(bad), bad
        assert rule.problem(bad) is not None


@pytest.mark.parametrize(
    "title", [f"tt{SUPERSCRIPT_TWO}", f"tt{FULL_WIDTH}", "tt" + "9" * 300, f"tt1,tt{ARABIC_INDIC}"]
)
def test_a_bad_title_argument_is_a_usage_error(tmp_path, title):
    done = crawl_cmd(tmp_path / "archive", "-a", f"title={title}")
    assert done.returncode == ExitStatus.USAGE
    assert_quiet(done)
    (line,) = done.stderr.strip().splitlines()
    assert "not an IMDb title id" in line
    assert len(line) < 200  # a huge id is quoted cut short
    assert not (tmp_path / "archive").exists()  # nothing read, nothing written


def test_a_page_naming_a_title_id_too_long_for_a_file_name(tmp_path):
    """Its reviews are rejected with the reason; every good review is archived."""
    pages = two_titles(tmp_path / "pages")
    expected_archive, expected_feed = clean_run(tmp_path, pages)
    hostile = "tt" + "7" * 300
    two_titles(pages, {"hostile.html": [review(n, title_id=hostile) for n in range(20, 23)]})
    archive, out = tmp_path / "archive", tmp_path / "feed.jsonl"

    for _ in range(2):  # and again: the page stays, the run is never discarded
        done = crawl_cmd(archive, "-a", f"path={pages}", feed=out)
        assert done.returncode == ExitStatus.COMPLETE, done.stderr[-3000:]
        assert_quiet(done)
    assert archived(archive) == expected_archive
    assert feed(out) == expected_feed
    assert not any(len(p.name) > 100 for p in archive.rglob("*"))
    rejects = [r for p in (archive / "rejects").glob("*.jsonl") for r in read_jsonl(p)]
    assert len(rejects) == 2 * 3  # rejected by each run, with the reason
    assert all("malformed title_id" in reason for r in rejects for reason in r["reasons"])


@pytest.mark.parametrize("digits", [ARABIC_INDIC, FULL_WIDTH])
def test_review_ids_in_other_digits_are_rejected_not_archived(tmp_path, digits):
    pages = two_titles(tmp_path / "pages")
    expected_archive, _ = clean_run(tmp_path, pages)
    # rw1001 in other digits, beside the real rw1001: never a second review.
    two_titles(pages, {"other-digits.html": [review(30, review_id=f"rw{digits}")]})
    archive = tmp_path / "archive"
    done = crawl_cmd(archive, "-a", f"path={pages}")
    assert done.returncode == ExitStatus.COMPLETE, done.stderr[-3000:]
    assert_quiet(done)
    assert archived(archive) == expected_archive
    (warning,) = lines_with(done.stderr, "Dropped: invalid review")
    assert f"malformed review_id: 'rw{digits}'" in warning
