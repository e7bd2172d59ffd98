"""The search index: Pagefind over the marked pages, in parts that are merged in the browser."""

import json
from pathlib import Path

import pytest

from sitebuild.search import BUNDLE, PARTS_FILE, index_site, part_size, split_into_parts
from tests.plugins.test_incremental import Builds, edit_body, tree

MARKED = '<!doctype html><html lang="en"><body><main data-pagefind-body>{}</main></body></html>'
UNMARKED = '<!doctype html><html lang="en"><body><main>{}</main></body></html>'


def page_count(bundle: Path) -> int:
    """How many pages one Pagefind bundle indexes."""
    entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
    return sum(language["page_count"] for language in entry["languages"].values())


def parts(site: Path) -> list[dict]:
    """The parts file of a built site's index."""
    return json.loads((site / BUNDLE / PARTS_FILE).read_text(encoding="utf-8"))


def test_parts_keep_top_level_folders_together_within_the_limit():
    pages = ["2019/a.html", "2019/b.html", "2019/c.html", "2020/a.html", "2020/b.html", "x.html"]
    assert split_into_parts(pages, 4) == [pages[:3], pages[3:]]


def test_a_folder_larger_than_a_part_is_split():
    pages = [f"2019/{n}.html" for n in range(5)] + ["2020/a.html"]
    assert split_into_parts(pages, 2) == [pages[:2], pages[2:4], pages[4:]]


def test_each_part_indexes_just_its_marked_pages_whatever_their_names(tmp_path):
    site = tmp_path / "site"
    names = ["a(b)[c]{d},e$f:g<h>i?j*k!l m.html", "x/ü é.html", "plain/index.html"]
    for number, name in enumerate(names):
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(MARKED.format(f"word{number}"), encoding="utf-8")
    (site / "listing.html").write_text(UNMARKED.format("word0 word1"), encoding="utf-8")
    index_site(site, part_pages=1)
    listed = parts(site)
    assert [part["path"] for part in listed] == ["", "more/1/", "more/2/"]
    assert all(page_count(site / BUNDLE / part["path"]) == 1 for part in listed)


def test_a_site_without_marks_is_indexed_whole_in_one_part(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    for name in ("a.html", "b.html"):
        (site / name).write_text(UNMARKED.format(name), encoding="utf-8")
    index_site(site, part_pages=1)
    assert page_count(site / BUNDLE) == 2
    assert not (site / BUNDLE / PARTS_FILE).exists()


@pytest.fixture
def parted(tmp_path: Path) -> Builds:
    """A tiny site indexed three posts to a part."""
    return Builds(tmp_path, SEARCH_INDEX=True, SEARCH_PART_PAGES=3)


def test_every_post_is_in_exactly_one_part(parted):
    output = parted.build()
    listed = parts(output)
    assert len(listed) == 3
    assert sum(page_count(output / BUNDLE / part["path"]) for part in listed) == 9


def test_an_edit_redoes_only_the_part_that_holds_the_edited_post(parted):
    output = parted.build()
    before = {part["path"]: part["key"] for part in parts(output)}
    entries = {path: (output / BUNDLE / path / "pagefind.js").stat().st_ino for path in before}
    edit_body(parted)
    output = parted.build()
    after = {part["path"]: part["key"] for part in parts(output)}
    changed = [path for path in before if before[path] != after[path]]
    assert len(changed) == 1
    for path in before:
        same_file = (output / BUNDLE / path / "pagefind.js").stat().st_ino == entries[path]
        assert same_file == (path not in changed), path
    assert tree(output) == tree(parted.clean_build())


def test_a_large_site_is_split_in_two_parts_at_least_and_a_small_one_is_not():
    assert part_size(7, 2000) == 2000
    assert part_size(1001, 2000) == 501
    assert part_size(10000, 2000) == 2000
