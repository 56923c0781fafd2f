"""The report as a person sees it: rendered by headless Chromium, screenshot and DOM."""

from __future__ import annotations

import parsel
import pytest
from PIL import Image, ImageStat

from reviewcrawler.report.browser import dump_dom, find_browser, screenshot
from tests.report.conftest import archive_cmd

BROWSER = find_browser()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        BROWSER is None,
        reason="no chromium-headless-shell or chromium (make test installs it as root)",
    ),
]


def test_rendered_report_shows_every_plot(fixtures_archive, tmp_path):
    assert BROWSER is not None
    page = tmp_path / "report.html"
    result = archive_cmd(fixtures_archive, "report", "-o", str(page))
    assert result.returncode == 0, result.stderr

    # Kept under pytest's tmp dir as the test's artifact.
    png = screenshot(BROWSER, page, tmp_path / "report.png")
    with Image.open(png) as image:
        assert image.width >= 1000 and image.height > 1500  # the whole page, not one screen
        stats = ImageStat.Stat(image.convert("L"))
        assert stats.stddev[0] > 10, "blank screenshot"
        assert len(image.convert("RGB").getcolors(1 << 20) or []) > 50

    dom = parsel.Selector(dump_dom(BROWSER, page))
    plots = dom.css("figure.plot")
    assert len(plots) == 3 + 2 * 5  # runs, outcomes, rejects; five per title
    for plot in plots:
        svg = plot.css("svg")
        assert svg, plot.attrib["id"]
        assert len(svg.css("path, rect, use")) > 5, f"empty plot {plot.attrib['id']}"
        assert svg.css("text"), f"plot without labels {plot.attrib['id']}"
