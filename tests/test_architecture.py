"""The package docstring tells a review's path naming each module once, and stays true."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import reviewcrawler

NAMES = re.findall(r"`(reviewcrawler(?:\.\w+)*)`", reviewcrawler.__doc__ or "")
PACKAGE = Path(reviewcrawler.__file__).parent


def _resolve(name: str) -> object:
    parts = name.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            found = getattr(found, attribute)
        return found
    raise AssertionError(f"{name} names nothing")


def test_every_name_in_the_path_exists():
    assert len(NAMES) > 10
    for name in NAMES:
        _resolve(name)


def test_each_module_is_named_once():
    assert [name for name, count in Counter(NAMES).items() if count > 1] == []


def test_the_title_id_rule_is_spelled_in_one_module():
    spelled = {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if re.search(r"tt\\d|tt\[0-9\]", path.read_text(encoding="utf-8"))
    }
    assert spelled == {"ids.py"}


IMPORT_EVERYTHING = """
import pkgutil, sys, reviewcrawler
for module in pkgutil.walk_packages(reviewcrawler.__path__, "reviewcrawler."):
    if not module.name.endswith("__main__"):
        __import__(module.name)
print("twisted.internet.reactor" in sys.modules)
"""


def test_importing_the_project_installs_no_reactor():
    """Scrapy installs the reactor its settings name before it loads components; a
    module importing ``twisted.internet.reactor`` at its top would install the
    default one first, in any program that imports it early (a script, a test)."""
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip() == "False"
