"""Shared fixtures: the repository's posts, copies of the project to break, and running commands."""

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# What a copy of the project needs to build: code, theme, settings; never output or cache.
PROJECT_PARTS = (
    "pelicanconf.py",
    "publishconf.py",
    "tasks.py",
    "theme",
    "plugins",
    "sitebuild",
    "deploy",
)


def run(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run a command to completion, outside CI's environment unless env says otherwise."""
    environment = {key: value for key, value in os.environ.items() if key != "CI"}
    return subprocess.run(
        command,
        cwd=cwd,
        env={**environment, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def invoke(
    *arguments: str, cwd: Path = REPO, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess:
    """Run one of the project's invoke tasks with this virtual environment's Python."""
    return run([sys.executable, "-m", "invoke", *arguments], cwd=cwd, env=env)


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def read_metadata(path: Path) -> dict[str, str]:
    """Read a post's `Key: value` header, up to the first blank line, keys lowercased."""
    metadata = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            break
        key, _, value = line.partition(":")
        metadata[key.strip().lower()] = value.strip()
    return metadata


def copy_project(destination: Path, posts: dict[str, str | bytes]) -> Path:
    """Copy the project's code, theme and settings to destination, with the given posts."""
    destination.mkdir(parents=True)
    for part in PROJECT_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(
                source, destination / part, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(source, destination / part)
    content = destination / "content"
    content.mkdir()
    for name, text in posts.items():
        data = text if isinstance(text, bytes) else text.encode("utf-8")
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_bytes(data)
    return destination


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses Chromium as a browser test, wherever it is."""
    for item in items:
        if "chromium" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def project_copy(tmp_path: Path):
    """Return a function that copies the project with the given posts into a fresh directory."""
    return lambda posts: copy_project(tmp_path / "project", posts)


GOOD_POST = """Title: A good post
Date: 2020-01-02
Category: Testing

This post is fine.
"""


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site, built strictly once for the whole session into a temporary directory."""
    output = tmp_path_factory.mktemp("site") / "output"
    result = invoke("build", "--strict", "--output", str(output))
    assert result.returncode == 0, result.stdout + result.stderr
    return output


SITE_ADDRESS = "https://blog.example"


@pytest.fixture(scope="session")
def production_site(tmp_path_factory) -> Path:
    """The real site built strictly for production at SITE_ADDRESS, once for the session."""
    output = tmp_path_factory.mktemp("production") / "output"
    result = invoke(
        "build", "--prod", "--strict", "--output", str(output), env={"SITEURL": SITE_ADDRESS}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return output


@pytest.fixture(scope="session")
def chromium():
    """One headless Chromium for the whole test session."""
    from playwright.sync_api import sync_playwright

    from tests.browser import launch

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()
