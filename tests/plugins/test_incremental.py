"""The incremental plugin: parallel, cached reading and rendering that equal a clean build."""

import logging
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import markdown
import pytest
from incremental.reading import typeset
from incremental.speedups import ReusedMarkdown, quick_smartypants
from pelican import Pelican
from pelican import readers as pelican_readers
from pelican.log import LimitFilter

from sitebuild.build import BuildError, build_site
from tests.conftest import GOOD_POST, REPO, run
from tests.plugins.tinysite import TinySite

pytestmark = pytest.mark.slow

CODE_POST = """Title: Post {n}
Date: 2020-01-{day:02d} 10:00
Category: {categories}

Paragraph {n} with "quotes" -- and dashes... for typogrify.

```ruby
puts "post {n}"
```
"""
POSTS = 9


def tree(root: Path) -> dict[str, bytes]:
    """Every file below root by its relative path, with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


class Builds:
    """A tiny site built with the project's build, incrementally and from nothing."""

    def __init__(self, root: Path, **settings) -> None:
        self.site = TinySite(root)
        self.root = root
        # Three posts a page, so listings have several pages; every post through the pools.
        self.settings = {
            "DEFAULT_PAGINATION": 3,
            "INCREMENTAL_MIN_PARALLEL": 1,
            "SEARCH_INDEX": False,
            **settings,
        }
        for n in range(1, POSTS + 1):
            categories = "Ruby, Web" if n % 2 else "Web"
            self.site.add(f"post{n}.md", CODE_POST.format(n=n, day=n, categories=categories))

    def build(self, name: str = "output", **settings) -> Path:
        """Build into root/name, keeping that folder's cache from build to build."""
        overrides = {
            "PATH": str(self.site.content),
            "CACHE_PATH": str(self.root / f"cache-{name}"),
            **self.settings,
            **settings,
        }
        return build_site(REPO / "pelicanconf.py", self.root / name, overrides=overrides)

    def clean_build(self, **settings) -> Path:
        """Build from nothing: no output, no cache."""
        for folder in ("clean", "cache-clean"):
            shutil.rmtree(self.root / folder, ignore_errors=True)
        return self.build("clean", **settings)


@pytest.fixture
def builds(tmp_path: Path) -> Builds:
    """A tiny site of a few posts."""
    return Builds(tmp_path)


def edit_body(builds: Builds) -> None:
    """Change a sentence of one post."""
    path = builds.site.content / "post5.md"
    path.write_text(path.read_text().replace("Paragraph 5", "Edited paragraph"), "utf-8")


def edit_title(builds: Builds) -> None:
    """Rename one post, which its neighbours and the archives show."""
    path = builds.site.content / "post4.md"
    path.write_text(path.read_text().replace("Title: Post 4", "Title: Renamed"), "utf-8")


def edit_date(builds: Builds) -> None:
    """Move one post to the top of every listing."""
    path = builds.site.content / "post1.md"
    path.write_text(path.read_text().replace("2020-01-01", "2021-06-01"), "utf-8")


def edit_categories(builds: Builds) -> None:
    """Give one post a new category."""
    path = builds.site.content / "post2.md"
    path.write_text(path.read_text().replace("Category: Web", "Category: Web, Go"), "utf-8")


def add_post(builds: Builds) -> None:
    """Write a new post."""
    builds.site.add("post99.md", CODE_POST.format(n=99, day=28, categories="Ruby"))


def delete_post(builds: Builds) -> None:
    """Delete a post."""
    (builds.site.content / "post3.md").unlink()


EDITS: dict[str, Callable[[Builds], None]] = {
    "body": edit_body,
    "title": edit_title,
    "date": edit_date,
    "categories": edit_categories,
    "new post": add_post,
    "deleted post": delete_post,
}


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_an_incremental_build_equals_a_clean_build(builds, edit):
    builds.build()
    edit(builds)
    incremental = tree(builds.build())
    assert incremental == tree(builds.clean_build())


def test_a_changed_setting_is_not_served_from_the_caches(builds):
    builds.build()
    changed = {"SITENAME": "Renamed site", "TYPOGRIFY_OMIT_FILTERS": ["widont"]}
    incremental = tree(builds.build(**changed))
    assert b"Renamed site" in incremental["index.html"]
    assert incremental == tree(builds.clean_build(**changed))


def test_a_template_edit_is_not_served_from_the_caches(builds, tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "theme", theme)
    builds.build(THEME=str(theme))
    footer = theme / "templates" / "partials" / "footer.html"
    footer.write_text(footer.read_text() + "<!-- edited footer -->\n", "utf-8")
    incremental = tree(builds.build(THEME=str(theme)))
    assert b"edited footer" in incremental["2020/01/05/post-5/index.html"]
    assert incremental == tree(builds.clean_build(THEME=str(theme)))


def test_pages_that_show_nothing_edited_are_kept_not_rendered(builds):
    output = builds.build()
    edited, untouched = (
        output / "2020/01/05/post-5/index.html",
        output / "2020/01/01/post-1/index.html",
    )
    before = edited.stat().st_ino, untouched.stat().st_ino
    edit_body(builds)
    builds.build()
    # A kept page is the previous build's file, hard-linked; a rendered one is a new file.
    assert untouched.stat().st_ino == before[1]
    assert edited.stat().st_ino != before[0]
    assert "Edited paragraph" in edited.read_text(encoding="utf-8")


def test_the_site_is_the_same_with_or_without_the_plugin(builds):
    with_plugin = tree(builds.clean_build())
    plugins = [name for name in builds.site.settings()["PLUGINS"] if name != "incremental"]
    without_plugin = tree(builds.clean_build(PLUGINS=plugins))
    assert with_plugin == without_plugin


def test_reading_and_rendering_in_parallel_equal_doing_it_in_one_process(builds):
    parallel = tree(builds.clean_build(INCREMENTAL_MIN_PARALLEL=1))
    assert parallel == tree(builds.clean_build(INCREMENTAL_MIN_PARALLEL=10**6))


def test_a_post_read_from_the_cache_still_warns(builds, caplog, monkeypatch):
    # content_checks makes the repeat an error of its own; here only Pelican's warning counts.
    monkeypatch.setattr("content_checks.content_checks.repeated_keys", lambda text: [])
    # The Markdown reader itself warns about this, so the warning is part of what is cached.
    builds.site.add("odd.md", "Title: Odd\nSlug: odd\nSlug: odder\nDate: 2020-02-01\n\nText.\n")
    for _ in range(2):
        caplog.clear()
        # Pelican drops a warning it logged before in the same process; a build is a process.
        LimitFilter._raised_messages.clear()
        with caplog.at_level(logging.WARNING):
            builds.build()
        warnings = [m for m in caplog.messages if "Duplicate definition of `slug`" in m]
        assert len(warnings) == 1
        assert "odd.md" in warnings[0]


def test_a_broken_build_is_not_mistaken_for_the_output_next_time(builds, tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(REPO / "theme", theme)
    builds.build(THEME=str(theme))
    edit_body(builds)
    article = theme / "templates" / "article.html"
    good = article.read_text(encoding="utf-8")
    article.write_text(good + "{% if %}", encoding="utf-8")
    with pytest.raises(BuildError):
        builds.build(THEME=str(theme))
    article.write_text(good, encoding="utf-8")
    assert tree(builds.build(THEME=str(theme))) == tree(builds.clean_build(THEME=str(theme)))


def test_the_search_index_is_kept_when_no_page_changed_and_redone_when_one_did(tmp_path):
    builds = Builds(tmp_path, SEARCH_INDEX=True)
    output = builds.build()
    entry = output / "pagefind" / "pagefind-entry.json"
    first = entry.stat().st_ino
    builds.build()
    assert entry.stat().st_ino == first
    edit_body(builds)
    incremental = tree(builds.build())
    assert entry.stat().st_ino != first
    assert incremental == tree(builds.clean_build())


def test_a_run_of_edits_keeps_equalling_a_clean_build(builds):
    # From the third build on, each build starts from the site before last and must both
    # keep what is still current there and clear out what is not.
    builds.build()
    for edit in (edit_body, add_post, edit_title, delete_post, edit_date, edit_categories):
        edit(builds)
        assert tree(builds.build()) == tree(builds.clean_build()), edit.__name__
    previous = builds.root / ".output.previous"
    assert previous.is_dir()
    assert not any(path.name.startswith(".incremental") for path in previous.rglob("*"))


def test_the_preview_serves_pages_first_and_ends_with_a_current_search_index(tmp_path):
    builds = Builds(tmp_path, SEARCH_INDEX=True)
    overrides = {"PATH": str(builds.site.content), "CACHE_PATH": str(tmp_path / "cache-output")}
    for _ in range(2):
        build_site(
            REPO / "pelicanconf.py", tmp_path / "output", overrides={**overrides, **builds.settings}
        )
    edit_body(builds)
    live_when_ready = {}

    def pages_ready() -> None:
        page = tmp_path / "output/2020/01/05/post-5/index.html"
        live_when_ready["page"] = page.read_text(encoding="utf-8")
        live_when_ready["index"] = (tmp_path / "output/pagefind/pagefind.js").is_file()

    settings = {**overrides, **builds.settings}
    build_site(
        REPO / "pelicanconf.py", tmp_path / "output", overrides=settings, pages_ready=pages_ready
    )
    assert "Edited paragraph" in live_when_ready["page"]
    assert live_when_ready["index"]
    assert tree(tmp_path / "output") == tree(builds.clean_build())


QUOTES_POST = """Title: Quotes
Date: 2020-01-05
Category: Testing

"Quoted" -- and 'single' ... in the '80s.
"""
TRICKY_TEXTS = [
    "\"Quoted\" -- and 'single' ... . . . ``double'' `single' and --- a rule",
    "He said, \"'Quoted' words in a larger quote.\" in the '80s, rock 'n' roll's",
    'Escapes: \\" \\\' \\\\ \\. \\- \\` and &quot;entity quotes&quot; end"',
    "<p>'Tis \"<em>emphasis</em>\" - dash</p><pre>\"raw\" -- 'code'...</pre><code>``x''</code>",
    'Text with none of them at all, only words and <a href="x">links</a>.',
]


@pytest.mark.parametrize("dashes", ["default", "oldschool", "oldschool_inverted"])
def test_quicker_smartypants_typesets_exactly_as_smartypants(monkeypatch, dashes):
    posts = sorted((REPO / "content").glob("*.md"))
    sources = [post.read_text(encoding="utf-8") for post in posts]
    texts = TRICKY_TEXTS + sources + [markdown.markdown(source) for source in sources]
    settings = {"TYPOGRIFY_DASHES": dashes}
    with quick_smartypants():
        quick = [typeset(text, settings) for text in texts]
    assert [typeset(text, settings) for text in texts] == quick


SPEEDUPS_UNDONE_SCRIPT = """
import sys
from pathlib import Path

import markdown
import smartypants
from pelican import readers

from sitebuild.build import build_site

originals = {name: getattr(smartypants, name) for name in vars(smartypants)}
project = Path(sys.argv[1])
if sys.argv[2] == "after-a-build":
    build_site(project / "pelicanconf.py", project / "output")
    # Functions only: the attributes typogrify itself sets are set by stock Pelican too.
    functions = {name: value for name, value in originals.items() if callable(value)}
    changed = [name for name, value in functions.items() if getattr(smartypants, name) is not value]
    assert changed == [], changed
    assert readers.Markdown is markdown.Markdown, readers.Markdown
from pelican.settings import DEFAULT_CONFIG

reader = readers.MarkdownReader(dict(DEFAULT_CONFIG))
for post in sorted((project / "content").glob("*.md")):
    content, metadata = reader.read(str(post))
    print("read:", repr(content), repr(smartypants.smartypants(content)))
"""


def test_a_build_leaves_every_library_as_it_found_it(project_copy):
    # In processes of their own: stock reading after a build equals it in a fresh process.
    project = project_copy({"good.md": GOOD_POST, "quotes.md": QUOTES_POST})
    after, fresh = (
        run([sys.executable, "-c", SPEEDUPS_UNDONE_SCRIPT, str(project), when], cwd=REPO)
        for when in ("after-a-build", "fresh")
    )
    assert after.returncode == 0, after.stderr
    reads = [
        [line for line in r.stdout.splitlines() if line.startswith("read:")] for r in (after, fresh)
    ]
    assert len(reads[1]) == 2 and "&#8220;" in reads[1][1]
    assert reads[0] == reads[1]


def test_reused_markdown_reads_every_post_as_a_fresh_one_does(tmp_path, monkeypatch):
    site = TinySite(tmp_path)
    # A link reference one file defines must not resolve a reference in the next.
    defines = site.add("defines.md", "Title: A\nDate: 2020-01-01\n\n[ref] here.\n\n[ref]: /a/\n")
    uses = site.add("uses.md", "Title: B\nDate: 2020-01-02\n\nAn undefined [ref].\n")
    settings = site.settings()
    Pelican(settings)  # the plugins configure Markdown
    reader = pelican_readers.Readers(settings).readers["md"]
    posts = [p for p in sorted((REPO / "content").glob("*.md")) if p.name != "README.md"]
    posts += [defines, uses]
    monkeypatch.setattr(pelican_readers, "Markdown", markdown.Markdown)
    fresh = [reader.read(str(post)) for post in posts]
    monkeypatch.setattr(pelican_readers, "Markdown", ReusedMarkdown)
    monkeypatch.setattr(ReusedMarkdown, "made", [])
    # Both orders: whatever one file leaves in the instance must not reach the next.
    assert [reader.read(str(post)) for post in posts] == fresh
    assert [reader.read(str(post)) for post in reversed(posts)] == fresh[::-1]
    assert len(ReusedMarkdown.made) == 1
