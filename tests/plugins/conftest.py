"""Fixtures for the plugin tests."""

from pathlib import Path

import pytest

from tests.plugins.tinysite import TinySite


@pytest.fixture
def site(tmp_path: Path) -> TinySite:
    """An empty tiny site."""
    return TinySite(tmp_path / "site")
