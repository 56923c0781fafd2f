"""Render a report in Debian's headless Chromium: a full-page screenshot, the DOM.

``python -m reviewcrawler.report.browser REPORT.html SHOT.png`` makes the
screenshot in the docs (``make report``); the tests use the same functions.
The browser runs offline with a fresh profile, so nothing but the page is loaded.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BROWSERS = ("chromium-headless-shell", "chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
#: Tall enough for a report whose per-title sections are closed; cropped to the page after.
WINDOW = (1200, 12000)


def find_browser() -> str | None:
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def _run(browser: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        return subprocess.run(
            [browser, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )


def dump_dom(browser: str, page: Path) -> str:
    """The DOM as the browser built it (``--dump-dom``)."""
    return _run(browser, "--dump-dom", page.absolute().as_uri()).stdout


def screenshot(browser: str, page: Path, png: Path) -> Path:
    """A screenshot of the whole page: a tall window, cropped below the last content."""
    from PIL import Image, ImageChops  # matplotlib's own dependency

    width, height = WINDOW
    _run(browser, f"--screenshot={png.absolute()}", f"--window-size={width},{height}",
         "--hide-scrollbars", page.absolute().as_uri())  # fmt: skip
    with Image.open(png) as shot:
        image = shot.convert("RGB")
    content = ImageChops.difference(image, Image.new("RGB", image.size, image.getpixel((0, 0))))
    box = content.getbbox()
    bottom = min(box[3] + 32, height) if box else height
    image.crop((0, 0, width, bottom)).save(png)
    return png


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m reviewcrawler.report.browser REPORT.html SHOT.png", file=sys.stderr)
        return 2
    browser = find_browser()
    if browser is None:
        print(f"no headless Chromium ({' or '.join(BROWSERS)}): apt-get install "
              "chromium-headless-shell", file=sys.stderr)  # fmt: skip
        return 2
    shot = screenshot(browser, Path(argv[0]), Path(argv[1]))
    print(f"screenshot of {argv[0]} written to {shot}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
