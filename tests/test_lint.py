"""The code passes ruff's lint and format checks, so style never needs a review comment."""

import sys

import pytest

from tests.conftest import REPO, run


@pytest.mark.parametrize("check", [["check"], ["format", "--check"]], ids=["lint", "format"])
def test_ruff(check):
    result = run([sys.executable, "-m", "ruff", *check, "."], cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
