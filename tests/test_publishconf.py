"""publishconf.py builds the production site: absolute URLs and feeds, from SITEURL."""

import sys
import xml.etree.ElementTree as ElementTree

import pytest

from tests.conftest import GOOD_POST, copy_project, run

SITEURL = "https://blog.example"
ATOM = "{http://www.w3.org/2005/Atom}"


def build_production(project, env):
    """Build the project with publishconf.py, as the publish step will."""
    command = [sys.executable, "-m", "sitebuild", "--settings", "publishconf.py", "--strict"]
    return run(command, cwd=project, env=env)


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """A tiny site built with the production settings."""
    project = copy_project(tmp_path_factory.mktemp("prod") / "project", {"good.md": GOOD_POST})
    result = build_production(project, {"SITEURL": SITEURL + "/"})
    assert result.returncode == 0, result.stderr
    return project / "output"


def test_feed_of_all_posts_links_to_absolute_permalinks(production):
    feed = ElementTree.parse(production / "feeds" / "all.atom.xml").getroot()
    links = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    assert f"{SITEURL}/2020/01/02/a-good-post/" in links


def test_each_category_has_a_feed(production):
    assert (production / "feeds" / "testing.atom.xml").is_file()


def test_pages_link_with_the_site_url(production):
    index = (production / "index.html").read_text(encoding="utf-8")
    assert f'href="{SITEURL}/2020/01/02/a-good-post/"' in index


def test_missing_siteurl_is_a_clear_error(tmp_path):
    project = copy_project(tmp_path / "project", {"good.md": GOOD_POST})
    result = build_production(project, {"SITEURL": ""})
    assert result.returncode != 0
    assert "publishconf.py: set SITEURL" in result.stderr
    assert not (project / "output").exists()
