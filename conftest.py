"""README.md's console examples are tests: Sybil collects them (tests/readme.py runs them)."""

from tests.readme import SYBIL

pytest_collect_file = SYBIL.pytest()
