"""docs/settings.md names every setting and spider argument, with defaults that hold."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Any

import pytest
import scrapy.settings.default_settings as scrapy_defaults

from reviewcrawler import settings as project_settings
from reviewcrawler.params import ReviewsParams
from tests.conftest import ROOT

PAGE = ROOT / "docs" / "settings.md"
PACKAGE = ROOT / "reviewcrawler"
ROW = re.compile(r"^\|\s*`([^`]+)`\s*\|(.*)\|(.*)\|\s*$")
ARGUMENT = re.compile(r"^-a (\w+)=")
#: A setting the code reads by name: ``settings.get("NAME")``, ``getint``, ``getbool``, ...
READ = re.compile(r"settings\.get\w*\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")


def rows() -> dict[str, tuple[str, str]]:
    """First cell's code -> (default cell, meaning cell), of every table row."""
    found = {}
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            found[match.group(1)] = (match.group(2).strip(), match.group(3).strip())
    return found


def defined_settings() -> list[str]:
    """The names `settings.py` assigns (not those it imports)."""
    tree = ast.parse((PACKAGE / "settings.py").read_text(encoding="utf-8"))
    names = []
    for statement in tree.body:
        targets = statement.targets if isinstance(statement, ast.Assign) else []
        if isinstance(statement, ast.AnnAssign):
            targets = [statement.target]
        names += [t.id for t in targets if isinstance(t, ast.Name) and t.id.isupper()]
    return names


def settings_read_by_the_code() -> set[str]:
    """Settings of the project's own (not Scrapy's) that some module reads by name."""
    names: set[str] = set()
    for module in PACKAGE.rglob("*.py"):
        names |= set(READ.findall(module.read_text(encoding="utf-8")))
    return {name for name in names if not hasattr(scrapy_defaults, name)}


def documented_arguments() -> dict[str, tuple[str, str]]:
    return {
        match.group(1): cells
        for name, cells in rows().items()
        if (match := ARGUMENT.match(name))
    }


def shows(cell: str, value: Any) -> bool:
    """The default cell shows `value`: as a code span Python would read back, or as text."""
    for code in re.findall(r"`([^`]+)`", cell):
        if code == str(value):
            return True
        try:
            if ast.literal_eval(code) == value:
                return True
        except (ValueError, SyntaxError):
            continue
    return False


@pytest.mark.parametrize("name", defined_settings())
def test_every_setting_of_settings_py_is_on_the_page_with_its_default_and_meaning(name):
    documented = rows()
    assert name in documented, f"docs/settings.md has no row for {name}"
    default, meaning = documented[name]
    assert default and meaning, f"docs/settings.md: {name} needs a default and a meaning"
    value = getattr(project_settings, name)
    if isinstance(value, str | int | float | bool) or value is None:
        assert shows(default, value), f"docs/settings.md: {name}'s default is {value!r}"


def test_every_setting_the_code_reads_by_name_is_on_the_page():
    assert settings_read_by_the_code() - set(rows()) == set()


def test_every_spider_argument_is_on_the_page_with_a_default_and_meaning():
    documented = documented_arguments()
    assert set(ReviewsParams.model_fields) - set(documented) == set()
    for name in ReviewsParams.model_fields:
        default, meaning = documented[name]
        assert default and meaning, f"docs/settings.md: -a {name}= needs a default and a meaning"


def test_the_page_documents_nothing_that_does_not_exist():
    for name in rows():
        argument = ARGUMENT.match(name)
        if argument:
            assert argument.group(1) in ReviewsParams.model_fields, f"no argument {name}"
        else:
            assert name in defined_settings() or hasattr(scrapy_defaults, name), (
                f"docs/settings.md documents {name}, which neither settings.py nor Scrapy defines"
            )


def test_the_parser_of_this_test_reads_the_page_it_checks():
    # Guards the checks above against passing on a page they could not read.
    assert Path(PAGE).is_file()
    assert "ARCHIVE_DIR" in rows()
    assert "path" in documented_arguments()
