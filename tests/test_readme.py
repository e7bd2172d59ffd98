"""The README's two set-up commands stay true: CI runs the test command exactly as written."""

import re

from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
SHELL_BLOCKS = re.findall(r"^```sh\n(.*?)\n```$", README, re.MULTILINE | re.DOTALL)


def test_readme_has_a_preview_and_a_test_command():
    preview, test = SHELL_BLOCKS[:2]
    assert preview.endswith(".venv/bin/invoke preview")
    assert test.endswith(".venv/bin/pytest")
    assert preview.startswith("python3 -m venv .venv && ")
    assert test.startswith("python3 -m venv .venv && ")


def test_ci_runs_the_readme_test_command_verbatim():
    ci_lines = (REPO / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert SHELL_BLOCKS[1] in ci_lines
