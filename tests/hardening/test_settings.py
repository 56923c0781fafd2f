"""Every project setting is checked before a crawl starts: one line, exit 2."""

from __future__ import annotations

import pytest
from scrapy.settings import Settings

from reviewcrawler import settings as project
from reviewcrawler.checks import ProjectSettings, check_settings
from reviewcrawler.outcome import ExitStatus
from tests.hardening.faults import assert_quiet, crawl_cmd


def test_the_project_defaults_pass_and_every_checked_setting_exists():
    check_settings(Settings(vars(project)))
    assert set(ProjectSettings.model_fields) <= set(vars(project))


@pytest.mark.parametrize(
    "setting",
    [
        "PROGRESS_INTERVAL=abc",
        "PROGRESS_INTERVAL=-1",
        "PROGRESS_INTERVAL=inf",
        "DOWNLOAD_DELAY=-0.5",
        "DOWNLOAD_TIMEOUT=0",
        "RETRY_TIMES=many",
        "RETRY_BACKOFF_MAX=nan",
        "CONCURRENT_REQUESTS_PER_DOMAIN=0",
        "MAX_PAGE_BYTES=0",
        "MAX_PAGES_PER_TITLE=-3",
        "SHUTDOWN_TIMEOUT=soon",
        "ROBOTSTXT_OBEY=maybe",
        "ARCHIVE_ENABLED=2",
        "IMDB_BASE_URL=ftp://example.org",
        "IMDB_BASE_URL=https://example.org/?a=1",
        "LOG_LEVEL=LOUD",
        "RETRY_GIVE_UP_LOG_LEVEL=quiet",
    ],
)
def test_a_bad_setting_is_one_line_and_exit_2(tmp_path, setting):
    name = setting.split("=")[0]
    done = crawl_cmd(tmp_path / "archive", "-a", "title=tt0396184", "-s", setting)
    assert done.returncode == ExitStatus.USAGE, done.stderr[-2000:]
    assert_quiet(done)
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(f"scrapy crawl reviews: error: bad setting: {name}: ")
    assert not (tmp_path / "archive").exists()


@pytest.mark.parametrize(
    "values",
    [
        {"PROGRESS_INTERVAL": "0", "DOWNLOAD_DELAY": "1.5", "RETRY_TIMES": "0"},
        {"ROBOTSTXT_OBEY": "False", "ARCHIVE_ENABLED": "true", "LOG_LEVEL": "debug"},
    ],
)
def test_good_values_as_the_command_line_gives_them(values):
    settings = Settings(vars(project))
    settings.setdict(values, priority="cmdline")
    check_settings(settings)


def test_an_empty_archive_dir_is_refused():
    settings = Settings(vars(project))
    settings.set("ARCHIVE_DIR", "", priority="cmdline")
    with pytest.raises(ValueError, match="bad setting: ARCHIVE_DIR: "):
        check_settings(settings)
