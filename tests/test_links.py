"""The build's link check, over real Pelican builds of tiny sites."""

import logging
from pathlib import Path

import pytest

from sitebuild.links import broken_links, check_links, page_links, target_path
from tests.conftest import invoke
from tests.plugins.tinysite import TinySite, messages, post

PLUGIN_LOGGER = "sitebuild.links"


@pytest.fixture
def site(tmp_path: Path) -> TinySite:
    """An empty tiny site."""
    return TinySite(tmp_path / "site")


def checked(site: TinySite) -> None:
    """Build the site and check its links, as the build does once the writer is done."""
    site.build()
    check_links(site.built_with)


def test_a_site_with_good_links_logs_nothing(site, caplog):
    site.add("a.md", post("A", "See [B]({filename}b.md) and [home](/)."))
    site.add("b.md", post("B", "Back to [A](/2020/01/01/a/).", date="2020-01-02"))
    checked(site)
    assert messages(caplog, PLUGIN_LOGGER, logging.ERROR) == []


def test_each_broken_link_is_an_error_naming_the_post_line_and_page(site, caplog):
    site.add(
        "a.md",
        post(
            "A",
            "[gone](/2019/01/01/gone/)\n\n![pic](/images/missing.png) [out](https://example.org/)",
        ),
    )
    checked(site)
    source = site.content / "a.md"
    assert messages(caplog, PLUGIN_LOGGER, logging.ERROR) == [
        f"{source}:4: broken link to /2019/01/01/gone/ (no such file in the site, "
        "on 2020/01/01/a/index.html)",
        f"{source}:6: broken link to /images/missing.png (no such file in the site, "
        "on 2020/01/01/a/index.html)",
    ]


def test_relative_links_resolve_from_their_page(site, caplog):
    site.add("a.md", post("A", "[up](../../../) [nowhere](nowhere/)"))
    checked(site)
    assert messages(caplog, PLUGIN_LOGGER, logging.ERROR) == [
        f"{site.content / 'a.md'}:4: broken link to nowhere/ (no such file in the site, "
        "on 2020/01/01/a/index.html)"
    ]


def test_page_links_reads_href_src_and_srcset():
    html = '<a href="/a/">a</a><img src="/b.png" srcset="/c.png 2x, /d.png 3x"><base href="/">'
    assert page_links(html) == ["/a/", "/b.png", "/c.png", "/d.png"]


def test_target_path_keeps_to_the_site():
    site = "https://blog.example/"
    page = "https://blog.example/2020/01/01/a/index.html"
    assert target_path("../b/", page, site) == "2020/01/01/b/"
    assert (
        target_path("https://blog.example/feeds/all.atom.xml", page, site) == "feeds/all.atom.xml"
    )
    assert target_path("https://elsewhere.example/x", page, site) is None
    assert target_path("mailto:ben@example.org", page, site) is None


def test_ignored_folders_are_left_out_of_the_site(tmp_path):
    site = tmp_path / "output"
    (site / "index").mkdir(parents=True)
    (site / "extra").mkdir()
    (site / "index" / "page.html").write_text('<a href="/extra/a.js">x</a>', encoding="utf-8")
    (site / "extra" / "a.js").write_text("", encoding="utf-8")
    (site / "extra" / "broken.html").write_text('<a href="/nowhere/">x</a>', encoding="utf-8")
    assert broken_links(site, "") == [("extra/broken.html", "/nowhere/")]
    assert broken_links(site, "", ignored=("extra",)) == [("index/page.html", "/extra/a.js")]


@pytest.mark.slow
def test_links_are_checked_after_the_writer_whatever_the_plugins_order(project_copy):
    # Pages are written when incremental's `finalized` handler runs; listed last, in a process
    # of its own, it runs after every other plugin's, and the check must still see every page.
    project = project_copy(
        {
            "a.md": post("A", "See [B]({filename}b.md) and [gone](/nowhere/)."),
            "b.md": post("B", "Back to [A](/2020/01/01/a/).", date="2020-01-02"),
        }
    )
    settings = project / "pelicanconf.py"
    reorder = '\nPLUGINS = [p for p in PLUGINS if p != "incremental"] + ["incremental"]\n'
    settings.write_text(settings.read_text() + reorder)
    result = invoke("build", cwd=project)
    assert result.returncode != 0
    broken = [line for line in result.stderr.splitlines() if "broken link" in line]
    assert len(broken) == 1 and "broken link to /nowhere/" in broken[0], result.stderr


def test_a_cache_an_older_version_wrote_is_ignored(tmp_path):
    from sitebuild.links import load_checked_pages

    cache = tmp_path / "checked.pickle"
    cache.write_bytes(b"cmodule_of_an_older_version\nCheckedPage\n.")  # a pickled class, gone
    assert load_checked_pages(cache) == {}


def test_a_few_pages_checked_anew_leave_the_cache_file_as_it_was(tmp_path):
    from sitebuild import links

    output, cache = tmp_path / "output", tmp_path / "checked.pickle"
    output.mkdir()
    for number in range(3):
        (output / f"p{number}.html").write_text(f'<a href="p{(number + 1) % 3}.html">next</a>')
    assert links.broken_links(output, "", cache) == []
    saved = cache.read_bytes()
    (output / "p0.html").write_text('<a href="gone.html">a page that is not there</a>')
    assert links.broken_links(output, "", cache) == [("p0.html", "gone.html")]
    assert cache.read_bytes() == saved  # one page checked anew: kept in this process only
    links._known_pages.clear()  # as a new process finds it: the file lags, the page is checked
    assert links.broken_links(output, "", cache) == [("p0.html", "gone.html")]


def test_files_listed_by_the_sweep_are_trusted_and_later_ones_found_on_disk(tmp_path):
    from sitebuild.links import broken_links

    output = tmp_path / "output"
    (output / "late").mkdir(parents=True)
    (output / "a.html").write_text(
        '<a href="b.html">b</a> <a href="late/">late</a> <link href="style.css" rel="stylesheet">'
    )
    (output / "b.html").write_text('<a href="gone.html">gone</a>')
    (output / "late" / "index.html").write_text("written after the listing")
    # The list says which files there are, without a look at the disk (style.css is in no
    # folder here); one it lacks is looked for there.
    listed = {"a.html", "b.html", "style.css"}
    assert broken_links(output, "", listed=listed) == [("b.html", "gone.html")]
    # A file in no list and not on disk is broken, listed or not.
    (output / "late" / "index.html").unlink()
    assert broken_links(output, "", listed=listed) == [("a.html", "late/"), ("b.html", "gone.html")]
