"""For `scrapyd-deploy`, which builds the project egg with ``setup.py bdist_egg``
(and would write its own setup.py, packaging tests/ too, if this one were
missing). Everything is configured in pyproject.toml."""

from setuptools import setup

setup()
