"""Published files across builds: linked once, kept while unchanged, published anew if replaced."""

import os

import pytest

from sitebuild.build import build_site
from tests.conftest import GOOD_POST

pytestmark = pytest.mark.slow

NOTES = "files/notes.txt"


def build(project) -> None:
    """Build the project in this process, as `invoke build` does."""
    overrides = {"PATH": str(project / "content"), "CACHE_PATH": str(project / "cache")}
    build_site(project / "pelicanconf.py", project / "output", overrides=overrides)


def replace(path, text: str) -> None:
    """Replace a file by a new one (a new inode), as editors and `cp` over it do."""
    fresh = path.with_name(path.name + ".new")
    fresh.write_text(text, encoding="utf-8")
    os.replace(fresh, path)


@pytest.mark.parametrize("links", [True, False], ids=["linked", "copied"])
def test_a_published_file_follows_its_source_through_alternating_builds(project_copy, links):
    project = project_copy({"good.md": GOOD_POST, NOTES: "first"})
    settings = project / "pelicanconf.py"
    settings.write_text(
        settings.read_text(encoding="utf-8") + f"\nSTATIC_CREATE_LINKS = {links}\n", "utf-8"
    )
    source, published = project / "content" / NOTES, project / "output" / NOTES
    for _ in range(3):  # into a new folder, then into each of the two folders builds alternate
        build(project)
        assert published.read_text(encoding="utf-8") == "first"
        assert os.path.samefile(source, published) == links
    replace(source, "second")
    for _ in range(2):  # both folders hold the old file: each must publish the new one
        build(project)
        assert published.read_text(encoding="utf-8") == "second"
        assert os.path.samefile(source, published) == links
