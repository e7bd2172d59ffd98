"""End to end: a project with photos built by `invoke build`, checked file by file."""

import os
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from tests.conftest import copy_project, invoke
from tests.nu import nu_problems
from tests.pictures import carries_camera_metadata, photo

pytestmark = pytest.mark.slow

PICTURE_SUFFIXES = {".jpg", ".png", ".webp", ".avif"}
POST = "Title: Holiday\nDate: 2020-01-01\nCategory: Travel\n\nThe lake:\n\n{body}\n"
BODY = "![A lake](/images/lake.jpg)\n\n![Our tent](tent.jpg)\n\n![A hill]({attach}hill.png)"


def pictures(output: Path) -> dict[str, tuple[int, int]]:
    """Every picture file of a built site, with its inode and modification time."""
    return {
        path.relative_to(output).as_posix(): (path.stat().st_ino, path.stat().st_mtime_ns)
        for path in output.rglob("*")
        if path.suffix in PICTURE_SUFFIXES
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A project whose post shows photos in three link forms, built once."""
    files = {
        "images/lake.jpg": photo(2400, 1600, orientation=6),
        "trips/tent.jpg": photo(1000, 750),
        "trips/hill.png": photo(640, 480, fmt="PNG"),
        "trips/holiday.md": POST.format(body=BODY),
    }
    project = copy_project(tmp_path_factory.mktemp("photos") / "project", files)
    result = invoke("build", "--strict", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    return project


def test_every_picture_is_published_sized_and_resolving(project):
    output = project / "output"
    html = (output / "2020/01/01/holiday/index.html").read_text(encoding="utf-8")
    images = BeautifulSoup(html, "html.parser").select(".post-content img")
    assert [img["src"] for img in images] == [
        "/images/lake.jpg",
        "/trips/tent.jpg",
        "/2020/01/01/holiday/hill.png",
    ]
    for img in images:
        assert (output / img["src"].lstrip("/")).is_file()
        assert int(img["width"]) > 0 and int(img["height"]) > 0
        for source in img.find_parent("picture").find_all("source"):
            for candidate in source["srcset"].split(","):
                assert (output / candidate.split()[0].lstrip("/")).is_file()


def test_no_published_file_carries_camera_metadata(project):
    published = [p for p in (project / "output").rglob("*") if p.suffix in PICTURE_SUFFIXES]
    assert len(published) >= 9
    assert [p for p in published if carries_camera_metadata(p.read_bytes())] == []


def test_the_pages_with_pictures_are_valid_html(project):
    assert nu_problems(project / "output") == ""


def test_a_build_of_the_same_sources_rewrites_no_page_and_no_picture(project):
    # Each build runs in a process of its own, where sets come out in another order.
    output = project / "output"
    before = {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()}
    result = invoke("build", "--strict", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    after = {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()}
    rewritten = [
        p for p in after if p.suffix in {".html", *PICTURE_SUFFIXES} and after[p] != before.get(p)
    ]
    assert rewritten == []


def test_a_text_edit_writes_no_picture_file(project):
    before = pictures(project / "output")
    post = project / "content/trips/holiday.md"
    post.write_text(POST.format(body="An edit.\n\n" + BODY), encoding="utf-8")
    stamp = os.stat(post).st_mtime_ns
    result = invoke("build", "--strict", cwd=project)
    assert result.returncode == 0, result.stdout + result.stderr
    after = pictures(project / "output")
    assert after == before
    assert all(mtime < stamp for _, mtime in after.values())
    assert "edit." in (project / "output/2020/01/01/holiday/index.html").read_text()
