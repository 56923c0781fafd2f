"""``scrapy archive report``: one self-contained HTML page about the archive.

`gather` reads the archive (through the same reader as ``export``, plus the run
manifests and reject files) into small aggregates; `page.render` draws the plots
and writes the HTML. Only `page` and `plots` need matplotlib (the ``report`` extra).
"""

from __future__ import annotations

INSTALL_HINT = "the report needs matplotlib: pip install -e '.[report]'"


def report_available() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True
