"""Every kind of page lands at the address the old WordPress blog used for it."""

import pytest

from tests.conftest import GOOD_POST, copy_project, invoke

ABOUT_PAGE = "Title: About\n\nWho writes here.\n"
SECOND_POST = "Title: Second Post\nDate: 2020-02-03 14:30\nCategory: Testing, Other\n\nMore.\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A tiny site with two posts and a page, built once."""
    project = copy_project(
        tmp_path_factory.mktemp("urls") / "project",
        {"good.md": GOOD_POST, "second.md": SECOND_POST},
    )
    (project / "content" / "pages").mkdir()
    (project / "content" / "pages" / "about.md").write_text(ABOUT_PAGE, encoding="utf-8")
    result = invoke("build", "--strict", cwd=project)
    assert result.returncode == 0, result.stderr
    return project / "output"


@pytest.mark.parametrize(
    "path",
    [
        "2020/01/02/a-good-post/index.html",
        "2020/02/03/second-post/index.html",
        "about/index.html",
        "category/testing/index.html",
        "category/index.html",
        "archives/index.html",
        "2020/index.html",
        "2020/02/index.html",
        "index.html",
    ],
)
def test_page_is_written_at_its_address(built, path):
    assert (built / path).is_file()


def test_nothing_is_written_outside_those_addresses(built):
    html = sorted(p.relative_to(built).as_posix() for p in built.rglob("*.html"))
    # No post has a tag: no tag pages (the tags index says "None yet", linked from nowhere).
    assert not [path for path in html if path.startswith(("tag/", "drafts"))]
    # One author, the site's: no author pages (they would repeat the home page).
    assert not [path for path in html if path.startswith(("author", "feeds/author"))]
    assert not [path for path in html if not path.endswith("index.html")]
