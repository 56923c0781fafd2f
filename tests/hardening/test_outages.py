"""Outages (no DNS, refused, timed out) on robots.txt or pages: the title is
incomplete (exit 3) with one summary line, robots.txt obeyed or not; no traceback."""

from __future__ import annotations

import pytest

from reviewcrawler.outcome import ExitStatus
from tests.hardening.faults import assert_quiet, crawl_cmd, error_lines, lines_with
from tests.legacypages import TITLE_ID
from tests.localsite import Reply
from tests.ports import free_port

pytestmark = pytest.mark.slow


def outage_crawl(tmp_path, base_url: str, obey: bool):
    return crawl_cmd(
        tmp_path / "archive",
        "-a",
        f"title={TITLE_ID}",
        *("-s", f"IMDB_BASE_URL={base_url}", "-s", f"ROBOTSTXT_OBEY={obey}"),
        *("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False"),
        *("-s", "RETRY_TIMES=1", "-s", "RETRY_BACKOFF_BASE=0.05", "-s", "DOWNLOAD_TIMEOUT=0.25"),
    )


def assert_incomplete_outage(done) -> None:
    assert done.returncode == ExitStatus.INCOMPLETE, done.stderr[-3000:]
    assert_quiet(done)
    assert error_lines(done.stderr) == []
    (summary,) = lines_with(done.stderr, f"{TITLE_ID}: INCOMPLETE after 0 page(s)")
    assert "could not read" in summary


@pytest.mark.parametrize("obey", [True, False])
def test_a_refused_connection(tmp_path, obey):
    done = outage_crawl(tmp_path, f"http://127.0.0.1:{free_port()}", obey)
    assert_incomplete_outage(done)
    if obey:
        (warning,) = lines_with(done.stderr, "robots.txt of 127.0.0.1")
        assert "could not be fetched" in warning
        assert "'reviewcrawler/robots_txt_unavailable': 1" in done.stderr


@pytest.mark.parametrize("obey", [True, False])
def test_no_dns(tmp_path, obey):
    # .invalid never resolves (RFC 6761): a DNS failure without any network.
    done = outage_crawl(tmp_path, "http://reviewcrawler-test.invalid", obey)
    assert_incomplete_outage(done)


@pytest.mark.parametrize("obey", [True, False])
def test_timeouts_on_robots_txt_and_pages(tmp_path, local_site, obey):
    local_site.serve("/robots.txt", Reply("User-agent: *\nAllow: /\n", delay=1))
    local_site.serve(f"/title/{TITLE_ID}/reviews", Reply("late", delay=1))
    done = outage_crawl(tmp_path, local_site.url, obey)
    assert_incomplete_outage(done)
    assert "took longer than 0.25 seconds" in done.stderr
