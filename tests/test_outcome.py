import pytest

from reviewcrawler.outcome import ExitStatus, exit_status


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
