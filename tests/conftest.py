"""Shared fixtures. Helpers live in ``support.py`` (import it as ``from support import ...``)."""

from __future__ import annotations

import pytest
from support import scenario


@pytest.fixture
def make_scenario():
    return scenario
