import pytest

from reviewcrawler.outcome import ExitStatus, exit_reason, exit_status


@pytest.mark.parametrize(
    ("stats", "status"),
    [
        ({"finish_reason": "finished"}, ExitStatus.COMPLETE),
        ({"finish_reason": "finished", "reviewcrawler/rejected": 3}, ExitStatus.COMPLETE),
        ({"finish_reason": "finished", "log_count/ERROR": 1}, ExitStatus.FAILED),
        ({"finish_reason": "finished", "reviewcrawler/layout_drift": 1}, ExitStatus.FAILED),
        ({"finish_reason": "finished", "spider_exceptions/KeyError": 1}, ExitStatus.FAILED),
        ({"finish_reason": "shutdown"}, ExitStatus.FAILED),
        (
            {"finish_reason": "finished", "reviewcrawler/titles_incomplete": 1},
            ExitStatus.INCOMPLETE,
        ),
    ],
)
def test_exit_status(stats, status):
    assert exit_status(stats) is status


@pytest.mark.parametrize(
    ("stats", "line"),
    [
        (
            {
                "finish_reason": "finished",
                "reviewcrawler/layout_drift": 3,
                "reviewcrawler/pages_read": 20,
                "reviewcrawler/layout_drift_first_url": "file:///pages/p7.html",
                "log_count/ERROR": 3,
            },
            "exit 1: layout drift on 3 of 20 pages (first: file:///pages/p7.html)",
        ),
        (
            {"finish_reason": "finished", "reviewcrawler/no_valid_review": "all 2 reviews x"},
            "exit 1: all 2 reviews x",
        ),
        (
            {"finish_reason": "finished", "spider_exceptions/KeyError": 2},
            "exit 1: 2 callback error(s) (KeyError)",
        ),
        (
            {"finish_reason": "finished", "log_count/ERROR": 1},
            "exit 1: an error was logged (see above)",
        ),
        ({"finish_reason": "shutdown"}, "exit 1: the run stopped early (shutdown)"),
        (
            {
                "finish_reason": "finished",
                "reviewcrawler/titles_incomplete": 2,
                "reviewcrawler/title/tt2/incomplete_because": "stopped by max_pages=1",
                "reviewcrawler/title/tt1/incomplete_because": "x" * 200,
            },
            f"exit 3: 2 title(s) incomplete: tt1 ({'x' * 119}…), tt2 (stopped by max_pages=1)",
        ),
        (
            {
                "finish_reason": "finished",
                "reviewcrawler/titles_incomplete": 1,
                "reviewcrawler/pages_blocked": 1,
            },
            "exit 3: IMDb withheld the reviews of 1 page(s) (robot check or sign-in wall)",
        ),
        ({"finish_reason": "finished"}, "exit 0: complete"),
    ],
)
def test_exit_reason_restates_why_in_one_line(stats, line):
    assert exit_reason(stats) == line
